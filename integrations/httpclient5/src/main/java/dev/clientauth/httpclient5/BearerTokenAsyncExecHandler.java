package dev.clientauth.httpclient5;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.internal.BearerChallenge;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
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
 * client: {@code Authorization: Bearer ...} on every request, and on a 401
 * {@code Bearer error="invalid_token"} one retry with a fresh token — never twice, never when the
 * entity producer is not repeatable. Tokens are obtained with
 * {@link TokenSource#tokenAsync()}, so the I/O reactor never waits for a token request.
 * Thread-safe.
 */
public final class BearerTokenAsyncExecHandler implements AsyncExecChainHandler {
    private final TokenSource source;

    private BearerTokenAsyncExecHandler(TokenSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** Adds the handler to an async client builder, first in the chain. */
    public static HttpAsyncClientBuilder install(HttpAsyncClientBuilder builder, TokenSource source) {
        return builder.addExecInterceptorFirst("clientauth-bearer", new BearerTokenAsyncExecHandler(source));
    }

    @Override
    public void execute(HttpRequest request, AsyncEntityProducer entityProducer, AsyncExecChain.Scope scope,
            AsyncExecChain chain, AsyncExecCallback callback) {
        HttpRequest original = copy(request);
        source.tokenAsync().whenComplete((token, failure) -> {
            if (failure != null) {
                callback.failed(failure instanceof Exception ? (Exception) failure : new IOException(failure));
                return;
            }
            request.setHeader("Authorization", token.authorizationHeaderValue());
            proceed(request, entityProducer, scope, chain, callback, () -> retry(original, token, entityProducer, scope,
                    chain, callback));
        });
    }

    private void retry(HttpRequest original, AccessToken rejected, AsyncEntityProducer entityProducer,
            AsyncExecChain.Scope scope, AsyncExecChain chain, AsyncExecCallback callback) {
        source.invalidate(rejected);
        source.tokenAsync().whenComplete((fresh, failure) -> {
            if (failure != null) {
                callback.failed(failure instanceof Exception ? (Exception) failure : new IOException(failure));
                return;
            }
            original.setHeader("Authorization", fresh.authorizationHeaderValue());
            if (entityProducer != null) {
                entityProducer.releaseResources(); // a repeatable producer rewinds to produce its content again
            }
            proceed(original, entityProducer, scope, chain, callback, null);
        });
    }

    /** Sends the request; {@code onInvalidToken} runs (once the first response is drained) when a retry is due. */
    private static void proceed(HttpRequest request, AsyncEntityProducer entityProducer, AsyncExecChain.Scope scope,
            AsyncExecChain chain, AsyncExecCallback callback, Runnable onInvalidToken) {
        try {
            chain.proceed(request, entityProducer, scope, new AsyncExecCallback() {
                private boolean retrying;

                @Override
                public AsyncDataConsumer handleResponse(HttpResponse response, EntityDetails details)
                        throws HttpException, IOException {
                    if (onInvalidToken != null && response.getCode() == 401 && isInvalidToken(response)
                            && (entityProducer == null || entityProducer.isRepeatable())) {
                        retrying = true;
                        return null; // discard the body of the rejected attempt
                    }
                    return callback.handleResponse(response, details);
                }

                @Override
                public void handleInformationResponse(HttpResponse response) throws HttpException, IOException {
                    callback.handleInformationResponse(response);
                }

                @Override
                public void completed() {
                    if (retrying) {
                        onInvalidToken.run();
                    } else {
                        callback.completed();
                    }
                }

                @Override
                public void failed(Exception cause) {
                    callback.failed(cause);
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

    private static boolean isInvalidToken(HttpResponse response) {
        List<String> values = new ArrayList<>();
        for (Header header : response.getHeaders("WWW-Authenticate")) {
            values.add(header.getValue());
        }
        return BearerChallenge.isInvalidToken(values);
    }
}
