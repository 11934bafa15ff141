package dev.clientauth.mtls;

import dev.clientauth.core.internal.Jca;
import java.lang.System.Logger.Level;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/** The checks every identity passes on load. */
final class IdentityChecks {
    private static final System.Logger LOG = System.getLogger(IdentityChecks.class.getName());
    static final String CLIENT_AUTH_EKU = "1.3.6.1.5.5.7.3.2";
    static final String ANY_EKU = "2.5.29.37.0";

    private IdentityChecks() {
    }

    static void check(IdentityMaterial material, Instant now, boolean allowOutsideValidity, boolean allowMissingClientAuth)
            throws InvalidIdentityException {
        X509Certificate leaf = material.leaf();
        X509Certificate[] chain = material.chain;
        for (int i = 0; i + 1 < chain.length; i++) {
            if (!chain[i].getIssuerX500Principal().equals(chain[i + 1].getSubjectX500Principal())) {
                throw new InvalidIdentityException("certificate chain is not in order: certificate " + (i + 1) + " ("
                        + chain[i + 1].getSubjectX500Principal().getName() + ") is not the issuer of certificate " + i
                        + " (" + chain[i].getSubjectX500Principal().getName() + ")");
            }
            try {
                chain[i].verify(chain[i + 1].getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new InvalidIdentityException("certificate chain is broken: certificate " + i + " ("
                        + chain[i].getSubjectX500Principal().getName() + ") is not signed by certificate " + (i + 1));
            }
        }
        if (!keyMatches(material.privateKey, leaf)) {
            throw new InvalidIdentityException("the private key does not match the certificate " + material.describe());
        }
        Instant notBefore = leaf.getNotBefore().toInstant();
        Instant notAfter = leaf.getNotAfter().toInstant();
        if (now.isAfter(notAfter) || now.isBefore(notBefore)) {
            String problem = now.isAfter(notAfter) ? "expired at " + notAfter : "not valid before " + notBefore;
            if (!allowOutsideValidity) {
                throw new InvalidIdentityException("client certificate " + material.describe() + " is " + problem);
            }
            LOG.log(Level.WARNING, "client certificate {0} is {1}; servers will reject it", material.describe(), problem);
        }
        try {
            List<String> usages = leaf.getExtendedKeyUsage();
            if (usages != null && !usages.contains(CLIENT_AUTH_EKU) && !usages.contains(ANY_EKU)) {
                if (!allowMissingClientAuth) {
                    throw new InvalidIdentityException("certificate " + material.describe()
                            + " has an extended key usage without clientAuth; it cannot authenticate a TLS client");
                }
                LOG.log(Level.WARNING, "certificate {0} has no clientAuth extended key usage", material.describe());
            }
        } catch (CertificateParsingException e) {
            throw new InvalidIdentityException("cannot read the extended key usage of " + material.describe());
        }
    }

    /** Signs a challenge with the key and verifies it with the certificate (works for HSM keys too). */
    static boolean keyMatches(PrivateKey key, X509Certificate certificate) {
        String publicAlgorithm = certificate.getPublicKey().getAlgorithm();
        String algorithm;
        switch (publicAlgorithm) {
            case "RSA":
                algorithm = "SHA256withRSA";
                break;
            case "EC":
                algorithm = "SHA256withECDSA";
                break;
            case "Ed25519":
            case "EdDSA":
                algorithm = "Ed25519";
                break;
            default:
                return false;
        }
        try {
            byte[] challenge = new byte[32];
            new java.security.SecureRandom().nextBytes(challenge);
            // a key held by a token signs where it lives; a key in memory with the chosen provider
            Signature signer = key.getEncoded() == null ? Signature.getInstance(algorithm) : Jca.signature(algorithm, false);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Jca.signature(algorithm, false);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
