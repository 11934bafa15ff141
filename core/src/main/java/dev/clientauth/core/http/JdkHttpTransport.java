package dev.clientauth.core.http;

import dev.clientauth.core.MalformedTokenResponseException;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.TokenTransportException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The default {@link HttpTransport}, on the JDK's {@code java.net.http.HttpClient}.
 *
 * <p>TLS 1.3 and 1.2 only, with the JDK's hostname verification (always on); redirects are
 * never followed; a connect timeout (default 10 s) and a response timeout covering headers and
 * body (default 30 s); bodies over the limit (default 1 MiB) are refused as soon as the limit is
 * passed, without buffering the rest.
 *
 * <pre>
 * HttpTransport transport = JdkHttpTransport.builder()
 *         .trustManager(myTrust)               // default: the JDK's trust store
 *         .clientIdentity(identity)            // for mTLS
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
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 1 << 20;

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SSLContext sslContext;
    private final HttpClient.Builder clientBuilder;
    private volatile HttpClient client;
    private volatile long clientGeneration;
    private final Duration readTimeout;
    private final int maxResponseBytes;
    private final TlsClientIdentity identity;

    private JdkHttpTransport(Builder builder, HttpClient userClient) {
        this.sslContext = null;
        this.clientBuilder = null;
        this.readTimeout = builder.readTimeout;
        this.maxResponseBytes = builder.maxResponseBytes;
        this.identity = null;
        this.clientGeneration = 0;
        this.client = userClient;
    }

    private JdkHttpTransport(Builder builder, SSLContext sslContext) {
        SSLParameters parameters = sslContext.getDefaultSSLParameters();
        parameters.setProtocols(PROTOCOLS);
        this.sslContext = sslContext;
        this.clientBuilder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(builder.connectTimeout)
                .sslContext(sslContext)
                .sslParameters(parameters);
        this.readTimeout = builder.readTimeout;
        this.maxResponseBytes = builder.maxResponseBytes;
        this.identity = builder.identity;
        this.clientGeneration = identity == null ? 0 : identity.generation();
        this.client = clientBuilder.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A transport trusting the JDK's default trust store, presenting no client certificate. */
    public static JdkHttpTransport createDefault() {
        return builder().build();
    }

    @Override
    public Optional<TlsClientIdentity> clientIdentity() {
        return Optional.ofNullable(identity);
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
        CompletableFuture<HttpResponse<byte[]>> future =
                currentClient().sendAsync(http.build(), info -> new LimitedBody(info, maxResponseBytes));
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
            throw translate(request, e.getCause());
        }
    }

    /**
     * The HTTP client; replaced when the TLS identity has changed, so that pooled connections
     * made with the old certificate are not used for new requests.
     */
    private HttpClient currentClient() {
        if (identity != null) {
            long generation = identity.generation();
            if (generation != clientGeneration) {
                synchronized (this) {
                    if (generation != clientGeneration) {
                        TlsSessions.invalidateAll(sslContext);
                        client = clientBuilder.build();
                        clientGeneration = generation;
                    }
                }
            }
        }
        return client;
    }

    private String clientCertificateDescription() {
        if (identity == null) {
            return " (no client certificate presented)";
        }
        try {
            return " (client certificate " + identity.certificate().getSubjectX500Principal().getName()
                    + ", x5t#S256=" + identity.thumbprint() + ")";
        } catch (RuntimeException e) {
            return " (client certificate unavailable)";
        }
    }

    private TokenRequestException translate(TransportRequest request, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BodyTooLarge) {
                return new MalformedTokenResponseException("response body from " + request.uri()
                        + " exceeds the limit of " + maxResponseBytes + " bytes", ((BodyTooLarge) t).status);
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpConnectTimeoutException) {
                return new TokenTransportException("connect to " + request.uri() + " timed out", t, true);
            }
            if (t instanceof HttpTimeoutException) {
                return new TokenTransportException("no response from " + request.uri() + " within " + readTimeout, t, true);
            }
            if (t instanceof SSLException) {
                return new TokenTransportException("TLS failure with " + request.uri() + ": " + t.getMessage()
                        + clientCertificateDescription(), t);
            }
            if (t instanceof ConnectException) {
                return new TokenTransportException("cannot connect to " + request.uri() + ": " + t.getMessage(), t);
            }
        }
        return new TokenTransportException("exchange with " + request.uri() + " failed: "
                + (failure == null ? "unknown" : failure.getClass().getSimpleName() + ": " + failure.getMessage())
                + (identity == null ? "" : clientCertificateDescription()), failure);
    }

    /** Fails a response once it passes the limit, checking Content-Length first. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final int limit;
        private final int status;
        private final long declaredLength;
        private Flow.Subscription subscription;

        LimitedBody(HttpResponse.ResponseInfo info, int limit) {
            this.limit = limit;
            this.status = info.statusCode();
            this.declaredLength = info.headers().firstValueAsLong("Content-Length").orElse(-1);
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (declaredLength > limit) {
                subscription.cancel();
                result.completeExceptionally(new BodyTooLarge(status));
                return;
            }
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (buffer.size() + item.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new BodyTooLarge(status));
                    return;
                }
                byte[] bytes = new byte[item.remaining()];
                item.get(bytes);
                buffer.write(bytes, 0, bytes.length);
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(buffer.toByteArray());
        }
    }

    private static final class BodyTooLarge extends IOException {
        final int status;

        BodyTooLarge(int status) {
            super("response body too large");
            this.status = status;
        }
    }

    /** Builds a {@link JdkHttpTransport}. Not thread-safe. */
    public static final class Builder {
        private HttpClient httpClient;
        private SSLContext sslContext;
        private X509TrustManager trustManager;
        private TlsClientIdentity identity;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;

        private Builder() {
        }

        /**
         * Uses a ready {@link SSLContext}. Cannot be combined with {@link #clientIdentity} or
         * {@link #trustManager}, which build the context themselves.
         */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
            return this;
        }

        /**
         * Sends token requests with an {@link HttpClient} you already have. It must not follow
         * redirects. It presents no client certificate as far as this transport knows: for mTLS
         * let the transport build its client with {@link #clientIdentity}, so that it can follow
         * identity reloads. Cannot be combined with the TLS settings of this builder.
         */
        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "client");
            return this;
        }

        /** Trust for the server's certificate; default: the JDK's trust store. */
        public Builder trustManager(X509TrustManager trustManager) {
            this.trustManager = Objects.requireNonNull(trustManager, "trustManager");
            return this;
        }

        /** The TLS client identity to present (mTLS). */
        public Builder clientIdentity(TlsClientIdentity identity) {
            this.identity = Objects.requireNonNull(identity, "identity");
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        public Builder maxResponseBytes(int maxResponseBytes) {
            if (maxResponseBytes < 1) {
                throw new IllegalArgumentException("maxResponseBytes must be positive: " + maxResponseBytes);
            }
            this.maxResponseBytes = maxResponseBytes;
            return this;
        }

        public JdkHttpTransport build() {
            if (httpClient != null) {
                if (sslContext != null || identity != null || trustManager != null) {
                    throw new IllegalStateException("httpClient cannot be combined with sslContext, clientIdentity or "
                            + "trustManager: configure TLS on the client, or let the transport build one");
                }
                if (httpClient.followRedirects() != HttpClient.Redirect.NEVER) {
                    throw new IllegalArgumentException("the HttpClient follows redirects (" + httpClient.followRedirects()
                            + "): token requests need Redirect.NEVER");
                }
                return new JdkHttpTransport(this, httpClient);
            }
            if (sslContext != null && (identity != null || trustManager != null)) {
                throw new IllegalStateException(
                        "sslContext cannot be combined with clientIdentity or trustManager: give one or the others");
            }
            SSLContext context = sslContext;
            if (context == null) {
                try {
                    context = SSLContext.getInstance("TLS");
                    context.init(identity == null ? null : new KeyManager[] {identity.keyManager()},
                            trustManager == null ? null : new TrustManager[] {trustManager}, null);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("cannot create TLS context", e);
                }
            }
            return new JdkHttpTransport(this, context);
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
