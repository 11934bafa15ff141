package dev.clientauth.jwt.keys;

import dev.clientauth.core.internal.Jca;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpHandler;
import dev.clientauth.jwt.Jwks;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Publishes the public JWKS of a {@link RotatingKeySet}: every NEXT, ACTIVE and RETIRED key with
 * {@code kid}, {@code use: sig}, {@code alg} and {@code x5c}. Only public members are ever
 * written, because only public keys are ever handed to the JWK writer.
 *
 * <p>Responses carry {@code Cache-Control: max-age} and a strong {@code ETag}; a matching
 * {@code If-None-Match} gets a 304. Use {@link #httpHandler()} with the JDK {@code HttpServer}, or
 * {@link #respond(String)} from any other server. Thread-safe.
 */
public final class JwksPublisher {
    private final RotatingKeySet keySet;
    private final Duration maxAge;
    private volatile Cached cached;

    /** A response to send. */
    public static final class Response {
        private final int status;
        private final Map<String, String> headers;
        private final byte[] body;

        Response(int status, Map<String, String> headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        public int status() {
            return status;
        }

        public Map<String, String> headers() {
            return headers;
        }

        public byte[] body() {
            return body.clone();
        }
    }

    private static final class Cached {
        final long version;
        final byte[] body;
        final String etag;

        Cached(long version, byte[] body, String etag) {
            this.version = version;
            this.body = body;
            this.etag = etag;
        }
    }

    JwksPublisher(RotatingKeySet keySet, Duration maxAge) {
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge must not be negative: " + maxAge);
        }
        this.keySet = keySet;
        this.maxAge = maxAge;
    }

    /** The JWKS document now. */
    public String json() {
        return new String(current().body, StandardCharsets.UTF_8);
    }

    /** The answer to a GET with the given {@code If-None-Match} (null if none). */
    public Response respond(String ifNoneMatch) {
        Cached now = current();
        Map<String, String> headers = Map.of("Content-Type", "application/jwk-set+json",
                "Cache-Control", "public, max-age=" + maxAge.getSeconds(), "ETag", now.etag);
        if (ifNoneMatch != null && (ifNoneMatch.equals(now.etag) || ifNoneMatch.equals("*"))) {
            return new Response(304, headers, new byte[0]);
        }
        return new Response(200, headers, now.body);
    }

    /** A handler for {@code com.sun.net.httpserver.HttpServer}. */
    public HttpHandler httpHandler() {
        return exchange -> {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                    exchange.getResponseHeaders().add("Allow", "GET, HEAD");
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                Response response = respond(exchange.getRequestHeaders().getFirst("If-None-Match"));
                response.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
                boolean noBody = response.status() == 304 || exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(response.status(), noBody ? -1 : response.body.length);
                if (!noBody) {
                    exchange.getResponseBody().write(response.body);
                }
            }
        };
    }

    private Cached current() {
        try {
            keySet.maintainIfDue();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        long version = keySet.version();
        Cached now = cached;
        if (now != null && now.version == version) {
            return now;
        }
        List<JWK> jwks = new ArrayList<>();
        for (ManagedKey key : keySet.keys()) {
            jwks.add(Jwks.publicJwk(key.publicKey(), key.keyId(), key.algorithm(), List.of(key.certificate())));
        }
        byte[] body = new JWKSet(jwks).toString(true).getBytes(StandardCharsets.UTF_8);
        try {
            String etag = "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(
                    Jca.messageDigest("SHA-256").digest(body)) + "\"";
            now = new Cached(version, body, etag);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        cached = now;
        return now;
    }
}
