package dev.clientauth.mtls;

/**
 * A TLS identity or trust bundle could not be loaded or is not usable: unreadable or garbage
 * files, a wrong password, a key that does not match the certificate, a chain out of order, an
 * expired or not yet valid certificate, a certificate not for client authentication. Messages
 * name the file, subject and thumbprint, never key material or passwords.
 */
public final class InvalidIdentityException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidIdentityException(String message) {
        super(message);
    }

    public InvalidIdentityException(String message, Throwable cause) {
        super(message, cause);
    }
}
