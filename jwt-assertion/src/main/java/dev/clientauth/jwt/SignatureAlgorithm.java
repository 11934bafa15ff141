package dev.clientauth.jwt;

import java.util.Locale;

/**
 * JWS algorithms for client assertions (RFC 7518 §3, RFC 8037 §3.1). {@code none} does not exist here.
 *
 * <p>{@link #isDefault()} marks the algorithms a careful deployment should prefer (FAPI 2.0 §5.4):
 * PS256, ES256 and EdDSA. HMAC algorithms are only for {@code client_secret_jwt}.
 */
public enum SignatureAlgorithm {
    RS256("RSA", "SHA256withRSA", 32),
    RS384("RSA", "SHA384withRSA", 48),
    RS512("RSA", "SHA512withRSA", 64),
    PS256("RSA", "SHA256withRSASSA-PSS", 32),
    PS384("RSA", "SHA384withRSASSA-PSS", 48),
    PS512("RSA", "SHA512withRSASSA-PSS", 64),
    ES256("EC", "SHA256withECDSA", 32),
    ES384("EC", "SHA384withECDSA", 48),
    ES512("EC", "SHA512withECDSA", 66),
    /** Ed25519 (RFC 8037), sent as {@code alg: EdDSA}. */
    EdDSA("Ed25519", "Ed25519", 32),
    HS256("HMAC", "HmacSHA256", 32),
    HS384("HMAC", "HmacSHA384", 48),
    HS512("HMAC", "HmacSHA512", 64);

    private final String keyType;
    private final String jcaName;
    private final int size;

    SignatureAlgorithm(String keyType, String jcaName, int size) {
        this.keyType = keyType;
        this.jcaName = jcaName;
        this.size = size;
    }

    /** The algorithm of this JOSE name (case-sensitive, as on the wire). */
    public static SignatureAlgorithm of(String joseName) {
        for (SignatureAlgorithm a : values()) {
            if (a.name().equals(joseName)) {
                return a;
            }
        }
        if ("none".equals(joseName.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("alg 'none' is never allowed for client assertions");
        }
        throw new IllegalArgumentException("unsupported JWS algorithm '" + joseName + "'");
    }

    /** The JOSE {@code alg} value. */
    public String joseName() {
        return name();
    }

    /** {@code RSA}, {@code EC}, {@code Ed25519} or {@code HMAC}. */
    public String keyType() {
        return keyType;
    }

    /** The JCA name of the signature (DER form for ECDSA). */
    public String jcaName() {
        return jcaName;
    }

    public boolean isHmac() {
        return keyType.equals("HMAC");
    }

    public boolean isRsa() {
        return keyType.equals("RSA");
    }

    public boolean isEcdsa() {
        return keyType.equals("EC");
    }

    public boolean isRsaPss() {
        return name().startsWith("PS");
    }

    /** PS256, ES256 and EdDSA. */
    public boolean isDefault() {
        return this == PS256 || this == ES256 || this == EdDSA;
    }

    /** Bytes of the hash (RSA, HMAC), or of each ECDSA coordinate (r, s); 32 for EdDSA. */
    int size() {
        return size;
    }

    /** The curve bit size an ECDSA algorithm requires. */
    int curveBits() {
        switch (this) {
            case ES256:
                return 256;
            case ES384:
                return 384;
            case ES512:
                return 521;
            default:
                return 0;
        }
    }

    /** Length of a JOSE signature for a fixed-size algorithm, or -1 when it depends on the key (RSA). */
    int joseSignatureLength() {
        if (isEcdsa()) {
            return 2 * size;
        }
        if (this == EdDSA) {
            return 64;
        }
        if (isHmac()) {
            return size;
        }
        return -1;
    }
}
