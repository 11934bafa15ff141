package dev.clientauth.jwt;

import dev.clientauth.certs.test.ServerTls;
import dev.clientauth.certs.test.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import javax.net.ssl.X509TrustManager;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

/** A MockWebServer on 127.0.0.1 over HTTPS with a certificate from the test PKI. */
final class HttpsMockServer implements AutoCloseable {
    final TestPki pki;
    final MockWebServer server = new MockWebServer();

    HttpsMockServer(TestPki pki) throws IOException {
        this.pki = pki;
        server.useHttps(pki.serverTls(ServerTls.ClientAuth.NONE).sslContext().getSocketFactory());
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.getPort() + path);
    }

    X509TrustManager trustManager() {
        return (X509TrustManager) pki.trustManagerFactory().getTrustManagers()[0];
    }

    void enqueueToken() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":300}").build());
    }

    @Override
    public void close() {
        server.close();
    }
}
