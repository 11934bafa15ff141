package dev.clientauth.spring.boot;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.OAuthErrorResponseException;
import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.TokenType;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.springframework.security.oauth2.client.endpoint.OAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;

/**
 * Spring Security's client credentials token requests, made by clientauth: declare it as a bean and
 * the {@code OAuth2AuthorizedClientManager} Spring Boot builds from
 * {@code spring.security.oauth2.client.registration.*} uses it, so every registration whose id
 * is also a {@code clientauth.clients.<id>} entry gets that client's authentication
 * ({@code private_key_jwt} with an HSM key, mTLS with bound tokens, the RFC 7523bis audience),
 * single flight and refresh-ahead. A registration without a clientauth entry fails with
 * {@code clientauth_client_not_configured}.
 *
 * <pre>
 * &#64;Bean
 * ClientAuthTokenResponseClient clientCredentialsTokenResponseClient(ClientAuthClients clients) {
 *     return new ClientAuthTokenResponseClient(clients);
 * }
 * </pre>
 */
public final class ClientAuthTokenResponseClient implements OAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest> {
    private final ClientAuthClients clients;

    public ClientAuthTokenResponseClient(ClientAuthClients clients) {
        this.clients = Objects.requireNonNull(clients, "clients");
    }

    @Override
    public OAuth2AccessTokenResponse getTokenResponse(OAuth2ClientCredentialsGrantRequest grantRequest) {
        String registrationId = grantRequest.getClientRegistration().getRegistrationId();
        TokenSource source;
        try {
            source = clients.tokenSource(registrationId);
        } catch (NoSuchElementException e) {
            throw new OAuth2AuthorizationException(new OAuth2Error("clientauth_client_not_configured",
                    "no clientauth.clients." + registrationId + " entry for this registration", null));
        }
        AccessToken token;
        try {
            token = source.token();
        } catch (OAuthErrorResponseException e) {
            throw new OAuth2AuthorizationException(new OAuth2Error(e.error().value(), e.description().orElse(null),
                    e.uri().map(Object::toString).orElse(null)), e);
        } catch (TokenRequestException e) {
            throw new OAuth2AuthorizationException(new OAuth2Error("token_request_failed", e.getMessage(), null), e);
        }
        OAuth2AccessTokenResponse.Builder response = OAuth2AccessTokenResponse.withToken(token.value())
                .tokenType(token.type().equals(TokenType.DPOP) ? OAuth2AccessToken.TokenType.DPOP : OAuth2AccessToken.TokenType.BEARER)
                .scopes(token.scopes());
        token.expiresAt().ifPresent(expiry -> response.expiresIn(Math.max(1, expiry.getEpochSecond() - Instant.now().getEpochSecond())));
        return response.build();
    }

    @Override
    public String toString() {
        return "ClientAuthTokenResponseClient" + clients.names();
    }
}
