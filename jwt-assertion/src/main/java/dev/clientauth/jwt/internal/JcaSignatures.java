package dev.clientauth.jwt.internal;

import dev.clientauth.jwt.SignatureAlgorithm;
import java.security.spec.MGF1ParameterSpec;
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

    /** The JCA name of an ES algorithm that signs and verifies the JOSE (r || s) form directly (Bouncy Castle). */
    public static String plainEcdsa(SignatureAlgorithm algorithm) {
        return algorithm.jcaName().replace("withECDSA", "withPLAIN-ECDSA");
    }
}
