package dev.clientauth.examples.boot;

import dev.clientauth.spring.boot.ClientAuthClients;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;

/**
 * The sample Spring Boot client of the README: two clients configured in
 * {@code sample/application.yaml} — {@code private_key_jwt} with a PEM key and
 * {@code tls_client_auth} with a certificate from an SSL bundle and bound tokens — and a
 * {@link RestClient} per client that calls APIs with its tokens. Not scanned by the demo's
 * authorization server (another package), and without its auto-configuration.
 */
@SpringBootApplication(proxyBeanMethods = false, excludeName = {
        "org.springframework.boot.security.oauth2.server.authorization.autoconfigure.servlet.OAuth2AuthorizationServerAutoConfiguration",
        "org.springframework.boot.security.oauth2.server.authorization.autoconfigure.servlet.OAuth2AuthorizationServerJwtAutoConfiguration"})
public class SampleClientApplication {

    /** Calls APIs with the private_key_jwt client's tokens, presenting the API client certificate. */
    @Bean
    RestClient jwtApi(ClientAuthClients clients) {
        return RestClient.builder().apply(clients.restClient("bank-jwt")).build();
    }

    /** Calls APIs with the mTLS client's certificate-bound tokens, over connections presenting that certificate. */
    @Bean
    RestClient mtlsApi(ClientAuthClients clients) {
        return RestClient.builder().apply(clients.restClient("bank-mtls")).build();
    }
}
