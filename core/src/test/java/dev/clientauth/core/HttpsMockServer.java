package dev.clientauth.core;

import dev.clientauth.certs.test.ServerTls;
import dev.clientauth.certs.test.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

/** A MockWebServer on 127.0.0.1 over HTTPS with a certificate from the test PKI. */
final class HttpsMockServer implements AutoCloseable {
    final TestPki pki;
    final MockWebServer server = new MockWebServer();

    HttpsMockServer(TestPki pki, ServerTls.ClientAuth clientAuth) throws IOException {
        this.pki = pki;
        server.useHttps(pki.serverTls(clientAuth).sslContext().getSocketFactory());
        if (clientAuth == ServerTls.ClientAuth.NEED) {
            server.requireClientAuth();
        } else if (clientAuth == ServerTls.ClientAuth.WANT) {
            server.requestClientAuth();
        }
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    HttpsMockServer(TestPki pki) throws IOException {
        this(pki, ServerTls.ClientAuth.NONE);
    }

    URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.getPort() + path);
    }

    X509TrustManager trustManager() {
        return trustManager(pki);
    }

    static X509TrustManager trustManager(TestPki pki) {
        TrustManagerFactory factory = pki.trustManagerFactory();
        return (X509TrustManager) factory.getTrustManagers()[0];
    }

    void enqueueJson(int status, String json) {
        server.enqueue(new MockResponse.Builder().code(status)
                .addHeader("Content-Type", "application/json;charset=UTF-8").body(json).build());
    }

    @Override
    public void close() {
        server.close();
    }

}
