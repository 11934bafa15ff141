package dev.clientauth.jwt.internal;

import dev.clientauth.core.internal.Jca;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.util.Optional;
import java.security.spec.PSSParameterSpec;

/** JCA names and parameters of the JWS algorithms, written once for signers and verifiers. */
public final class JcaSignatures {
    private JcaSignatures() {
    }

    /**
     * The RFC 7518 §3.5 parameters of a PS algorithm for {@code RSASSA-PSS}: SHA-2 of the
     * algorithm's size, MGF1 with the same hash, a salt as long as the hash, trailer 1.
     */
    public static PSSParameterSpec pss(SignatureAlgorithm algorithm) {
        if (!algorithm.isRsaPss()) {
            throw new IllegalArgumentException(algorithm + " is not an RSASSA-PSS algorithm");
        }
        int bits = Integer.parseInt(algorithm.joseName().substring(2)); // PS256, PS384, PS512
        String hash = "SHA-" + bits;
        return new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), bits / 8, 1);
    }

    /** A verifier of JOSE-form signatures: ECDSA ones are converted to DER when the provider needs it. */
    public static final class JoseVerifier {
        private final Signature signature;
        private final boolean der;

        JoseVerifier(Signature signature, boolean der) {
            this.signature = signature;
            this.der = der;
        }

        /** Whether {@code jose} is a valid signature of {@code data}; the verifier is ready again afterwards. */
        public boolean verify(byte[] data, byte[] jose) throws GeneralSecurityException {
            signature.update(data);
            byte[] encoded;
            try {
                encoded = der ? EcdsaSignatures.joseToDer(jose) : jose;
            } catch (RuntimeException malformed) {
                signature.verify(new byte[0]); // reset; the result does not matter
                return false;
            }
            return signature.verify(encoded);
        }
    }

    /**
     * A verifier of {@code algorithm} signatures by {@code key} in the JOSE form ({@code r || s} for
     * ECDSA), from the chosen provider (see {@code CryptoProviders}).
     */
    public static JoseVerifier verifier(PublicKey key, SignatureAlgorithm algorithm) throws GeneralSecurityException {
        Signature signature;
        boolean der = false;
        if (algorithm.isEcdsa()) {
            Optional<Provider> plain = Jca.forSignature(plainEcdsa(algorithm), true)
                    .filter(p -> p.getService("Signature", plainEcdsa(algorithm)) != null);
            if (plain.isPresent()) {
                signature = Signature.getInstance(plainEcdsa(algorithm), plain.get());
            } else {
                signature = Jca.signature(algorithm.jcaName(), false);
                der = true;
            }
        } else if (algorithm == SignatureAlgorithm.EdDSA) {
            signature = Jca.signature("Ed25519", true);
        } else if (algorithm.isRsaPss()) {
            signature = Jca.signature("RSASSA-PSS", false);
            signature.setParameter(pss(algorithm));
        } else {
            signature = Jca.signature(algorithm.jcaName(), false);
        }
        signature.initVerify(key);
        return new JoseVerifier(signature, der);
    }

    /** Whether {@code signature} (JOSE form) over {@code data} verifies with {@code key}; false for any failure. */
    public static boolean verifies(PublicKey key, SignatureAlgorithm algorithm, byte[] data, byte[] signature) {
        try {
            return verifier(key, algorithm).verify(data, signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** The JCA name of an ES algorithm that signs and verifies the JOSE (r || s) form directly (Bouncy Castle). */
    public static String plainEcdsa(SignatureAlgorithm algorithm) {
        return algorithm.jcaName().replace("withECDSA", "withPLAIN-ECDSA");
    }
}
