package dev.clientauth.certs.test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;

/**
 * TLS material for a loopback test server: an {@link SSLContext} holding the server's key and
 * trusting the test roots, and whether client certificates are wanted or needed.
 */
public final class ServerTls {
    /** Whether the server asks for a client certificate. */
    public enum ClientAuth { NONE, WANT, NEED }

    private final SSLContext sslContext;
    private final ClientAuth clientAuth;

    ServerTls(SSLContext sslContext, ClientAuth clientAuth) {
        this.sslContext = sslContext;
        this.clientAuth = clientAuth;
    }

    public SSLContext sslContext() {
        return sslContext;
    }

    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** TLS 1.2 and 1.3 parameters with the client-auth mode applied. */
    public SSLParameters sslParameters() {
        SSLParameters parameters = sslContext.getDefaultSSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        if (clientAuth == ClientAuth.NEED) {
            parameters.setNeedClientAuth(true);
        } else if (clientAuth == ClientAuth.WANT) {
            parameters.setWantClientAuth(true);
        }
        return parameters;
    }

    public SSLServerSocket configure(SSLServerSocket socket) {
        socket.setSSLParameters(sslParameters());
        return socket;
    }
}
