package dev.clientauth.jwt;

import java.time.Instant;
import java.util.Optional;

/**
 * A client assertion signed by this library (only the assertion writer makes one). Single-use:
 * every token request gets a fresh one.
 *
 * <p>{@link #serialize()} returns the compact JWS; {@code toString} prints metadata only.
 */
public final class SignedClientAssertion {
    private final String compact;
    private final String jwtId;
    private final Instant expiresAt;
    private final String keyId;
    private final SignatureAlgorithm algorithm;

    SignedClientAssertion(String compact, String jwtId, Instant expiresAt, String keyId, SignatureAlgorithm algorithm) {
        this.compact = compact;
        this.jwtId = jwtId;
        this.expiresAt = expiresAt;
        this.keyId = keyId;
        this.algorithm = algorithm;
    }

    /** The compact JWS serialization, the {@code client_assertion} value. */
    public String serialize() {
        return compact;
    }

    public String jwtId() {
        return jwtId;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    public Optional<String> keyId() {
        return Optional.ofNullable(keyId);
    }

    public SignatureAlgorithm algorithm() {
        return algorithm;
    }

    @Override
    public String toString() {
        return "SignedClientAssertion[alg=" + algorithm + ", kid=" + keyId + ", jti=" + jwtId + ", exp=" + expiresAt + "]";
    }
}
