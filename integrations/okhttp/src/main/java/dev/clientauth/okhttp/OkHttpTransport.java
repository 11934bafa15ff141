package dev.clientauth.okhttp;

import dev.clientauth.core.MalformedTokenResponseException;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.TokenTransportException;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.internal.TlsSessions;
import dev.clientauth.core.http.TransportRequest;
import dev.clientauth.core.http.TransportResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/**
 * An {@link HttpTransport} on OkHttp, for token requests: on a client you already have, or on
 * one built here that presents a TLS client identity. Redirects are not followed; response bodies
 * over the limit (default 1 MiB) are refused as soon as the limit is passed.
 *
 * <p>Thread-safe.
 */
public final class OkHttpTransport implements HttpTransport {
    private final OkHttpClient client;
    private final TlsClientIdentity identity;
    private final long maxResponseBytes;

    private OkHttpTransport(OkHttpClient client, TlsClientIdentity identity, long maxResponseBytes) {
        this.client = client.newBuilder().followRedirects(false).followSslRedirects(false).build();
        this.identity = identity;
        this.maxResponseBytes = maxResponseBytes;
    }

    /** A transport on an existing client that presents no client certificate. */
    public static OkHttpTransport on(OkHttpClient client) {
        return new OkHttpTransport(client, null, 1 << 20);
    }

    /**
     * A transport on a new client presenting {@code identity} (null for none), trusting {@code trust}
     * (null for the JDK default), with the given timeouts.
     */
    public static OkHttpTransport create(TlsClientIdentity identity, X509TrustManager trust, Duration connectTimeout,
            Duration readTimeout) {
        X509TrustManager trustManager = trust != null ? trust : defaultTrust();
        SSLContext context = TlsSessions.clientContext(identity, trustManager);
        okhttp3.ConnectionPool pool = new okhttp3.ConnectionPool();
        if (identity != null) {
            identity.addChangeListener((oldThumbprint, newThumbprint) -> pool.evictAll());
        }
        OkHttpClient client = new OkHttpClient.Builder()
                .sslSocketFactory(context.getSocketFactory(), trustManager)
                .connectionPool(pool)
                .connectTimeout(connectTimeout)
                .readTimeout(readTimeout)
                .callTimeout(readTimeout.plus(connectTimeout))
                .build();
        return new OkHttpTransport(client, identity, 1 << 20);
    }

    static X509TrustManager defaultTrust() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((java.security.KeyStore) null);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager) {
                    return (X509TrustManager) manager;
                }
            }
            throw new IllegalStateException("no X509TrustManager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public OkHttpClient okHttpClient() {
        return client;
    }

    @Override
    public Optional<TlsClientIdentity> clientIdentity() {
        return Optional.ofNullable(identity);
    }

    @Override
    public TransportResponse execute(TransportRequest request) throws TokenRequestException {
        Request.Builder builder = new Request.Builder().url(request.uri().toString());
        request.headers().forEach(builder::header);
        byte[] body = request.body();
        if (body == null) {
            builder.get();
        } else {
            String type = request.headers().getOrDefault("Content-Type", "application/x-www-form-urlencoded");
            builder.post(RequestBody.create(body, MediaType.get(type)));
        }
        Call call = client.newCall(builder.build());
        try (Response response = call.execute()) {
            ResponseBody responseBody = response.body();
            Buffer buffer = new Buffer();
            BufferedSource source = responseBody.source();
            while (source.read(buffer, 8192) != -1) {
                if (buffer.size() > maxResponseBytes) {
                    throw new MalformedTokenResponseException("response body from " + request.uri()
                            + " exceeds the limit of " + maxResponseBytes + " bytes", response.code());
                }
            }
            return new TransportResponse(response.code(), response.headers().toMultimap(), buffer.readByteArray());
        } catch (InterruptedIOException e) {
            throw new TokenTransportException("timed out talking to " + request.uri(), e, true);
        } catch (SSLException e) {
            throw new TokenTransportException("TLS failure with " + request.uri() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new TokenTransportException("exchange with " + request.uri() + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "OkHttpTransport[" + (identity == null ? "no client certificate" : "x5t#S256=" + identity.thumbprint()) + "]";
    }
}
