package dev.clientauth.examples.demo;

import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.clientauth.certs.test.Pkcs12;
import dev.clientauth.certs.test.ServerTls;
import dev.clientauth.core.jdk.JdkHttpTransport;
import dev.clientauth.dpop.DPoPNonceSource;
import dev.clientauth.examples.api.DPoPResourceServerApp;
import dev.clientauth.core.http.TransportRequest;
import dev.clientauth.mtls.BindingResult;
import dev.clientauth.mtls.CertificateBoundTokens;
import dev.clientauth.core.ClientTls;
import dev.clientauth.keys.TrustBundle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.X509TrustManager;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * The servers of the demo and the interop tests, all on 127.0.0.1 with ephemeral ports: the
 * clients' JWKS server, Spring Authorization Server over HTTPS (client certificates wanted),
 * a resource server over mutual TLS that checks JWT access tokens and their {@code cnf}
 * binding with {@link CertificateBoundTokens}, and a Spring Security resource server that checks
 * DPoP-bound tokens and their proofs.
 */
public final class DemoServers implements AutoCloseable {
    private final DemoMaterial material;
    private final Path directory;
    private final JwksServer jwks;
    private final ConfigurableApplicationContext authorizationServer;
    private final URI issuer;
    private final HttpsServer resourceServer;
    private final Nonces nonces = new Nonces();
    private final ConfigurableApplicationContext dpopResourceServer;
    private final URI dpopApi;

    /** The nonce filters of the authorization server's token endpoint and of the DPoP resource server. */
    public static final class Nonces {
        private final DPoPNonceFilter authorizationServer =
                new DPoPNonceFilter(DPoPNonceSource.rotatingEvery(Duration.ofMinutes(5)), true);
        private final DPoPNonceFilter resourceServer =
                new DPoPNonceFilter(DPoPNonceSource.rotatingEvery(Duration.ofMinutes(5)), false);

        public DPoPNonceFilter authorizationServer() {
            return authorizationServer;
        }

        public DPoPNonceFilter resourceServer() {
            return resourceServer;
        }
    }

    private DemoServers(DemoMaterial material) throws Exception {
        this.material = material;
        this.directory = Files.createTempDirectory("clientauth-demo");
        this.jwks = new JwksServer(material);
        char[] password = "demo-store".toCharArray();
        Path keyStore = Pkcs12.write(directory.resolve("server.p12"),
                Pkcs12.keyStore("server", material.pki().serverCertificate(), password), password);
        Path trustStore = Pkcs12.write(directory.resolve("trust.p12"),
                Pkcs12.trustStore(material.pki().root().certificate(), material.selfSigned().certificate()), password);
        this.authorizationServer = new SpringApplicationBuilder(AuthorizationServerApp.class)
                .web(WebApplicationType.SERVLET)
                .initializers(context -> {
                    context.getBeanFactory().registerSingleton("demoMaterial", material);
                    context.getBeanFactory().registerSingleton("jwksServer", jwks);
                    context.getBeanFactory().registerSingleton("dpopNonces", nonces);
                })
                .properties(httpsServer(keyStore, trustStore, password))
                .run();
        String port = authorizationServer.getEnvironment().getProperty("local.server.port");
        this.issuer = URI.create("https://127.0.0.1:" + port);
        this.resourceServer = startResourceServer();
        this.dpopResourceServer = startDPoPResourceServer(keyStore, trustStore, password);
        this.dpopApi = URI.create("https://127.0.0.1:" + dpopResourceServer.getEnvironment().getProperty("local.server.port")
                + "/api/accounts");
    }

    /**
     * A Spring Security resource server with its DPoP support, over HTTPS (client certificates
     * wanted, for tokens bound to a certificate too), that accepts the authorization server's JWT
     * access tokens (its signing key, its issuer).
     */
    @SuppressWarnings("unchecked")
    private ConfigurableApplicationContext startDPoPResourceServer(Path keyStore, Path trustStore, char[] password) throws Exception {
        JWKSource<SecurityContext> keys = authorizationServer.getBean(JWKSource.class);
        RSAKey signing = (RSAKey) keys.get(new JWKSelector(new JWKMatcher.Builder().keyType(KeyType.RSA).build()), null).get(0);
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withPublicKey(signing.toRSAPublicKey()).build();
        decoder.setJwtValidator(JwtValidators.createDefaultWithIssuer(issuer.toString()));
        return new SpringApplicationBuilder(DPoPResourceServerApp.class)
                .web(WebApplicationType.SERVLET)
                .initializers(context -> {
                    context.getBeanFactory().registerSingleton("jwtDecoder", decoder);
                    context.getBeanFactory().registerSingleton("dpopNonceFilter", nonces.resourceServer());
                })
                .properties(httpsServer(keyStore, trustStore, password))
                .run();
    }

    /**
     * A Spring Boot server on 127.0.0.1 and an ephemeral port over HTTPS with the demo's server
     * certificate, wanting client certificates (for the mTLS clients, and for tokens bound to a
     * certificate as well as a DPoP key), quiet logs.
     */
    private static Map<String, Object> httpsServer(Path keyStore, Path trustStore, char[] password) {
        return Map.ofEntries(
                Map.entry("server.address", "127.0.0.1"),
                Map.entry("server.port", "0"),
                Map.entry("server.ssl.enabled", "true"),
                Map.entry("server.ssl.key-store", keyStore.toUri().toString()),
                Map.entry("server.ssl.key-store-password", new String(password)),
                Map.entry("server.ssl.key-store-type", "PKCS12"),
                Map.entry("server.ssl.key-alias", "server"),
                Map.entry("server.ssl.client-auth", "want"),
                Map.entry("server.ssl.trust-store", trustStore.toUri().toString()),
                Map.entry("server.ssl.trust-store-password", new String(password)),
                Map.entry("server.ssl.trust-store-type", "PKCS12"),
                Map.entry("spring.main.banner-mode", "off"),
                Map.entry("spring.main.log-startup-info", "false"),
                Map.entry("logging.level.root", "WARN"),
                Map.entry("logging.level.org.springframework.security", "WARN"),
                // Tomcat warns that TLS 1.3 has no post-handshake auth; certificates come in the handshake
                Map.entry("logging.level.org.apache.tomcat.util.net", "ERROR"));
    }

    /** The DPoP-protected API of the Spring Security resource server. */
    public URI dpopApi() {
        return dpopApi;
    }

    /** The nonce demands of the token endpoint and the DPoP resource server. */
    public Nonces nonces() {
        return nonces;
    }

    /** Starts everything with fresh material. */
    public static DemoServers start() throws Exception {
        return new DemoServers(new DemoMaterial());
    }

    public DemoMaterial material() {
        return material;
    }

    public URI issuer() {
        return issuer;
    }

    /** The protected API of the resource server. */
    public URI api() {
        return URI.create("https://127.0.0.1:" + resourceServer.getAddress().getPort() + "/api/accounts");
    }

    /** Trust for both servers' certificates. */
    public X509TrustManager trust() {
        return TrustBundle.of(List.of(material.pki().root().certificate()));
    }

    private HttpsServer startResourceServer() throws Exception {
        String jwksJson = JdkHttpTransport.builder().tls(ClientTls.builder().trust(trust()).build()).build()
                .execute(TransportRequest.get(URI.create(issuer + "/oauth2/jwks"), Map.of())).bodyAsString();
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(com.nimbusds.jose.JWSAlgorithm.RS256,
                new ImmutableJWKSet<>(JWKSet.parse(jwksJson))));
        // exact issuer, the audience of one of this API's clients, and the claims a decision needs
        processor.setJWTClaimsSetVerifier(new com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier<>(
                java.util.Set.of(DemoMaterial.BASIC, DemoMaterial.POST, DemoMaterial.SECRET_JWT, DemoMaterial.PRIVATE_KEY_JWT,
                        DemoMaterial.TLS, DemoMaterial.SELF_SIGNED),
                new JWTClaimsSet.Builder().issuer(issuer.toString()).build(),
                java.util.Set.of("sub", "exp", "iat", "aud"), null));
        ServerTls tls = material.pki().serverTls(ServerTls.ClientAuth.NEED, material.selfSigned().certificate());
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.sslContext()) {
            @Override
            public void configure(HttpsParameters params) {
                params.setSSLParameters(tls.sslParameters());
            }
        });
        server.createContext("/api/", exchange -> {
            int status;
            String body;
            String challenge = null;
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            X509Certificate presented = CertificateBoundTokens.fromSession(((HttpsExchange) exchange).getSSLSession()).orElse(null);
            if (authorization == null || !authorization.startsWith("Bearer ")) {
                status = 401;
                body = "{\"error\":\"invalid_token\"}";
                challenge = "Bearer error=\"invalid_token\", error_description=\"no bearer token\"";
            } else {
                try {
                    JWTClaimsSet claims = processor.process(authorization.substring(7), null);
                    BindingResult binding = claims.getClaim("cnf") == null ? null
                            : CertificateBoundTokens.verifyJwtClaims(claims.toJSONObject(), presented);
                    if (binding != null && !binding.isValid()) {
                        status = 401;
                        body = "{\"error\":\"invalid_token\",\"reason\":\"" + binding.reason().orElseThrow() + "\"}";
                        challenge = binding.wwwAuthenticate().orElseThrow();
                    } else {
                        status = 200;
                        body = "{\"client\":\"" + claims.getSubject() + "\",\"bound\":" + (binding != null) + "}";
                    }
                } catch (Exception e) {
                    status = 401;
                    body = "{\"error\":\"invalid_token\"}";
                    challenge = "Bearer error=\"invalid_token\", error_description=\"token rejected\"";
                }
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            if (challenge != null) {
                exchange.getResponseHeaders().add("WWW-Authenticate", challenge);
            }
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    @Override
    public void close() {
        resourceServer.stop(0);
        dpopResourceServer.close();
        authorizationServer.close();
        jwks.close();
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary files only
        }
    }
}
