package dev.clientauth.certs.test;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;

/** Key types the test PKI can generate. EC P-256 is the default. */
public enum KeyAlgorithm {
    EC_P256("EC", 256, "SHA256withECDSA"),
    EC_P384("EC", 384, "SHA384withECDSA"),
    RSA_1024("RSA", 1024, "SHA256withRSA"),
    RSA_2048("RSA", 2048, "SHA256withRSA"),
    RSA_3072("RSA", 3072, "SHA256withRSA"),
    RSA_4096("RSA", 4096, "SHA256withRSA"),
    ED25519("Ed25519", 0, "Ed25519");

    private final String jcaName;
    private final int size;
    private final String signatureAlgorithm;

    KeyAlgorithm(String jcaName, int size, String signatureAlgorithm) {
        this.jcaName = jcaName;
        this.size = size;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    /** Generates a fresh key pair of this type with the JDK's providers. */
    public KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(jcaName);
            if (jcaName.equals("EC")) {
                generator.initialize(new ECGenParameterSpec(size == 256 ? "secp256r1" : "secp384r1"));
            } else if (jcaName.equals("RSA")) {
                generator.initialize(size);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate " + this + " key", e);
        }
    }

    /** The signature algorithm a CA holding a key of this type signs certificates with. */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /** The signature algorithm to sign with the given private key. */
    static String signatureAlgorithmFor(PrivateKey key) {
        switch (key.getAlgorithm()) {
            case "RSA":
                return "SHA256withRSA";
            case "EC":
                int bits = ((java.security.interfaces.ECKey) key).getParams().getCurve().getField().getFieldSize();
                return bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
            case "Ed25519":
            case "EdDSA":
                return "Ed25519";
            default:
                throw new IllegalArgumentException("unsupported issuer key algorithm: " + key.getAlgorithm());
        }
    }
}
