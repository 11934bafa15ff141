package dev.clientauth.spring.boot;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.TokenNotSentException;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.internal.ApiCalls;
import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.publisher.Mono;

/**
 * An {@link ExchangeFilterFunction} for {@code WebClient} with the rules of every clientauth
 * adapter, without blocking the event loop: tokens come from {@link TokenSource#tokenAsync()};
 * {@code Authorization: <type> <token>} and a DPoP proof for a DPoP token; tokens only to allowed
 * destinations; one retry on {@code 401 invalid_token} (fresh token) or {@code use_dpop_nonce}.
 * Use it with the connector of {@link ClientAuthClients#webClient}, which presents the
 * certificate a bound token needs.
 */
public final class ClientAuthExchangeFilter implements ExchangeFilterFunction {
    private final TokenSource source;

    public ClientAuthExchangeFilter(TokenSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
        URI uri = request.url();
        try {
            ApiCalls.checkDestination(source, uri);
        } catch (TokenNotSentException refused) {
            return Mono.error(refused);
        }
        return Mono.fromFuture(source::tokenAsync).flatMap(token -> send(request, next, token).flatMap(response -> {
            ApiCalls.Retry retry = ApiCalls.afterResponse(source, token, uri, response.statusCode().value(),
                    response.headers().header(HttpHeaders.WWW_AUTHENTICATE),
                    response.headers().asHttpHeaders().getFirst("DPoP-Nonce"));
            if (retry == ApiCalls.Retry.NONE) {
                return Mono.just(response);
            }
            Mono<AccessToken> nextToken = retry == ApiCalls.Retry.NEW_TOKEN ? Mono.fromFuture(source::tokenAsync) : Mono.just(token);
            return response.releaseBody().then(nextToken).flatMap(fresh -> send(request, next, fresh));
        }));
    }

    private Mono<ClientResponse> send(ClientRequest request, ExchangeFunction next, AccessToken token) {
        String proof;
        try {
            proof = ApiCalls.proof(source, token, request.method().name(), request.url());
        } catch (IOException e) {
            return Mono.error(e);
        }
        return next.exchange(ClientRequest.from(request).headers(headers -> {
            headers.set(HttpHeaders.AUTHORIZATION, token.authorizationHeaderValue());
            if (proof != null) {
                headers.set("DPoP", proof);
            } else {
                headers.remove("DPoP");
            }
        }).build());
    }

    @Override
    public String toString() {
        return "ClientAuthExchangeFilter[" + source.clientId() + "]";
    }
}
