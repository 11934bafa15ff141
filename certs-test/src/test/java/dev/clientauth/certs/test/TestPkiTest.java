package dev.clientauth.certs.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPkiExtension.class)
class TestPkiTest {
    private static final String CLIENT_AUTH_EKU = "1.3.6.1.5.5.7.3.2";

    private static void validate(TestPki pki, X509Certificate[] chain) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(pki.root().certificate(), null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(Arrays.asList(chain)), parameters);
    }

    @Test
    void clientChain_validatesWithPkix(TestPki pki) throws Exception {
        IssuedCertificate client = pki.clientCertificate();
        assertEquals(2, client.chain().length);
        assertEquals(3, client.chainWithRoot().length);
        validate(pki, client.chain());
        assertTrue(client.certificate().getExtendedKeyUsage().contains(CLIENT_AUTH_EKU));
    }

    @Test
    void serverCertificate_validatesAndNamesLoopback(TestPki pki) throws Exception {
        IssuedCertificate server = pki.serverCertificate();
        validate(pki, server.chain());
        List<Object> names = server.certificate().getSubjectAlternativeNames().stream()
                .map(n -> n.get(1)).collect(Collectors.toList());
        assertTrue(names.contains("localhost"));
        assertTrue(names.contains("127.0.0.1"));
    }

    @Test
    void clientCertificate_carriesAllSanTypesAndDn(TestPki pki) throws Exception {
        X509Certificate cert = pki.clientCertificate().certificate();
        Collection<List<?>> sans = cert.getSubjectAlternativeNames();
        assertTrue(sans.contains(List.of(2, TestPki.CLIENT_SAN_DNS)));
        assertTrue(sans.contains(List.of(6, TestPki.CLIENT_SAN_URI)));
        assertTrue(sans.contains(List.of(7, TestPki.CLIENT_SAN_IP)));
        assertTrue(sans.contains(List.of(1, TestPki.CLIENT_SAN_EMAIL)));
        assertEquals(new javax.security.auth.x500.X500Principal(TestPki.CLIENT_DN), cert.getSubjectX500Principal());
    }

    @Test
    void caCertificates_haveBasicConstraintsWithPathLength(TestPki pki) {
        assertEquals(1, pki.root().certificate().getBasicConstraints());
        assertEquals(0, pki.intermediate().certificate().getBasicConstraints());
        assertEquals(-1, pki.clientCertificate().certificate().getBasicConstraints());
    }

    @Test
    void expiredCertificate_isExpired(TestPki pki) {
        X509Certificate cert = pki.expiredClientCertificate().certificate();
        assertThrows(CertificateExpiredException.class, cert::checkValidity);
        assertThrows(CertPathValidatorException.class, () -> validate(pki, pki.expiredClientCertificate().chain()));
    }

    @Test
    void notYetValidCertificate_isNotYetValid(TestPki pki) {
        X509Certificate cert = pki.notYetValidClientCertificate().certificate();
        assertThrows(CertificateNotYetValidException.class, cert::checkValidity);
    }

    @Test
    void unknownCaCertificate_failsPathValidation(TestPki pki) throws Exception {
        IssuedCertificate cert = pki.unknownCaClientCertificate();
        cert.certificate().checkValidity();
        assertThrows(CertPathValidatorException.class, () -> validate(pki, cert.chain()));
    }

    @Test
    void certificateWithoutClientAuthEku_lacksIt(TestPki pki) throws Exception {
        List<String> eku = pki.clientCertificateWithoutClientAuthEku().certificate().getExtendedKeyUsage();
        assertFalse(eku.contains(CLIENT_AUTH_EKU));
        validate(pki, pki.clientCertificateWithoutClientAuthEku().chain());
    }

    @Test
    void rsa1024Certificate_hasA1024BitKey(TestPki pki) {
        RSAPublicKey key = (RSAPublicKey) pki.rsa1024ClientCertificate().certificate().getPublicKey();
        assertEquals(1024, key.getModulus().bitLength());
    }

    @Test
    void selfSignedCertificate_isItsOwnIssuer(TestPki pki) throws Exception {
        X509Certificate cert = pki.selfSignedClientCertificate().certificate();
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        cert.verify(cert.getPublicKey());
        assertEquals(1, pki.selfSignedClientCertificate().chain().length);
    }

    @Test
    void builder_generatesEachKeyAlgorithm(TestPki pki) throws Exception {
        for (KeyAlgorithm algorithm : List.of(KeyAlgorithm.RSA_2048, KeyAlgorithm.RSA_3072,
                KeyAlgorithm.ED25519, KeyAlgorithm.EC_P384)) {
            IssuedCertificate cert = pki.leaf("CN=" + algorithm).keyAlgorithm(algorithm).clientAuth().build();
            validate(pki, cert.chain());
        }
        IssuedCertificate edRoot = CertificateBuilder.forSubject("CN=ed root").keyAlgorithm(KeyAlgorithm.ED25519)
                .certificateAuthority(0).build();
        IssuedCertificate edLeaf = CertificateBuilder.forSubject("CN=ed leaf").signedBy(edRoot).build();
        edLeaf.certificate().verify(edRoot.certificate().getPublicKey());
    }

    @Test
    void pemFiles_parseBackToTheSameMaterial(TestPki pki, PkiFiles files) throws Exception {
        IssuedCertificate client = pki.clientCertificate();
        try (InputStream in = Files.newInputStream(files.resolve("client.pem"))) {
            Collection<? extends java.security.cert.Certificate> certs =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            assertArrayEquals(client.chain(), certs.toArray());
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(files.resolve("client-key.pem")))) {
            assertEquals(client.privateKey(), converter.getPrivateKey((PrivateKeyInfo) parser.readObject()));
        }
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(files.resolve("client-key-encrypted.pem")))) {
            PKCS8EncryptedPrivateKeyInfo encrypted = (PKCS8EncryptedPrivateKeyInfo) parser.readObject();
            PrivateKeyInfo info = encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                    .build(PkiFiles.PASSWORD.toCharArray()));
            assertEquals(client.privateKey(), converter.getPrivateKey(info));
        }
        IssuedCertificate rsa = pki.leaf("CN=rsa").keyAlgorithm(KeyAlgorithm.RSA_2048).build();
        String pkcs1 = Pem.traditional(rsa.privateKey());
        assertTrue(pkcs1.startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        try (PEMParser parser = new PEMParser(new java.io.StringReader(pkcs1))) {
            assertEquals(rsa.privateKey(), converter.getKeyPair((PEMKeyPair) parser.readObject()).getPrivate());
        }
        assertTrue(Pem.traditional(client.privateKey()).startsWith("-----BEGIN EC PRIVATE KEY-----"));
    }

    @Test
    void pkcs12File_holdsKeyAndChain(TestPki pki, PkiFiles files) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(files.resolve("client.p12"))) {
            store.load(in, PkiFiles.PASSWORD.toCharArray());
        }
        assertEquals(pki.clientCertificate().privateKey(), store.getKey("client", PkiFiles.PASSWORD.toCharArray()));
        assertArrayEquals(pki.clientCertificate().chain(), store.getCertificateChain("client"));
    }

    @Test
    void serverTls_needClientAuth_handshakesWithClientCertificate(TestPki pki) throws Exception {
        ServerTls tls = pki.serverTls(ServerTls.ClientAuth.NEED);
        try (SSLServerSocket server = (SSLServerSocket) tls.sslContext().getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            tls.configure(server);
            CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.startHandshake();
                    String name = ((X509Certificate) s.getSession().getPeerCertificates()[0])
                            .getSubjectX500Principal().getName();
                    s.getOutputStream().write(1);
                    return name;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (SSLSocket client = (SSLSocket) pki.clientSslContext(pki.clientCertificate()).getSocketFactory()
                    .createSocket("127.0.0.1", server.getLocalPort())) {
                client.startHandshake();
                assertEquals(1, client.getInputStream().read());
            }
            assertEquals(pki.clientCertificate().certificate().getSubjectX500Principal().getName(),
                    peer.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void serverTls_needClientAuth_rejectsClientWithoutCertificate(TestPki pki) throws Exception {
        ServerTls tls = pki.serverTls(ServerTls.ClientAuth.NEED);
        try (SSLServerSocket server = (SSLServerSocket) tls.sslContext().getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            tls.configure(server);
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.startHandshake();
                } catch (Exception expected) {
                    // the server refuses the handshake
                }
            });
            try (SSLSocket client = (SSLSocket) pki.clientSslContext().getSocketFactory()
                    .createSocket("127.0.0.1", server.getLocalPort())) {
                assertThrows(java.io.IOException.class, () -> {
                    client.startHandshake();
                    OutputStream out = client.getOutputStream();
                    out.write(1);
                    out.flush();
                    client.getInputStream().read();
                });
            }
            peer.get(10, TimeUnit.SECONDS);
        }
    }
}
