package dev.clientauth.okhttp;

import dev.clientauth.core.ClientTls;
import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.http.TransportRequest;
import dev.clientauth.core.http.TransportResponse;
import dev.clientauth.core.internal.Transports;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * An {@link HttpTransport} on OkHttp, for token requests: on a client you already have, or on
 * one built here on a {@link ClientTls}. Redirects are never followed; response bodies over the
 * limit (1 MiB) are refused as soon as the limit is passed, as a
 * {@link dev.clientauth.core.MalformedTokenResponseException} (not retried).
 *
 * <p>Thread-safe.
 */
public final class OkHttpTransport implements HttpTransport {
    private final OkHttpClient client;
    private final ClientTls tls;

    private OkHttpTransport(OkHttpClient client, ClientTls tls) {
        this.client = client.newBuilder().followRedirects(false).followSslRedirects(false).build();
        this.tls = tls;
    }

    /** A transport on an existing client (its TLS is not known here: it presents no client certificate as far as token clients know). */
    public static OkHttpTransport on(OkHttpClient client) {
        return new OkHttpTransport(Objects.requireNonNull(client, "client"), null);
    }

    /** A transport on a new client presenting {@code tls}, with a 10 s connect and 30 s read timeout. */
    public static OkHttpTransport create(ClientTls tls) {
        return create(tls, Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    /** A transport on a new client presenting {@code tls}, with the given timeouts. */
    public static OkHttpTransport create(ClientTls tls, Duration connectTimeout, Duration readTimeout) {
        Objects.requireNonNull(tls, "tls");
        OkHttpClient client = OkHttpBearer.presenting(new OkHttpClient.Builder(), tls)
                .connectTimeout(connectTimeout)
                .readTimeout(readTimeout)
                .callTimeout(readTimeout.plus(connectTimeout))
                .build();
        return new OkHttpTransport(client, tls);
    }

    /** The underlying client (redirects off). */
    public OkHttpClient okHttpClient() {
        return client;
    }

    @Override
    public Optional<ClientTls> tls() {
        return Optional.ofNullable(tls);
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
            byte[] bytes;
            try (InputStream in = responseBody.byteStream()) {
                bytes = Transports.readLimited(in, responseBody.contentLength(), Transports.DEFAULT_MAX_RESPONSE_BYTES,
                        request.uri(), response.code());
            }
            return new TransportResponse(response.code(), response.headers().toMultimap(), bytes);
        } catch (IOException e) {
            throw Transports.translate(request.uri(), e, clientIdentity().orElse(null));
        }
    }

    @Override
    public String toString() {
        return "OkHttpTransport[" + (tls == null ? "user client" : tls) + "]";
    }

    static ConnectionPool pool(ClientTls tls) {
        ConnectionPool pool = new ConnectionPool();
        tls.onIdentityChange(pool::evictAll);
        return pool;
    }
}
