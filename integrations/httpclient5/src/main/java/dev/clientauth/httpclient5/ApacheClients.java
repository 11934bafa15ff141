package dev.clientauth.httpclient5;

import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.internal.TlsSessions;
import java.io.IOException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.ssl.TLS;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Apache HttpClient 5 (classic) clients that present a TLS client identity and really reuse their
 * pooled connections.
 *
 * <p>HttpClient's default user-token handling stores the TLS client principal as the state of a
 * client-certificate connection; a later request whose context does not carry that same state
 * cannot lease it, so every request opens a new connection and pays a full handshake. Here the
 * connection state is the identity's generation: every request with the current identity reuses
 * the pool, and after a certificate reload no connection made with the old certificate is leased
 * again (idle ones are closed, TLS sessions are invalidated).
 */
public final class ApacheClients {
    private ApacheClients() {
    }

    /**
     * An {@link HttpClientBuilder} presenting {@code identity} (null for none), trusting
     * {@code trust} (null for the JDK default), TLS 1.3/1.2, hostname verification on, redirects off.
     */
    public static HttpClientBuilder builder(TlsClientIdentity identity, X509TrustManager trust, Duration connectTimeout,
            Duration responseTimeout) {
        SSLContext context = TlsSessions.clientContext(identity, trust);
        PoolingHttpClientConnectionManager manager = PoolingHttpClientConnectionManagerBuilder.create()
                .setTlsSocketStrategy(ClientTlsStrategyBuilder.create().setSslContext(context)
                        .setTlsVersions(TLS.V_1_3, TLS.V_1_2).buildClassic())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout)).setSocketTimeout(Timeout.of(responseTimeout)).build())
                .build();
        HttpClientBuilder builder = HttpClients.custom()
                .setConnectionManager(manager)
                .disableRedirectHandling()
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(responseTimeout)).build());
        if (identity != null) {
            identity.addChangeListener((oldThumbprint, newThumbprint) -> manager.closeIdle(TimeValue.ZERO_MILLISECONDS));
            builder.setUserTokenHandler((route, httpContext) -> HttpClientContext.castOrCreate(httpContext).getUserToken());
            builder.addExecInterceptorFirst("clientauth-connection-state", new ConnectionState(identity));
        }
        return builder;
    }

    /** Sets the connection state every request may lease: the generation of the current identity. */
    static final class ConnectionState implements ExecChainHandler {
        private final TlsClientIdentity identity;

        ConnectionState(TlsClientIdentity identity) {
            this.identity = identity;
        }

        @Override
        public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
                throws IOException, HttpException {
            scope.clientContext.setUserToken("clientauth-identity-" + identity.generation());
            return chain.proceed(request, scope);
        }
    }
}
