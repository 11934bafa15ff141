package dev.clientauth.jwt;

/**
 * A signature could not be made: the signer failed, the HSM or remote service was unavailable,
 * or it returned something that is not a valid signature. Messages name the key id and
 * algorithm, never key material or the signed content.
 */
public final class SigningException extends Exception {
    private static final long serialVersionUID = 1L;

    public SigningException(String message) {
        super(message);
    }

    public SigningException(String message, Throwable cause) {
        super(message, cause);
    }
}
