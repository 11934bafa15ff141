package dev.clientauth.jwt;

import java.lang.System.Logger.Level;
import java.security.Key;
import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;

/** Checks that a key fits an algorithm, and picks an algorithm for a key. */
final class KeyPolicy {
    private static final System.Logger LOG = System.getLogger(KeyPolicy.class.getName());
    static final int MIN_RSA_BITS = 2048;

    private KeyPolicy() {
    }

    /** {@code RSA}, {@code EC}, {@code Ed25519} or the key's own algorithm name. */
    static String keyType(Key key) {
        String algorithm = key.getAlgorithm();
        switch (algorithm) {
            case "RSA":
            case "RSASSA-PSS":
                return "RSA";
            case "EC":
            case "ECDSA":
                return "EC";
            case "Ed25519":
                return "Ed25519";
            case "EdDSA":
                if (key instanceof EdECKey) {
                    return ((EdECKey) key).getParams().getName().equals("Ed25519") ? "Ed25519" : "Ed448";
                }
                return "Ed25519";
            default:
                return algorithm;
        }
    }

    /** Bits of an RSA modulus or EC field, from the first key that tells; -1 if none does. */
    static int size(Key... keys) {
        for (Key key : keys) {
            if (key instanceof RSAKey) {
                return ((RSAKey) key).getModulus().bitLength();
            }
            if (key instanceof ECKey) {
                return ((ECKey) key).getParams().getCurve().getField().getFieldSize();
            }
        }
        return -1;
    }

    /** The default algorithm for a key: RSA → PS256, P-256 → ES256, P-384 → ES384, P-521 → ES512, Ed25519 → EdDSA. */
    static SignatureAlgorithm defaultAlgorithm(Key privateKey, PublicKey publicKey) {
        String type = keyType(publicKey != null ? publicKey : privateKey);
        switch (type) {
            case "RSA":
                return SignatureAlgorithm.PS256;
            case "EC":
                int bits = size(publicKey, privateKey);
                if (bits == 384) {
                    return SignatureAlgorithm.ES384;
                }
                if (bits == 521) {
                    return SignatureAlgorithm.ES512;
                }
                return SignatureAlgorithm.ES256;
            case "Ed25519":
                return SignatureAlgorithm.EdDSA;
            default:
                throw new IllegalArgumentException("no JWS algorithm for a " + type + " key");
        }
    }

    /**
     * @throws IllegalArgumentException naming the algorithm and the key if they do not fit, or the
     *     RSA key is under 2048 bits without {@code allowWeakRsa}
     */
    static void check(SignatureAlgorithm algorithm, Key privateKey, PublicKey publicKey, boolean allowWeakRsa) {
        if (algorithm.isHmac()) {
            throw new IllegalArgumentException(algorithm + " is an HMAC algorithm: private_key_jwt needs an asymmetric "
                    + "algorithm (PS256, ES256, EdDSA, ...)");
        }
        String type = keyType(privateKey);
        if (publicKey != null && !keyType(publicKey).equals(type)) {
            throw new IllegalArgumentException("the public key (" + keyType(publicKey) + ") does not belong to the "
                    + type + " private key");
        }
        if (!algorithm.keyType().equals(type)) {
            throw new IllegalArgumentException("algorithm " + algorithm + " needs a " + algorithm.keyType()
                    + " key, but the key is " + describe(privateKey, publicKey));
        }
        int bits = size(publicKey, privateKey);
        if (algorithm.isEcdsa() && bits > 0 && bits != algorithm.curveBits()) {
            throw new IllegalArgumentException("algorithm " + algorithm + " needs a P-" + algorithm.curveBits()
                    + " key, but the key is " + describe(privateKey, publicKey));
        }
        if (algorithm.isRsa()) {
            if (bits < 0) {
                throw new IllegalArgumentException("the size of the RSA key is not known: give its public key or certificate");
            }
            if (bits < MIN_RSA_BITS) {
                if (!allowWeakRsa) {
                    throw new IllegalArgumentException("RSA key of " + bits + " bits is under the minimum of "
                            + MIN_RSA_BITS + " bits; call allowWeakRsaKey() to use it anyway");
                }
                LOG.log(Level.WARNING, "using an RSA key of {0} bits, under the minimum of {1} bits", bits, MIN_RSA_BITS);
            }
        }
    }

    static String describe(Key privateKey, PublicKey publicKey) {
        String type = keyType(publicKey != null ? publicKey : privateKey);
        int bits = size(publicKey, privateKey);
        if (type.equals("EC") && bits > 0) {
            return "EC P-" + bits;
        }
        return bits > 0 ? type + " " + bits + " bits" : type;
    }
}
