package dev.clientauth.jwt;

import dev.clientauth.core.CertificateThumbprint;
import java.util.Optional;

/**
 * One key that signs JWS signing inputs: its algorithm, key id, optional certificate
 * thumbprint, and the signing operation. The signature is returned in JOSE form (for ECDSA,
 * {@code r || s} of fixed length, RFC 7518 §3.4).
 *
 * <p>Implementations are thread-safe.
 */
public interface SigningKey {
    SignatureAlgorithm algorithm();

    /** The {@code kid} header value; empty to send none. */
    Optional<String> keyId();

    /** The {@code x5t#S256} of a certificate for this key, when one is attached. */
    default Optional<CertificateThumbprint> certificateThumbprint() {
        return Optional.empty();
    }

    /**
     * Signs the JWS signing input ({@code BASE64URL(header) '.' BASE64URL(payload)} as ASCII).
     *
     * @throws SigningException if no valid signature could be made
     */
    byte[] sign(byte[] signingInput) throws SigningException;
}
