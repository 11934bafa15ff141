package dev.clientauth.jwt;

import dev.clientauth.core.internal.Jca;
import dev.clientauth.jwt.internal.JcaSignatures;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.jwt.internal.EcdsaSignatures;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.Objects;
import java.util.Optional;

/**
 * A signer whose key lives behind a remote service: a cloud KMS, Vault Transit, a signing
 * sidecar. The user supplies the call from signing input to signature.
 *
 * <pre>
 * RemoteSigner kms = RemoteSigner.builder(SignatureAlgorithm.ES256, "key-2026-11",
 *                 input -&gt; kmsClient.sign(keyArn, sha256(input)))   // returns DER for ECDSA
 *         .derEncodedEcdsa()
 *         .publicKey(publicKeyFromKms)                                // verify every signature
 *         .build();
 * </pre>
 *
 * <p>What comes back is checked: a failure of the function, an empty or wrongly sized result,
 * or (when the public key is given) a signature that does not verify becomes a
 * {@link SigningException}, and the token request is not sent. Thread-safe if the function is.
 */
public final class RemoteSigner implements SigningKey, AssertionSigner {
    /** The remote call: signing input in, signature out (JOSE form, or DER with {@link Builder#derEncodedEcdsa()}). */
    @FunctionalInterface
    public interface SignFunction {
        byte[] sign(byte[] signingInput) throws Exception;
    }

    private final SignatureAlgorithm algorithm;
    private final String keyId;
    private final SignFunction function;
    private final PublicKey publicKey;
    private final CertificateThumbprint thumbprint;
    private final boolean der;

    private RemoteSigner(Builder b) {
        this.algorithm = b.algorithm;
        this.keyId = b.keyId;
        this.function = b.function;
        this.publicKey = b.publicKey;
        this.thumbprint = b.certificate == null ? null : CertificateThumbprint.of(b.certificate);
        this.der = b.der;
    }

    public static Builder builder(SignatureAlgorithm algorithm, String keyId, SignFunction function) {
        return new Builder(algorithm, keyId, function);
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

    @Override
    public byte[] sign(byte[] signingInput) throws SigningException {
        byte[] result;
        try {
            result = function.sign(signingInput.clone());
        } catch (Exception e) {
            throw new SigningException("remote signer for key " + keyId + " (" + algorithm + ") failed: "
                    + e.getClass().getSimpleName(), e);
        }
        if (result == null || result.length == 0) {
            throw new SigningException("remote signer for key " + keyId + " returned no signature");
        }
        if (der && algorithm.isEcdsa()) {
            try {
                result = EcdsaSignatures.derToJose(result, algorithm.size());
            } catch (IllegalArgumentException e) {
                throw new SigningException("remote signer for key " + keyId + " returned an invalid DER ECDSA signature");
            }
        }
        int expected = algorithm.joseSignatureLength();
        if (expected < 0 && publicKey instanceof RSAPublicKey) {
            expected = (((RSAPublicKey) publicKey).getModulus().bitLength() + 7) / 8;
        }
        if (expected > 0 && result.length != expected) {
            throw new SigningException("remote signer for key " + keyId + " returned " + result.length
                    + " bytes, a " + algorithm + " signature has " + expected);
        }
        if (publicKey != null && !verifies(signingInput, result)) {
            throw new SigningException("remote signer for key " + keyId + " returned a signature that does not verify");
        }
        return result;
    }

    private boolean verifies(byte[] input, byte[] signature) throws SigningException {
        try {
            Signature verifier;
            byte[] toVerify = signature;
            if (algorithm.isRsaPss()) {
                verifier = Jca.signature("RSASSA-PSS", false);
                verifier.setParameter(JcaSignatures.pss(algorithm));
            } else if (algorithm.isEcdsa()) {
                verifier = Jca.signature(algorithm.jcaName(), false);
                toVerify = EcdsaSignatures.joseToDer(signature);
            } else {
                verifier = Jca.signature(algorithm.jcaName(), false);
            }
            verifier.initVerify(publicKey);
            verifier.update(input);
            return verifier.verify(toVerify);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "RemoteSigner[kid=" + keyId + ", alg=" + algorithm + "]";
    }

    /** Builds a {@link RemoteSigner}. Not thread-safe. */
    public static final class Builder {
        private final SignatureAlgorithm algorithm;
        private final String keyId;
        private final SignFunction function;
        private PublicKey publicKey;
        private X509Certificate certificate;
        private boolean der;
        private boolean allowWeakRsa;

        private Builder(SignatureAlgorithm algorithm, String keyId, SignFunction function) {
            this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
            this.keyId = keyId;
            this.function = Objects.requireNonNull(function, "function");
        }

        /** Verify every returned signature with this key (recommended), and check the key against the algorithm. */
        public Builder publicKey(PublicKey publicKey) {
            this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
            return this;
        }

        /** A certificate for the key: its public key, and the {@code x5t#S256} header. */
        public Builder certificate(X509Certificate certificate) {
            this.certificate = Objects.requireNonNull(certificate, "certificate");
            this.publicKey = certificate.getPublicKey();
            return this;
        }

        /** The function returns ECDSA signatures in DER (as most KMS APIs do); they are converted. */
        public Builder derEncodedEcdsa() {
            this.der = true;
            return this;
        }

        public Builder allowWeakRsaKey() {
            this.allowWeakRsa = true;
            return this;
        }

        public RemoteSigner build() {
            if (algorithm.isHmac()) {
                throw new IllegalArgumentException("a remote signer for private_key_jwt cannot use " + algorithm);
            }
            if (publicKey != null) {
                KeyPolicy.check(algorithm, publicKey, publicKey, allowWeakRsa);
            }
            return new RemoteSigner(this);
        }
    }
}
