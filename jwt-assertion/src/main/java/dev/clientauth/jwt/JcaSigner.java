package dev.clientauth.jwt;

import dev.clientauth.core.internal.Jca;
import dev.clientauth.jwt.internal.JcaSignatures;
import dev.clientauth.core.internal.Ed25519Der;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.keys.PemFiles;
import dev.clientauth.jwt.internal.EcdsaSignatures;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * A {@link SigningKey} (and single-key {@link AssertionSigner}) backed by a JCA {@link PrivateKey}:
 * a key in memory, from a PKCS#12 keystore, or a non-extractable key in an HSM reached through a
 * JCA provider such as SunPKCS11.
 *
 * <p>Signatures are made by a JCA provider only: keys in memory by Bouncy Castle's provider for
 * ECDSA and Ed25519 and by the JDK for RSA; a key from a provider signs where it lives. An
 * explicit {@link Builder#provider(Provider)} always wins (a FIPS deployment pins its own). An
 * RSA signature made in memory is verified with the public key before it is used (about 3 % of
 * the signing time), because a fault in an RSA-CRT computation reveals the private key.
 *
 * <p>Key checks in {@link Builder#build()}: the algorithm fits the key type and curve; RSA keys
 * have at least 2048 bits unless {@link Builder#allowWeakRsaKey()}; HMAC is refused.
 *
 * <p>Thread-safe: each thread keeps its own initialised {@link Signature}.
 */
public final class JcaSigner implements SigningKey, AssertionSigner {

    private volatile PrivateKey privateKey;
    private final PublicKey publicKey;
    /** RSA in memory: each signature is verified before it leaves, so a CRT fault cannot leak the key. */
    private final boolean verifyBeforeUse;
    private final SignatureAlgorithm algorithm;
    private final String keyId;
    private final CertificateThumbprint thumbprint;
    private final Provider provider;
    private final String jcaName;
    private final boolean derEcdsa;
    private final Recovery recovery;
    private final ThreadLocal<Signature> signatures = new ThreadLocal<>();
    /** ES256 with a P-256 key in memory: signs without going through {@link Signature}. */
    private volatile boolean failed;
    private volatile long generation;
    private final ThreadLocal<long[]> threadGeneration = ThreadLocal.withInitial(() -> new long[] {-1});

    /**
     * Called before the next signature after a failure, to re-establish the key: for an HSM, log
     * in again and look the key up again (key handles do not survive a lost session).
     */
    @FunctionalInterface
    public interface Recovery {
        /** Returns the private key to use from now on. */
        PrivateKey recover() throws GeneralSecurityException;
    }

    private JcaSigner(Builder b, SignatureAlgorithm algorithm, Provider provider, String jcaName, boolean derEcdsa,
            String keyId) {
        this.privateKey = b.privateKey;
        this.publicKey = b.publicKey;
        this.verifyBeforeUse = algorithm.isRsa() && b.publicKey != null && b.privateKey.getEncoded() != null;
        this.algorithm = algorithm;
        this.keyId = keyId;
        this.thumbprint = b.certificate == null ? null : CertificateThumbprint.of(b.certificate);
        this.provider = provider;
        this.jcaName = jcaName;
        this.derEcdsa = derEcdsa;
        this.recovery = b.recovery;
    }

    /**
     * A signer for a private key. For a key held in memory (RSA with CRT parameters, EC, Ed25519)
     * the public key is derived, so the {@code kid} defaults to its RFC 7638 thumbprint; for a key
     * in a token give {@link Builder#publicKey} or {@link Builder#certificate} (or a {@link Builder#keyId}).
     */
    public static Builder builder(PrivateKey privateKey) {
        return new Builder(Objects.requireNonNull(privateKey, "privateKey"));
    }

    /** A signer for an in-memory key pair with the default algorithm and the RFC 7638 thumbprint as {@code kid}. */
    public static JcaSigner of(KeyPair keyPair) {
        return builder(keyPair.getPrivate()).publicKey(keyPair.getPublic()).build();
    }

    /**
     * A builder for a private Nimbus JWK (RSA, EC, or Ed25519 OKP). The JWK's {@code kid} and
     * {@code alg}, when present, become the defaults.
     */
    public static Builder builder(JWK jwk) {
        Objects.requireNonNull(jwk, "jwk");
        if (!jwk.isPrivate()) {
            throw new IllegalArgumentException("JWK " + jwk.getKeyID() + " has no private part");
        }
        try {
            Builder builder;
            if (jwk instanceof RSAKey) {
                builder = builder(((RSAKey) jwk).toPrivateKey()).publicKey(((RSAKey) jwk).toPublicKey());
            } else if (jwk instanceof ECKey) {
                builder = builder(((ECKey) jwk).toPrivateKey()).publicKey(((ECKey) jwk).toPublicKey());
            } else if (jwk instanceof OctetKeyPair && Curve.Ed25519.equals(((OctetKeyPair) jwk).getCurve())) {
                OctetKeyPair okp = (OctetKeyPair) jwk;
                KeyFactory factory = Jca.keyFactory("Ed25519");
                byte[] d = okp.getDecodedD();
                byte[] x = okp.getDecodedX();
                byte[] pkcs8 = Ed25519Der.pkcs8(d);
                byte[] spki = Ed25519Der.spki(x);
                builder = builder(factory.generatePrivate(new PKCS8EncodedKeySpec(pkcs8)))
                        .publicKey(factory.generatePublic(new X509EncodedKeySpec(spki)));
                Arrays.fill(pkcs8, (byte) 0);
            } else {
                throw new IllegalArgumentException("unsupported JWK key type " + jwk.getKeyType() + " for kid " + jwk.getKeyID());
            }
            if (jwk.getKeyID() != null) {
                builder.keyId(jwk.getKeyID());
            }
            if (jwk.getAlgorithm() != null) {
                builder.algorithm(SignatureAlgorithm.of(jwk.getAlgorithm().getName()));
            }
            return builder;
        } catch (JOSEException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use JWK " + jwk.getKeyID() + ": " + e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public SigningKey currentKey() {
        return this;
    }

    @Override
    public SignatureAlgorithm algorithm() {
        return algorithm;
    }

    @Override
    public Optional<String> keyId() {
        return Optional.ofNullable(keyId);
    }

    @Override
    public Optional<CertificateThumbprint> certificateThumbprint() {
        return Optional.ofNullable(thumbprint);
    }

    /** The public key, when known. */
    public Optional<PublicKey> publicKey() {
        return Optional.ofNullable(publicKey);
    }

    /** The provider that signs, or empty when JCA chooses the one that accepts the key. */
    public Optional<Provider> provider() {
        return Optional.ofNullable(provider);
    }

    @Override
    public byte[] sign(byte[] signingInput) throws SigningException {
        if (failed && recovery != null) {
            try {
                synchronized (this) {
                    if (failed) {
                        PrivateKey recovered = recovery.recover();
                        if (recovered != null) {
                            privateKey = recovered;
                        }
                        generation++;
                        failed = false;
                    }
                }
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new SigningException("key " + keyId + " (" + algorithm + ") is still unavailable: "
                        + e.getClass().getSimpleName(), e);
            }
        }
        try {
            Signature signature = signatures.get();
            long[] seen = threadGeneration.get();
            if (signature == null || seen[0] != generation) {
                signature = newSignature();
                signatures.set(signature);
                seen[0] = generation;
            }
            signature.update(signingInput);
            byte[] result = signature.sign();
            failed = false;
            byte[] jose = derEcdsa ? EcdsaSignatures.derToJose(result, algorithm.size()) : result;
            if (verifyBeforeUse && !JcaSignatures.verifies(publicKey, algorithm, signingInput, jose)) {
                // a computation fault in RSA-CRT would hand the key's factors to whoever sees the signature
                throw new SigningException("the " + algorithm + " signature of key " + keyId + " does not verify: "
                        + "not used (a computation fault?)");
            }
            return jose;
        } catch (GeneralSecurityException | RuntimeException e) {
            signatures.remove();
            failed = true;
            throw new SigningException("signing with key " + keyId + " (" + algorithm + ") failed: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }

    private Signature newSignature() throws GeneralSecurityException {
        Signature signature = provider == null ? Signature.getInstance(jcaName) : Signature.getInstance(jcaName, provider);
        signature.initSign(privateKey);
        if (algorithm.isRsaPss() && jcaName.equals("RSASSA-PSS")) {
            signature.setParameter(JcaSignatures.pss(algorithm));
        }
        return signature;
    }

    @Override
    public String toString() {
        return "JcaSigner[kid=" + keyId + ", alg=" + algorithm + ", provider="
                + (provider == null ? "(key's)" : provider.getName()) + "]";
    }

    /** Builds a {@link JcaSigner}. Not thread-safe. */
    public static final class Builder {
        private final PrivateKey privateKey;
        private PublicKey publicKey;
        private X509Certificate certificate;
        private SignatureAlgorithm algorithm;
        private Provider provider;
        private String keyId;
        private boolean allowWeakRsa;
        private Recovery recovery;

        private Builder(PrivateKey privateKey) {
            this.privateKey = privateKey;
        }

        /** The public key: used for key checks and the default {@code kid}. */
        public Builder publicKey(PublicKey publicKey) {
            this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
            return this;
        }

        /** A certificate for the key: gives the public key and enables the {@code x5t#S256} header. */
        public Builder certificate(X509Certificate certificate) {
            this.certificate = Objects.requireNonNull(certificate, "certificate");
            this.publicKey = certificate.getPublicKey();
            return this;
        }

        /** Default: from the key (RSA → PS256, P-256 → ES256, Ed25519 → EdDSA). */
        public Builder algorithm(SignatureAlgorithm algorithm) {
            this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
            return this;
        }

        /** The JCA provider that signs; default: see the class description. */
        public Builder provider(Provider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /** The {@code kid}; default: the RFC 7638 thumbprint of the public key. */
        public Builder keyId(String keyId) {
            Objects.requireNonNull(keyId, "keyId");
            if (keyId.isEmpty()) {
                throw new IllegalArgumentException("keyId must not be empty");
            }
            this.keyId = keyId;
            return this;
        }

        /** A weakening: accept an RSA key under 2048 bits. Logs a warning. */
        public Builder allowWeakRsaKey() {
            this.allowWeakRsa = true;
            return this;
        }

        /** What to do before the next signature after a failure (for example log in to the HSM again). */
        public Builder recovery(Recovery recovery) {
            this.recovery = Objects.requireNonNull(recovery, "recovery");
            return this;
        }

        /**
         * @throws IllegalArgumentException if the key does not fit the algorithm (naming both), is a
         *     weak RSA key, or the algorithm is HMAC
         */
        public JcaSigner build() {
            if (publicKey == null && provider == null && privateKey.getEncoded() != null) {
                try {
                    publicKey = PemFiles.publicKeyOf(privateKey);
                } catch (IllegalArgumentException e) {
                    // not derivable (an RSA key without CRT parameters): no public key, no default kid
                }
            }
            SignatureAlgorithm alg = algorithm != null ? algorithm : KeyPolicy.defaultAlgorithm(privateKey, publicKey);
            KeyPolicy.check(alg, privateKey, publicKey, allowWeakRsa);
            if (publicKey instanceof RSAPublicKey && KeyPolicy.size(privateKey) > 0
                    && KeyPolicy.size(privateKey) != KeyPolicy.size(publicKey)) {
                throw new IllegalArgumentException("the public key does not match the private key");
            }
            if (publicKey instanceof ECPublicKey && KeyPolicy.size(privateKey) > 0
                    && KeyPolicy.size(privateKey) != KeyPolicy.size(publicKey)) {
                throw new IllegalArgumentException("the public key does not match the private key");
            }
            String kid = keyId != null ? keyId : publicKey != null ? Jwks.thumbprint(publicKey) : null;
            boolean softwareKey = privateKey.getEncoded() != null && provider == null;
            Provider chosen = provider;
            String jcaName;
            boolean der = false;
            if (alg.isRsaPss()) {
                jcaName = "RSASSA-PSS";
                if (softwareKey) {
                    chosen = Jca.pinned().orElse(null);
                }
            } else if (alg.isEcdsa()) {
                Optional<Provider> plain = Jca.forSignature(JcaSignatures.plainEcdsa(alg), true)
                        .filter(p -> p.getService("Signature", JcaSignatures.plainEcdsa(alg)) != null);
                if (softwareKey && plain.isPresent()) {
                    // Bouncy Castle (or a pinned provider with the PLAIN-ECDSA names) signs in the JOSE form directly
                    chosen = plain.get();
                    jcaName = JcaSignatures.plainEcdsa(alg);
                } else if (softwareKey) {
                    chosen = Jca.pinned().orElse(null);
                    jcaName = alg.jcaName();
                    der = true;
                } else if (chosen != null && chosen.getName().equals("SunEC")) {
                    jcaName = alg.jcaName() + "inP1363Format";
                } else {
                    jcaName = alg.jcaName();
                    der = true;
                }
            } else if (alg == SignatureAlgorithm.EdDSA) {
                jcaName = "Ed25519";
                if (softwareKey) {
                    chosen = Jca.forSignature(jcaName, true).orElse(null);
                }
            } else {
                jcaName = alg.jcaName();
                if (softwareKey) {
                    chosen = Jca.pinned().orElse(null);
                }
            }
            JcaSigner signer = new JcaSigner(this, alg, chosen, jcaName, der, kid);
            try {
                signer.newSignature();
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("the key cannot sign " + alg + " with provider "
                        + (chosen == null ? "(key's)" : chosen.getName()) + ": " + e.getClass().getSimpleName(), e);
            }
            return signer;
        }
    }
}
