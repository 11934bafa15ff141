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

    TokenEvent(Type type, ClientId clientId, Instant expiresAt, TokenRequestException error, Duration retryDelay, int attempt) {
        this.type = type;
        this.clientId = clientId;
        this.expiresAt = expiresAt;
        this.error = error;
        this.retryDelay = retryDelay;
        this.attempt = attempt;
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
