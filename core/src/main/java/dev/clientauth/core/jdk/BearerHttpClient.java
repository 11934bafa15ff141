package dev.clientauth.core.jdk;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.TokenNotSentException;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.internal.ApiCalls;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The JDK {@link HttpClient} for API calls with tokens from a {@link TokenSource}: every request
 * gets {@code Authorization: <type> <token>}, and a DPoP token (RFC 9449) a new {@code DPoP} proof
 * for the request's method and URI; a 401 with {@code WWW-Authenticate: Bearer (or DPoP)
 * error="invalid_token"} invalidates the token and the request is sent once more with a fresh one,
 * and a 401 {@code DPoP error="use_dpop_nonce"} with a {@code DPoP-Nonce} once more with a proof
 * carrying that nonce — never more than once, and never when the body cannot be sent again (a
 * publisher of unknown length, such as {@code ofInputStream}).
 *
 * <pre>
 * BearerHttpClient api = BearerHttpClient.of(tokens);
 * HttpResponse&lt;String&gt; response = api.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString());
 * </pre>
 *
 * <p>The client's TLS is the token source's {@link TokenSource#tls()}: a certificate-bound token
 * always travels over a connection presenting its certificate, and after a certificate reload no
 * pooled connection made with the old one is used. Redirects are never followed (the JDK client
 * would copy the {@code Authorization} header to any {@code Location}); tokens go only to
 * destinations {@link TokenSource#isAllowedDestination allowed} by the source. Thread-safe.
 */
public final class BearerHttpClient {
    private final TokenSource source;
    private final ReloadingHttpClient client;

    private BearerHttpClient(TokenSource source, HttpClient.Builder builder) {
        this.source = source;
        this.client = new ReloadingHttpClient(source.tls(), builder, JdkHttpTransport.DEFAULT_CONNECT_TIMEOUT);
    }

    /** A client with the JDK's defaults, the source's TLS, a 10 s connect timeout and no redirects. */
    public static BearerHttpClient of(TokenSource source) {
        return install(HttpClient.newBuilder(), source);
    }

    /**
     * A client built from {@code builder} (executor, version, proxy, authenticator, ...), with the
     * source's TLS, redirects turned off and a 10 s connect timeout. The builder is changed.
     */
    public static BearerHttpClient install(HttpClient.Builder builder, TokenSource source) {
        return new BearerHttpClient(Objects.requireNonNull(source, "source"), Objects.requireNonNull(builder, "builder"));
    }

    /** The underlying client (replaced after a certificate reload). */
    public HttpClient httpClient() {
        return client.current();
    }

    /**
     * Sends {@code request} with a token.
     *
     * @throws TokenNotSentException the destination is not allowed; nothing was sent
     * @throws dev.clientauth.core.TokenRequestException no token could be obtained; nothing was sent
     */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        checkDestination(request);
        AccessToken token = source.token();
        HttpResponse<T> response = client.current().send(withToken(request, token), handler);
        ApiCalls.Retry retry = retry(request, token, response);
        if (retry == ApiCalls.Retry.NONE) {
            return response;
        }
        AccessToken next = retry == ApiCalls.Retry.NEW_TOKEN ? source.token() : token;
        return client.current().send(withToken(request, next), handler);
    }

    /** {@link #send} without blocking; fails with the same exceptions. */
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            checkDestination(request);
        } catch (TokenNotSentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return source.tokenAsync().thenCompose(token -> sendAsync(request, token, handler)
                .thenCompose(response -> {
                    ApiCalls.Retry retry = retry(request, token, response);
                    if (retry == ApiCalls.Retry.NONE) {
                        return CompletableFuture.completedFuture(response);
                    }
                    CompletableFuture<AccessToken> next = retry == ApiCalls.Retry.NEW_TOKEN
                            ? source.tokenAsync() : CompletableFuture.completedFuture(token);
                    return next.thenCompose(fresh -> sendAsync(request, fresh, handler));
                }));
    }

    private <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, AccessToken token,
            HttpResponse.BodyHandler<T> handler) {
        try {
            return client.current().sendAsync(withToken(request, token), handler);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void checkDestination(HttpRequest request) throws TokenNotSentException {
        ApiCalls.checkDestination(source, request.uri());
    }

    /** What to do after the response; never a second retry, never when the body cannot be sent again. */
    private ApiCalls.Retry retry(HttpRequest request, AccessToken token, HttpResponse<?> response) {
        ApiCalls.Retry retry = ApiCalls.afterResponse(source, token, request.uri(), response.statusCode(),
                response.headers().allValues("WWW-Authenticate"), response.headers().firstValue("DPoP-Nonce").orElse(null));
        Optional<HttpRequest.BodyPublisher> body = request.bodyPublisher();
        return body.isEmpty() || body.get().contentLength() >= 0 ? retry : ApiCalls.Retry.NONE;
    }

    /** The request with {@code Authorization} and, for a DPoP token, a new {@code DPoP} proof for it. */
    private HttpRequest withToken(HttpRequest request, AccessToken token) throws IOException {
        String proof = ApiCalls.proof(source, token, request.method(), request.uri());
        HttpRequest.Builder builder = HttpRequest.newBuilder(request, (name, value) ->
                !name.equalsIgnoreCase("Authorization") && !name.equalsIgnoreCase("DPoP"))
                .header("Authorization", token.authorizationHeaderValue());
        if (proof != null) {
            builder.header("DPoP", proof);
        }
        return builder.build();
    }

    @Override
    public String toString() {
        return "BearerHttpClient[" + source + "]";
    }
}
