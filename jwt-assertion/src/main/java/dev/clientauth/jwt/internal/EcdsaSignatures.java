package dev.clientauth.jwt.internal;

/** Converts ECDSA signatures between ASN.1 DER (JCA) and the fixed-length JOSE form {@code r || s}. */
public final class EcdsaSignatures {
    private EcdsaSignatures() {
    }

    /**
     * DER {@code SEQUENCE { INTEGER r, INTEGER s }} to {@code r || s}, each left-padded to
     * {@code coordinateLength} bytes.
     *
     * @throws IllegalArgumentException if the input is not such a DER sequence or a value is too long
     */
    public static byte[] derToJose(byte[] der, int coordinateLength) {
        int offset = 0;
        if (der.length < 8 || der[offset++] != 0x30) {
            throw new IllegalArgumentException("not a DER ECDSA signature");
        }
        int seqLength = der[offset++] & 0xff;
        if (seqLength == 0x81) {
            seqLength = der[offset++] & 0xff;
        } else if (seqLength > 0x80) {
            throw new IllegalArgumentException("not a DER ECDSA signature");
        }
        if (seqLength != der.length - offset) {
            throw new IllegalArgumentException("not a DER ECDSA signature");
        }
        byte[] out = new byte[2 * coordinateLength];
        for (int part = 0; part < 2; part++) {
            if (offset + 2 > der.length || der[offset++] != 0x02) {
                throw new IllegalArgumentException("not a DER ECDSA signature");
            }
            int length = der[offset++] & 0xff;
            if (length == 0 || offset + length > der.length) {
                throw new IllegalArgumentException("not a DER ECDSA signature");
            }
            int start = offset;
            int valueLength = length;
            while (valueLength > 0 && der[start] == 0) {
                start++;
                valueLength--;
            }
            if (valueLength > coordinateLength) {
                throw new IllegalArgumentException("ECDSA value longer than the curve allows");
            }
            System.arraycopy(der, start, out, (part + 1) * coordinateLength - valueLength, valueLength);
            offset += length;
        }
        if (offset != der.length) {
            throw new IllegalArgumentException("not a DER ECDSA signature");
        }
        return out;
    }

    /** {@code r || s} to DER, as JCA's {@code SHA256withECDSA} verifiers expect. */
    public static byte[] joseToDer(byte[] jose) {
        if (jose.length == 0 || jose.length % 2 != 0) {
            throw new IllegalArgumentException("not a JOSE ECDSA signature");
        }
        int half = jose.length / 2;
        byte[] r = integer(jose, 0, half);
        byte[] s = integer(jose, half, half);
        int contentLength = 2 + r.length + 2 + s.length;
        int headerLength = contentLength >= 128 ? 3 : 2;
        byte[] der = new byte[headerLength + contentLength];
        int o = 0;
        der[o++] = 0x30;
        if (contentLength >= 128) {
            der[o++] = (byte) 0x81;
        }
        der[o++] = (byte) contentLength;
        der[o++] = 0x02;
        der[o++] = (byte) r.length;
        System.arraycopy(r, 0, der, o, r.length);
        o += r.length;
        der[o++] = 0x02;
        der[o++] = (byte) s.length;
        System.arraycopy(s, 0, der, o, s.length);
        return der;
    }

    private static byte[] integer(byte[] source, int offset, int length) {
        int start = offset;
        int end = offset + length;
        while (start < end - 1 && source[start] == 0) {
            start++;
        }
        boolean pad = (source[start] & 0x80) != 0;
        byte[] value = new byte[end - start + (pad ? 1 : 0)];
        System.arraycopy(source, start, value, pad ? 1 : 0, end - start);
        return value;
    }
}
