package dev.clientauth.mtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.ServerTls;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.CertificateThumbprint;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

class CertificateBoundTokensTest {
    private static final TestPki PKI = TestPki.create();
    private static final X509Certificate CLIENT = PKI.clientCertificate().certificate();
    private static final X509Certificate OTHER = PKI.selfSignedClientCertificate().certificate();

    private static Map<String, Object> cnf(X509Certificate certificate) {
        return Map.of("x5t#S256", CertificateThumbprint.of(certificate).value());
    }

    /** The server-side session of a real mutual-TLS handshake on 127.0.0.1. */
    private static SSLSession serverSession(boolean withClientCertificate) throws Exception {
        ServerTls tls = PKI.serverTls(withClientCertificate ? ServerTls.ClientAuth.NEED : ServerTls.ClientAuth.NONE);
        try (SSLServerSocket server = (SSLServerSocket) tls.sslContext().getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            tls.configure(server);
            CompletableFuture<SSLSession> session = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket socket = (SSLSocket) server.accept()) {
                    socket.startHandshake();
                    socket.getOutputStream().write(1);
                    return socket.getSession();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (SSLSocket client = (SSLSocket) (withClientCertificate ? PKI.clientSslContext(PKI.clientCertificate())
                    : PKI.clientSslContext()).getSocketFactory().createSocket("127.0.0.1", server.getLocalPort())) {
                client.startHandshake();
                client.getInputStream().read();
            }
            return session.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void jwtClaims_matchingSessionCertificate_valid() throws Exception {
        Optional<X509Certificate> presented = CertificateBoundTokens.fromSession(serverSession(true));
        assertEquals(CLIENT, presented.orElseThrow());
        BindingResult result = CertificateBoundTokens.verifyJwtClaims(Map.of("sub", "c", "cnf", cnf(CLIENT)), presented.get());
        assertTrue(result.isValid(), result.toString());
        assertTrue(result.wwwAuthenticate().isEmpty());
    }

    @Test
    void jwtClaims_otherCertificate_mismatch() {
        BindingResult result = CertificateBoundTokens.verifyJwtClaims(Map.of("cnf", cnf(OTHER)), CLIENT);
        assertFalse(result.isValid());
        assertEquals(BindingResult.Reason.MISMATCH, result.reason().orElseThrow());
        assertEquals("invalid_token", result.error().orElseThrow());
        assertTrue(result.wwwAuthenticate().orElseThrow().startsWith("Bearer error=\"invalid_token\""));
    }

    @Test
    void sessionWithoutCertificate_noCertificate() throws Exception {
        Optional<X509Certificate> presented = CertificateBoundTokens.fromSession(serverSession(false));
        assertTrue(presented.isEmpty());
        BindingResult result = CertificateBoundTokens.verifyJwtClaims(Map.of("cnf", cnf(CLIENT)), presented.orElse(null));
        assertEquals(BindingResult.Reason.NO_CERTIFICATE, result.reason().orElseThrow());
    }

    @Test
    void tokenWithoutCnf_noConfirmation() {
        assertEquals(BindingResult.Reason.NO_CONFIRMATION,
                CertificateBoundTokens.verifyJwtClaims(Map.of("sub", "c"), CLIENT).reason().orElseThrow());
        assertEquals(BindingResult.Reason.NO_CONFIRMATION,
                CertificateBoundTokens.verifyJwtClaims(Map.of("cnf", Map.of("jkt", "x")), CLIENT).reason().orElseThrow());
        assertEquals(BindingResult.Reason.INVALID, CertificateBoundTokens.verifyJwtClaims(
                Map.of("cnf", Map.of("x5t#S256", "short")), CLIENT).reason().orElseThrow());
    }

    @Test
    void introspection_activeMatching_valid_inactiveOrMismatch_invalid() {
        assertTrue(CertificateBoundTokens.verifyIntrospection(Map.of("active", true, "cnf", cnf(CLIENT)), CLIENT).isValid());
        assertEquals(BindingResult.Reason.MISMATCH, CertificateBoundTokens.verifyIntrospection(
                Map.of("active", true, "cnf", cnf(OTHER)), CLIENT).reason().orElseThrow());
        assertEquals(BindingResult.Reason.INVALID, CertificateBoundTokens.verifyIntrospection(
                Map.of("active", false, "cnf", cnf(CLIENT)), CLIENT).reason().orElseThrow());
        assertEquals(BindingResult.Reason.NO_CONFIRMATION, CertificateBoundTokens.verifyIntrospection(
                Map.of("active", true), CLIENT).reason().orElseThrow());
    }

    @Test
    void clientCertHeader_roundTripsAndVerifies() {
        String header = CertificateBoundTokens.toClientCertHeader(CLIENT);
        assertTrue(header.startsWith(":") && header.endsWith(":"));
        X509Certificate fromProxy = CertificateBoundTokens.fromClientCertHeader(header);
        assertEquals(CLIENT, fromProxy);
        assertTrue(CertificateBoundTokens.verifyIntrospection(Map.of("active", true, "cnf", cnf(CLIENT)), fromProxy).isValid());
        assertFalse(CertificateBoundTokens.verifyJwtClaims(Map.of("cnf", cnf(OTHER)), fromProxy).isValid());
    }

    @Test
    void clientCertHeader_malformed_refused() {
        for (String bad : new String[] {"", "abc", "::", ":not base64!:", ":" + java.util.Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}) + ":"}) {
            assertThrows(IllegalArgumentException.class, () -> CertificateBoundTokens.fromClientCertHeader(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> CertificateBoundTokens.fromClientCertHeader(null));
    }

    @Test
    void thumbprint_parseRejectsMalformedAndComparesByValue() {
        CertificateThumbprint t = CertificateThumbprint.of(CLIENT);
        assertEquals(43, t.value().length());
        assertEquals(t, CertificateThumbprint.parse(t.value()));
        assertFalse(t.matches(CertificateThumbprint.of(OTHER)));
        assertThrows(IllegalArgumentException.class, () -> CertificateThumbprint.parse(t.value() + "="));
        assertThrows(IllegalArgumentException.class, () -> CertificateThumbprint.parse("!" + t.value().substring(1)));
    }

    @org.junit.jupiter.api.Test
    void l9_clientCertHeader_onlyFromATrustedProxy_andExactlyOnce() throws Exception {
        java.security.cert.X509Certificate certificate = dev.clientauth.certs.test.TestPki.create().clientCertificate().certificate();
        String value = CertificateBoundTokens.toClientCertHeader(certificate);
        java.net.InetAddress proxy = java.net.InetAddress.getByName("10.0.0.5");
        java.net.InetAddress client = java.net.InetAddress.getByName("203.0.113.9");
        assertEquals(certificate, CertificateBoundTokens.fromClientCertHeader(java.util.List.of(value), proxy, java.util.Set.of(proxy)));
        assertThrows(IllegalArgumentException.class,
                () -> CertificateBoundTokens.fromClientCertHeader(java.util.List.of(value), client, java.util.Set.of(proxy)));
        assertThrows(IllegalArgumentException.class,
                () -> CertificateBoundTokens.fromClientCertHeader(java.util.List.of(value, value), proxy, java.util.Set.of(proxy)),
                "an appended second value (the client's own) is refused");
        assertThrows(IllegalArgumentException.class,
                () -> CertificateBoundTokens.fromClientCertHeader(java.util.List.of(value + ", " + value), proxy, java.util.Set.of(proxy)));
        assertThrows(IllegalArgumentException.class,
                () -> CertificateBoundTokens.fromClientCertHeader(java.util.List.of(), proxy, java.util.Set.of(proxy)));
    }
}
