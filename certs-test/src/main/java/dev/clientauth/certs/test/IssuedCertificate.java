package dev.clientauth.certs.test;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A certificate with its key pair and the issuer it was signed by.
 *
 * <p>Test material only: the private key is in memory and freely accessible.
 */
public final class IssuedCertificate {
    private final KeyPair keyPair;
    private final X509Certificate certificate;
    private final IssuedCertificate issuer;

    IssuedCertificate(KeyPair keyPair, X509Certificate certificate, IssuedCertificate issuer) {
        this.keyPair = keyPair;
        this.certificate = certificate;
        this.issuer = issuer;
    }

    public KeyPair keyPair() {
        return keyPair;
    }

    public PrivateKey privateKey() {
        return keyPair.getPrivate();
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The issuing certificate, empty for a self-signed one. */
    public Optional<IssuedCertificate> issuer() {
        return Optional.ofNullable(issuer);
    }

    /** Leaf first, then each issuer, without the self-signed root: what a TLS peer sends. */
    public X509Certificate[] chain() {
        List<X509Certificate> chain = new ArrayList<>();
        for (IssuedCertificate c = this; c != null; c = c.issuer) {
            if (c != this && c.issuer == null) {
                break;
            }
            chain.add(c.certificate);
        }
        return chain.toArray(new X509Certificate[0]);
    }

    /** Leaf first, then every issuer up to and including the root. */
    public X509Certificate[] chainWithRoot() {
        List<X509Certificate> chain = new ArrayList<>();
        for (IssuedCertificate c = this; c != null; c = c.issuer) {
            chain.add(c.certificate);
        }
        return chain.toArray(new X509Certificate[0]);
    }

    /** The self-signed certificate at the top of this chain. */
    public IssuedCertificate root() {
        IssuedCertificate c = this;
        while (c.issuer != null) {
            c = c.issuer;
        }
        return c;
    }

    @Override
    public String toString() {
        return "IssuedCertificate[" + certificate.getSubjectX500Principal().getName() + "]";
    }
}
