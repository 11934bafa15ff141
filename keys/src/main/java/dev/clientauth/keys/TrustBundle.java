package dev.clientauth.keys;

import dev.clientauth.core.internal.Trust;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
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
        return Trust.of(certificates);
    }

    /** The JDK's default trust ({@code cacerts} or {@code javax.net.ssl.trustStore}). */
    public static X509TrustManager jdkDefault() {
        return Trust.jdkDefault();
    }
}
