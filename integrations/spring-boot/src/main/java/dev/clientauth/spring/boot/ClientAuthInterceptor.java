package dev.clientauth.spring.boot;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.internal.ApiCalls;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * A {@link ClientHttpRequestInterceptor} for {@code RestClient} and {@code RestTemplate} with the
 * rules of every clientauth adapter: {@code Authorization: <type> <token>} (and a new DPoP proof
 * for a DPoP token), tokens only to destinations the source allows, one retry with a fresh token on
 * {@code 401 invalid_token} and one with the server's nonce on {@code 401 use_dpop_nonce}. Add it
 * last, with the request factory of {@link ClientAuthClients#requestFactory}, which presents the
 * certificate a bound token needs.
 */
public final class ClientAuthInterceptor implements ClientHttpRequestInterceptor {
    private final TokenSource source;

    public ClientAuthInterceptor(TokenSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution) throws IOException {
        URI uri = request.getURI();
        ApiCalls.checkDestination(source, uri);
        AccessToken token = source.token();
        ClientHttpResponse response = send(request, body, execution, token);
        List<String> challenges = response.getHeaders().get(HttpHeaders.WWW_AUTHENTICATE);
        ApiCalls.Retry retry = ApiCalls.afterResponse(source, token, uri, response.getStatusCode().value(),
                challenges == null ? List.of() : challenges, response.getHeaders().getFirst("DPoP-Nonce"));
        if (retry == ApiCalls.Retry.NONE) {
            return response;
        }
        response.close();
        return send(request, body, execution, retry == ApiCalls.Retry.NEW_TOKEN ? source.token() : token);
    }

    private ClientHttpResponse send(HttpRequest request, byte[] body, ClientHttpRequestExecution execution, AccessToken token)
            throws IOException {
        HttpHeaders headers = request.getHeaders();
        headers.set(HttpHeaders.AUTHORIZATION, token.authorizationHeaderValue());
        String proof = ApiCalls.proof(source, token, request.getMethod().name(), request.getURI());
        if (proof != null) {
            headers.set("DPoP", proof);
        } else {
            headers.remove("DPoP");
        }
        return execution.execute(request, body);
    }

    @Override
    public String toString() {
        return "ClientAuthInterceptor[" + source.clientId() + "]";
    }
}
