package dev.clientauth.core.jdk;

import dev.clientauth.core.ClientTls;
import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.TokenTransportException;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.http.TransportRequest;
import dev.clientauth.core.http.TransportResponse;
import dev.clientauth.core.internal.Transports;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The default {@link HttpTransport}, on the JDK's {@code java.net.http.HttpClient}.
 *
 * <p>TLS from a {@link ClientTls} (TLS 1.3/1.2, hostname verification always on, the client
 * certificate for mTLS); redirects are never followed; a connect timeout (default 10 s) and a
 * response timeout covering headers and body (default 30 s); bodies over the limit (default
 * 1 MiB) are refused as soon as the limit is passed, without reading the rest.
 *
 * <pre>
 * HttpTransport transport = JdkHttpTransport.builder()
 *         .tls(ClientTls.builder().identity(identity).trust(trust).build())   // default: ClientTls.defaults()
 *         .build();
 * </pre>
 *
 * <p>Thread-safe; share one instance.
 */
public final class JdkHttpTransport implements HttpTransport {
    /** Default connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default time allowed for the response, headers and body. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    /** Default limit of a response body, 1 MiB. */
    public static final int DEFAULT_MAX_RESPONSE_BYTES = Transports.DEFAULT_MAX_RESPONSE_BYTES;

    private final ClientTls tls;
    private final ReloadingHttpClient reloading;
    private final HttpClient userClient;
    private final Duration readTimeout;
    private final int maxResponseBytes;

    private JdkHttpTransport(Builder builder) {
        this.readTimeout = builder.readTimeout;
        this.maxResponseBytes = builder.maxResponseBytes;
        this.userClient = builder.httpClient;
        this.tls = userClient == null ? builder.tls : null;
        this.reloading = userClient == null
                ? new ReloadingHttpClient(tls, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1), builder.connectTimeout)
                : null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A transport trusting the JDK's default trust store, presenting no client certificate. */
    public static JdkHttpTransport createDefault() {
        return builder().build();
    }

    /** The TLS of this transport; empty when it runs on a client given with {@link Builder#httpClient}. */
    @Override
    public Optional<ClientTls> tls() {
        return Optional.ofNullable(tls);
    }

    @Override
    public TransportResponse execute(TransportRequest request) throws TokenRequestException {
        HttpRequest.Builder http = HttpRequest.newBuilder(request.uri()).timeout(readTimeout);
        request.headers().forEach(http::header);
        byte[] body = request.body();
        if (body == null) {
            http.GET();
        } else {
            http.POST(HttpRequest.BodyPublishers.ofByteArray(body));
        }
        HttpClient client = userClient != null ? userClient : reloading.current();
        HttpResponse.BodyHandler<byte[]> limited = info -> new LimitedBody(info, maxResponseBytes, request.uri());
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(http.build(), limited);
        try {
            HttpResponse<byte[]> response = future.get(readTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return new TransportResponse(response.statusCode(), response.headers().map(), response.body());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new TokenTransportException("no complete response from " + request.uri() + " within " + readTimeout, e, true);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new TokenTransportException("interrupted while waiting for " + request.uri(), e);
        } catch (ExecutionException e) {
            throw Transports.translate(request.uri(), e.getCause(), clientIdentity().orElse(null));
        }
    }

    @Override
    public String toString() {
        return "JdkHttpTransport[" + (tls == null ? "user client" : tls) + "]";
    }

    /** Builds a {@link JdkHttpTransport}. Not thread-safe. */
    public static final class Builder {
        private HttpClient httpClient;
        private ClientTls tls;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;

        private Builder() {
        }

        /** The TLS material: client identity (mTLS) and trust. Default: {@link ClientTls#defaults()}. */
        public Builder tls(ClientTls tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /**
         * Sends token requests with an {@link HttpClient} you already have. It must not follow
         * redirects. It presents no client certificate as far as this transport knows: for mTLS
         * use {@link #tls}, so the transport can follow identity reloads. Cannot be combined with
         * {@link #tls} or {@link #connectTimeout}.
         */
        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "client");
            return this;
        }

        /** Time allowed to open a connection, TLS handshake included; default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** Time allowed for the whole response, headers and body; default 30 s. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /** Largest response body accepted; default 1 MiB. */
        public Builder maxResponseBytes(int maxResponseBytes) {
            if (maxResponseBytes < 1) {
                throw new IllegalArgumentException("maxResponseBytes must be positive: " + maxResponseBytes);
            }
            this.maxResponseBytes = maxResponseBytes;
            return this;
        }

        /**
         * @throws IllegalStateException if {@link #httpClient} is combined with TLS settings
         * @throws IllegalArgumentException if the given client follows redirects
         */
        public JdkHttpTransport build() {
            if (httpClient != null) {
                if (tls != null || connectTimeout != DEFAULT_CONNECT_TIMEOUT) {
                    throw new IllegalStateException("httpClient cannot be combined with tls or connectTimeout: "
                            + "configure them on the client, or let the transport build one");
                }
                if (httpClient.followRedirects() != HttpClient.Redirect.NEVER) {
                    throw new IllegalArgumentException("the HttpClient follows redirects (" + httpClient.followRedirects()
                            + "): token requests need Redirect.NEVER");
                }
            } else if (tls == null) {
                tls = ClientTls.defaults();
            }
            return new JdkHttpTransport(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
