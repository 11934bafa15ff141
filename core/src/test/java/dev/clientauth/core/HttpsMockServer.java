package dev.clientauth.core;

import dev.clientauth.certs.test.ServerTls;
import dev.clientauth.certs.test.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import javax.net.ssl.X509TrustManager;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

/** A MockWebServer (shared with the other modules' tests through the test jar): on 127.0.0.1 over HTTPS with a certificate from the test PKI. */
public final class HttpsMockServer implements AutoCloseable {
    public final TestPki pki;
    public final MockWebServer server = new MockWebServer();

    public HttpsMockServer(TestPki pki, ServerTls.ClientAuth clientAuth) throws IOException {
        this.pki = pki;
        server.useHttps(pki.serverTls(clientAuth).sslContext().getSocketFactory());
        if (clientAuth == ServerTls.ClientAuth.NEED) {
            server.requireClientAuth();
        } else if (clientAuth == ServerTls.ClientAuth.WANT) {
            server.requestClientAuth();
        }
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    public HttpsMockServer(TestPki pki) throws IOException {
        this(pki, ServerTls.ClientAuth.NONE);
    }

    public URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.getPort() + path);
    }

    public X509TrustManager trustManager() {
        return pki.trustManager();
    }

    /** TLS trusting the test PKI, presenting no client certificate. */
    public ClientTls tls() {
        return ClientTls.builder().trust(trustManager()).build();
    }

    /** TLS trusting the test PKI, presenting {@code identity}. */
    public ClientTls tls(TlsClientIdentity identity) {
        return ClientTls.builder().identity(identity).trust(trustManager()).build();
    }

    public void enqueueJson(int status, String json) {
        server.enqueue(new MockResponse.Builder().code(status)
                .addHeader("Content-Type", "application/json;charset=UTF-8").body(json).build());
    }

    /** A 200 token response: {@code at-1}, Bearer, 300 s. */
    public void enqueueToken() {
        enqueueJson(200, "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":300}");
    }

    @Override
    public void close() {
        server.close();
    }

}
