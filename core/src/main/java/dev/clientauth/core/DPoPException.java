package dev.clientauth.core;

/**
 * DPoP (RFC 9449) could not be done as asked at the token endpoint: the server demanded a new
 * nonce again after the one retry, sent a {@code DPoP-Nonce} that is not a valid nonce, or issued a
 * {@code Bearer} token although a DPoP-bound one was asked for (the server does not support
 * DPoP; see {@link TokenSource.Builder#allowBearerFallback()}). The message names the origin and
 * the key thumbprint, never a proof, nonce or token.
 */
public final class DPoPException extends TokenRequestException {
    private static final long serialVersionUID = 1L;

    private final int statusCode;
    private final boolean retryable;

    public DPoPException(String message, int statusCode, boolean retryable) {
        super(message);
        this.statusCode = statusCode;
        this.retryable = retryable;
    }

    /** The HTTP status of the response. */
    public int statusCode() {
        return statusCode;
    }

    /** A nonce the server kept changing may settle on a later attempt; the other cases do not. */
    @Override
    public boolean isRetryable() {
        return retryable;
    }
}
