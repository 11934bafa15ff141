package dev.clientauth.httpclient5;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenNotSentException;
import dev.clientauth.core.internal.ApiCalls;
import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.AsyncDataConsumer;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;

/**
 * The async counterpart of {@link BearerTokenExecHandler} for Apache HttpClient 5's async
 * client: {@code Authorization: <type> <token>} on every request (and a new {@code DPoP} proof
 * per request on the wire for a DPoP token), on a 401 {@code error="invalid_token"} one retry with
 * a fresh token, on a 401 {@code DPoP error="use_dpop_nonce"} one retry with the server's nonce —
 * never twice, never when the entity producer is not repeatable. Tokens are obtained with
 * {@link TokenSource#tokenAsync()}, so the I/O reactor never waits for a token request.
 *
 * <pre>
 * CloseableHttpAsyncClient api = BearerTokenAsyncExecHandler.of(tokens);   // started
 * </pre>
 *
 * <p>The same rules as the classic handler: the source's TLS on the connection pool, a
 * certificate-bound token only over a connection presenting its certificate, tokens only to
 * allowed destinations and never to another origin on a redirect. Thread-safe.
 */
public final class BearerTokenAsyncExecHandler implements AsyncExecChainHandler {
    private final TokenSource source;

    private BearerTokenAsyncExecHandler(TokenSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** A started async client with the source's TLS, HttpClient's defaults otherwise. Close it when done. */
    public static CloseableHttpAsyncClient of(TokenSource source) {
        CloseableHttpAsyncClient client = install(HttpAsyncClients.custom(), source).build();
        client.start();
        return client;
    }

    /**
     * Configures {@code builder}: a connection pool on the source's TLS (10 s connect timeout), this
     * handler first in the chain and, when the source presents a client certificate, the
     * certificate check after the connection is made.
     */
    public static HttpAsyncClientBuilder install(HttpAsyncClientBuilder builder, TokenSource source) {
        Objects.requireNonNull(builder, "builder");
        ApacheClients.present(builder, source.tls(), ApacheClients.CONNECT_TIMEOUT);
        builder.addExecInterceptorFirst("clientauth-bearer", new BearerTokenAsyncExecHandler(source));
        builder.addExecInterceptorAfter(ChainElement.CONNECT.name(), "clientauth-dpop", new DPoPProofStage.Async(source));
        source.tls().identity().ifPresent(identity -> builder.addExecInterceptorAfter(ChainElement.CONNECT.name(),
                "clientauth-certificate-guard", new AsyncCertificateGuard(identity)));
        return builder;
    }

    /** The async counterpart of the classic handler's certificate check. */
    static final class AsyncCertificateGuard implements AsyncExecChainHandler {
        private final TlsClientIdentity identity;

        AsyncCertificateGuard(TlsClientIdentity identity) {
            this.identity = identity;
        }

        @Override
        public void execute(HttpRequest request, AsyncEntityProducer entityProducer, AsyncExecChain.Scope scope,
                AsyncExecChain chain, AsyncExecCallback callback) throws HttpException, IOException {
            Object bound = scope.clientContext.getAttribute(BearerTokenExecHandler.BOUND_ATTRIBUTE);
            if (bound instanceof CertificateThumbprint expected && request.containsHeader("Authorization")) {
                try {
                    BearerTokenExecHandler.check(expected, identity, scope.clientContext.getSSLSession());
                } catch (TokenNotSentException e) {
                    callback.failed(new BearerTokenExecHandler.Refusal(e)); // not an IOException: not retried
                    return;
                }
            }
            chain.proceed(request, entityProducer, scope, callback);
        }
    }

    @Override
    public void execute(HttpRequest request, AsyncEntityProducer entityProducer, AsyncExecChain.Scope scope,
            AsyncExecChain chain, AsyncExecCallback callback) {
        HttpRequest original = copy(request);
        URI target;
        try {
            target = BearerTokenExecHandler.target(request);
            ApiCalls.checkDestination(source, target);
        } catch (IOException e) {
            callback.failed(e);
            return;
        }
        source.tokenAsync().whenComplete((token, failure) -> {
            if (failure != null) {
                callback.failed(failure instanceof Exception ? (Exception) failure : new IOException(failure));
                return;
            }
            authorize(request, token, scope);
            proceed(request, entityProducer, scope, chain, callback, response -> {
                ApiCalls.Retry retry = ApiCalls.afterResponse(source, token, target, response.getCode(),
                        BearerTokenExecHandler.values(response, "WWW-Authenticate"), response.containsHeader("DPoP-Nonce")
                                ? response.getFirstHeader("DPoP-Nonce").getValue() : null);
                if (retry == ApiCalls.Retry.NONE || entityProducer != null && !entityProducer.isRepeatable()) {
                    return null;
                }
                return () -> retry(original, retry == ApiCalls.Retry.NEW_TOKEN ? null : token, entityProducer, scope,
                        chain, callback);
            });
        });
    }

    private static void authorize(HttpRequest request, AccessToken token, AsyncExecChain.Scope scope) {
        request.setHeader("Authorization", token.authorizationHeaderValue());
        scope.clientContext.setAttribute(BearerTokenExecHandler.BOUND_ATTRIBUTE, token.boundCertificate().orElse(null));
        scope.clientContext.setAttribute(DPoPProofStage.TOKEN_ATTRIBUTE, token);
    }

    /** Sends {@code original} once more: with {@code sameToken}, or with a new token when it is null. */
    private void retry(HttpRequest original, AccessToken sameToken, AsyncEntityProducer entityProducer,
            AsyncExecChain.Scope scope, AsyncExecChain chain, AsyncExecCallback callback) {
        CompletableFuture<AccessToken> next = sameToken != null ? CompletableFuture.completedFuture(sameToken) : source.tokenAsync();
        next.whenComplete((fresh, failure) -> {
            if (failure != null) {
                callback.failed(failure instanceof Exception ? (Exception) failure : new IOException(failure));
                return;
            }
            authorize(original, fresh, scope);
            if (entityProducer != null) {
                entityProducer.releaseResources(); // a repeatable producer rewinds to produce its content again
            }
            proceed(original, entityProducer, scope, chain, callback, null);
        });
    }

    /**
     * Sends the request; {@code retryFor} decides from the response whether to send it once more
     * (returning the retry, run once the first response is drained) or to hand the response on (null).
     */
    private static void proceed(HttpRequest request, AsyncEntityProducer entityProducer, AsyncExecChain.Scope scope,
            AsyncExecChain chain, AsyncExecCallback callback, Function<HttpResponse, Runnable> retryFor) {
        try {
            chain.proceed(request, entityProducer, scope, new ForwardingCallback(callback) {
                private Runnable retry;

                @Override
                public AsyncDataConsumer handleResponse(HttpResponse response, EntityDetails details)
                        throws HttpException, IOException {
                    if (retryFor != null) {
                        retry = retryFor.apply(response);
                        if (retry != null) {
                            return null; // discard the body of the rejected attempt
                        }
                    }
                    return callback.handleResponse(response, details);
                }

                @Override
                public void completed() {
                    if (retry != null) {
                        retry.run();
                    } else {
                        callback.completed();
                    }
                }

                @Override
                public void failed(Exception cause) {
                    callback.failed(cause instanceof BearerTokenExecHandler.Refusal refusal ? refusal.refusal() : cause);
                }
            });
        } catch (HttpException | IOException | RuntimeException e) {
            callback.failed(e);
        }
    }

    private static HttpRequest copy(HttpRequest request) {
        BasicHttpRequest copy = new BasicHttpRequest(request.getMethod(), request.getScheme(), request.getAuthority(),
                request.getPath());
        copy.setVersion(request.getVersion());
        for (Header header : request.getHeaders()) {
            copy.addHeader(header);
        }
        return copy;
    }

}
