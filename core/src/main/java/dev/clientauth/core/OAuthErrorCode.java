package dev.clientauth.core;

import java.util.Objects;

/**
 * An RFC 6749 §5.2 {@code error} code. An open set: the six standard codes are constants, and
 * any extension code (for example RFC 8707's {@code invalid_target}) can be represented.
 */
public final class OAuthErrorCode {
    public static final OAuthErrorCode INVALID_REQUEST = new OAuthErrorCode("invalid_request");
    public static final OAuthErrorCode INVALID_CLIENT = new OAuthErrorCode("invalid_client");
    public static final OAuthErrorCode INVALID_GRANT = new OAuthErrorCode("invalid_grant");
    public static final OAuthErrorCode UNAUTHORIZED_CLIENT = new OAuthErrorCode("unauthorized_client");
    public static final OAuthErrorCode UNSUPPORTED_GRANT_TYPE = new OAuthErrorCode("unsupported_grant_type");
    public static final OAuthErrorCode INVALID_SCOPE = new OAuthErrorCode("invalid_scope");
    /** RFC 9449 §8: the server wants a proof with the nonce of its {@code DPoP-Nonce} header. */
    public static final OAuthErrorCode USE_DPOP_NONCE = new OAuthErrorCode("use_dpop_nonce");
    /** RFC 9449 §5: the DPoP proof was refused. */
    public static final OAuthErrorCode INVALID_DPOP_PROOF = new OAuthErrorCode("invalid_dpop_proof");

    private final String value;

    private OAuthErrorCode(String value) {
        this.value = value;
    }

    /**
     * @throws IllegalArgumentException if the value holds characters outside RFC 6749's
     *     {@code %x20-21 / %x23-5B / %x5D-7E}, or is empty
     */
    public static OAuthErrorCode of(String value) {
        Objects.requireNonNull(value, "error");
        if (!isValid(value)) {
            throw new IllegalArgumentException("not a valid OAuth error code");
        }
        for (OAuthErrorCode known : new OAuthErrorCode[] {INVALID_REQUEST, INVALID_CLIENT, INVALID_GRANT,
                UNAUTHORIZED_CLIENT, UNSUPPORTED_GRANT_TYPE, INVALID_SCOPE, USE_DPOP_NONCE, INVALID_DPOP_PROOF}) {
            if (known.value.equals(value)) {
                return known;
            }
        }
        return new OAuthErrorCode(value);
    }

    static boolean isValid(String value) {
        if (value.isEmpty() || value.length() > 256) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OAuthErrorCode && ((OAuthErrorCode) o).value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
