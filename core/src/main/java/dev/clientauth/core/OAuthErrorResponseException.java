package dev.clientauth.core;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The authorization server answered with an RFC 6749 §5.2 error response.
 *
 * <p>Keeps the error code, description, URI, HTTP status and any {@code WWW-Authenticate}
 * header. Only {@code 429}/{@code 5xx} statuses are {@linkplain #isRetryable() retryable}.
 */
public final class OAuthErrorResponseException extends TokenRequestException {
    private static final long serialVersionUID = 1L;

    private final OAuthErrorCode error;
    private final String description;
    private final URI uri;
    private final int statusCode;
    private final String wwwAuthenticate;
    private final Duration retryAfter;

    public OAuthErrorResponseException(OAuthErrorCode error, String description, URI uri, int statusCode,
            String wwwAuthenticate, Duration retryAfter) {
        super("token endpoint returned " + error + " (HTTP " + statusCode + ")"
                + (description == null ? "" : ": " + description));
        this.error = error;
        this.description = description;
        this.uri = uri;
        this.statusCode = statusCode;
        this.wwwAuthenticate = wwwAuthenticate;
        this.retryAfter = retryAfter;
    }

    public OAuthErrorCode error() {
        return error;
    }

    public Optional<String> description() {
        return Optional.ofNullable(description);
    }

    public Optional<URI> uri() {
        return Optional.ofNullable(uri);
    }

    public int statusCode() {
        return statusCode;
    }

    public Optional<String> wwwAuthenticate() {
        return Optional.ofNullable(wwwAuthenticate);
    }

    @Override
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    @Override
    public boolean isRetryable() {
        return statusCode == 429 || statusCode >= 500;
    }
}
