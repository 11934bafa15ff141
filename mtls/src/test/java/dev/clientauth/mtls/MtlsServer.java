package dev.clientauth.mtls;

import dev.clientauth.certs.test.ServerTls;
import dev.clientauth.certs.test.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

/** MockWebServer on 127.0.0.1 over HTTPS that requires a client certificate. */
final class MtlsServer implements AutoCloseable {
    final TestPki pki;
    final MockWebServer server = new MockWebServer();

    MtlsServer(TestPki pki, X509Certificate... extraTrustedClients) throws IOException {
        this.pki = pki;
        server.setServerSocketFactory(new NoDelayServerSocketFactory());
        server.useHttps(pki.serverTls(ServerTls.ClientAuth.NEED, extraTrustedClients).sslContext().getSocketFactory());
        server.requireClientAuth();
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.getPort() + path);
    }

    dev.clientauth.core.ClientTls tls() {
        return dev.clientauth.core.ClientTls.builder().trust(trust()).build();
    }

    X509TrustManager trust() {
        return pki.trustManager();
    }

    void enqueueJson(String json) {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(json).build());
    }

    void enqueueToken() {
        enqueueJson("{\"access_token\":\"opaque-token\",\"token_type\":\"Bearer\",\"expires_in\":300}");
    }

    @Override
    public void close() {
        server.close();
    }

    /**
     * Accepted sockets with TCP_NODELAY: MockWebServer writes a response in several small writes,
     * which Nagle's algorithm and delayed ACKs would otherwise hold back by ~40 ms per request.
     */
    static final class NoDelayServerSocketFactory extends javax.net.ServerSocketFactory {
        @Override
        public java.net.ServerSocket createServerSocket() throws IOException {
            return new java.net.ServerSocket() {
                @Override
                public java.net.Socket accept() throws IOException {
                    java.net.Socket socket = super.accept();
                    socket.setTcpNoDelay(true);
                    return socket;
                }
            };
        }

        @Override
        public java.net.ServerSocket createServerSocket(int port) throws IOException {
            java.net.ServerSocket socket = createServerSocket();
            socket.bind(new java.net.InetSocketAddress(port));
            return socket;
        }

        @Override
        public java.net.ServerSocket createServerSocket(int port, int backlog) throws IOException {
            java.net.ServerSocket socket = createServerSocket();
            socket.bind(new java.net.InetSocketAddress(port), backlog);
            return socket;
        }

        @Override
        public java.net.ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
            java.net.ServerSocket socket = createServerSocket();
            socket.bind(new java.net.InetSocketAddress(address, port), backlog);
            return socket;
        }
    }
}
