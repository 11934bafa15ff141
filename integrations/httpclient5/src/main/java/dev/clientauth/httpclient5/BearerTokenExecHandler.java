package dev.clientauth.httpclient5;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenNotSentException;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.internal.ApiCalls;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLSession;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

/**
 * An Apache HttpClient 5 {@link ExecChainHandler} for API calls with tokens from a
 * {@link TokenSource}: {@code Authorization: <type> <token>} on every request and, for a DPoP token
 * (RFC 9449), a new {@code DPoP} proof for every request that goes on the wire; on a 401
 * {@code Bearer} (or {@code DPoP}) {@code error="invalid_token"} the token is invalidated and the
 * request sent once more with a fresh one, on a 401 {@code DPoP error="use_dpop_nonce"} once more
 * with a proof carrying the server's nonce — never twice, never when the entity is not repeatable.
 *
 * <pre>
 * CloseableHttpClient api = BearerTokenExecHandler.of(tokens);
 * // or, on a builder of your own:
 * CloseableHttpClient api = BearerTokenExecHandler.install(HttpClients.custom(), tokens).build();
 * </pre>
 *
 * <p>{@link #install} gives the builder a connection pool on the source's {@link TokenSource#tls()},
 * so API calls present the certificate the tokens are bound to, and adds a check after the
 * connection is made that refuses to send a certificate-bound token over a connection without that
 * certificate. Tokens go only to destinations {@link TokenSource#isAllowedDestination allowed} by
 * the source, and never to another origin on a redirect. Thread-safe.
 */
public final class BearerTokenExecHandler implements ExecChainHandler {
    static final String BOUND_ATTRIBUTE = "dev.clientauth.bound-certificate";

    private final TokenSource source;

    private BearerTokenExecHandler(TokenSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** A pooled client with the source's TLS, HttpClient's defaults otherwise. */
    public static CloseableHttpClient of(TokenSource source) {
        return install(HttpClients.custom(), source).build();
    }

    /**
     * Configures {@code builder}: a connection pool on the source's TLS (10 s connect, 30 s socket
     * timeout), this handler first in the chain and, when the source presents a client
     * certificate, the certificate check after the connection is made.
     */
    public static HttpClientBuilder install(HttpClientBuilder builder, TokenSource source) {
        Objects.requireNonNull(builder, "builder");
        ApacheClients.present(builder, source.tls(), ApacheClients.CONNECT_TIMEOUT, ApacheClients.RESPONSE_TIMEOUT);
        builder.addExecInterceptorFirst("clientauth-bearer", new BearerTokenExecHandler(source));
        builder.addExecInterceptorAfter(ChainElement.CONNECT.name(), "clientauth-dpop", new DPoPProofStage.Classic(source));
        source.tls().identity().ifPresent(identity -> builder.addExecInterceptorAfter(ChainElement.CONNECT.name(),
                "clientauth-certificate-guard", new CertificateGuard(identity)));
        return builder;
    }

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        URI target = target(request);
        ApiCalls.checkDestination(source, target);
        AccessToken token = source.token();
        authorize(request, token, scope.clientContext);
        // the chain adds protocol headers (Content-Length, ...) to the request it sends: keep a clean copy
        ClassicHttpRequest original = ClassicRequestBuilder.copy(request).build();
        ClassicHttpResponse response = proceed(request, scope, chain);
        ApiCalls.Retry retry = ApiCalls.afterResponse(source, token, target, response.getCode(),
                values(response, "WWW-Authenticate"), response.containsHeader("DPoP-Nonce")
                        ? response.getFirstHeader("DPoP-Nonce").getValue() : null);
        if (retry == ApiCalls.Retry.NONE) {
            return response;
        }
        HttpEntity entity = request.getEntity();
        if (entity != null && !entity.isRepeatable()) {
            return response;
        }
        EntityUtils.consume(response.getEntity());
        response.close();
        authorize(original, retry == ApiCalls.Retry.NEW_TOKEN ? source.token() : token, scope.clientContext);
        return proceed(original, scope, chain);
    }

    private static ClassicHttpResponse proceed(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        try {
            return chain.proceed(request, scope);
        } catch (Refusal e) {
            throw e.refusal();
        }
    }

    private static void authorize(HttpRequest request, AccessToken token, HttpClientContext context) {
        request.setHeader("Authorization", token.authorizationHeaderValue());
        context.setAttribute(BOUND_ATTRIBUTE, token.boundCertificate().orElse(null));
        context.setAttribute(DPoPProofStage.TOKEN_ATTRIBUTE, token);
    }

    static URI target(HttpRequest request) throws IOException {
        try {
            return request.getUri();
        } catch (URISyntaxException e) {
            throw new TokenNotSentException("refusing to send an access token to an invalid URI");
        }
    }

    static List<String> values(HttpResponse response, String name) {
        List<String> values = new ArrayList<>();
        for (Header header : response.getHeaders(name)) {
            values.add(header.getValue());
        }
        return values;
    }

    /**
     * After the connection is made: a request carrying a certificate-bound token goes out only
     * over a connection presenting that certificate, which must be the identity's current one.
     */
    static final class CertificateGuard implements ExecChainHandler {
        private final TlsClientIdentity identity;

        CertificateGuard(TlsClientIdentity identity) {
            this.identity = identity;
        }

        @Override
        public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
                throws IOException, HttpException {
            Object bound = scope.clientContext.getAttribute(BOUND_ATTRIBUTE);
            if (bound instanceof CertificateThumbprint expected && request.containsHeader("Authorization")) {
                try {
                    check(expected, identity, scope.clientContext.getSSLSession());
                } catch (TokenNotSentException e) {
                    throw new Refusal(e);
                }
            }
            return chain.proceed(request, scope);
        }
    }

    /**
     * Carries a refusal out of the chain as an {@link HttpException}, which the retry element does
     * not retry (it would resend the request without the token); the bearer handler unwraps it.
     */
    static final class Refusal extends HttpException {
        private static final long serialVersionUID = 1L;

        Refusal(TokenNotSentException cause) {
            super(cause.getMessage(), cause);
        }

        TokenNotSentException refusal() {
            return (TokenNotSentException) getCause();
        }
    }

    static void check(CertificateThumbprint expected, TlsClientIdentity identity, SSLSession session)
            throws TokenNotSentException {
        Certificate[] local = session == null ? null : session.getLocalCertificates();
        boolean presented = local != null && local.length > 0 && local[0] instanceof X509Certificate leaf
                && CertificateThumbprint.of(leaf).matches(expected);
        if (!presented || !expected.matches(identity.thumbprint())) {
            throw new TokenNotSentException("refusing to send a token bound to x5t#S256=" + expected
                    + " over a connection that does not present that client certificate");
        }
    }
}
