package dev.clientauth.core;

/**
 * The HTTP exchange failed: could not connect, the TLS handshake failed, a timeout, or the
 * server closed the connection. Retryable.
 */
public final class TokenTransportException extends TokenRequestException {
    private static final long serialVersionUID = 1L;

    private final boolean timeout;

    public TokenTransportException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public TokenTransportException(String message, Throwable cause, boolean timeout) {
        super(message, cause);
        this.timeout = timeout;
    }

    /** Whether the failure was a connect or read timeout. */
    public boolean isTimeout() {
        return timeout;
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
