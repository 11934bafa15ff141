package dev.clientauth.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import dev.clientauth.core.AccessToken;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientAuthentication;
import dev.clientauth.core.ClientTls;
import dev.clientauth.core.ClientAuthenticationMethod;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.OAuthErrorCode;
import dev.clientauth.core.OAuthErrorResponseException;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenClient;
import dev.clientauth.core.TokenRequest;
import dev.clientauth.core.TokenRequestMessage;
import dev.clientauth.core.TokenSource;
import dev.clientauth.httpclient5.BearerTokenAsyncExecHandler;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.junit.jupiter.params.provider.Arguments;
import java.util.concurrent.TimeUnit;
import dev.clientauth.httpclient5.ApacheHttpTransport;
import dev.clientauth.httpclient5.BearerTokenExecHandler;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.jdk.JdkHttpTransport;
import dev.clientauth.core.jdk.BearerHttpClient;
import dev.clientauth.core.metadata.AuthorizationServerMetadata;
import dev.clientauth.okhttp.OkHttpBearer;
import dev.clientauth.okhttp.OkHttpTransport;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.examples.demo.DemoClients;
import dev.clientauth.examples.demo.DemoMaterial;
import dev.clientauth.examples.demo.DemoServers;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.PrivateKeyJwt;
import dev.clientauth.mtls.TlsClientAuth;
import dev.clientauth.mtls.TlsIdentity;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every client authentication method against a real, in-process Spring Authorization Server over HTTPS. */
class SpringAuthorizationServerInteropTest {
    private static DemoServers servers;
    private static AuthorizationServerMetadata metadata;

    @BeforeAll
    static void start() throws Exception {
        servers = SharedServers.get();
        metadata = AuthorizationServerMetadata.discover(servers.issuer(),
                JdkHttpTransport.builder().tls(ClientTls.builder().trust(servers.trust()).build()).build());
    }

    static Stream<String> methods() {
        return Stream.of("client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
                "tls_client_auth", "self_signed_tls_client_auth");
    }

    private static TokenClient client(ClientAuthentication auth, HttpTransport transport) {
        return TokenClient.builder(metadata, auth).transport(transport).allowUnadvertisedAuthenticationMethod().build();
    }

    private static ClientTls tls(TlsClientIdentity identity) {
        ClientTls.Builder builder = ClientTls.builder().trust(servers.trust());
        if (identity != null) {
            builder.identity(identity);
        }
        return builder.build();
    }

    private static JdkHttpTransport jdk(TlsClientIdentity identity) {
        return JdkHttpTransport.builder().tls(tls(identity)).build();
    }

    static Stream<Arguments> methodsAndAdapters() {
        return methods().flatMap(method -> Stream.of("jdk", "apache", "apache-async", "okhttp")
                .map(adapter -> Arguments.of(method, adapter)));
    }

    /** One API call through the named adapter, built the one way every adapter is built. */
    private static int callApi(String adapter, TokenSource source) throws Exception {
        switch (adapter) {
            case "jdk":
                return BearerHttpClient.of(source).send(HttpRequest.newBuilder(servers.api()).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode();
            case "apache":
                try (CloseableHttpClient api = BearerTokenExecHandler.of(source)) {
                    return api.execute(new HttpGet(servers.api()), r -> r.getCode());
                }
            case "apache-async":
                try (CloseableHttpAsyncClient api = BearerTokenAsyncExecHandler.of(source)) {
                    return api.execute(SimpleRequestBuilder.get(servers.api()).build(), null).get(10, TimeUnit.SECONDS).getCode();
                }
            case "okhttp":
                try (Response response = OkHttpBearer.of(source).newCall(new Request.Builder().url(servers.api().toString())
                        .build()).execute()) {
                    return response.code();
                }
            default:
                throw new IllegalArgumentException(adapter);
        }
    }

    @ParameterizedTest
    @MethodSource("methodsAndAdapters")
    void everyMethod_throughTheFrontDoor_everyAdapterCallsTheApi(String method, String adapter) throws Exception {
        ClientAuthentication auth = DemoClients.all(servers.material()).get(method);
        TlsClientIdentity identity = auth.tlsIdentity().orElse(DemoClients.identity(servers.material()));
        try (TokenSource source = TokenSource.forIssuer(servers.issuer(), auth).scope("accounts").tls(tls(identity))
                .allowUnadvertisedAuthenticationMethod().build()) {
            assertEquals(200, callApi(adapter, source));
            assertEquals(auth.tlsIdentity().map(TlsClientIdentity::thumbprint), source.token().boundCertificate());
        }
    }

    @ParameterizedTest
    @MethodSource("methods")
    void everyMethod_obtainsTokenAndCallsApi(String method) throws Exception {
        ClientAuthentication auth = DemoClients.all(servers.material()).get(method);
        assertEquals(method, auth.method().value());
        TokenClient client = client(auth, jdk(auth.tlsIdentity().orElse(DemoClients.identity(servers.material()))));
        try (TokenSource source = TokenSource.builder(client).request(TokenRequest.builder().scope("accounts").build()).build()) {
            AccessToken token = source.token();
            assertEquals("Bearer", token.type().value());
            assertEquals(java.util.Set.of("accounts"), token.scopes());
            SignedJWT jwt = SignedJWT.parse(token.value());
            assertEquals(auth.clientId().value(), jwt.getJWTClaimsSet().getSubject());
            Object cnf = jwt.getJWTClaimsSet().getClaim("cnf");
            if (auth.tlsIdentity().isPresent()) {
                String expected = auth.tlsIdentity().get().thumbprint().value();
                assertEquals(Map.of("x5t#S256", expected), cnf);
                assertEquals(expected, token.boundCertificate().orElseThrow().value());
            } else {
                assertEquals(null, cnf);
            }
            HttpResponse<String> response = BearerHttpClient.of(source)
                    .send(HttpRequest.newBuilder(servers.api()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
        }
    }

    @Test
    void discovery_advertisesMtlsAndMethods() {
        assertEquals(servers.issuer(), metadata.issuer());
        assertTrue(metadata.tokenEndpointAuthMethodsSupported().contains(ClientAuthenticationMethod.PRIVATE_KEY_JWT));
        assertTrue(metadata.tokenEndpointAuthMethodsSupported().contains(ClientAuthenticationMethod.TLS_CLIENT_AUTH));
    }

    @Test
    void apacheAdapter_mtlsTokenAndApiCall() throws Exception {
        ClientAuthentication auth = DemoClients.all(servers.material()).get("tls_client_auth");
        TlsClientIdentity identity = auth.tlsIdentity().orElseThrow();
        try (ApacheHttpTransport transport = ApacheHttpTransport.create(tls(identity), Duration.ofSeconds(5),
                Duration.ofSeconds(10));
                TokenSource source = TokenSource.builder(client(auth, transport)).build();
                CloseableHttpClient api = BearerTokenExecHandler.install(HttpClients.custom(), source).build()) {
            assertEquals(identity.thumbprint(), source.token().boundCertificate().orElseThrow());
            assertEquals(200, (int) api.execute(new HttpGet(servers.api()), r -> r.getCode()));
        }
    }

    @Test
    void okHttpAdapter_privateKeyJwtTokenAndApiCall() throws Exception {
        ClientAuthentication auth = DemoClients.all(servers.material()).get("private_key_jwt");
        TlsIdentity apiIdentity = DemoClients.identity(servers.material());
        try (TokenSource source = TokenSource.builder(client(auth, OkHttpTransport.create(tls(apiIdentity),
                Duration.ofSeconds(5), Duration.ofSeconds(10)))).build()) {
            OkHttpClient api = OkHttpBearer.install(new OkHttpClient.Builder(), source).build();
            try (Response response = api.newCall(new Request.Builder().url(servers.api().toString()).build()).execute()) {
                assertEquals(200, response.code());
            }
        }
    }

    private static OAuthErrorResponseException refused(ClientAuthentication auth, TlsClientIdentity identity) {
        return assertThrows(OAuthErrorResponseException.class,
                () -> client(auth, jdk(identity)).requestToken(TokenRequest.clientCredentials()));
    }

    @Test
    void wrongSecret_invalidClient() {
        OAuthErrorResponseException e = refused(ClientSecretBasic.of(ClientId.of(DemoMaterial.BASIC),
                Secret.of("wrong-secret-value-123456789")), null);
        assertEquals(OAuthErrorCode.INVALID_CLIENT, e.error());
        assertEquals(401, e.statusCode());
        assertFalse(e.getMessage().contains("wrong-secret-value"));
    }

    @Test
    void unregisteredKey_invalidClient() {
        PrivateKeyJwt auth = PrivateKeyJwt.of(ClientId.of(DemoMaterial.PRIVATE_KEY_JWT),
                JcaSigner.of(KeyAlgorithm.EC_P256.generate()));
        assertEquals(OAuthErrorCode.INVALID_CLIENT, refused(auth, null).error());
    }

    @Test
    void noCertificate_invalidClient() {
        // a client claiming tls_client_auth without presenting any certificate
        ClientAuthentication noCertificate = new ClientAuthentication() {
            @Override
            public ClientAuthenticationMethod method() {
                return ClientAuthenticationMethod.TLS_CLIENT_AUTH;
            }

            @Override
            public ClientId clientId() {
                return ClientId.of(DemoMaterial.TLS);
            }

            @Override
            public void authenticate(TokenRequestMessage request, AuthenticationContext context) {
                request.setFormParameter("client_id", DemoMaterial.TLS);
            }

            @Override
            public Optional<TlsClientIdentity> tlsIdentity() {
                return Optional.empty();
            }
        };
        // Spring Authorization Server finds no client authentication at all and answers a bare 401
        dev.clientauth.core.UnexpectedStatusException e = assertThrows(dev.clientauth.core.UnexpectedStatusException.class,
                () -> client(noCertificate, jdk(null)).requestToken(TokenRequest.clientCredentials()));
        assertEquals(401, e.statusCode());
        assertFalse(e.isRetryable());
    }

    @Test
    void wrongCertificate_invalidClient() throws Exception {
        DemoMaterial material = servers.material();
        TlsIdentity other = TlsIdentity.of(material.otherClientCertificate().privateKey(),
                material.otherClientCertificate().chain()).build();
        assertEquals(OAuthErrorCode.INVALID_CLIENT, refused(TlsClientAuth.pki(ClientId.of(DemoMaterial.TLS), other), other).error());
    }
}
