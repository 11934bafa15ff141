package dev.clientauth.jwt.keys;

/**
 * The stored key set cannot be read: unparseable, inconsistent, a wrong password, or a key that
 * is no longer in its HSM. The file is left as it is; new keys are never generated in its place.
 */
public final class KeySetCorruptException extends Exception {
    private static final long serialVersionUID = 1L;

    public KeySetCorruptException(String message) {
        super(message);
    }

    public KeySetCorruptException(String message, Throwable cause) {
        super(message, cause);
    }
}
