package dev.clientauth.core;

import dev.clientauth.certs.test.IssuedCertificate;
import dev.clientauth.certs.test.Pkcs12;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

/** A fixed TLS client identity from the test PKI. */
public final class TestIdentity implements TlsClientIdentity {
    private final IssuedCertificate certificate;
    private final X509KeyManager keyManager;

    public TestIdentity(IssuedCertificate certificate) {
        this.certificate = certificate;
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX");
            factory.init(Pkcs12.keyStore("c", certificate, "x".toCharArray()), "x".toCharArray());
            this.keyManager = (X509KeyManager) factory.getKeyManagers()[0];
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public X509KeyManager keyManager() {
        return keyManager;
    }

    @Override
    public X509Certificate certificate() {
        return certificate.certificate();
    }
}
