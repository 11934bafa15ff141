package dev.clientauth.okhttp;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.core.ClientTls;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenNotSentException;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.TokenType;
import dev.clientauth.core.internal.ApiCalls;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import okhttp3.Authenticator;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.Route;

/**
 * OkHttp for API calls with tokens from a {@link TokenSource}: an application {@link Interceptor}
 * adds {@code Authorization: <type> <token>}, a network interceptor adds a new {@code DPoP} proof
 * for each request on the wire when the token is a DPoP token (RFC 9449), and an
 * {@link Authenticator} answers a 401 {@code Bearer} (or {@code DPoP}) {@code error="invalid_token"}
 * by invalidating the token and retrying once with a fresh one, and a 401 {@code DPoP
 * error="use_dpop_nonce"} by retrying once with a proof carrying the server's nonce (never for a
 * one-shot body, never twice).
 *
 * <pre>
 * OkHttpClient api = OkHttpBearer.of(tokens);
 * // or, on a builder of your own:
 * OkHttpClient api = OkHttpBearer.install(new OkHttpClient.Builder(), tokens).build();
 * </pre>
 *
 * <p>The client's TLS is the source's {@link TokenSource#tls()}; when it presents a client
 * certificate, a network interceptor refuses to send a token over a connection whose client
 * certificate is not the current one, and a reload evicts the connection pool. Tokens go only to
 * destinations {@link TokenSource#isAllowedDestination allowed} by the source; OkHttp drops the
 * {@code Authorization} header when a redirect leaves the origin, and then no proof is added. Thread-safe.
 */
public final class OkHttpBearer implements Interceptor, Authenticator {
    private final TokenSource source;

    private OkHttpBearer(TokenSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** A client with OkHttp's defaults and the source's TLS. */
    public static OkHttpClient of(TokenSource source) {
        return install(new OkHttpClient.Builder(), source).build();
    }

    /** Configures {@code builder} for tokens from {@code source}: TLS, interceptor, authenticator and guard. */
    public static OkHttpClient.Builder install(OkHttpClient.Builder builder, TokenSource source) {
        OkHttpBearer bearer = new OkHttpBearer(source);
        presenting(Objects.requireNonNull(builder, "builder"), source.tls());
        builder.addInterceptor(bearer).authenticator(bearer);
        builder.addNetworkInterceptor(new Proofs(source));
        source.tls().identity().ifPresent(identity -> builder.addNetworkInterceptor(new CertificateGuard(identity)));
        return builder;
    }

    /** Gives {@code builder} the TLS of {@code tls} and a pool evicted on every identity change. */
    static OkHttpClient.Builder presenting(OkHttpClient.Builder builder, ClientTls tls) {
        return builder.sslSocketFactory(tls.sslContext().getSocketFactory(), tls.trustManager())
                .connectionPool(OkHttpTransport.pool(tls));
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        ApiCalls.checkDestination(source, request.url().uri());
        return chain.proceed(withToken(request, source.token()));
    }

    /** The request with the token's {@code Authorization}, tagged with the token for the proof stage. */
    private static Request withToken(Request request, AccessToken token) {
        return request.newBuilder().header("Authorization", token.authorizationHeaderValue())
                .tag(AccessToken.class, token).build();
    }

    @Override
    public Request authenticate(Route route, Response response) throws IOException {
        if (response.priorResponse() != null) {
            return null; // already retried once
        }
        Request request = response.request();
        AccessToken sent = request.tag(AccessToken.class);
        if (sent == null || !sent.authorizationHeaderValue().equals(request.header("Authorization"))
                || !source.isAllowedDestination(request.url().uri())) {
            return null; // not a request this adapter authorized
        }
        ApiCalls.Retry retry = ApiCalls.afterResponse(source, sent, request.url().uri(), response.code(),
                response.headers("WWW-Authenticate"), response.header("DPoP-Nonce"));
        if (retry == ApiCalls.Retry.NONE || request.body() != null && request.body().isOneShot()) {
            return null;
        }
        return withToken(request, retry == ApiCalls.Retry.NEW_TOKEN ? source.token() : sent);
    }

    /**
     * Adds a new DPoP proof for the request as it goes on the wire — after redirects, so its
     * {@code htm} and {@code htu} are those of the actual request — when it carries a DPoP token
     * of this source; a redirect that left the origin has lost {@code Authorization}, and then no
     * proof is sent either. Remembers the {@code DPoP-Nonce} of the answer.
     */
    static final class Proofs implements Interceptor {
        private final TokenSource source;

        Proofs(TokenSource source) {
            this.source = source;
        }

        @Override
        public Response intercept(Chain chain) throws IOException {
            Request request = chain.request();
            AccessToken token = request.tag(AccessToken.class);
            if (token == null || !token.type().equals(TokenType.DPOP)
                    || !token.authorizationHeaderValue().equals(request.header("Authorization"))) {
                return chain.proceed(request);
            }
            ApiCalls.checkDestination(source, request.url().uri());
            String proof = ApiCalls.proof(source, token, request.method(), request.url().uri());
            Response response = chain.proceed(request.newBuilder().header("DPoP", proof).build());
            String nonce = response.header("DPoP-Nonce");
            if (nonce != null && response.code() != 401) { // a 401's nonce is handled with its challenge
                ApiCalls.afterResponse(source, token, request.url().uri(), response.code(), List.of(), nonce);
            }
            return response;
        }
    }

    /** Refuses to send a token over a connection that does not present the current client certificate. */
    static final class CertificateGuard implements Interceptor {
        private final TlsClientIdentity identity;

        CertificateGuard(TlsClientIdentity identity) {
            this.identity = identity;
        }

        @Override
        public Response intercept(Chain chain) throws IOException {
            if (chain.request().header("Authorization") == null) {
                return chain.proceed(chain.request());
            }
            Connection connection = chain.connection();
            List<Certificate> local = connection == null || connection.handshake() == null
                    ? List.of() : connection.handshake().localCertificates();
            CertificateThumbprint expected = identity.thumbprint();
            if (local.isEmpty() || !(local.get(0) instanceof X509Certificate leaf)
                    || !CertificateThumbprint.of(leaf).matches(expected)) {
                throw new TokenNotSentException("refusing to send a certificate-bound token over a connection that "
                        + "does not present the client certificate x5t#S256=" + expected);
            }
            return chain.proceed(chain.request());
        }
    }

    @Override
    public String toString() {
        return "OkHttpBearer[" + source + "]";
    }
}
