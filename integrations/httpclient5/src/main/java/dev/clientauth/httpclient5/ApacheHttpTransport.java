package dev.clientauth.httpclient5;

import dev.clientauth.core.ClientTls;
import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.http.TransportRequest;
import dev.clientauth.core.http.TransportResponse;
import dev.clientauth.core.internal.Transports;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * An {@link HttpTransport} on Apache HttpClient 5 (classic), for token requests: on a client you
 * already have, or on a pooled one built here on a {@link ClientTls}. Redirects are never
 * followed, whatever the client's configuration (a 307 would otherwise re-post the form, secret
 * and assertion included, to the {@code Location}); bodies over the limit (1 MiB) are refused as
 * soon as the limit is passed. Thread-safe.
 */
public final class ApacheHttpTransport implements HttpTransport, AutoCloseable {
    private final CloseableHttpClient client;
    private final ClientTls tls;
    private final Timeout responseTimeout;

    private ApacheHttpTransport(CloseableHttpClient client, ClientTls tls, Duration responseTimeout) {
        this.client = client;
        this.tls = tls;
        this.responseTimeout = responseTimeout == null ? null : Timeout.of(responseTimeout);
    }

    /** A transport on an existing client (its TLS is not known here: it presents no client certificate as far as token clients know). */
    public static ApacheHttpTransport on(CloseableHttpClient client) {
        return new ApacheHttpTransport(Objects.requireNonNull(client, "client"), null, null);
    }

    /** A transport on a new pooled client presenting {@code tls}, with a 10 s connect and 30 s response timeout. */
    public static ApacheHttpTransport create(ClientTls tls) {
        return create(tls, ApacheClients.CONNECT_TIMEOUT, ApacheClients.RESPONSE_TIMEOUT);
    }

    /** A transport on a new pooled client presenting {@code tls}, with the given timeouts. */
    public static ApacheHttpTransport create(ClientTls tls, Duration connectTimeout, Duration responseTimeout) {
        Objects.requireNonNull(tls, "tls");
        CloseableHttpClient client = ApacheClients.present(HttpClients.custom(), tls, connectTimeout, responseTimeout)
                .disableRedirectHandling().build();
        return new ApacheHttpTransport(client, tls, responseTimeout);
    }

    /** The underlying client. */
    public CloseableHttpClient httpClient() {
        return client;
    }

    @Override
    public Optional<ClientTls> tls() {
        return Optional.ofNullable(tls);
    }

    @Override
    public TransportResponse execute(TransportRequest request) throws TokenRequestException {
        HttpUriRequestBase http;
        byte[] body = request.body();
        if (body == null) {
            http = new HttpGet(request.uri());
        } else {
            HttpPost post = new HttpPost(request.uri());
            String type = request.headers().getOrDefault("Content-Type", "application/x-www-form-urlencoded");
            post.setEntity(new ByteArrayEntity(body, ContentType.parse(type)));
            http = post;
        }
        RequestConfig.Builder config = RequestConfig.custom().setRedirectsEnabled(false);
        if (responseTimeout != null) {
            config.setResponseTimeout(responseTimeout);
        }
        http.setConfig(config.build());
        request.headers().forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Content-Type")) {
                http.setHeader(name, value);
            }
        });
        try {
            return client.execute(http, response -> {
                Map<String, List<String>> headers = new LinkedHashMap<>();
                for (Header header : response.getHeaders()) {
                    headers.computeIfAbsent(header.getName(), k -> new ArrayList<>()).add(header.getValue());
                }
                return new TransportResponse(response.getCode(), headers,
                        read(response.getEntity(), response.getCode(), request));
            });
        } catch (IOException e) {
            throw Transports.translate(request.uri(), e, clientIdentity().orElse(null));
        }
    }

    private static byte[] read(HttpEntity entity, int status, TransportRequest request) throws IOException {
        if (entity == null) {
            return new byte[0];
        }
        try (InputStream in = entity.getContent()) {
            return Transports.readLimited(in, entity.getContentLength(), Transports.DEFAULT_MAX_RESPONSE_BYTES,
                    request.uri(), status);
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
    }

    @Override
    public String toString() {
        return "ApacheHttpTransport[" + (tls == null ? "user client" : tls) + "]";
    }
}
