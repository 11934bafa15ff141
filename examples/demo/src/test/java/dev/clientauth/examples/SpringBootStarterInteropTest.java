package dev.clientauth.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.Pem;
import dev.clientauth.core.TokenSource;
import dev.clientauth.examples.boot.SampleClientApplication;
import dev.clientauth.examples.demo.DemoMaterial;
import dev.clientauth.examples.demo.DemoServers;
import dev.clientauth.spring.boot.ClientAuthClients;
import dev.clientauth.spring.boot.ClientAuthTokenResponseClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The Spring Boot starter in a Spring Boot application test (the README's sample application, plus
 * one client per remaining method) against the in-process Spring Authorization Server and the
 * mTLS resource server, with a {@link SimpleMeterRegistry} and the observation test registry.
 */
@SpringBootTest(classes = {SampleClientApplication.class, SpringBootStarterInteropTest.Observability.class},
        webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "spring.config.location=classpath:sample/application.yaml")
class SpringBootStarterInteropTest {
    private static DemoServers servers;
    private static Path dir;
    @Autowired
    private ApplicationContext app;
    @Autowired
    private SimpleMeterRegistry registry;
    @Autowired
    private io.micrometer.observation.tck.TestObservationRegistry observations;

    /** The meter and observation registries of the test. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Observability {
        @Bean
        SimpleMeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        io.micrometer.observation.tck.TestObservationRegistry observationRegistry() {
            return io.micrometer.observation.tck.TestObservationRegistry.create();
        }
    }

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) throws Exception {
        servers = SharedServers.get();
        DemoMaterial material = servers.material();
        dir = Files.createTempDirectory("clientauth-sample");
        Pem.writeFile(dir.resolve("assertion-key.pem"), Pem.pkcs8(material.assertionKey().getPrivate()));
        Pem.writeFile(dir.resolve("client.pem"), Pem.certificates(material.clientCertificate().chain()));
        Pem.writeFile(dir.resolve("client-key.pem"), Pem.pkcs8(material.clientCertificate().privateKey()));
        Pem.writeFile(dir.resolve("self-signed.pem"), Pem.certificates(material.selfSigned().certificate()));
        Pem.writeFile(dir.resolve("self-signed-key.pem"), Pem.pkcs8(material.selfSigned().privateKey()));
        Pem.writeFile(dir.resolve("ca.pem"), Pem.certificates(material.pki().root().certificate()));
        Files.writeString(dir.resolve("basic.secret"), material.basicSecret().reveal());
        Files.writeString(dir.resolve("post.secret"), material.postSecret().reveal());
        Files.writeString(dir.resolve("jwt.secret"), material.jwtSecret().reveal());
        Map<String, Object> properties = new java.util.LinkedHashMap<>();
        properties.put("sample.issuer", servers.issuer().toString());
        properties.put("sample.dir", dir.toString());
        client(properties, "bank-basic", DemoMaterial.BASIC, "client_secret_basic", "basic.secret");
        client(properties, "bank-post", DemoMaterial.POST, "client_secret_post", "post.secret");
        client(properties, "bank-secret-jwt", DemoMaterial.SECRET_JWT, "client_secret_jwt", "jwt.secret");
        mtlsClient(properties, "bank-self-signed", DemoMaterial.SELF_SIGNED, "self_signed_tls_client_auth", "self-signed",
                "self-signed");
        mtlsClient(properties, "bank-reload", DemoMaterial.TLS, "tls_client_auth", "reloadable", "client");
        properties.put("clientauth.clients.bank-reload.require-bound-token", "true");
        properties.forEach((name, value) -> registry.add(name, () -> value));
    }

    private static void client(Map<String, Object> properties, String name, String clientId, String method, String secretFile) {
        String prefix = "clientauth.clients." + name + ".";
        properties.put(prefix + "issuer", servers.issuer().toString());
        properties.put(prefix + "client-id", clientId);
        properties.put(prefix + "method", method);
        properties.put(prefix + "secret-file", dir.resolve(secretFile).toString());
        properties.put(prefix + "scopes", "accounts");
        properties.put(prefix + "tls.ssl-bundle", "api");
    }

    /** An mTLS client with its own SSL bundle of {@code <files>.pem} and {@code <files>-key.pem}. */
    private static void mtlsClient(Map<String, Object> properties, String name, String clientId, String method, String bundle,
            String files) {
        String prefix = "clientauth.clients." + name + ".";
        properties.put(prefix + "issuer", servers.issuer().toString());
        properties.put(prefix + "client-id", clientId);
        properties.put(prefix + "method", method);
        properties.put(prefix + "scopes", "accounts");
        properties.put(prefix + "tls.ssl-bundle", bundle);
        String pem = "spring.ssl.bundle.pem." + bundle + ".";
        properties.put(pem + "keystore.certificate", dir.resolve(files + ".pem").toString());
        properties.put(pem + "keystore.private-key", dir.resolve(files + "-key.pem").toString());
        properties.put(pem + "truststore.certificate", dir.resolve("ca.pem").toString());
    }

    @AfterAll
    static void stop() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    static Stream<String> clients() {
        return Stream.of("bank-basic", "bank-post", "bank-secret-jwt", "bank-jwt", "bank-mtls", "bank-self-signed");
    }

    @ParameterizedTest
    @MethodSource("clients")
    void everyMethod_restClientCallsTheApi_meteredAndHealthy(String name) throws Exception {
        ClientAuthClients clients = app.getBean(ClientAuthClients.class);
        RestClient api = RestClient.builder().apply(clients.restClient(name)).build();
        String body = api.get().uri(servers.api()).retrieve().body(String.class);
        TokenSource source = clients.tokenSource(name);
        assertTrue(body.contains(source.clientId().value()), body);
        if (name.equals("bank-mtls") || name.equals("bank-self-signed")) {
            assertEquals(source.tls().identity().orElseThrow().thumbprint(), source.token().boundCertificate().orElseThrow());
        }
        assertTrue(registry.get("clientauth.token.requests").tags("client", source.clientId().value(), "outcome", "success")
                .counter().count() >= 1);
        assertTrue(registry.get("clientauth.tls.certificate.expiry").tags("client", source.clientId().value()).gauge().value() > 0);
        CompositeHealthContributor health = (CompositeHealthContributor) app.getBean("clientauthHealthContributor", HealthContributor.class);
        assertEquals(Status.UP, ((HealthIndicator) health.getContributor(name)).health().getStatus());
    }

    @Test
    void sampleBeans_restTemplateAndWebClient_boundTokens() {
        RestClient mtlsApi = app.getBean("mtlsApi", RestClient.class);
        assertTrue(mtlsApi.get().uri(servers.api()).retrieve().body(String.class).contains("\"bound\":true"));
        ClientAuthClients clients = app.getBean(ClientAuthClients.class);
        RestTemplate template = new RestTemplate();
        clients.restTemplate("bank-mtls").accept(template);
        assertTrue(template.getForObject(servers.api(), String.class).contains(DemoMaterial.TLS));
        String viaWebClient = WebClient.builder().apply(clients.webClient("bank-jwt")).build().get().uri(servers.api())
                .retrieve().bodyToMono(String.class).block(java.time.Duration.ofSeconds(10));
        assertTrue(viaWebClient.contains(DemoMaterial.PRIVATE_KEY_JWT), viaWebClient);
    }

    @Test
    void springSecurityRegistration_switchedToClientauthByOneBean() {
        ClientAuthTokenResponseClient responses = new ClientAuthTokenResponseClient(app.getBean(ClientAuthClients.class));
        ClientRegistration registration = ClientRegistration.withRegistrationId("bank-jwt").clientId(DemoMaterial.PRIVATE_KEY_JWT)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS).tokenUri(servers.issuer() + "/oauth2/token")
                .scope(List.of("accounts")).build();
        OAuth2AccessTokenResponse response = responses.getTokenResponse(new OAuth2ClientCredentialsGrantRequest(registration));
        assertTrue(response.getAccessToken().getScopes().contains("accounts"));
        assertTrue(response.getAccessToken().getTokenValue().split("\\.").length == 3, "a JWT from Spring Authorization Server");
    }

    @Test
    void tokenRequests_areObservations_forTracing() throws Exception {
        app.getBean(ClientAuthClients.class).tokenSource("bank-post").token();
        io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat(observations)
                .hasObservationWithNameEqualTo("clientauth.token.request").that()
                .hasLowCardinalityKeyValue("outcome", "success").hasBeenStopped();
    }

    @Test
    void sslBundleReload_renewedCertificate_newBoundTokenFromSpringAuthorizationServer() throws Exception {
        ClientAuthClients clients = app.getBean(ClientAuthClients.class);
        TokenSource source = clients.tokenSource("bank-reload");
        RestClient api = RestClient.builder().apply(clients.restClient("bank-reload")).build();
        assertTrue(api.get().uri(servers.api()).retrieve().body(String.class).contains("\"bound\":true"));
        dev.clientauth.core.AccessToken before = source.token();
        dev.clientauth.certs.test.IssuedCertificate renewed = servers.material().pki()
                .newClientCertificate(servers.material().clientCertificate().certificate().getSubjectX500Principal().getName());
        char[] password = "renewed".toCharArray();
        app.getBean(org.springframework.boot.ssl.DefaultSslBundleRegistry.class).updateBundle("reloadable",
                org.springframework.boot.ssl.SslBundle.of(org.springframework.boot.ssl.SslStoreBundle.of(
                        dev.clientauth.certs.test.Pkcs12.keyStore("client", renewed, password), "renewed",
                        dev.clientauth.certs.test.Pkcs12.trustStore(servers.material().pki().root().certificate()))));
        dev.clientauth.core.AccessToken after = source.token();
        assertTrue(!after.sameValueAs(before), "the token bound to the old certificate is not served");
        assertEquals(dev.clientauth.core.CertificateThumbprint.of(renewed.certificate()), after.boundCertificate().orElseThrow());
        assertTrue(api.get().uri(servers.api()).retrieve().body(String.class).contains("\"bound\":true"),
                "the API call presents the renewed certificate its token is bound to");
    }
}
