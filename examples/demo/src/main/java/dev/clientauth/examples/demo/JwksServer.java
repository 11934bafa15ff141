package dev.clientauth.examples.demo;

import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import dev.clientauth.jwt.Jwks;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Serves the demo clients' public JWKS documents ({@code jwks_uri}) on 127.0.0.1. */
final class JwksServer implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, String> documents = new ConcurrentHashMap<>();

    JwksServer(DemoMaterial material) throws IOException {
        documents.put(DemoMaterial.PRIVATE_KEY_JWT, new JWKSet(Jwks.publicJwk(material.assertionKey().getPublic(),
                Jwks.thumbprint(material.assertionKey().getPublic()), SignatureAlgorithm.ES256, null)).toString());
        documents.put(DemoMaterial.SELF_SIGNED, new JWKSet(Jwks.publicJwk(material.selfSigned().certificate().getPublicKey(),
                "self-signed", null, List.of(material.selfSigned().certificate()))).toString());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/jwks/", exchange -> {
            String client = exchange.getRequestURI().getPath().substring("/jwks/".length());
            String body = documents.get(client);
            byte[] bytes = (body == null ? "{\"keys\":[]}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/jwk-set+json");
            exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    URI uri(String clientId) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks/" + clientId);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
