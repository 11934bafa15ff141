package dev.clientauth.mtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.IssuedCertificate;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretPost;
import dev.clientauth.core.MalformedTokenResponseException;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TokenClient;
import dev.clientauth.core.TokenRequest;
import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.TokenResponse;
import dev.clientauth.core.TokenTransportException;
import dev.clientauth.core.metadata.AuthorizationServerMetadata;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Token requests over real mutual-TLS handshakes on 127.0.0.1. */
class MtlsTokenRequestTest {
    private static final TestPki PKI = TestPki.create();
    private static final IssuedCertificate SELF_SIGNED = PKI.selfSignedClientCertificate();
    private static final ClientId CLIENT = ClientId.of("mtls-client");
    private MtlsServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MtlsServer(PKI, SELF_SIGNED.certificate());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static TlsIdentity identity(IssuedCertificate certificate) throws InvalidIdentityException {
        return TlsIdentity.of(certificate.privateKey(), certificate.chain()).build();
    }

    private TokenClient client(TlsClientAuth auth) {
        return TokenClient.builder(server.uri("/token"), auth).tls(server.tls()).build();
    }

    private static X509Certificate peer(RecordedRequest request) {
        return (X509Certificate) request.getHandshake().peerCertificates().get(0);
    }

    @Test
    void tlsClientAuth_serverSeesCertificateAndClientId() throws Exception {
        server.enqueueToken();
        client(TlsClientAuth.pki(CLIENT, identity(PKI.clientCertificate()))).requestToken(TokenRequest.clientCredentials());
        RecordedRequest request = server.server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals(PKI.clientCertificate().certificate(), peer(request));
        assertEquals(2, request.getHandshake().peerCertificates().size(), "the issuer chain is sent");
        assertEquals("grant_type=client_credentials&client_id=mtls-client", request.getBody().utf8());
        assertEquals(null, request.getHeaders().get("Authorization"));
    }

    @Test
    void selfSignedTlsClientAuth_serverSeesSelfSignedCertificate() throws Exception {
        server.enqueueToken();
        TlsClientAuth auth = TlsClientAuth.selfSigned(CLIENT, identity(SELF_SIGNED));
        assertEquals("self_signed_tls_client_auth", auth.method().value());
        client(auth).requestToken(TokenRequest.clientCredentials());
        RecordedRequest request = server.server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals(SELF_SIGNED.certificate(), peer(request));
        assertEquals("grant_type=client_credentials&client_id=mtls-client", request.getBody().utf8());
    }

    @Test
    void selfSigned_withCaIssuedCertificate_refused() throws Exception {
        TlsIdentity caIssued = identity(PKI.clientCertificate());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TlsClientAuth.selfSigned(CLIENT, caIssued));
        assertTrue(e.getMessage().contains("issued by"), e.getMessage());
    }

    private void assertRejectionNamesCertificate(IssuedCertificate certificate) throws Exception {
        TlsIdentity identity = TlsIdentity.of(certificate.privateKey(), certificate.chain())
                .allowCertificateOutsideValidity().build();
        server.enqueueToken();
        TokenRequestException e = assertThrows(TokenRequestException.class,
                () -> client(TlsClientAuth.pki(CLIENT, identity)).requestToken(TokenRequest.clientCredentials()));
        assertInstanceOf(TokenTransportException.class, e);
        assertTrue(e.getMessage().contains(certificate.certificate().getSubjectX500Principal().getName()), e.getMessage());
        assertTrue(e.getMessage().contains(CertificateThumbprint.of(certificate.certificate()).value()), e.getMessage());
        String key = Base64.getEncoder().encodeToString(certificate.privateKey().getEncoded());
        assertFalse(e.getMessage().contains(key.substring(key.length() - 30)));
        assertEquals(0, server.server.getRequestCount());
    }

    @Test
    void serverRejectsExpiredCertificate_transportErrorNamesSubjectAndThumbprint() throws Exception {
        assertRejectionNamesCertificate(PKI.expiredClientCertificate());
    }

    @Test
    void serverRejectsUnknownCa_transportErrorNamesSubjectAndThumbprint() throws Exception {
        assertRejectionNamesCertificate(PKI.unknownCaClientCertificate());
    }

    @Test
    void serverRejectsMissingCertificate_transportErrorSaysSo() {
        server.enqueueToken();
        TokenClient client = TokenClient.builder(server.uri("/token"), ClientSecretPost.of(CLIENT, Secret.of("s")))
                .tls(server.tls()).build();
        TokenTransportException e = assertThrows(TokenTransportException.class,
                () -> client.requestToken(TokenRequest.clientCredentials()));
        assertTrue(e.getMessage().contains("no client certificate presented"), e.getMessage());
    }

    @Test
    void boundToken_matchingCnfInResponse_recorded() throws Exception {
        TlsIdentity identity = identity(PKI.clientCertificate());
        server.enqueueJson("{\"access_token\":\"opaque\",\"token_type\":\"Bearer\",\"expires_in\":60,"
                + "\"cnf\":{\"x5t#S256\":\"" + identity.thumbprint() + "\"}}");
        TokenResponse response = client(TlsClientAuth.pki(CLIENT, identity)).requestToken(TokenRequest.clientCredentials());
        assertEquals(identity.thumbprint(), response.accessToken().boundCertificate().orElseThrow());
    }

    @Test
    void boundToken_jwtAccessTokenWithCnf_checked() throws Exception {
        TlsIdentity identity = identity(PKI.clientCertificate());
        server.enqueueJson("{\"access_token\":\"" + unsignedJwt(identity.thumbprint().value()) + "\",\"token_type\":\"Bearer\"}");
        TokenResponse response = client(TlsClientAuth.pki(CLIENT, identity)).requestToken(TokenRequest.clientCredentials());
        assertEquals(identity.thumbprint(), response.accessToken().boundCertificate().orElseThrow());

        String other = CertificateThumbprint.of(SELF_SIGNED.certificate()).value();
        server.enqueueJson("{\"access_token\":\"" + unsignedJwt(other) + "\",\"token_type\":\"Bearer\"}");
        MalformedTokenResponseException e = assertThrows(MalformedTokenResponseException.class,
                () -> client(TlsClientAuth.pki(CLIENT, identity)).requestToken(TokenRequest.clientCredentials()));
        assertTrue(e.getMessage().contains(other) && e.getMessage().contains(identity.thumbprint().value()), e.getMessage());
    }

    @Test
    void boundToken_mismatchedCnfInResponse_fails() throws Exception {
        TlsIdentity identity = identity(PKI.clientCertificate());
        server.enqueueJson("{\"access_token\":\"opaque\",\"token_type\":\"Bearer\","
                + "\"cnf\":{\"x5t#S256\":\"" + CertificateThumbprint.of(SELF_SIGNED.certificate()) + "\"}}");
        assertThrows(MalformedTokenResponseException.class,
                () -> client(TlsClientAuth.pki(CLIENT, identity)).requestToken(TokenRequest.clientCredentials()));
    }

    @Test
    void requireBoundToken_unboundToken_fails() throws Exception {
        TlsIdentity identity = identity(PKI.clientCertificate());
        server.enqueueToken();
        TokenClient client = TokenClient.builder(server.uri("/token"), TlsClientAuth.pki(CLIENT, identity))
                .tls(server.tls()).requireCertificateBoundToken().build();
        MalformedTokenResponseException e = assertThrows(MalformedTokenResponseException.class,
                () -> client.requestToken(TokenRequest.clientCredentials()));
        assertTrue(e.getMessage().contains("certificate-bound token was required"), e.getMessage());
        assertFalse(e.getMessage().contains("opaque-token"));
    }

    @Test
    void metadataWithMtlsAlias_usedForCertificateMethods_issuerUnchanged() throws Exception {
        server.enqueueToken();
        AuthorizationServerMetadata metadata = AuthorizationServerMetadata.parse("{\"issuer\":\"https://as.example\","
                + "\"token_endpoint\":\"https://as.example/token\","
                + "\"token_endpoint_auth_methods_supported\":[\"tls_client_auth\"],"
                + "\"mtls_endpoint_aliases\":{\"token_endpoint\":\"" + server.uri("/mtls/token") + "\"}}",
                URI.create("https://as.example"));
        TokenClient client = TokenClient.builder(metadata, TlsClientAuth.pki(CLIENT, identity(PKI.clientCertificate())))
                .tls(server.tls()).build();
        assertEquals(URI.create("https://as.example"), client.issuer().orElseThrow());
        client.requestToken(TokenRequest.clientCredentials());
        assertEquals("/mtls/token", server.server.takeRequest(5, TimeUnit.SECONDS).getTarget());
    }

    @Test
    void reload_nextRequestPresentsNewCertificateOnNewConnection_noClientRebuilt() throws Exception {
        IssuedCertificate first = PKI.newClientCertificate("CN=rotating,O=clientauth test");
        IssuedCertificate second = PKI.newClientCertificate("CN=rotating,O=clientauth test");
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("reload");
        java.nio.file.Path cert = dir.resolve("tls.crt");
        java.nio.file.Path key = dir.resolve("tls.key");
        write(cert, key, first);
        TlsIdentity identity = TlsIdentity.fromPem(java.util.List.of(cert), key, null).build();
        java.util.List<String> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        identity.addChangeListener((oldT, newT) -> changes.add(oldT + "->" + newT));
        TokenClient client = client(TlsClientAuth.pki(CLIENT, identity));

        server.enqueueToken();
        server.enqueueToken();
        server.enqueueToken();
        client.requestToken(TokenRequest.clientCredentials());
        client.requestToken(TokenRequest.clientCredentials());
        RecordedRequest a = server.server.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest b = server.server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals(first.certificate(), peer(a));
        assertEquals(a.getConnectionIndex(), b.getConnectionIndex(), "the connection is pooled before the reload");

        write(cert, key, second);
        assertTrue(identity.reload());
        client.requestToken(TokenRequest.clientCredentials());
        RecordedRequest c = server.server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals(second.certificate(), peer(c));
        assertNotEquals(a.getConnectionIndex(), c.getConnectionIndex(), "a connection made with the old certificate was reused");
        assertEquals(java.util.List.of(CertificateThumbprint.of(first.certificate()) + "->"
                + CertificateThumbprint.of(second.certificate())), changes);
    }

    @Test
    void hsmKey_selfSignedTlsClientAuth_handshakeSignedInsideToken() throws Exception {
        dev.clientauth.certs.test.SoftHsmToken token = dev.clientauth.certs.test.SoftHsmToken.shared();
        dev.clientauth.certs.test.SoftHsmToken.HsmKey key = token.generateEcP256("mtls-hsm");
        if (java.security.Security.getProvider(token.provider().getName()) == null) {
            java.security.Security.addProvider(token.provider());
        }
        TlsIdentity identity = TlsIdentity.fromPkcs11(token.provider(), key.alias(),
                Secret.of(dev.clientauth.certs.test.SoftHsmToken.PIN)).build();
        try (MtlsServer hsmServer = new MtlsServer(PKI, key.certificate())) {
            hsmServer.enqueueToken();
            TokenClient.builder(hsmServer.uri("/token"), TlsClientAuth.selfSigned(CLIENT, identity))
                    .tls(hsmServer.tls()).build().requestToken(TokenRequest.clientCredentials());
            assertEquals(key.certificate(), peer(hsmServer.server.takeRequest(5, TimeUnit.SECONDS)));
        }
    }

    static void write(java.nio.file.Path cert, java.nio.file.Path key, IssuedCertificate certificate) throws Exception {
        java.nio.file.Path tmpCert = cert.resolveSibling(cert.getFileName() + ".tmp");
        java.nio.file.Path tmpKey = key.resolveSibling(key.getFileName() + ".tmp");
        dev.clientauth.certs.test.Pem.writeFile(tmpCert, dev.clientauth.certs.test.Pem.certificates(certificate.chain()));
        dev.clientauth.certs.test.Pem.writeFile(tmpKey, dev.clientauth.certs.test.Pem.pkcs8(certificate.privateKey()));
        java.nio.file.Files.move(tmpKey, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        java.nio.file.Files.move(tmpCert, cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static String unsignedJwt(String thumbprint) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"at+jwt\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(("{\"sub\":\"mtls-client\",\"cnf\":{\"x5t#S256\":\"" + thumbprint + "\"}}")
                        .getBytes(StandardCharsets.UTF_8)) + ".c2ln";
    }
}
