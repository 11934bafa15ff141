package dev.clientauth.core;

/**
 * A response arrived but is not what the protocol allows: not JSON, not a JSON object, a
 * missing or invalid member, a wrong content type, or a body over the size limit. The message
 * names the problem, never the token.
 */
public final class MalformedTokenResponseException extends TokenRequestException {
    private static final long serialVersionUID = 1L;

    private final int statusCode;

    public MalformedTokenResponseException(String message, int statusCode) {
        super(message);
        this.statusCode = statusCode;
    }

    public MalformedTokenResponseException(String message, int statusCode, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
    }

    /** The HTTP status of the response, or -1 when not known. */
    public int statusCode() {
        return statusCode;
    }
}
