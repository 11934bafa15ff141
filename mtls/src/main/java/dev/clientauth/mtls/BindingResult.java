package dev.clientauth.mtls;

import java.util.Optional;

/**
 * The outcome of checking a certificate-bound access token against the client certificate of the
 * connection: valid, or {@code invalid_token} with a reason (RFC 8705 §3, RFC 6750 §3.1).
 */
public final class BindingResult {
    /** Why a binding check failed. */
    public enum Reason {
        /** The token carries no {@code cnf.x5t#S256} confirmation. */
        NO_CONFIRMATION,
        /** The request came without a client certificate. */
        NO_CERTIFICATE,
        /** The certificate is not the one the token is bound to. */
        MISMATCH,
        /** The token is not active (introspection) or its confirmation is malformed. */
        INVALID
    }

    private static final BindingResult VALID = new BindingResult(null, null);
    private final Reason reason;
    private final String description;

    private BindingResult(Reason reason, String description) {
        this.reason = reason;
        this.description = description;
    }

    static BindingResult valid() {
        return VALID;
    }

    static BindingResult invalid(Reason reason, String description) {
        return new BindingResult(reason, description);
    }

    public boolean isValid() {
        return reason == null;
    }

    public Optional<Reason> reason() {
        return Optional.ofNullable(reason);
    }

    /** {@code invalid_token}, or empty when valid. */
    public Optional<String> error() {
        return isValid() ? Optional.empty() : Optional.of("invalid_token");
    }

    public Optional<String> description() {
        return Optional.ofNullable(description);
    }

    /** The {@code WWW-Authenticate} value for a 401 answer, or empty when valid. */
    public Optional<String> wwwAuthenticate() {
        return isValid() ? Optional.empty()
                : Optional.of("Bearer error=\"invalid_token\", error_description=\"" + description + "\"");
    }

    @Override
    public String toString() {
        return isValid() ? "BindingResult[valid]" : "BindingResult[invalid_token, " + reason + ": " + description + "]";
    }
}
