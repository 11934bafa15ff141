package dev.clientauth.certs.test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

/** PKCS#12 key stores for tests. */
public final class Pkcs12 {
    private Pkcs12() {
    }

    /** A key store holding one private key entry with the certificate's chain (leaf first). */
    public static KeyStore keyStore(String alias, IssuedCertificate certificate, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(alias, certificate.privateKey(), password, certificate.chain());
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot create PKCS#12 store", e);
        }
    }

    /** A key store holding only trusted certificates, no private key. */
    public static KeyStore trustStore(X509Certificate... certificates) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < certificates.length; i++) {
                store.setCertificateEntry("ca-" + i, certificates[i]);
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot create PKCS#12 trust store", e);
        }
    }

    public static Path write(Path file, KeyStore store, char[] password) {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot write PKCS#12 store", e);
        }
    }
}
