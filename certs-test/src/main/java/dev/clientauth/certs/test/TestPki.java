package dev.clientauth.certs.test;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A complete test PKI generated at run time: root CA → intermediate CA → leaves, server
 * certificates for {@code localhost} and {@code 127.0.0.1}, client certificates, and the bad
 * ones (expired, not yet valid, from an unknown CA, without the clientAuth extended key usage,
 * RSA-1024). Nothing is ever written to the repository.
 */
public final class TestPki {
    /** The subject DN of {@link #clientCertificate()}. */
    public static final String CLIENT_DN = "CN=client-1,OU=Integrations,O=clientauth test,C=SE";
    public static final String CLIENT_SAN_DNS = "client-1.clientauth.test";
    public static final String CLIENT_SAN_URI = "spiffe://clientauth.test/client-1";
    public static final String CLIENT_SAN_IP = "10.0.0.1";
    public static final String CLIENT_SAN_EMAIL = "client-1@clientauth.test";

    private final Clock clock;
    private final IssuedCertificate root;
    private final IssuedCertificate intermediate;
    private IssuedCertificate server;
    private IssuedCertificate client;
    private IssuedCertificate otherRoot;

    private TestPki(Clock clock) {
        this.clock = clock;
        this.root = CertificateBuilder.forSubject("CN=clientauth Test Root CA,O=clientauth test")
                .clock(clock).validFor(Duration.ofDays(30)).certificateAuthority(1).build();
        this.intermediate = CertificateBuilder.forSubject("CN=clientauth Test Intermediate CA,O=clientauth test")
                .clock(clock).validFor(Duration.ofDays(30)).certificateAuthority(0).signedBy(root).build();
    }

    public static TestPki create() {
        return new TestPki(Clock.systemUTC());
    }

    public static TestPki create(Clock clock) {
        return new TestPki(Objects.requireNonNull(clock, "clock"));
    }

    public Clock clock() {
        return clock;
    }

    public IssuedCertificate root() {
        return root;
    }

    public IssuedCertificate intermediate() {
        return intermediate;
    }

    /** A new leaf builder signed by the intermediate CA, using this PKI's clock. */
    public CertificateBuilder leaf(String subjectDn) {
        return CertificateBuilder.forSubject(subjectDn).clock(clock).signedBy(intermediate);
    }

    /** The server certificate for {@code localhost} and {@code 127.0.0.1} (created once). */
    public synchronized IssuedCertificate serverCertificate() {
        if (server == null) {
            server = leaf("CN=localhost,O=clientauth test").serverAuth()
                    .sanDns("localhost").sanIp("127.0.0.1").build();
        }
        return server;
    }

    /** The client certificate with {@link #CLIENT_DN} and SAN DNS, URI, IP and email (created once). */
    public synchronized IssuedCertificate clientCertificate() {
        if (client == null) {
            client = newClientCertificate(CLIENT_DN);
        }
        return client;
    }

    /** A fresh client certificate with the standard SANs and the given subject. */
    public IssuedCertificate newClientCertificate(String subjectDn) {
        return leaf(subjectDn).clientAuth()
                .sanDns(CLIENT_SAN_DNS).sanUri(CLIENT_SAN_URI).sanIp(CLIENT_SAN_IP).sanEmail(CLIENT_SAN_EMAIL)
                .build();
    }

    public IssuedCertificate selfSignedClientCertificate() {
        return CertificateBuilder.forSubject("CN=self-signed-client,O=clientauth test").clock(clock)
                .clientAuth().build();
    }

    public IssuedCertificate expiredClientCertificate() {
        Instant now = clock.instant();
        return leaf("CN=expired-client,O=clientauth test").clientAuth()
                .validity(now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1))).build();
    }

    public IssuedCertificate notYetValidClientCertificate() {
        Instant now = clock.instant();
        return leaf("CN=future-client,O=clientauth test").clientAuth()
                .validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(3))).build();
    }

    /** A client certificate from a root that no trust store in this PKI contains. */
    public synchronized IssuedCertificate unknownCaClientCertificate() {
        if (otherRoot == null) {
            otherRoot = CertificateBuilder.forSubject("CN=Unknown Root CA,O=elsewhere").clock(clock)
                    .certificateAuthority(0).build();
        }
        return CertificateBuilder.forSubject("CN=unknown-ca-client,O=elsewhere").clock(clock)
                .clientAuth().signedBy(otherRoot).build();
    }

    public IssuedCertificate clientCertificateWithoutClientAuthEku() {
        return leaf("CN=server-only,O=clientauth test").serverAuth().build();
    }

    public IssuedCertificate rsa1024ClientCertificate() {
        return leaf("CN=weak-client,O=clientauth test").keyAlgorithm(KeyAlgorithm.RSA_1024).clientAuth().build();
    }

    /** A PKCS#12 trust store with this PKI's root. */
    public KeyStore trustStore() {
        return Pkcs12.trustStore(root.certificate());
    }

    /** A trust manager for this PKI's root (and any extra trusted certificates). */
    public X509TrustManager trustManager(X509Certificate... extraTrusted) {
        return (X509TrustManager) trustManagerFactory(extraTrusted).getTrustManagers()[0];
    }

    public TrustManagerFactory trustManagerFactory(X509Certificate... extraTrusted) {
        try {
            X509Certificate[] all = new X509Certificate[extraTrusted.length + 1];
            all[0] = root.certificate();
            System.arraycopy(extraTrusted, 0, all, 1, extraTrusted.length);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(Pkcs12.trustStore(all));
            return factory;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * TLS for a loopback HTTPS server presenting {@link #serverCertificate()} and trusting this
     * PKI's root (plus any extra certificates, such as a self-signed client certificate) for
     * client certificates.
     */
    public ServerTls serverTls(ServerTls.ClientAuth clientAuth, X509Certificate... extraTrusted) {
        return new ServerTls(sslContext(serverCertificate(), extraTrusted), clientAuth);
    }

    /** A client-side context trusting this PKI's root, presenting no certificate. */
    public SSLContext clientSslContext() {
        return sslContext(null);
    }

    /** A client-side context trusting this PKI's root and presenting the given certificate. */
    public SSLContext clientSslContext(IssuedCertificate clientCertificate) {
        return sslContext(clientCertificate);
    }

    private SSLContext sslContext(IssuedCertificate identity, X509Certificate... extraTrusted) {
        try {
            KeyManagerFactory keyManagers = null;
            if (identity != null) {
                char[] password = "test".toCharArray();
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(Pkcs12.keyStore("identity", identity, password), password);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers == null ? null : keyManagers.getKeyManagers(),
                    trustManagerFactory(extraTrusted).getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
