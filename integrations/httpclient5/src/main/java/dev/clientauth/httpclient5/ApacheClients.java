package dev.clientauth.httpclient5;

import dev.clientauth.core.ClientTls;
import dev.clientauth.core.TlsClientIdentity;
import java.io.IOException;
import java.time.Duration;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.ssl.TLS;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Pooled Apache HttpClient 5 connections on a {@link ClientTls}, whose connections are really
 * reused with a client certificate.
 *
 * <p>HttpClient's default user-token handling stores the TLS client principal as the state of a
 * client-certificate connection; a later request whose context does not carry that same state
 * cannot lease it, so every request opens a new connection and pays a full handshake. Here the
 * connection state is the identity's generation: every request with the current identity reuses
 * the pool, and after a certificate reload no connection made with the old certificate is leased
 * again (idle ones are closed; the TLS context is fresh for each generation).
 */
final class ApacheClients {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(30);

    private ApacheClients() {
    }

    /** Gives {@code builder} a pool presenting {@code tls}: TLS 1.3/1.2, hostname verification on. */
    static HttpClientBuilder present(HttpClientBuilder builder, ClientTls tls, Duration connectTimeout,
            Duration responseTimeout) {
        PoolingHttpClientConnectionManager manager = PoolingHttpClientConnectionManagerBuilder.create()
                .setTlsSocketStrategy(ClientTlsStrategyBuilder.create().setSslContext(tls.sslContext())
                        .setTlsVersions(TLS.V_1_3, TLS.V_1_2).buildClassic())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout)).setSocketTimeout(Timeout.of(responseTimeout)).build())
                .build();
        builder.setConnectionManager(manager);
        TlsClientIdentity identity = tls.identity().orElse(null);
        if (identity != null) {
            tls.onIdentityChange(() -> manager.closeIdle(TimeValue.ZERO_MILLISECONDS));
            builder.setUserTokenHandler((route, httpContext) -> HttpClientContext.castOrCreate(httpContext).getUserToken());
            builder.addExecInterceptorFirst("clientauth-connection-state", new ConnectionState(identity));
        }
        return builder;
    }

    /** The async counterpart of {@link #present(HttpClientBuilder, ClientTls, Duration, Duration)}. */
    static HttpAsyncClientBuilder present(HttpAsyncClientBuilder builder, ClientTls tls, Duration connectTimeout) {
        PoolingAsyncClientConnectionManager manager = PoolingAsyncClientConnectionManagerBuilder.create()
                .setTlsStrategy(ClientTlsStrategyBuilder.create().setSslContext(tls.sslContext())
                        .setTlsVersions(TLS.V_1_3, TLS.V_1_2).buildAsync())
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.of(connectTimeout)).build())
                .build();
        builder.setConnectionManager(manager);
        tls.onIdentityChange(() -> manager.closeIdle(TimeValue.ZERO_MILLISECONDS));
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
