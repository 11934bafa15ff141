package dev.clientauth.jwt.keys;

import dev.clientauth.jwt.Jwks;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;

/**
 * Generates keys inside a PKCS#11 token (an HSM) through a SunPKCS11 provider: the private key
 * is made by the token, is sensitive and non-extractable (per the provider's configuration), and
 * is stored under its {@code kid} as alias with a self-signed certificate signed inside the token.
 * RSA 2048 and EC P-256 (RS/PS256, ES256).
 */
public final class Pkcs11KeyGenerator implements KeyGenerator {
    private final Provider provider;
    private final KeyStore keyStore;
    private final Clock clock;

    /**
     * @param keyStore the provider's {@code PKCS11} key store, loaded (logged in)
     */
    public Pkcs11KeyGenerator(Provider provider, KeyStore keyStore) {
        this.provider = provider;
        this.keyStore = keyStore;
        this.clock = Clock.systemUTC();
    }

    public Provider provider() {
        return provider;
    }

    public KeyStore keyStore() {
        return keyStore;
    }

    @Override
    public synchronized GeneratedKey generate(SignatureAlgorithm algorithm) throws GeneralSecurityException {
        KeyPairGenerator generator;
        if (algorithm.isRsa()) {
            generator = KeyPairGenerator.getInstance("RSA", provider);
            generator.initialize(2048);
        } else if (algorithm == SignatureAlgorithm.ES256) {
            generator = KeyPairGenerator.getInstance("EC", provider);
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            throw new IllegalArgumentException("HSM key generation supports RSA and ES256, not " + algorithm);
        }
        KeyPair pair = generator.generateKeyPair();
        String alias = Jwks.thumbprint(pair.getPublic());
        X509Certificate certificate = SelfSignedCertificates.create(alias, pair.getPublic(),
                pair.getPrivate(), provider, clock.instant(), Duration.ofDays(3650));
        keyStore.setKeyEntry(alias, pair.getPrivate(), null, new Certificate[] {certificate});
        PrivateKey stored = (PrivateKey) keyStore.getKey(alias, null);
        return new GeneratedKey(stored, certificate, provider, alias);
    }

    /** The key stored under {@code alias}, after a restart. */
    PrivateKey load(String alias) throws GeneralSecurityException {
        if (!keyStore.isKeyEntry(alias)) {
            throw new GeneralSecurityException("the PKCS#11 token has no key '" + alias + "'");
        }
        return (PrivateKey) keyStore.getKey(alias, null);
    }

    void delete(String alias) throws GeneralSecurityException {
        if (keyStore.containsAlias(alias)) {
            keyStore.deleteEntry(alias);
        }
    }

}
