package dev.clientauth.jwt.keys;

import dev.clientauth.jwt.SignatureAlgorithm;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;

/**
 * Makes the keys of a {@link RotatingKeySet}: in software, or inside an HSM where the private key
 * never leaves the token. Wired explicitly by the user.
 */
public interface KeyGenerator {
    /** A new key pair with a self-signed certificate for it. */
    GeneratedKey generate(SignatureAlgorithm algorithm) throws java.security.GeneralSecurityException;

    /** A generated key: the private key (or a token handle), its certificate, and where it lives. */
    final class GeneratedKey {
        final PrivateKey privateKey;
        final X509Certificate certificate;
        final Provider provider;
        final String hsmAlias;

        public GeneratedKey(PrivateKey privateKey, X509Certificate certificate, Provider provider, String hsmAlias) {
            this.privateKey = privateKey;
            this.certificate = certificate;
            this.provider = provider;
            this.hsmAlias = hsmAlias;
        }

        static GeneratedKey software(KeyPair pair, X509Certificate certificate) {
            return new GeneratedKey(pair.getPrivate(), certificate, null, null);
        }
    }
}
