package dev.clientauth.core.internal;

import java.util.Arrays;

/**
 * The fixed DER framing of Ed25519 keys (RFC 8410): a 32-byte raw key with the
 * SubjectPublicKeyInfo or PKCS#8 prefix, for the JDK's {@code KeyFactory("Ed25519")}.
 */
public final class Ed25519Der {
    /** SEQUENCE { SEQUENCE { OID 1.3.101.112 } BIT STRING (33 bytes) } followed by the 32-byte public key. */
    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    /** SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32 bytes) } } before the seed. */
    private static final byte[] PKCS8_PREFIX = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
            0x04, 0x22, 0x04, 0x20};

    private Ed25519Der() {
    }

    /** The X.509 SubjectPublicKeyInfo of a raw 32-byte public key. */
    public static byte[] spki(byte[] rawPublicKey) {
        return concat(SPKI_PREFIX, rawPublicKey);
    }

    /** The PKCS#8 PrivateKeyInfo of a raw 32-byte seed; the caller zeroes it after use. */
    public static byte[] pkcs8(byte[] seed) {
        return concat(PKCS8_PREFIX, seed);
    }

    private static byte[] concat(byte[] prefix, byte[] raw) {
        if (raw.length != 32) {
            throw new IllegalArgumentException("an Ed25519 key has 32 bytes, not " + raw.length);
        }
        byte[] out = Arrays.copyOf(prefix, prefix.length + raw.length);
        System.arraycopy(raw, 0, out, prefix.length, raw.length);
        return out;
    }
}
