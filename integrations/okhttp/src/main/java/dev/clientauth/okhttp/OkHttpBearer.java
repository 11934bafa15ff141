package dev.clientauth.okhttp;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.core.ClientTls;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenNotSentException;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.internal.BearerChallenge;
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
 * adds {@code Authorization: <type> <token>}, and an {@link Authenticator} answers a 401
 * {@code Bearer error="invalid_token"} by invalidating the token and retrying once with a fresh one
 * (never for a one-shot body, never twice).
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
 * {@code Authorization} header when a redirect leaves the origin. Thread-safe.
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
        if (!source.isAllowedDestination(request.url().uri())) {
            throw new TokenNotSentException("refusing to send an access token to " + request.url().redact()
                    + ": not https (http only to loopback) or not an allowed origin");
        }
        AccessToken token = source.token();
        return chain.proceed(request.newBuilder().header("Authorization", token.authorizationHeaderValue()).build());
    }

    @Override
    public Request authenticate(Route route, Response response) throws IOException {
        if (response.priorResponse() != null) {
            return null; // already retried once
        }
        if (!BearerChallenge.isInvalidToken(response.headers("WWW-Authenticate"))) {
            return null;
        }
        Request request = response.request();
        if (request.body() != null && request.body().isOneShot()) {
            return null;
        }
        String sent = request.header("Authorization");
        if (sent == null || !source.isAllowedDestination(request.url().uri())) {
            return null; // not a request this adapter authorized
        }
        AccessToken current = source.token();
        if (sent.equals(current.authorizationHeaderValue())) {
            source.invalidate(current);
            current = source.token();
        }
        return request.newBuilder().header("Authorization", current.authorizationHeaderValue()).build();
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
