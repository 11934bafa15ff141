package dev.clientauth.core;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Watches every token request attempt of a {@link TokenSource}: told when one starts and how it
 * ended, for metrics and tracing ({@code clientauth-micrometer} implements it). Nothing it is
 * given carries a token, secret, assertion or proof. Called on the thread that makes the request;
 * must not block. A failing observer is logged and ignored.
 */
public interface TokenRequestObserver {
    /**
     * A token request attempt starts; the returned handle (never null) is told how it ends.
     */
    Attempt started(Request request);

    /** The end of one attempt. */
    @FunctionalInterface
    interface Attempt {
        void finished(Outcome outcome);
    }

    /**
     * One attempt: the client, its authentication method, the token endpoint (empty while
     * discovery has not found it), the attempt number (1 for the first) and whether it refreshes
     * a still-valid token in the background.
     */
    record Request(ClientId clientId, ClientAuthenticationMethod method, Optional<URI> tokenEndpoint, int attempt,
            boolean background) {
    }

    /**
     * How an attempt ended: the HTTP status (200 on success, -1 when no response came), the
     * error (empty on success: the RFC 6749 §5.2 code, else the kind of failure — see
     * {@link #errorOf}), the failure itself, and how long the attempt took.
     */
    record Outcome(int statusCode, Optional<String> error, Optional<TokenRequestException> failure, Duration duration) {
        /** Whether a token was obtained. */
        public boolean succeeded() {
            return failure.isEmpty();
        }
    }

    /**
     * A short, bounded name for a failure: the OAuth error code for the codes of RFC 6749 §5.2 and
     * RFC 9449 ({@code other_oauth_error} for any other code a server sends), else
     * {@code transport}, {@code unexpected_status}, {@code malformed_response},
     * {@code client_authentication}, {@code dpop} or {@code metadata}.
     */
    static String errorOf(TokenRequestException failure) {
        if (failure instanceof OAuthErrorResponseException oauth) {
            String code = oauth.error().value();
            return switch (code) {
                case "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
                        "invalid_scope", "use_dpop_nonce", "invalid_dpop_proof", "temporarily_unavailable", "server_error" -> code;
                default -> "other_oauth_error";
            };
        }
        if (failure instanceof TokenTransportException) {
            return "transport";
        }
        if (failure instanceof UnexpectedStatusException) {
            return "unexpected_status";
        }
        if (failure instanceof MalformedTokenResponseException) {
            return "malformed_response";
        }
        if (failure instanceof ClientAuthenticationException) {
            return "client_authentication";
        }
        if (failure instanceof DPoPException) {
            return "dpop";
        }
        return "metadata";
    }

    /** The HTTP status a failure came with, or -1 when no response came. */
    static int statusOf(TokenRequestException failure) {
        if (failure instanceof OAuthErrorResponseException oauth) {
            return oauth.statusCode();
        }
        if (failure instanceof UnexpectedStatusException unexpected) {
            return unexpected.statusCode();
        }
        if (failure instanceof MalformedTokenResponseException malformed) {
            return malformed.statusCode();
        }
        if (failure instanceof DPoPException dpop) {
            return dpop.statusCode();
        }
        return -1;
    }
}
