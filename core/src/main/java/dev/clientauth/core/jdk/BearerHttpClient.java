package dev.clientauth.core.jdk;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.TokenNotSentException;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.internal.BearerChallenge;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The JDK {@link HttpClient} for API calls with tokens from a {@link TokenSource}: every request
 * gets {@code Authorization: <type> <token>}; a 401 with {@code WWW-Authenticate: Bearer
 * error="invalid_token"} invalidates the token and the request is sent once more with a fresh one —
 * never more than once, and never when the body cannot be sent again (a publisher of unknown
 * length, such as {@code ofInputStream}).
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
        if (shouldRetry(request, response)) {
            source.invalidate(token);
            return client.current().send(withToken(request, source.token()), handler);
        }
        return response;
    }

    /** {@link #send} without blocking; fails with the same exceptions. */
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            checkDestination(request);
        } catch (TokenNotSentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return source.tokenAsync().thenCompose(token -> client.current().sendAsync(withToken(request, token), handler)
                .thenCompose(response -> {
                    if (!shouldRetry(request, response)) {
                        return CompletableFuture.completedFuture(response);
                    }
                    source.invalidate(token);
                    return source.tokenAsync().thenCompose(fresh -> client.current().sendAsync(withToken(request, fresh), handler));
                }));
    }

    private void checkDestination(HttpRequest request) throws TokenNotSentException {
        if (!source.isAllowedDestination(request.uri())) {
            throw new TokenNotSentException("refusing to send an access token to " + request.uri()
                    + ": not https (http only to loopback) or not an allowed origin");
        }
    }

    private static boolean shouldRetry(HttpRequest request, HttpResponse<?> response) {
        if (response.statusCode() != 401 || !BearerChallenge.isInvalidToken(response.headers().allValues("WWW-Authenticate"))) {
            return false;
        }
        Optional<HttpRequest.BodyPublisher> body = request.bodyPublisher();
        return body.isEmpty() || body.get().contentLength() >= 0;
    }

    private static HttpRequest withToken(HttpRequest request, AccessToken token) {
        return HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase("Authorization"))
                .header("Authorization", token.authorizationHeaderValue()).build();
    }

    @Override
    public String toString() {
        return "BearerHttpClient[" + source + "]";
    }
}
