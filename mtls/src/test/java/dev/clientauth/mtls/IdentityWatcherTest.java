package dev.clientauth.mtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.IssuedCertificate;
import dev.clientauth.certs.test.Pem;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.TokenClient;
import dev.clientauth.core.TokenRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload of an identity from files on disk, while a client is in use. */
class IdentityWatcherTest {
    private static final TestPki PKI = TestPki.create();

    /** Records changes and failures as they happen. */
    private static final class Events implements TlsIdentity.Listener {
        final LinkedBlockingQueue<String> changes = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<Exception> failures = new LinkedBlockingQueue<>();

        @Override
        public void identityChanged(CertificateThumbprint oldThumbprint, CertificateThumbprint newThumbprint) {
            changes.add(newThumbprint.value());
        }

        @Override
        public void reloadFailed(Exception error) {
            failures.add(error);
        }
    }

    @Test
    @SuppressWarnings("try") // the watcher only has to run while the body does
    void filesReplaced_watcherReloads_nextHandshakePresentsNewCertificate(@TempDir Path dir) throws Exception {
        IssuedCertificate first = PKI.newClientCertificate("CN=watched,O=clientauth test");
        IssuedCertificate second = PKI.newClientCertificate("CN=watched,O=clientauth test");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        MtlsTokenRequestTest.write(cert, key, first);
        TlsIdentity identity = TlsIdentity.fromPem(List.of(cert), key, null).build();
        Events events = new Events();
        identity.addChangeListener(events);
        try (MtlsServer server = new MtlsServer(PKI);
                IdentityWatcher watcher = identity.watch(Duration.ofMillis(250))) {
            TokenClient client = TokenClient.builder(server.uri("/token"), TlsClientAuth.pki(ClientId.of("c"), identity))
                    .tls(server.tls()).build();
            server.enqueueToken();
            client.requestToken(TokenRequest.clientCredentials());
            assertEquals(first.certificate(), peer(server));

            MtlsTokenRequestTest.write(cert, key, second);
            assertEquals(CertificateThumbprint.of(second.certificate()).value(), events.changes.poll(10, TimeUnit.SECONDS));
            server.enqueueToken();
            client.requestToken(TokenRequest.clientCredentials());
            assertEquals(second.certificate(), peer(server));

            // a broken replacement keeps the current identity and is reported
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n");
            Exception failure = events.failures.poll(10, TimeUnit.SECONDS);
            assertTrue(failure instanceof InvalidIdentityException, String.valueOf(failure));
            assertEquals(second.certificate(), identity.certificate());
            server.enqueueToken();
            client.requestToken(TokenRequest.clientCredentials());
            assertEquals(second.certificate(), peer(server));
        }
    }

    @Test
    @SuppressWarnings("try") // the watcher only has to run while the body does
    void kubernetesSymlinkSwap_seen(@TempDir Path dir) throws Exception {
        IssuedCertificate first = PKI.newClientCertificate("CN=k8s,O=clientauth test");
        IssuedCertificate second = PKI.newClientCertificate("CN=k8s,O=clientauth test");
        // the layout of a mounted Secret: tls.crt -> ..data/tls.crt, ..data -> ..2026_11_28_v1
        Path v1 = version(dir, "..2026_11_28_v1", first);
        Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Files.createSymbolicLink(dir.resolve("tls.crt"), Path.of("..data/tls.crt"));
        Files.createSymbolicLink(dir.resolve("tls.key"), Path.of("..data/tls.key"));
        TlsIdentity identity = TlsIdentity.fromPem(List.of(dir.resolve("tls.crt")), dir.resolve("tls.key"), null).build();
        Events events = new Events();
        identity.addChangeListener(events);
        try (IdentityWatcher watcher = identity.watch(Duration.ofSeconds(30))) { // only the directory event can be fast
            Path v2 = version(dir, "..2026_11_28_v2", second);
            Path tmpLink = dir.resolve("..data_tmp");
            Files.createSymbolicLink(tmpLink, v2.getFileName());
            Files.move(tmpLink, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            assertEquals(CertificateThumbprint.of(second.certificate()).value(), events.changes.poll(10, TimeUnit.SECONDS));
            assertEquals(second.certificate(), identity.certificate());
        }
    }

    @Test
    void reload_brokenFiles_keepsOldIdentityAndThrows(@TempDir Path dir) throws Exception {
        IssuedCertificate first = PKI.newClientCertificate("CN=broken,O=clientauth test");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        MtlsTokenRequestTest.write(cert, key, first);
        TlsIdentity identity = TlsIdentity.fromPem(List.of(cert), key, null).build();
        long generation = identity.generation();
        Files.writeString(cert, "");
        assertThrows(InvalidIdentityException.class, identity::reload);
        // a key that does not match the new certificate
        MtlsTokenRequestTest.write(cert, key, PKI.newClientCertificate("CN=other"));
        Pem.writeFile(key, Pem.pkcs8(first.privateKey()));
        InvalidIdentityException e = assertThrows(InvalidIdentityException.class, identity::reload);
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        assertEquals(first.certificate(), identity.certificate());
        assertEquals(generation, identity.generation());
        CountDownLatch never = new CountDownLatch(1);
        identity.addChangeListener((a, b) -> never.countDown());
        assertEquals(1, never.getCount());
    }

    @Test
    void s2_reloadReadingTheLeafBeforeItsIntermediates_keepsTheCurrentIdentity(@TempDir Path dir) throws Exception {
        IssuedCertificate first = PKI.newClientCertificate("CN=renewed,O=clientauth test");
        IssuedCertificate second = PKI.newClientCertificate("CN=renewed,O=clientauth test");
        assertTrue(first.chain().length > 1, "the test PKI issues through an intermediate");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        MtlsTokenRequestTest.write(cert, key, first);
        TlsIdentity identity = TlsIdentity.fromPem(List.of(cert), key, null).build();
        // the renewal is half written: new key and leaf, intermediates not yet
        Pem.writeFile(key, Pem.pkcs8(second.privateKey()));
        Pem.writeFile(cert, Pem.certificates(second.certificate()));
        InvalidIdentityException e = assertThrows(InvalidIdentityException.class, identity::reload);
        assertTrue(e.getMessage().contains("until the chain is complete"), e.getMessage());
        assertEquals(first.certificate(), identity.certificate());
        MtlsTokenRequestTest.write(cert, key, second); // the rest arrives
        assertTrue(identity.reload());
        assertEquals(second.certificate(), identity.certificate());
    }

    private static Path version(Path dir, String name, IssuedCertificate certificate) throws Exception {
        Path version = Files.createDirectory(dir.resolve(name));
        Pem.writeFile(version.resolve("tls.crt"), Pem.certificates(certificate.chain()));
        Pem.writeFile(version.resolve("tls.key"), Pem.pkcs8(certificate.privateKey()));
        return version;
    }

    private static X509Certificate peer(MtlsServer server) throws InterruptedException {
        return (X509Certificate) server.server.takeRequest(5, TimeUnit.SECONDS).getHandshake().peerCertificates().get(0);
    }
}
