package dev.clientauth.mtls;

import dev.clientauth.core.CertificateThumbprint;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** One loaded identity: a private key and its chain (leaf first), with its generation. */
final class IdentityMaterial {
    final PrivateKey privateKey;
    final X509Certificate[] chain;
    final CertificateThumbprint thumbprint;
    final long generation;

    IdentityMaterial(PrivateKey privateKey, X509Certificate[] chain, long generation) {
        this.privateKey = privateKey;
        this.chain = chain.clone();
        this.thumbprint = CertificateThumbprint.of(chain[0]);
        this.generation = generation;
    }

    IdentityMaterial withGeneration(long generation) {
        return new IdentityMaterial(privateKey, chain, generation);
    }

    X509Certificate leaf() {
        return chain[0];
    }

    String describe() {
        return leaf().getSubjectX500Principal().getName() + " (x5t#S256=" + thumbprint + ")";
    }
}
