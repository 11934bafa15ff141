package dev.clientauth.core.internal;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Trust managers: the JDK's default, or one for given CA certificates. */
public final class Trust {
    private Trust() {
    }

    /** The JDK's default trust ({@code cacerts} or {@code javax.net.ssl.trustStore}). */
    public static X509TrustManager jdkDefault() {
        return trustManager(null);
    }

    /** A trust manager for exactly these CA certificates. */
    public static X509TrustManager of(Collection<X509Certificate> certificates) {
        try {
            KeyStore store = Jca.keyStore("PKCS12");
            store.load(null, null);
            int i = 0;
            for (X509Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            return trustManager(store);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a trust store", e);
        }
    }

    private static X509TrustManager trustManager(KeyStore store) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("no X509TrustManager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot initialise trust", e);
        }
    }
}
