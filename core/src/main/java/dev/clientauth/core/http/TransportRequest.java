package dev.clientauth.core.http;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP request as a transport sends it: method, URI, headers and body. The body may hold a
 * secret; {@code toString} prints method and URI only.
 */
public final class TransportRequest {
    private final String method;
    private final URI uri;
    private final Map<String, String> headers;
    private final byte[] body;

    private TransportRequest(String method, URI uri, Map<String, String> headers, byte[] body) {
        this.method = method;
        this.uri = uri;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        this.body = body;
    }

    public static TransportRequest get(URI uri, Map<String, String> headers) {
        return new TransportRequest("GET", Objects.requireNonNull(uri, "uri"), headers, null);
    }

    public static TransportRequest post(URI uri, Map<String, String> headers, byte[] body) {
        return new TransportRequest("POST", Objects.requireNonNull(uri, "uri"), headers,
                Objects.requireNonNull(body, "body").clone());
    }

    public String method() {
        return method;
    }

    public URI uri() {
        return uri;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** The body bytes (a copy), or null for GET. */
    public byte[] body() {
        return body == null ? null : body.clone();
    }

    @Override
    public String toString() {
        return method + " " + uri;
    }
}
