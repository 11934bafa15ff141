package dev.clientauth.core;

import dev.clientauth.core.internal.Jca;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Objects;

/**
 * An X.509 certificate SHA-256 thumbprint, {@code x5t#S256}: the base64url encoding, without
 * padding, of the SHA-256 digest of the DER encoding of the whole certificate.
 *
 * <p>Specifications: RFC 8705 §3.1; RFC 7515 §4.1.8. Comparison is constant-time.
 * Immutable and thread-safe.
 */
public final class CertificateThumbprint {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private final String value;

    private CertificateThumbprint(String value) {
        this.value = value;
    }

    /** The thumbprint of a certificate. */
    public static CertificateThumbprint of(X509Certificate certificate) {
        Objects.requireNonNull(certificate, "certificate");
        try {
            byte[] digest = Jca.messageDigest("SHA-256").digest(certificate.getEncoded());
            return new CertificateThumbprint(ENCODER.encodeToString(digest));
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("cannot encode certificate " + certificate.getSubjectX500Principal(), e);
        }
    }

    /**
     * Parses a thumbprint as it appears in {@code cnf.x5t#S256}.
     *
     * @throws IllegalArgumentException unless the value is 43 base64url characters that decode to 32 bytes
     */
    public static CertificateThumbprint parse(String value) {
        Objects.requireNonNull(value, "x5t#S256");
        if (value.length() != 43) {
            throw new IllegalArgumentException("x5t#S256 must be 43 base64url characters, got " + value.length());
        }
        try {
            byte[] decoded = Base64.getUrlDecoder().decode(value);
            if (decoded.length != 32) {
                throw new IllegalArgumentException("x5t#S256 must encode 32 bytes");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("x5t#S256 is not base64url without padding", e);
        }
        return new CertificateThumbprint(value);
    }

    public String value() {
        return value;
    }

    /** Constant-time comparison with another thumbprint. */
    public boolean matches(CertificateThumbprint other) {
        return other != null && MessageDigest.isEqual(
                value.getBytes(StandardCharsets.US_ASCII), other.value.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertificateThumbprint && matches((CertificateThumbprint) o);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
