package dev.clientauth.jwt.internal;

import dev.clientauth.core.internal.Jca;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
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

    /**
     * A {@link Signature} initialised to verify JOSE-form signatures ({@code r || s} for ECDSA)
     * of {@code algorithm} with {@code key}.
     */
    public static Signature verifier(PublicKey key, SignatureAlgorithm algorithm) throws GeneralSecurityException {
        Signature signature;
        if (algorithm.isEcdsa()) {
            signature = Jca.signature(plainEcdsa(algorithm), true);
        } else if (algorithm == SignatureAlgorithm.EdDSA) {
            signature = Jca.signature("Ed25519", true);
        } else if (algorithm.isRsaPss()) {
            signature = Jca.signature("RSASSA-PSS", false);
            signature.setParameter(pss(algorithm));
        } else {
            signature = Jca.signature(algorithm.jcaName(), false);
        }
        signature.initVerify(key);
        return signature;
    }

    /** Whether {@code signature} (JOSE form) over {@code data} verifies with {@code key}; false for any failure. */
    public static boolean verifies(PublicKey key, SignatureAlgorithm algorithm, byte[] data, byte[] signature) {
        try {
            Signature verifier = verifier(key, algorithm);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** The JCA name of an ES algorithm that signs and verifies the JOSE (r || s) form directly (Bouncy Castle). */
    public static String plainEcdsa(SignatureAlgorithm algorithm) {
        return algorithm.jcaName().replace("withECDSA", "withPLAIN-ECDSA");
    }
}
