package dev.clientauth.core;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * A token request failed at run time. The subtypes say what the caller can do next:
 * <ul>
 *   <li>{@link OAuthErrorResponseException}: the authorization server refused the request with an
 *       RFC 6749 §5.2 error (fix credentials or request; retrying the same request will not help);</li>
 *   <li>{@link UnexpectedStatusException}: the server answered with an HTTP error that is not an
 *       OAuth error (a 5xx page, a 429, a redirect); often worth retrying later;</li>
 *   <li>{@link TokenTransportException}: the exchange failed (connect, TLS, timeout, closed connection);</li>
 *   <li>{@link MalformedTokenResponseException}: a response arrived but is not a valid token response;</li>
 *   <li>{@link ClientAuthenticationException}: the client could not produce its credentials
 *       (for example a signer failed); nothing was sent.</li>
 * </ul>
 * An {@link IOException} so that HTTP client adapters can pass it through their chains.
 * Messages never contain a secret, assertion or token.
 */
public abstract class TokenRequestException extends IOException {
    private static final long serialVersionUID = 1L;

    protected TokenRequestException(String message) {
        super(message);
    }

    protected TokenRequestException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether retrying the same request later may succeed (5xx, 429, transport failures). */
    public boolean isRetryable() {
        return false;
    }

    /** How long the server asked the client to wait ({@code Retry-After}), when it said so. */
    public Optional<Duration> retryAfter() {
        return Optional.empty();
    }
}
