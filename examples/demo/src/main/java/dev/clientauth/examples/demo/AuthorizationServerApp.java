package dev.clientauth.examples.demo;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.clientauth.certs.test.KeyAlgorithm;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * The Spring Authorization Server of the demo and the interop tests, with one client per
 * authentication method and certificate-bound tokens for the mTLS clients; it binds tokens to a
 * DPoP key when the request carries a proof (Spring's own DPoP support), and demands DPoP nonces
 * while {@link DemoServers.Nonces} says so. Beans come from the
 * {@link DemoMaterial} and {@link JwksServer} registered before the context starts.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class AuthorizationServerApp {

    @Bean
    RegisteredClientRepository registeredClients(DemoMaterial material, JwksServer jwks) {
        TokenSettings plain = TokenSettings.builder().accessTokenTimeToLive(Duration.ofMinutes(5)).build();
        TokenSettings bound = TokenSettings.builder().accessTokenTimeToLive(Duration.ofMinutes(5))
                .x509CertificateBoundAccessTokens(true).build();
        // demo only: the secrets are registered in plain text ({noop}); a real server stores them with a password encoder
        List<RegisteredClient> clients = List.of(
                client(DemoMaterial.BASIC, ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                        .clientSecret("{noop}" + material.basicSecret().reveal()).tokenSettings(plain).build(),
                client(DemoMaterial.POST, ClientAuthenticationMethod.CLIENT_SECRET_POST)
                        .clientSecret("{noop}" + material.postSecret().reveal()).tokenSettings(plain).build(),
                client(DemoMaterial.SECRET_JWT, ClientAuthenticationMethod.CLIENT_SECRET_JWT)
                        .clientSecret(material.jwtSecret().reveal())
                        .clientSettings(ClientSettings.builder().tokenEndpointAuthenticationSigningAlgorithm(MacAlgorithm.HS256).build())
                        .tokenSettings(plain).build(),
                client(DemoMaterial.PRIVATE_KEY_JWT, ClientAuthenticationMethod.PRIVATE_KEY_JWT)
                        .clientSettings(ClientSettings.builder().jwkSetUrl(jwks.uri(DemoMaterial.PRIVATE_KEY_JWT).toString())
                                .tokenEndpointAuthenticationSigningAlgorithm(SignatureAlgorithm.ES256).build())
                        .tokenSettings(plain).build(),
                client(DemoMaterial.TLS, ClientAuthenticationMethod.TLS_CLIENT_AUTH)
                        .clientSettings(ClientSettings.builder().x509CertificateSubjectDN(
                                material.clientCertificate().certificate().getSubjectX500Principal().getName()).build())
                        .tokenSettings(bound).build(),
                client(DemoMaterial.SELF_SIGNED, ClientAuthenticationMethod.SELF_SIGNED_TLS_CLIENT_AUTH)
                        .clientSettings(ClientSettings.builder().jwkSetUrl(jwks.uri(DemoMaterial.SELF_SIGNED).toString()).build())
                        .tokenSettings(bound).build());
        return new InMemoryRegisteredClientRepository(clients);
    }

    private static RegisteredClient.Builder client(String id, ClientAuthenticationMethod method) {
        return RegisteredClient.withId(UUID.randomUUID().toString()).clientId(id).clientAuthenticationMethod(method)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS).scope("accounts").scope("payments");
    }

    /** DPoP nonces at the token endpoint, demanded while the demo or a test asks for them. */
    @Bean
    FilterRegistrationBean<DPoPNonceFilter> tokenEndpointNonces(DemoServers.Nonces nonces) {
        FilterRegistrationBean<DPoPNonceFilter> registration = new FilterRegistrationBean<>(nonces.authorizationServer());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.addUrlPatterns("/oauth2/token");
        return registration;
    }

    @Bean
    JWKSource<SecurityContext> signingKeys() {
        KeyPair pair = KeyAlgorithm.RSA_2048.generate();
        RSAKey key = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey((RSAPrivateKey) pair.getPrivate())
                .keyID("as-signing-key").build();
        return new ImmutableJWKSet<>(new JWKSet(key));
    }
}
