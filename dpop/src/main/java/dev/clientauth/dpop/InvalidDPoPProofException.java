package dev.clientauth.dpop;

import java.util.Optional;

/**
 * A request's DPoP proof was refused. {@link #error()} is the RFC 9449 error code to answer with:
 * {@code invalid_dpop_proof}, {@code use_dpop_nonce} (then {@link #nonce()} is the nonce to send
 * in {@code DPoP-Nonce}), or {@code invalid_token} when the proof is sound but the token is not
 * bound to its key. The message says which rule failed and never carries the proof or the token.
 */
public final class InvalidDPoPProofException extends Exception {
    private static final long serialVersionUID = 1L;
    public static final String INVALID_DPOP_PROOF = "invalid_dpop_proof";
    public static final String USE_DPOP_NONCE = "use_dpop_nonce";
    public static final String INVALID_TOKEN = "invalid_token";

    private final String error;
    private final transient String nonce;

    InvalidDPoPProofException(String error, String message, String nonce) {
        super(message);
        this.error = error;
        this.nonce = nonce;
    }

    static InvalidDPoPProofException invalid(String message) {
        return new InvalidDPoPProofException(INVALID_DPOP_PROOF, message, null);
    }

    /** The RFC 9449 error code for the response. */
    public String error() {
        return error;
    }

    /** With {@code use_dpop_nonce}: the nonce the client must use. */
    public Optional<String> nonce() {
        return Optional.ofNullable(nonce);
    }
}
