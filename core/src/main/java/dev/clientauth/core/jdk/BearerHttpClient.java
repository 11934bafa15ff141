package dev.clientauth.core.jdk;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.http.BearerChallenge;
import dev.clientauth.core.http.TlsSessions;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509TrustManager;

/**
 * A small wrapper of the JDK {@link HttpClient} for API calls: every request gets
 * {@code Authorization: Bearer ...} from a {@link TokenSource}; a 401 with
 * {@code WWW-Authenticate: Bearer error="invalid_token"} invalidates the token and the request is
 * sent once more with a fresh one — never more than once, and never when the body cannot be sent
 * again (a publisher of unknown length, such as {@code ofInputStream}).
 *
 * <p>When the token source's tokens are bound to a client certificate, the wrapper builds its own
 * {@link HttpClient} that presents that same identity, so a certificate-bound token always
 * travels with its certificate. Thread-safe.
 */
public final class BearerHttpClient {
    private final HttpClient client;
    private final TokenSource source;
    private final TlsClientIdentity identity;
    private final HttpClient.Builder builder;
    private volatile long generation;
    private volatile HttpClient current;

    private BearerHttpClient(HttpClient client, TokenSource source, TlsClientIdentity identity, HttpClient.Builder builder) {
        this.client = client;
        this.source = source;
        this.identity = identity;
        this.builder = builder;
        this.current = client;
        this.generation = identity == null ? 0 : identity.generation();
    }

    /**
     * Wraps an existing client.
     *
     * @throws IllegalStateException if the token source presents a client certificate: use
     *     {@link #forBoundTokens} so that the API client presents the same one
     */
    public static BearerHttpClient wrap(HttpClient client, TokenSource source) {
        Objects.requireNonNull(client, "client");
        if (source.client().transport().clientIdentity().isPresent()) {
            throw new IllegalStateException("the token source authenticates with a client certificate, so its tokens may be "
                    + "certificate-bound: use BearerHttpClient.forBoundTokens(source, trust) to present the same certificate");
        }
        return new BearerHttpClient(client, source, null, null);
    }

    /**
     * A client presenting the token source's TLS identity (which follows reloads) and trusting
     * {@code trust} (null for the JDK default). Redirects are not followed.
     */
    public static BearerHttpClient forBoundTokens(TokenSource source, X509TrustManager trust) {
        TlsClientIdentity identity = source.client().transport().clientIdentity().orElse(null);
        SSLParameters parameters = new SSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        HttpClient.Builder builder = HttpClient.newBuilder()
                .sslContext(TlsSessions.clientContext(identity, trust))
                .sslParameters(parameters)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10));
        return new BearerHttpClient(builder.build(), source, identity, builder);
    }

    /** The underlying client (replaced after a certificate reload). */
    public HttpClient httpClient() {
        return currentClient();
    }

    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        AccessToken token = source.token();
        HttpResponse<T> response = currentClient().send(withToken(request, token), handler);
        if (shouldRetry(request, response)) {
            source.invalidate(token);
            return currentClient().send(withToken(request, source.token()), handler);
        }
        return response;
    }

    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return source.tokenAsync().thenCompose(token -> currentClient().sendAsync(withToken(request, token), handler)
                .thenCompose(response -> {
                    if (!shouldRetry(request, response)) {
                        return CompletableFuture.completedFuture(response);
                    }
                    source.invalidate(token);
                    return source.tokenAsync().thenCompose(fresh -> currentClient().sendAsync(withToken(request, fresh), handler));
                }));
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

    private HttpClient currentClient() {
        if (identity != null && identity.generation() != generation) {
            synchronized (this) {
                if (identity.generation() != generation) {
                    current = builder.build(); // connections made with the old certificate are not reused
                    generation = identity.generation();
                }
            }
        }
        return current;
    }

    @Override
    public String toString() {
        return "BearerHttpClient[" + source + "]";
    }
}
