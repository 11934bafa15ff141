package dev.clientauth.core;

import java.time.Duration;
import java.util.Optional;

/**
 * The server answered with a non-2xx status that is not an RFC 6749 §5.2 error response: an
 * HTML error page, a bare 503, a 429 without a JSON body, or a redirect (never followed).
 * The body is not kept.
 */
public final class UnexpectedStatusException extends TokenRequestException {
    private static final long serialVersionUID = 1L;

    private final int statusCode;
    private final String contentType;
    private final Duration retryAfter;

    public UnexpectedStatusException(String message, int statusCode, String contentType, Duration retryAfter) {
        super(message);
        this.statusCode = statusCode;
        this.contentType = contentType;
        this.retryAfter = retryAfter;
    }

    public int statusCode() {
        return statusCode;
    }

    public Optional<String> contentType() {
        return Optional.ofNullable(contentType);
    }

    /** The server's {@code Retry-After}, when it sent one. */
    @Override
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    @Override
    public boolean isRetryable() {
        return statusCode == 429 || statusCode >= 500;
    }
}
