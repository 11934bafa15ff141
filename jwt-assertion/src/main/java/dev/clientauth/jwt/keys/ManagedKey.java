package dev.clientauth.jwt.keys;

import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/**
 * One key of a {@link RotatingKeySet}: its id, state, times and public parts. The private key is
 * reachable only through the set's signer; {@code toString} prints metadata only. Immutable.
 */
public final class ManagedKey {
    private final String keyId;
    private final KeyState state;
    private final SignatureAlgorithm algorithm;
    private final Instant createdAt;
    private final Instant activatesAt;
    private final Instant removeAt;
    private final X509Certificate certificate;
    private final String hsmAlias;
    final JcaSigner signer;

    ManagedKey(String keyId, KeyState state, SignatureAlgorithm algorithm, Instant createdAt, Instant activatesAt,
            Instant removeAt, X509Certificate certificate, String hsmAlias, JcaSigner signer) {
        this.keyId = keyId;
        this.state = state;
        this.algorithm = algorithm;
        this.createdAt = createdAt;
        this.activatesAt = activatesAt;
        this.removeAt = removeAt;
        this.certificate = certificate;
        this.hsmAlias = hsmAlias;
        this.signer = signer;
    }

    ManagedKey with(KeyState newState, Instant newActivatesAt, Instant newRemoveAt) {
        return new ManagedKey(keyId, newState, algorithm, createdAt, newActivatesAt, newRemoveAt, certificate, hsmAlias, signer);
    }

    /** The {@code kid}: the RFC 7638 thumbprint of the public key. */
    public String keyId() {
        return keyId;
    }

    public KeyState state() {
        return state;
    }

    public SignatureAlgorithm algorithm() {
        return algorithm;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** When a NEXT key becomes active. */
    public Optional<Instant> activatesAt() {
        return Optional.ofNullable(activatesAt);
    }

    /** When a RETIRED key leaves the JWKS. */
    public Optional<Instant> removeAt() {
        return Optional.ofNullable(removeAt);
    }

    public PublicKey publicKey() {
        return certificate.getPublicKey();
    }

    /** The self-signed certificate stored with the key (published as {@code x5c} when enabled). */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The PKCS#11 alias of a key held in an HSM. */
    public Optional<String> hsmAlias() {
        return Optional.ofNullable(hsmAlias);
    }

    @Override
    public String toString() {
        return "ManagedKey[kid=" + keyId + ", " + state + ", " + algorithm + (hsmAlias == null ? "" : ", hsm")
                + ", created=" + createdAt + (activatesAt == null ? "" : ", activates=" + activatesAt)
                + (removeAt == null ? "" : ", removed=" + removeAt) + "]";
    }
}
