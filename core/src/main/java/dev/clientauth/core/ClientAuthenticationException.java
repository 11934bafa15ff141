package dev.clientauth.core;

/**
 * The client could not produce its credentials for a token request (a signer failed or
 * returned an invalid signature, a key became unavailable). The request was not sent.
 */
public final class ClientAuthenticationException extends TokenRequestException {
    private static final long serialVersionUID = 1L;

    public ClientAuthenticationException(String message) {
        super(message);
    }

    public ClientAuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A signer or HSM that failed once may work on the next attempt. */
    @Override
    public boolean isRetryable() {
        return true;
    }
}
