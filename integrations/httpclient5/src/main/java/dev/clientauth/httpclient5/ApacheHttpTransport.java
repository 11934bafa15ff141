package dev.clientauth.httpclient5;

import dev.clientauth.core.MalformedTokenResponseException;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.TokenTransportException;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.http.TransportRequest;
import dev.clientauth.core.http.TransportResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509TrustManager;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;

/**
 * An {@link HttpTransport} on Apache HttpClient 5 (classic), for token requests: on a client you
 * already have, or on one built by {@link ApacheClients} presenting a TLS client identity.
 * Bodies over the limit (default 1 MiB) are refused once the limit is passed. Thread-safe.
 */
public final class ApacheHttpTransport implements HttpTransport, AutoCloseable {
    private final CloseableHttpClient client;
    private final TlsClientIdentity identity;
    private final int maxResponseBytes;

    private ApacheHttpTransport(CloseableHttpClient client, TlsClientIdentity identity, int maxResponseBytes) {
        this.client = client;
        this.identity = identity;
        this.maxResponseBytes = maxResponseBytes;
    }

    /** A transport on an existing client presenting no client certificate (configure it not to follow redirects). */
    public static ApacheHttpTransport on(CloseableHttpClient client) {
        return new ApacheHttpTransport(client, null, 1 << 20);
    }

    /** A transport on a new pooled client presenting {@code identity} (null for none). */
    public static ApacheHttpTransport create(TlsClientIdentity identity, X509TrustManager trust, Duration connectTimeout,
            Duration responseTimeout) {
        return new ApacheHttpTransport(ApacheClients.builder(identity, trust, connectTimeout, responseTimeout).build(),
                identity, 1 << 20);
    }

    public CloseableHttpClient httpClient() {
        return client;
    }

    @Override
    public Optional<TlsClientIdentity> clientIdentity() {
        return Optional.ofNullable(identity);
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
                return new TransportResponse(response.getCode(), headers, read(response.getEntity(), response.getCode(), request));
            });
        } catch (BodyTooLarge e) {
            throw e.exception;
        } catch (InterruptedIOException e) {
            throw new TokenTransportException("timed out talking to " + request.uri(), e, true);
        } catch (SSLException e) {
            throw new TokenTransportException("TLS failure with " + request.uri() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new TokenTransportException("exchange with " + request.uri() + " failed: " + e.getMessage(), e);
        }
    }

    private byte[] read(HttpEntity entity, int status, TransportRequest request) throws IOException {
        if (entity == null) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = entity.getContent()) {
            byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) != -1) {
                if (out.size() + n > maxResponseBytes) {
                    throw new BodyTooLarge(new MalformedTokenResponseException("response body from " + request.uri()
                            + " exceeds the limit of " + maxResponseBytes + " bytes", status));
                }
                out.write(chunk, 0, n);
            }
        }
        return out.toByteArray();
    }

    private static final class BodyTooLarge extends IOException {
    private static final long serialVersionUID = 1L;

        final MalformedTokenResponseException exception;

        BodyTooLarge(MalformedTokenResponseException exception) {
            super(exception.getMessage());
            this.exception = exception;
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
