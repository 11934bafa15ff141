package dev.clientauth.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Something a {@link TokenSource} did, for metrics and logs. Carries no token value, secret or
 * assertion: only the client, the kind of event, the token's expiry, and for failures the typed
 * error (whose message holds no secret either).
 */
public final class TokenEvent {
    /** What happened. */
    public enum Type {
        /** A token was obtained because none valid was cached. */
        FETCHED,
        /** A token was obtained ahead of the cached one's expiry. */
        REFRESHED,
        /** A token request attempt failed and will be retried after {@link #retryDelay()}. */
        RETRYING,
        /** Obtaining a token failed for good (the error is in {@link #error()}). */
        FAILED,
        /** The authorization server is failing, and the still-valid cached token was served. */
        SERVED_STALE,
        /** A cached token was dropped because a resource server rejected it. */
        INVALIDATED,
        /** Cached tokens were dropped because the client certificate changed. */
        CERTIFICATE_CHANGED
    }

    private final Type type;
    private final ClientId clientId;
    private final Instant expiresAt;
    private final TokenRequestException error;
    private final Duration retryDelay;
    private final int attempt;

    private TokenEvent(Type type, ClientId clientId, Instant expiresAt, TokenRequestException error, Duration retryDelay,
            int attempt) {
        this.type = type;
        this.clientId = clientId;
        this.expiresAt = expiresAt;
        this.error = error;
        this.retryDelay = retryDelay;
        this.attempt = attempt;
    }

    /** A token was obtained because none valid was cached. */
    public static TokenEvent fetched(ClientId clientId, Instant expiresAt) {
        return new TokenEvent(Type.FETCHED, clientId, expiresAt, null, null, 0);
    }

    /** A token was obtained ahead of the cached one's expiry. */
    public static TokenEvent refreshed(ClientId clientId, Instant expiresAt) {
        return new TokenEvent(Type.REFRESHED, clientId, expiresAt, null, null, 0);
    }

    /** Attempt {@code attempt} failed and the request is retried after {@code delay}. */
    public static TokenEvent retrying(ClientId clientId, TokenRequestException error, Duration delay, int attempt) {
        return new TokenEvent(Type.RETRYING, clientId, null, error, delay, attempt);
    }

    /** Obtaining a token failed for good at attempt {@code attempt}. */
    public static TokenEvent failed(ClientId clientId, TokenRequestException error, int attempt) {
        return new TokenEvent(Type.FAILED, clientId, null, error, null, attempt);
    }

    /** A refresh failed and the still-valid cached token (expiring at {@code expiresAt}) was served. */
    public static TokenEvent servedStale(ClientId clientId, Instant expiresAt, TokenRequestException error) {
        return new TokenEvent(Type.SERVED_STALE, clientId, expiresAt, error, null, 0);
    }

    /** A cached token was dropped (a resource server rejected it, or every token was dropped). */
    public static TokenEvent invalidated(ClientId clientId, Instant expiresAt) {
        return new TokenEvent(Type.INVALIDATED, clientId, expiresAt, null, null, 0);
    }

    /** Cached tokens were dropped because the client certificate changed. */
    public static TokenEvent certificateChanged(ClientId clientId) {
        return new TokenEvent(Type.CERTIFICATE_CHANGED, clientId, null, null, null, 0);
    }

    public Type type() {
        return type;
    }

    public ClientId clientId() {
        return clientId;
    }

    /** Expiry of the token concerned, when there is one. */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(expiresAt);
    }

    public Optional<TokenRequestException> error() {
        return Optional.ofNullable(error);
    }

    public Optional<Duration> retryDelay() {
        return Optional.ofNullable(retryDelay);
    }

    /** The attempt number (1 for the first) for {@link Type#RETRYING} and {@link Type#FAILED}. */
    public int attempt() {
        return attempt;
    }

    @Override
    public String toString() {
        return "TokenEvent[" + type + ", client=" + clientId + (expiresAt == null ? "" : ", expiresAt=" + expiresAt)
                + (error == null ? "" : ", error=" + error.getClass().getSimpleName() + ": " + error.getMessage())
                + (retryDelay == null ? "" : ", retryDelay=" + retryDelay) + "]";
    }
}
