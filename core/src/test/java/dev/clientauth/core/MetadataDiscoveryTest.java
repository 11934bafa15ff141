package dev.clientauth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.IssuedCertificate;
import dev.clientauth.certs.test.Pkcs12;
import dev.clientauth.certs.test.ServerTls;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.jdk.JdkHttpTransport;
import dev.clientauth.core.metadata.AuthorizationServerMetadata;
import dev.clientauth.core.metadata.InvalidMetadataException;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetadataDiscoveryTest {
    private static final TestPki PKI = TestPki.create();
    private HttpsMockServer server;
    private final Map<String, MockResponse> routes = new ConcurrentHashMap<>();

    private void start(ServerTls.ClientAuth clientAuth) throws Exception {
        server = new HttpsMockServer(PKI, clientAuth);
        server.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return routes.getOrDefault(request.getTarget(), new MockResponse.Builder().code(404).build());
            }
        });
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private URI issuer() {
        return server.uri("/tenant1");
    }

    private void serve(String path, String json) {
        routes.put(path, new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(json).build());
    }

    private String document(URI issuer, String extra) {
        return "{\"issuer\":\"" + issuer + "\",\"token_endpoint\":\"" + server.uri("/tenant1/token") + "\"" + extra + "}";
    }

    private JdkHttpTransport transport() {
        return JdkHttpTransport.builder().tls(server.tls()).build();
    }

    @Test
    void locations_rfc8414InsertedAndOpenIdAppended() {
        URI issuer = URI.create("https://as.example/tenant1/");
        assertEquals(URI.create("https://as.example/.well-known/oauth-authorization-server/tenant1"),
                AuthorizationServerMetadata.rfc8414Location(issuer));
        assertEquals(URI.create("https://as.example/tenant1/.well-known/openid-configuration"),
                AuthorizationServerMetadata.openIdLocation(issuer));
        assertEquals(URI.create("https://as.example/.well-known/oauth-authorization-server"),
                AuthorizationServerMetadata.rfc8414Location(URI.create("https://as.example")));
    }

    @Test
    void discover_rfc8414First_parsesMembers() throws Exception {
        start(ServerTls.ClientAuth.NONE);
        serve("/.well-known/oauth-authorization-server/tenant1", document(issuer(),
                ",\"token_endpoint_auth_methods_supported\":[\"private_key_jwt\",\"tls_client_auth\"]"
                        + ",\"token_endpoint_auth_signing_alg_values_supported\":[\"PS256\",\"ES256\"]"
                        + ",\"mtls_endpoint_aliases\":{\"token_endpoint\":\"https://mtls.example/token\"}"
                        + ",\"tls_client_certificate_bound_access_tokens\":true"));
        serve("/tenant1/.well-known/openid-configuration", document(URI.create("https://wrong.example"), ""));
        AuthorizationServerMetadata metadata = AuthorizationServerMetadata.discover(issuer(), transport());
        assertEquals(issuer(), metadata.issuer());
        assertEquals(server.uri("/tenant1/token"), metadata.tokenEndpoint().orElseThrow());
        assertEquals(List.of(ClientAuthenticationMethod.PRIVATE_KEY_JWT, ClientAuthenticationMethod.TLS_CLIENT_AUTH),
                metadata.tokenEndpointAuthMethodsSupported());
        assertEquals(List.of("PS256", "ES256"), metadata.tokenEndpointAuthSigningAlgValuesSupported());
        assertEquals(URI.create("https://mtls.example/token"), metadata.mtlsTokenEndpoint().orElseThrow());
        assertTrue(metadata.tlsClientCertificateBoundAccessTokens());
        assertEquals(1, server.server.getRequestCount());
    }

    @Test
    void discover_rfc8414Missing_fallsBackToOpenId() throws Exception {
        start(ServerTls.ClientAuth.NONE);
        serve("/tenant1/.well-known/openid-configuration", document(issuer(), ""));
        AuthorizationServerMetadata metadata = AuthorizationServerMetadata.discover(issuer(), transport());
        assertEquals(List.of(ClientAuthenticationMethod.CLIENT_SECRET_BASIC), metadata.tokenEndpointAuthMethodsSupported());
        assertFalse(metadata.tlsClientCertificateBoundAccessTokens());
        assertEquals(metadata.tokenEndpoint(), metadata.mtlsTokenEndpoint());
        assertEquals("/.well-known/oauth-authorization-server/tenant1",
                server.server.takeRequest(1, TimeUnit.SECONDS).getTarget());
        assertEquals("/tenant1/.well-known/openid-configuration",
                server.server.takeRequest(1, TimeUnit.SECONDS).getTarget());
    }

    @Test
    void discover_issuerMismatch_refused() throws Exception {
        start(ServerTls.ClientAuth.NONE);
        serve("/.well-known/oauth-authorization-server/tenant1", document(URI.create("https://evil.example/tenant1"), ""));
        InvalidMetadataException e = assertThrows(InvalidMetadataException.class,
                () -> AuthorizationServerMetadata.discover(issuer(), transport()));
        assertTrue(e.getMessage().contains("https://evil.example/tenant1"), e.getMessage());
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    }

    @Test
    void discover_trailingSlashDifference_refused() throws Exception {
        start(ServerTls.ClientAuth.NONE);
        serve("/.well-known/oauth-authorization-server/tenant1", document(URI.create(issuer() + "/"), ""));
        assertThrows(InvalidMetadataException.class, () -> AuthorizationServerMetadata.discover(issuer(), transport()));
    }

    @Test
    void discover_nothingFound_namesBothLocations() throws Exception {
        start(ServerTls.ClientAuth.NONE);
        InvalidMetadataException e = assertThrows(InvalidMetadataException.class,
                () -> AuthorizationServerMetadata.discover(issuer(), transport()));
        assertTrue(e.getMessage().contains("oauth-authorization-server") && e.getMessage().contains("openid-configuration"));
    }

    @Test
    void parse_invalidDocuments_refused() {
        URI issuer = URI.create("https://as.example");
        assertThrows(InvalidMetadataException.class, () -> AuthorizationServerMetadata.parse("[1]", issuer));
        assertThrows(InvalidMetadataException.class, () -> AuthorizationServerMetadata.parse("{}", issuer));
        assertThrows(InvalidMetadataException.class, () -> AuthorizationServerMetadata.parse(
                "{\"issuer\":\"https://as.example\",\"mtls_endpoint_aliases\":[]}", issuer));
        assertThrows(InvalidMetadataException.class, () -> AuthorizationServerMetadata.parse(
                "{\"issuer\":\"https://as.example\",\"token_endpoint_auth_methods_supported\":\"private_key_jwt\"}", issuer));
    }

    @Test
    void tokenClient_methodNotAdvertised_refusedUnlessAllowed() throws Exception {
        AuthorizationServerMetadata metadata = AuthorizationServerMetadata.parse("{\"issuer\":\"https://as.example\","
                + "\"token_endpoint\":\"https://as.example/token\",\"token_endpoint_auth_methods_supported\":[\"private_key_jwt\"]}",
                URI.create("https://as.example"));
        ClientAuthentication post = ClientSecretPost.of(ClientId.of("c"), Secret.of("s"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TokenClient.builder(metadata, post).build());
        assertTrue(e.getMessage().contains("client_secret_post"));
        TokenClient client = TokenClient.builder(metadata, post).allowUnadvertisedAuthenticationMethod().build();
        assertEquals(URI.create("https://as.example/token"), client.tokenEndpoint());
        assertEquals(URI.create("https://as.example"), client.issuer().orElseThrow());
    }

    /** A minimal certificate-authenticated method, standing in for the mtls module's strategies. */
    private static final class CertificateAuth implements ClientAuthentication {
        final TlsClientIdentity identity;

        CertificateAuth(IssuedCertificate certificate) throws Exception {
            KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX");
            factory.init(Pkcs12.keyStore("c", certificate, "x".toCharArray()), "x".toCharArray());
            X509KeyManager keyManager = (X509KeyManager) factory.getKeyManagers()[0];
            this.identity = new TlsClientIdentity() {
                @Override
                public X509KeyManager keyManager() {
                    return keyManager;
                }

                @Override
                public X509Certificate certificate() {
                    return certificate.certificate();
                }
            };
        }

        @Override
        public ClientAuthenticationMethod method() {
            return ClientAuthenticationMethod.TLS_CLIENT_AUTH;
        }

        @Override
        public ClientId clientId() {
            return ClientId.of("mtls-client");
        }

        @Override
        public void authenticate(TokenRequestMessage request, AuthenticationContext context) {
            request.setFormParameter("client_id", "mtls-client");
        }

        @Override
        public Optional<TlsClientIdentity> tlsIdentity() {
            return Optional.of(identity);
        }
    }

    @Test
    void tokenClient_certificateMethod_usesMtlsAliasAndPresentsCertificate() throws Exception {
        start(ServerTls.ClientAuth.NEED);
        URI issuer = URI.create("https://as.example");
        AuthorizationServerMetadata metadata = AuthorizationServerMetadata.parse("{\"issuer\":\"https://as.example\","
                + "\"token_endpoint\":\"https://as.example/token\",\"token_endpoint_auth_methods_supported\":[\"tls_client_auth\"],"
                + "\"mtls_endpoint_aliases\":{\"token_endpoint\":\"" + server.uri("/mtls/token") + "\"}}", issuer);
        routes.put("/mtls/token", new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":60}").build());
        CertificateAuth auth = new CertificateAuth(PKI.clientCertificate());
        TokenClient client = TokenClient.builder(metadata, auth).tls(server.tls(auth.tlsIdentity().orElseThrow())).build();
        assertEquals(server.uri("/mtls/token"), client.tokenEndpoint());
        client.requestToken(TokenRequest.clientCredentials());
        RecordedRequest recorded = server.server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals("grant_type=client_credentials&client_id=mtls-client", recorded.getBody().utf8());
        assertEquals(PKI.clientCertificate().certificate(), recorded.getHandshake().peerCertificates().get(0));
    }

    @Test
    void tokenClient_certificateMethodWithTransportWithoutIt_refused() throws Exception {
        start(ServerTls.ClientAuth.NONE);
        CertificateAuth auth = new CertificateAuth(PKI.clientCertificate());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TokenClient.builder(server.uri("/token"), auth).transport(transport()).build());
        assertTrue(e.getMessage().contains("tls_client_auth"));
    }
}
