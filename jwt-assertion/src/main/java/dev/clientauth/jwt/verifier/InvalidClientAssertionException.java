package dev.clientauth.jwt.verifier;

/**
 * A client assertion failed a check. {@link #check()} names which; the message explains it and
 * never contains the assertion. An authorization server answers {@code invalid_client}.
 */
public final class InvalidClientAssertionException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The check that failed. */
    public enum Check {
        MALFORMED, TYPE, ALGORITHM, KEY, SIGNATURE, ISSUER, SUBJECT, CLIENT_ID, AUDIENCE, EXPIRATION, LIFETIME,
        ISSUED_IN_FUTURE, NOT_YET_VALID, JTI, REPLAY
    }

    private final Check check;

    public InvalidClientAssertionException(Check check, String message) {
        super(check + ": " + message);
        this.check = check;
    }

    public Check check() {
        return check;
    }

    /** Always {@code invalid_client} (RFC 6749 §5.2, RFC 7523 §3.2). */
    public String error() {
        return "invalid_client";
    }
}
