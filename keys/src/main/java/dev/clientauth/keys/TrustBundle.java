package dev.clientauth.keys;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Trust for server certificates: a PEM bundle of CA certificates, or the JDK's default trust
 * store. There is no trust-all: hostname and chain verification always apply.
 */
public final class TrustBundle {
    private TrustBundle() {
    }

    /** A trust manager for the CA certificates in a PEM file. */
    public static X509TrustManager fromPem(Path bundle) throws KeyMaterialException {
        return of(PemReader.certificates(bundle));
    }

    /** A trust manager for the given CA certificates. */
    public static X509TrustManager of(List<X509Certificate> certificates) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
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

    /** The JDK's default trust ({@code cacerts} or {@code javax.net.ssl.trustStore}). */
    public static X509TrustManager jdkDefault() {
        return trustManager(null);
    }

    private static X509TrustManager trustManager(KeyStore store) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager) {
                    return (X509TrustManager) manager;
                }
            }
            throw new IllegalStateException("no X509TrustManager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot initialise trust", e);
        }
    }
}
