package dev.clientauth.certs.test;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds X.509 certificates for tests with safe defaults: an EC P-256 key, a validity of one
 * day starting one minute before the clock's now, and no extensions beyond key identifiers.
 *
 * <pre>
 * IssuedCertificate root = CertificateBuilder.forSubject("CN=Test Root").certificateAuthority(1).build();
 * IssuedCertificate leaf = CertificateBuilder.forSubject("CN=client").clientAuth().signedBy(root).build();
 * </pre>
 */
public final class CertificateBuilder {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X500Principal subject;
    private Clock clock = Clock.systemUTC();
    private KeyAlgorithm keyAlgorithm = KeyAlgorithm.EC_P256;
    private KeyPair keyPair;
    private Instant notBefore;
    private Instant notAfter;
    private Duration validity = Duration.ofDays(1);
    private IssuedCertificate issuer;
    private Integer pathLength;
    private final List<KeyPurposeId> extendedKeyUsages = new ArrayList<>();
    private final List<GeneralName> subjectAlternativeNames = new ArrayList<>();

    private CertificateBuilder(X500Principal subject) {
        this.subject = subject;
    }

    /** Starts a certificate for an RFC 2253 / RFC 4514 distinguished name. */
    public static CertificateBuilder forSubject(String distinguishedName) {
        return new CertificateBuilder(new X500Principal(distinguishedName));
    }

    public static CertificateBuilder forSubject(X500Principal subject) {
        return new CertificateBuilder(Objects.requireNonNull(subject, "subject"));
    }

    public CertificateBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    public CertificateBuilder keyAlgorithm(KeyAlgorithm keyAlgorithm) {
        this.keyAlgorithm = Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
        return this;
    }

    /** Uses an existing key pair instead of generating one. */
    public CertificateBuilder keyPair(KeyPair keyPair) {
        this.keyPair = Objects.requireNonNull(keyPair, "keyPair");
        return this;
    }

    /** Validity from one minute before now for the given duration. */
    public CertificateBuilder validFor(Duration validity) {
        this.validity = Objects.requireNonNull(validity, "validity");
        return this;
    }

    /** An explicit validity window, e.g. in the past for an expired certificate. */
    public CertificateBuilder validity(Instant notBefore, Instant notAfter) {
        this.notBefore = Objects.requireNonNull(notBefore, "notBefore");
        this.notAfter = Objects.requireNonNull(notAfter, "notAfter");
        return this;
    }

    /** Signs with the issuer's key and names it as issuer; without this the certificate is self-signed. */
    public CertificateBuilder signedBy(IssuedCertificate issuer) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        return this;
    }

    /** Makes a CA certificate (basic constraints cA=true) allowing this many intermediate CAs below it. */
    public CertificateBuilder certificateAuthority(int pathLength) {
        if (pathLength < 0) {
            throw new IllegalArgumentException("pathLength must be >= 0: " + pathLength);
        }
        this.pathLength = pathLength;
        return this;
    }

    public CertificateBuilder clientAuth() {
        extendedKeyUsages.add(KeyPurposeId.id_kp_clientAuth);
        return this;
    }

    public CertificateBuilder serverAuth() {
        extendedKeyUsages.add(KeyPurposeId.id_kp_serverAuth);
        return this;
    }

    public CertificateBuilder sanDns(String name) {
        subjectAlternativeNames.add(new GeneralName(GeneralName.dNSName, name));
        return this;
    }

    public CertificateBuilder sanIp(String address) {
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            subjectAlternativeNames.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(bytes)));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + address, e);
        }
        return this;
    }

    public CertificateBuilder sanUri(String uri) {
        subjectAlternativeNames.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
        return this;
    }

    public CertificateBuilder sanEmail(String email) {
        subjectAlternativeNames.add(new GeneralName(GeneralName.rfc822Name, email));
        return this;
    }

    public IssuedCertificate build() {
        KeyPair keys = keyPair != null ? keyPair : keyAlgorithm.generate();
        Instant start = notBefore != null ? notBefore : clock.instant().minusSeconds(60);
        Instant end = notAfter != null ? notAfter : start.plus(validity);
        X500Name subjectName = X500Name.getInstance(subject.getEncoded());
        X500Name issuerName = issuer == null
                ? subjectName
                : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
        PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.privateKey();
        try {
            JcaX509ExtensionUtils extensionUtils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    issuerName,
                    new BigInteger(127, RANDOM).add(BigInteger.ONE),
                    Date.from(start),
                    Date.from(end),
                    subjectName,
                    keys.getPublic());
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    extensionUtils.createSubjectKeyIdentifier(keys.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    extensionUtils.createAuthorityKeyIdentifier(
                            issuer == null ? keys.getPublic() : issuer.certificate().getPublicKey()));
            if (pathLength != null) {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            } else {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                int usage = KeyUsage.digitalSignature;
                if (keys.getPublic().getAlgorithm().equals("RSA")) {
                    usage |= KeyUsage.keyEncipherment;
                }
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            }
            if (!extendedKeyUsages.isEmpty()) {
                builder.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(extendedKeyUsages.toArray(new KeyPurposeId[0])));
            }
            if (!subjectAlternativeNames.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(subjectAlternativeNames.toArray(new GeneralName[0])));
            }
            ContentSigner signer = new JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithmFor(signingKey))
                    .build(signingKey);
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            return new IssuedCertificate(keys, certificate, issuer);
        } catch (IOException | OperatorCreationException | CertificateException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot build certificate for " + subject.getName(), e);
        }
    }
}
