package dev.clientauth.keys;

/**
 * Key material could not be read: a missing, empty or garbled file, a certificate where a key was
 * expected (or the reverse), an encrypted key without its password, a wrong password. Messages
 * name the file and the problem, never key material or passwords.
 */
public class KeyMaterialException extends Exception {
    private static final long serialVersionUID = 1L;

    public KeyMaterialException(String message) {
        super(message);
    }

    public KeyMaterialException(String message, Throwable cause) {
        super(message, cause);
    }
}
