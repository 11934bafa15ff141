package dev.clientauth.examples.api;

import dev.clientauth.examples.demo.DPoPNonceFilter;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Security resource server with its own DPoP support (RFC 9449: the proof's signature,
 * {@code htm}, {@code htu}, {@code iat}, {@code jti}, {@code ath} and the token's {@code cnf.jkt}),
 * for the demo and the interop tests. The {@link JwtDecoder} (the authorization server's key and
 * issuer) and the {@link DPoPNonceFilter} are registered before the context starts. Not scanned by
 * the authorization server's application (another package), and without its auto-configuration.
 */
@SpringBootApplication(proxyBeanMethods = false, excludeName = {
        "org.springframework.boot.security.oauth2.server.authorization.autoconfigure.servlet.OAuth2AuthorizationServerAutoConfiguration",
        "org.springframework.boot.security.oauth2.server.authorization.autoconfigure.servlet.OAuth2AuthorizationServerJwtAutoConfiguration"})
public class DPoPResourceServerApp {

    @Bean
    SecurityFilterChain api(HttpSecurity http, JwtDecoder decoder) throws Exception {
        http.authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                .oauth2ResourceServer(resourceServer -> resourceServer.jwt(jwt -> jwt.decoder(decoder)))
                .csrf(csrf -> csrf.disable());
        return http.build();
    }

    @Bean
    FilterRegistrationBean<DPoPNonceFilter> nonceDemand(DPoPNonceFilter filter) {
        FilterRegistrationBean<DPoPNonceFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.addUrlPatterns("/api/*");
        return registration;
    }

    @RestController
    static class Accounts {
        @GetMapping("/api/accounts")
        Map<String, Object> accounts(@AuthenticationPrincipal Jwt jwt) {
            return Map.of("client", jwt.getSubject(), "jkt", String.valueOf(jwt.getClaimAsMap("cnf") == null ? null
                    : jwt.getClaimAsMap("cnf").get("jkt")));
        }

        @PostMapping("/api/payments")
        Map<String, Object> pay(@AuthenticationPrincipal Jwt jwt) {
            return Map.of("client", jwt.getSubject(), "status", "accepted");
        }
    }
}
