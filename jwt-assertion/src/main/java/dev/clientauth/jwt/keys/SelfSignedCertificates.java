package dev.clientauth.jwt.keys;

import dev.clientauth.core.internal.Jca;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed certificates that carry a generated key (key stores need one per private key). */
final class SelfSignedCertificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    private SelfSignedCertificates() {
    }

    static X509Certificate create(String commonName, PublicKey publicKey, PrivateKey privateKey, Provider provider,
            Instant now, Duration validity) throws GeneralSecurityException {
        String algorithm;
        switch (publicKey.getAlgorithm()) {
            case "RSA":
                algorithm = "SHA256withRSA";
                break;
            case "EC":
                algorithm = "SHA256withECDSA";
                break;
            default:
                algorithm = "Ed25519";
        }
        try {
            X500Name name = new X500Name("CN=" + commonName);
            JcaContentSignerBuilder signer = new JcaContentSignerBuilder(algorithm);
            if (provider != null) {
                signer.setProvider(provider);
            }
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            Jca.pinned().ifPresent(converter::setProvider); // the key's provider (an HSM's) signs; the chosen one parses
            return converter.getCertificate(new JcaX509v3CertificateBuilder(name,
                    new BigInteger(127, RANDOM).add(BigInteger.ONE), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(validity)), name, publicKey).build(signer.build(privateKey)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign the key's certificate", e);
        }
    }

}
