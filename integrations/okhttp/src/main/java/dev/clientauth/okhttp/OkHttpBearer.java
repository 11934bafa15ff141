package dev.clientauth.okhttp;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.internal.BearerChallenge;
import dev.clientauth.core.internal.TlsSessions;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import okhttp3.Authenticator;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.Route;

/**
 * OkHttp integration for API calls: an application {@link Interceptor} adds
 * {@code Authorization: Bearer ...} from a {@link TokenSource}, and an {@link Authenticator}
 * answers a 401 {@code Bearer error="invalid_token"} by invalidating the token and retrying once
 * with a fresh one (never for a one-shot body, never twice).
 *
 * <p>{@link #install} wires both into an {@link OkHttpClient.Builder}. When the token source
 * authenticates with a client certificate, it also makes the client present that certificate and
 * adds a network interceptor that refuses to send a token over a connection whose client
 * certificate is not the current one. Thread-safe.
 */
public final class OkHttpBearer implements Interceptor, Authenticator {
    private final TokenSource source;

    private OkHttpBearer(TokenSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * Configures {@code builder} for bearer tokens from {@code source}; {@code trust} (null for the
     * JDK default) is used when the source presents a client certificate.
     */
    public static OkHttpClient.Builder install(OkHttpClient.Builder builder, TokenSource source, X509TrustManager trust) {
        OkHttpBearer bearer = new OkHttpBearer(source);
        builder.addInterceptor(bearer).authenticator(bearer);
        TlsClientIdentity identity = source.client().transport().clientIdentity().orElse(null);
        if (identity != null) {
            X509TrustManager trustManager = trust != null ? trust : OkHttpTransport.defaultTrust();
            SSLContext context = TlsSessions.clientContext(identity, trustManager);
            builder.sslSocketFactory(context.getSocketFactory(), trustManager);
            builder.addNetworkInterceptor(new CertificateGuard(identity));
            okhttp3.ConnectionPool pool = new okhttp3.ConnectionPool();
            builder.connectionPool(pool);
            identity.addChangeListener((oldThumbprint, newThumbprint) -> pool.evictAll());
        }
        return builder;
    }

    /** An interceptor and authenticator for {@code source}, for wiring by hand. */
    public static OkHttpBearer of(TokenSource source) {
        return new OkHttpBearer(source);
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        AccessToken token = source.token();
        return chain.proceed(chain.request().newBuilder().header("Authorization", token.authorizationHeaderValue()).build());
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
        AccessToken current = source.token();
        if (sent != null && sent.equals(current.authorizationHeaderValue())) {
            source.invalidate(current);
            current = source.token();
        }
        return request.newBuilder().header("Authorization", current.authorizationHeaderValue()).build();
    }

    /** Refuses to send a request over a connection that does not present the current client certificate. */
    static final class CertificateGuard implements Interceptor {
        private final TlsClientIdentity identity;

        CertificateGuard(TlsClientIdentity identity) {
            this.identity = identity;
        }

        @Override
        public Response intercept(Chain chain) throws IOException {
            Connection connection = chain.connection();
            List<Certificate> local = connection == null || connection.handshake() == null
                    ? List.of() : connection.handshake().localCertificates();
            CertificateThumbprint expected = identity.thumbprint();
            if (local.isEmpty() || !(local.get(0) instanceof X509Certificate)
                    || !CertificateThumbprint.of((X509Certificate) local.get(0)).matches(expected)) {
                throw new IOException("refusing to send a certificate-bound token over a connection that does not present "
                        + "the client certificate x5t#S256=" + expected);
            }
            return chain.proceed(chain.request());
        }
    }

    @Override
    public String toString() {
        return "OkHttpBearer[" + source + "]";
    }
}
