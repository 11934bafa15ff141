package dev.clientauth.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.IssuedCertificate;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.certs.test.Pem;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.HttpsMockServer;
import dev.clientauth.core.TokenSource;
import dev.clientauth.certs.test.ServerTls;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.web.client.RestClient;

/** Every property combination and startup failure, against a real HTTPS token endpoint and API on 127.0.0.1. */
class ClientAuthAutoConfigurationTest {
    private static final TestPki PKI = TestPki.create();
    private static final String SECRET = "starter-secret-never-printed";
    @TempDir
    Path dir;
    private HttpsMockServer server;
    private final List<String> apiAuthorizations = new CopyOnWriteArrayList<>();
    private volatile int rejectNext;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ClientAuthAutoConfiguration.class));

    @BeforeEach
    void start() throws Exception {
        server = new HttpsMockServer(PKI, ServerTls.ClientAuth.WANT);
        server.server.setDispatcher(new Dispatcher() {
            private int tokens;

            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getTarget().equals("/token")) {
                    boolean certificate = request.getHandshake() != null && !request.getHandshake().peerCertificates().isEmpty();
                    if (String.valueOf(request.getHeaders().get("Authorization")).contains("Basic") || certificate) {
                        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                                .body("{\"access_token\":\"starter-token-" + (++tokens) + "\",\"token_type\":\"Bearer\",\"expires_in\":300,\"scope\":\"accounts\"}").build();
                    }
                    return new MockResponse.Builder().code(401).addHeader("Content-Type", "application/json")
                            .body("{\"error\":\"invalid_client\"}").build();
                }
                apiAuthorizations.add(String.valueOf(request.getHeaders().get("Authorization")));
                if (rejectNext > 0) {
                    rejectNext--;
                    return new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"").body("").build();
                }
                return new MockResponse.Builder().code(200).body("accounts").build();
            }
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String trustPem() {
        return Pem.writeFile(dir.resolve("trust.pem"), Pem.certificates(PKI.root().certificate())).toString();
    }

    private String[] secretClient(String... more) {
        List<String> properties = new java.util.ArrayList<>(List.of(
                "spring.ssl.bundle.pem.api.truststore.certificate=" + trustPem(),
                "clientauth.clients.bank.token-uri=" + server.uri("/token"),
                "clientauth.clients.bank.client-id=starter-client",
                "clientauth.clients.bank.method=client_secret_basic",
                "clientauth.clients.bank.secret=" + SECRET,
                "clientauth.clients.bank.scopes=accounts",
                "clientauth.clients.bank.tls.ssl-bundle=api"));
        properties.addAll(List.of(more));
        return properties.toArray(new String[0]);
    }

    @Test
    void secretClient_tokenSourceAndRestClient_withOneRetryOnInvalidToken() {
        runner.withPropertyValues(secretClient()).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(ClientAuthClients.class);
            ClientAuthClients clients = context.getBean(ClientAuthClients.class);
            TokenSource source = clients.tokenSource("bank");
            assertEquals("starter-client", source.clientId().value());
            RestClient api = RestClient.builder().apply(clients.restClient("bank")).build();
            assertEquals("accounts", api.get().uri(server.uri("/api/accounts")).retrieve().body(String.class));
            rejectNext = 1;
            assertEquals("accounts", api.get().uri(server.uri("/api/accounts")).retrieve().body(String.class));
            assertEquals(List.of("Bearer starter-token-1", "Bearer starter-token-1", "Bearer starter-token-2"), apiAuthorizations);
            assertFalse(clients.toString().contains(SECRET) || source.toString().contains(SECRET));
        });
    }

    @Test
    void webClient_tokensWithoutBlocking_oneRetryOnInvalidToken() {
        runner.withPropertyValues(secretClient()).run(context -> {
            org.springframework.web.reactive.function.client.WebClient client = org.springframework.web.reactive.function.client.WebClient
                    .builder().apply(context.getBean(ClientAuthClients.class).webClient("bank")).build();
            rejectNext = 1;
            String body = client.get().uri(server.uri("/api/accounts")).retrieve().bodyToMono(String.class)
                    .block(java.time.Duration.ofSeconds(10));
            assertEquals("accounts", body);
            assertEquals(List.of("Bearer starter-token-1", "Bearer starter-token-2"), apiAuthorizations);
        });
    }

    @Test
    void restTemplate_getsTheSameRules() {
        runner.withPropertyValues(secretClient()).run(context -> {
            org.springframework.web.client.RestTemplate template = new org.springframework.web.client.RestTemplate();
            context.getBean(ClientAuthClients.class).restTemplate("bank").accept(template);
            assertEquals("accounts", template.getForObject(server.uri("/api/accounts"), String.class));
            assertEquals(List.of("Bearer starter-token-1"), apiAuthorizations);
        });
    }

    @Test
    void mtlsThroughAnSslBundle_identityPresented_boundTokenRequired() {
        IssuedCertificate client = PKI.clientCertificate();
        String cert = Pem.writeFile(dir.resolve("client.pem"), Pem.certificates(client.chain())).toString();
        String key = Pem.writeFile(dir.resolve("client-key.pem"), Pem.pkcs8(client.privateKey())).toString();
        runner.withPropertyValues(
                "spring.ssl.bundle.pem.client.keystore.certificate=" + cert,
                "spring.ssl.bundle.pem.client.keystore.private-key=" + key,
                "spring.ssl.bundle.pem.client.truststore.certificate=" + trustPem(),
                "clientauth.clients.bank.token-uri=" + server.uri("/token"),
                "clientauth.clients.bank.client-id=mtls-client",
                "clientauth.clients.bank.method=tls_client_auth",
                "clientauth.clients.bank.tls.ssl-bundle=client").run(context -> {
                    assertThat(context).hasNotFailed();
                    TokenSource source = context.getBean(ClientAuthClients.class).tokenSource("bank");
                    assertEquals(dev.clientauth.core.CertificateThumbprint.of(client.certificate()),
                            source.tls().identity().orElseThrow().thumbprint());
                    assertEquals("starter-token-1", source.token().value());
                    assertEquals(client.certificate(), server.server.takeRequest().getHandshake().peerCertificates().get(0));
                });
    }

    @Test
    void sslBundleUpdate_isAnIdentityReload_tokensOfTheOldCertificateDropped() {
        IssuedCertificate first = PKI.clientCertificate();
        String cert = Pem.writeFile(dir.resolve("client.pem"), Pem.certificates(first.chain())).toString();
        String key = Pem.writeFile(dir.resolve("client-key.pem"), Pem.pkcs8(first.privateKey())).toString();
        runner.withPropertyValues(
                "spring.ssl.bundle.pem.client.keystore.certificate=" + cert,
                "spring.ssl.bundle.pem.client.keystore.private-key=" + key,
                "spring.ssl.bundle.pem.client.truststore.certificate=" + trustPem(),
                "clientauth.clients.bank.token-uri=" + server.uri("/token"),
                "clientauth.clients.bank.client-id=mtls-client",
                "clientauth.clients.bank.method=tls_client_auth",
                "clientauth.clients.bank.tls.ssl-bundle=client").run(context -> {
                    TokenSource source = context.getBean(ClientAuthClients.class).tokenSource("bank");
                    assertEquals("starter-token-1", source.token().value());
                    server.server.takeRequest();
                    IssuedCertificate renewed = PKI.newClientCertificate(TestPki.CLIENT_DN);
                    char[] password = "x".toCharArray();
                    org.springframework.boot.ssl.DefaultSslBundleRegistry registry =
                            context.getBean(org.springframework.boot.ssl.DefaultSslBundleRegistry.class);
                    registry.updateBundle("client", org.springframework.boot.ssl.SslBundle.of(
                            org.springframework.boot.ssl.SslStoreBundle.of(dev.clientauth.certs.test.Pkcs12.keyStore("c", renewed, password),
                                    "x", dev.clientauth.certs.test.Pkcs12.trustStore(PKI.root().certificate()))));
                    assertEquals(dev.clientauth.core.CertificateThumbprint.of(renewed.certificate()),
                            source.tls().identity().orElseThrow().thumbprint());
                    assertEquals("starter-token-2", source.token().value(), "the token of the old certificate is not served");
                    assertEquals(renewed.certificate(), server.server.takeRequest().getHandshake().peerCertificates().get(0));
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "clientauth.clients.bank.method=client_secret_magic | clientauth.clients.bank.method | unknown authentication method",
            "clientauth.clients.bank.secret= | clientauth.clients.bank.secret | the secret is empty",
            "clientauth.clients.bank.secret-file=/nonexistent/secret | clientauth.clients.bank.secret | exactly one of secret or secret-file",
            "clientauth.clients.bank.issuer=https://as.example | clientauth.clients.bank.token-uri | either issuer or token-uri",
            "clientauth.clients.bank.token-uri=http://as.example/token | clientauth.clients.bank.token-uri | https",
            "clientauth.clients.bank.tls.ssl-bundle=missing | clientauth.clients.bank.tls.ssl-bundle | no SSL bundle",
            "clientauth.clients.bank.client-id= | clientauth.clients.bank.client-id | client id is required",
            "clientauth.clients.bank.scopes=bad\"scope | clientauth.clients.bank.scopes | scope",
            "clientauth.clients.bank.require-bound-token=true | clientauth.clients.bank.require-bound-token | client certificate",
            "clientauth.clients.bank.refresh.share=1.5 | clientauth.clients.bank.refresh | refreshShare",
            "clientauth.clients.bank.retry.max-attempts=0 | clientauth.clients.bank.retry | maxAttempts"})
    void badConfiguration_failsAtStartup_namingTheProperty_neverTheSecret(String override, String property, String reason) {
        String[] properties = secretClient(override);
        if (override.startsWith("clientauth.clients.bank.secret=")) {
            properties = java.util.Arrays.stream(properties).filter(p -> !p.startsWith("clientauth.clients.bank.secret=" + SECRET))
                    .toArray(String[]::new);
        }
        if (override.contains("require-bound-token")) {
            properties = java.util.Arrays.stream(properties).filter(p -> !p.contains("ssl-bundle")).toArray(String[]::new);
        }
        runner.withPropertyValues(properties).run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            Throwable root = failure;
            while (!(root instanceof InvalidConfigurationPropertyValueException) && root.getCause() != null) {
                root = root.getCause();
            }
            assertThat(root).isInstanceOf(InvalidConfigurationPropertyValueException.class);
            assertThat(root.getMessage()).contains(property).contains(reason);
            for (Throwable t = failure; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET);
            }
        });
    }

    @Test
    void privateKeyJwt_keyChoices() throws Exception {
        String pem = Pem.writeFile(dir.resolve("signing.pem"), Pem.pkcs8(KeyAlgorithm.EC_P256.generate().getPrivate())).toString();
        runner.withPropertyValues("clientauth.clients.jwt.issuer=https://as.example", "clientauth.clients.jwt.client-id=j",
                "clientauth.clients.jwt.method=private_key_jwt", "clientauth.clients.jwt.key.pem=" + pem).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertEquals("j", context.getBean(ClientAuthClients.class).tokenSource("jwt").clientId().value());
                });
        runner.withPropertyValues("clientauth.clients.jwt.issuer=https://as.example", "clientauth.clients.jwt.client-id=j",
                "clientauth.clients.jwt.method=private_key_jwt").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("clientauth.clients.jwt.key")
                            .hasMessageContaining("exactly one of key.pem");
                });
        runner.withPropertyValues("clientauth.clients.jwt.token-uri=https://as.example/token", "clientauth.clients.jwt.client-id=j",
                "clientauth.clients.jwt.method=private_key_jwt", "clientauth.clients.jwt.key.pem=" + pem).run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("clientauth.clients.jwt.issuer");
                });
        runner.withPropertyValues("clientauth.clients.jwt.issuer=https://as.example", "clientauth.clients.jwt.client-id=j",
                "clientauth.clients.jwt.method=private_key_jwt", "clientauth.clients.jwt.key.pem=" + dir.resolve("absent.pem")).run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("clientauth.clients.jwt.key.pem");
                });
    }

    @Test
    void keyThatDoesNotMatchTheCertificate_failsAtStartup() {
        IssuedCertificate client = PKI.clientCertificate();
        String cert = Pem.writeFile(dir.resolve("client.pem"), Pem.certificates(client.chain())).toString();
        String otherKey = Pem.writeFile(dir.resolve("other-key.pem"), Pem.pkcs8(PKI.newClientCertificate("CN=other").privateKey())).toString();
        runner.withPropertyValues(
                "spring.ssl.bundle.pem.client.keystore.certificate=" + cert,
                "spring.ssl.bundle.pem.client.keystore.private-key=" + otherKey,
                "clientauth.clients.bank.token-uri=" + server.uri("/token"),
                "clientauth.clients.bank.client-id=mtls-client",
                "clientauth.clients.bank.method=tls_client_auth",
                "clientauth.clients.bank.tls.ssl-bundle=client").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("clientauth.clients.bank.tls.ssl-bundle");
                });
    }

    @Test
    void springSecurityTokenResponseClient_backedByClientauth() {
        runner.withPropertyValues(secretClient()).run(context -> {
            ClientAuthTokenResponseClient responses = new ClientAuthTokenResponseClient(context.getBean(ClientAuthClients.class));
            ClientRegistration registration = ClientRegistration.withRegistrationId("bank").clientId("starter-client")
                    .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS).tokenUri(server.uri("/token").toString()).build();
            OAuth2AccessTokenResponse response = responses.getTokenResponse(new OAuth2ClientCredentialsGrantRequest(registration));
            assertEquals("starter-token-1", response.getAccessToken().getTokenValue());
            assertEquals(OAuth2AccessToken.TokenType.BEARER, response.getAccessToken().getTokenType());
            assertTrue(response.getAccessToken().getExpiresAt() != null);
            ClientRegistration unknown = ClientRegistration.withRegistrationId("other").clientId("x")
                    .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS).tokenUri(server.uri("/token").toString()).build();
            org.springframework.security.oauth2.core.OAuth2AuthorizationException e = org.junit.jupiter.api.Assertions.assertThrows(
                    org.springframework.security.oauth2.core.OAuth2AuthorizationException.class,
                    () -> responses.getTokenResponse(new OAuth2ClientCredentialsGrantRequest(unknown)));
            assertEquals("clientauth_client_not_configured", e.getError().getErrorCode());
        });
    }

    @Test
    void health_upWithAToken_downWhenFailingWithoutOne() {
        runner.withPropertyValues(secretClient(
                "clientauth.clients.broken.token-uri=" + server.uri("/token"), "clientauth.clients.broken.client-id=broken",
                "clientauth.clients.broken.method=client_secret_post", "clientauth.clients.broken.secret=" + SECRET,
                "clientauth.clients.broken.tls.ssl-bundle=api")).run(context -> {
                    CompositeHealthContributor health = (CompositeHealthContributor) context.getBean("clientauthHealthContributor",
                            HealthContributor.class);
                    ClientAuthClients clients = context.getBean(ClientAuthClients.class);
                    clients.tokenSource("bank").token();
                    HealthIndicator bank = (HealthIndicator) health.getContributor("bank");
                    assertEquals(Status.UP, bank.health().getStatus());
                    assertTrue((Long) bank.health().getDetails().get("tokenServedForSeconds") > 200);
                    // the broken client's secret is sent form-encoded, which this server refuses
                    org.junit.jupiter.api.Assertions.assertThrows(dev.clientauth.core.OAuthErrorResponseException.class,
                            () -> clients.tokenSource("broken").token());
                    HealthIndicator broken = (HealthIndicator) health.getContributor("broken");
                    assertEquals(Status.DOWN, broken.health().getStatus());
                    assertEquals("invalid_client", broken.health().getDetails().get("lastError"));
                    assertFalse(broken.health().getDetails().toString().contains(SECRET));
                });
    }

    @Test
    void metrics_boundWhenARegistryIsThere() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).withPropertyValues(secretClient()).run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            context.getBean(ClientAuthClients.class).tokenSource("bank").token();
            assertEquals(1.0, registry.get("clientauth.token.requests").tags("client", "starter-client", "outcome", "success")
                    .counter().count());
            assertEquals(1.0, registry.get("clientauth.token.cache.misses").tags("client", "starter-client").functionCounter().count());
        });
    }

    @Test
    void secretFile_pkcs12Key_signerBean_andDPoP() throws Exception {
        Path secretFile = java.nio.file.Files.writeString(dir.resolve("secret"), SECRET + "\n");
        IssuedCertificate signing = PKI.newClientCertificate("CN=signing");
        Path p12 = dev.clientauth.certs.test.Pkcs12.write(dir.resolve("signing.p12"),
                dev.clientauth.certs.test.Pkcs12.keyStore("signing", signing, "p12-password".toCharArray()), "p12-password".toCharArray());
        dev.clientauth.jwt.JcaSigner remote = dev.clientauth.jwt.JcaSigner.of(KeyAlgorithm.EC_P256.generate());
        runner.withBean("remoteSigner", dev.clientauth.jwt.AssertionSigner.class, () -> remote)
                .withPropertyValues(
                        "clientauth.clients.file.token-uri=" + server.uri("/token"), "clientauth.clients.file.client-id=f",
                        "clientauth.clients.file.method=client_secret_basic", "clientauth.clients.file.secret-file=" + secretFile,
                        "clientauth.clients.file.tls.ssl-bundle=api", "spring.ssl.bundle.pem.api.truststore.certificate=" + trustPem(),
                        "clientauth.clients.file.dpop.enabled=true", "clientauth.clients.file.dpop.allow-bearer-fallback=true",
                        "clientauth.clients.p12.issuer=https://as.example", "clientauth.clients.p12.client-id=p",
                        "clientauth.clients.p12.method=private_key_jwt", "clientauth.clients.p12.key.pkcs12=" + p12,
                        "clientauth.clients.p12.key.password=p12-password",
                        "clientauth.clients.remote.issuer=https://as.example", "clientauth.clients.remote.client-id=r",
                        "clientauth.clients.remote.method=private_key_jwt", "clientauth.clients.remote.key.signer-bean=remoteSigner")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    ClientAuthClients clients = context.getBean(ClientAuthClients.class);
                    assertEquals(java.util.Set.of("file", "p12", "remote"), clients.names());
                    TokenSource file = clients.tokenSource("file");
                    assertTrue(file.dpop().isPresent(), "dpop.enabled");
                    // the server answers Bearer; the fallback is allowed for this client
                    assertEquals("starter-token-1", file.token().value());
                    RecordedRequest tokenRequest = server.server.takeRequest();
                    assertTrue(tokenRequest.getHeaders().get("DPoP") != null, "a proof with the token request");
                });
        runner.withPropertyValues("clientauth.clients.p12.issuer=https://as.example", "clientauth.clients.p12.client-id=p",
                "clientauth.clients.p12.method=private_key_jwt", "clientauth.clients.p12.key.pkcs12=" + p12,
                "clientauth.clients.p12.key.password=wrong-password").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("clientauth.clients.p12.key.pkcs12")
                            .hasMessageNotContaining("wrong-password");
                });
        runner.withPropertyValues("clientauth.clients.remote.issuer=https://as.example", "clientauth.clients.remote.client-id=r",
                "clientauth.clients.remote.method=private_key_jwt", "clientauth.clients.remote.key.signer-bean=noSuchBean").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("clientauth.clients.remote.key.signer-bean");
                });
    }

    @Test
    void withoutARegistry_noMeters_andNoClients_noSources() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertTrue(context.getBean(ClientAuthClients.class).names().isEmpty());
            assertThat(context).doesNotHaveBean(MeterRegistry.class);
        });
    }
}
