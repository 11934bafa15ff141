package dev.clientauth.httpclient5;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.TokenNotSentException;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.TokenType;
import dev.clientauth.core.internal.ApiCalls;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncDataConsumer;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;

/**
 * The DPoP stage of the Apache chains, after the connection is made: every request that goes on
 * the wire with a DPoP token of the source gets a new proof for its own method and URI — so each
 * redirect hop and each retry of the transport has its own — and a request that lost its
 * {@code Authorization} on a redirect to another origin carries no proof either. Remembers the
 * {@code DPoP-Nonce} of the answers (a 401's nonce is handled with its challenge by the token
 * handler).
 */
final class DPoPProofStage {
    static final String TOKEN_ATTRIBUTE = "dev.clientauth.token";

    private DPoPProofStage() {
    }

    /** Sets or removes the {@code DPoP} header; the token the request carries, when it is a DPoP token. */
    static AccessToken prepare(TokenSource source, HttpRequest request, HttpClientContext context, HttpRoute route)
            throws IOException {
        Object attribute = context.getAttribute(TOKEN_ATTRIBUTE);
        if (!(attribute instanceof AccessToken token) || !token.type().equals(TokenType.DPOP)) {
            return null;
        }
        if (!request.containsHeader("Authorization")
                || !token.authorizationHeaderValue().equals(request.getFirstHeader("Authorization").getValue())) {
            request.removeHeaders("DPoP");
            return null;
        }
        URI uri = uri(request, route);
        ApiCalls.checkDestination(source, uri);
        request.setHeader("DPoP", ApiCalls.proof(source, token, request.getMethod(), uri));
        return token;
    }

    static void remember(TokenSource source, AccessToken token, HttpRequest request, HttpRoute route, HttpResponse response) {
        if (token != null && response.getCode() != 401 && response.containsHeader("DPoP-Nonce")) {
            try {
                ApiCalls.afterResponse(source, token, uri(request, route), response.getCode(), List.of(),
                        response.getFirstHeader("DPoP-Nonce").getValue());
            } catch (IOException unusableUri) {
                // nothing to remember for a request whose URI cannot be formed
            }
        }
    }

    /** The absolute URI of a request on a route: scheme and authority of the target, path and query of the request. */
    static URI uri(HttpRequest request, HttpRoute route) throws IOException {
        try {
            URI uri = request.getUri();
            if (uri.isAbsolute()) {
                return uri;
            }
            return URI.create(route.getTargetHost().toURI() + request.getPath());
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            throw new TokenNotSentException("refusing to send a DPoP token to an invalid URI");
        }
    }

    /** The classic stage. */
    static final class Classic implements ExecChainHandler {
        private final TokenSource source;

        Classic(TokenSource source) {
            this.source = source;
        }

        @Override
        public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
                throws IOException, HttpException {
            AccessToken token;
            try {
                token = prepare(source, request, scope.clientContext, scope.route);
            } catch (TokenNotSentException e) {
                throw new BearerTokenExecHandler.Refusal(e);
            }
            ClassicHttpResponse response = chain.proceed(request, scope);
            remember(source, token, request, scope.route, response);
            return response;
        }
    }

    /** The async stage. */
    static final class Async implements AsyncExecChainHandler {
        private final TokenSource source;

        Async(TokenSource source) {
            this.source = source;
        }

        @Override
        public void execute(HttpRequest request, AsyncEntityProducer entityProducer, AsyncExecChain.Scope scope,
                AsyncExecChain chain, AsyncExecCallback callback) throws HttpException, IOException {
            AccessToken token;
            try {
                token = prepare(source, request, scope.clientContext, scope.route);
            } catch (IOException e) {
                callback.failed(e instanceof TokenNotSentException refused ? new BearerTokenExecHandler.Refusal(refused) : e);
                return;
            }
            if (token == null) {
                chain.proceed(request, entityProducer, scope, callback);
                return;
            }
            chain.proceed(request, entityProducer, scope, new ForwardingCallback(callback) {
                @Override
                public AsyncDataConsumer handleResponse(HttpResponse response, EntityDetails details)
                        throws HttpException, IOException {
                    remember(source, token, request, scope.route, response);
                    return target.handleResponse(response, details);
                }
            });
        }
    }
}
