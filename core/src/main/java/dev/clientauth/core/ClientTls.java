package dev.clientauth.core;

import dev.clientauth.core.internal.Jca;
import dev.clientauth.core.internal.Trust;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS material of a client, as one value: the client identity to present (for mutual TLS,
 * optional) and the trust for server certificates. Every transport and HTTP client adapter of
 * this library takes its TLS from a {@code ClientTls}, so a token request and the API calls made
 * with its token present the same certificate.
 *
 * <ul>
 *   <li>TLS 1.3 and 1.2 only; hostname verification ({@code HTTPS} endpoint identification) on
 *       every socket and engine made for a host. There is no trust-all.</li>
 *   <li>{@link #sslContext()} is one stable {@link SSLContext}; behind it, each generation of the
 *       identity (each reload) gets a fresh JSSE context, so no connection resumes a TLS session
 *       authenticated with an earlier certificate.</li>
 * </ul>
 *
 * <pre>
 * ClientTls tls = ClientTls.builder()
 *         .identity(identity)                          // a TlsClientIdentity, e.g. mtls' TlsIdentity
 *         .trust(TrustBundle.fromPem(caFile))          // default: the JDK's trust store
 *         .build();
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ClientTls {
    /** The protocols enabled on every connection. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final String[] PROTOCOL_ARRAY = PROTOCOLS.toArray(new String[0]);

    private final TlsClientIdentity identity;
    private final X509TrustManager trust;
    private final boolean jdkTrust;
    private final SSLContext context;
    private final Object lock = new Object();
    private volatile Generation current;

    private record Generation(long number, SSLContext context) {
    }

    private ClientTls(TlsClientIdentity identity, X509TrustManager trust) {
        this.identity = identity;
        this.jdkTrust = trust == null;
        this.trust = trust != null ? trust : Trust.jdkDefault();
        this.current = newGeneration();
        this.context = new StableContext(this);
    }

    /** No client certificate, the JDK's trust store. */
    public static ClientTls defaults() {
        return new ClientTls(null, null);
    }

    /** Presents {@code identity}; trusts the JDK's trust store. */
    public static ClientTls of(TlsClientIdentity identity) {
        return new ClientTls(Objects.requireNonNull(identity, "identity"), null);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The same trust, presenting {@code identity}. */
    public ClientTls withIdentity(TlsClientIdentity identity) {
        return new ClientTls(Objects.requireNonNull(identity, "identity"), jdkTrust ? null : trust);
    }

    /** The client identity presented, if any. */
    public Optional<TlsClientIdentity> identity() {
        return Optional.ofNullable(identity);
    }

    /** The trust for server certificates. */
    public X509TrustManager trustManager() {
        return trust;
    }

    /**
     * The context to give an HTTP client. Its sockets and engines enable TLS 1.3/1.2 only and
     * verify the host name; after an identity reload they come from a fresh JSSE context.
     */
    public SSLContext sslContext() {
        return context;
    }

    /** Parameters for clients that take them separately (TLS 1.3/1.2, {@code HTTPS} endpoint identification). */
    public SSLParameters sslParameters() {
        SSLParameters parameters = new SSLParameters();
        parameters.setProtocols(PROTOCOL_ARRAY.clone());
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        return parameters;
    }

    /** Changes whenever the identity changes (a reload); constant without an identity. */
    public long generation() {
        return identity == null ? 0 : identity.generation();
    }

    /**
     * Registers an action run after every identity change, for example to evict a connection pool
     * so that no connection made with the old certificate is used again. No-op without an identity.
     */
    public void onIdentityChange(Runnable action) {
        Objects.requireNonNull(action, "action");
        if (identity != null) {
            identity.addChangeListener((oldThumbprint, newThumbprint) -> action.run());
        }
    }

    /**
     * The TLS for an authentication method: {@code tls} (default {@link #defaults()}), with the
     * method's identity added when {@code tls} presents none.
     *
     * @throws IllegalStateException if {@code tls} presents another identity than the method's
     */
    static ClientTls forMethod(ClientTls tls, TlsClientIdentity methodIdentity) {
        ClientTls base = tls != null ? tls : defaults();
        if (methodIdentity == null) {
            return base;
        }
        if (base.identity == null) {
            return base.withIdentity(methodIdentity);
        }
        if (base.identity != methodIdentity) {
            throw new IllegalStateException("the authentication method presents a TLS client certificate: the TLS "
                    + "material must present that same identity, or none (it is then added)");
        }
        return base;
    }

    private SSLContext current() {
        Generation generation = current;
        if (identity != null && generation.number() != identity.generation()) {
            synchronized (lock) {
                generation = current;
                if (generation.number() != identity.generation()) {
                    invalidateAll(generation.context());
                    generation = newGeneration();
                    current = generation;
                }
            }
        }
        return generation.context();
    }

    private Generation newGeneration() {
        long number = identity == null ? 0 : identity.generation();
        try {
            SSLContext jsse = Jca.sslContext();
            jsse.init(identity == null ? null : new KeyManager[] {identity.keyManager()}, new TrustManager[] {trust}, null);
            return new Generation(number, jsse);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a TLS context", e);
        }
    }

    private static void invalidateAll(SSLContext context) {
        SSLSessionContext sessions = context.getClientSessionContext();
        for (Enumeration<byte[]> ids = sessions.getIds(); ids.hasMoreElements();) {
            SSLSession session = sessions.getSession(ids.nextElement());
            if (session != null) {
                session.invalidate();
            }
        }
    }

    @Override
    public String toString() {
        return "ClientTls[" + (identity == null ? "no client certificate" : "x5t#S256=" + identity.thumbprint())
                + ", " + (jdkTrust ? "JDK trust" : "custom trust") + ", " + PROTOCOLS + "]";
    }

    /** Builds a {@link ClientTls}. Not thread-safe. */
    public static final class Builder {
        private TlsClientIdentity identity;
        private X509TrustManager trust;

        private Builder() {
        }

        /** The client identity to present (mutual TLS). Default: none. */
        public Builder identity(TlsClientIdentity identity) {
            this.identity = Objects.requireNonNull(identity, "identity");
            return this;
        }

        /** Trust for server certificates. Default: the JDK's trust store. */
        public Builder trust(X509TrustManager trust) {
            this.trust = Objects.requireNonNull(trust, "trust");
            return this;
        }

        public ClientTls build() {
            return new ClientTls(identity, trust);
        }
    }

    /** The stable context handed to HTTP clients; every call goes to the current generation. */
    private static final class StableContext extends SSLContext {
        StableContext(ClientTls tls) {
            super(new Spi(tls), tls.current.context().getProvider(), tls.current.context().getProtocol());
        }
    }

    private static final class Spi extends SSLContextSpi {
        private final ClientTls tls;

        Spi(ClientTls tls) {
            this.tls = tls;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
            throw new UnsupportedOperationException("a ClientTls context is initialised already");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return new Sockets(tls);
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw new UnsupportedOperationException("a client context");
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            SSLEngine engine = tls.current().createSSLEngine();
            engine.setEnabledProtocols(PROTOCOL_ARRAY.clone());
            return engine;
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            SSLEngine engine = tls.current().createSSLEngine(host, port);
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setProtocols(PROTOCOL_ARRAY.clone());
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
            return engine;
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return tls.current().getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return tls.current().getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            SSLParameters parameters = tls.current().getDefaultSSLParameters();
            parameters.setProtocols(PROTOCOL_ARRAY.clone());
            return parameters;
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return tls.current().getSupportedSSLParameters();
        }
    }

    /** Sockets of the current generation, TLS 1.3/1.2, verifying the host they are made for. */
    private static final class Sockets extends SSLSocketFactory {
        private final ClientTls tls;

        Sockets(ClientTls tls) {
            this.tls = tls;
        }

        private SSLSocketFactory delegate() {
            return tls.current().getSocketFactory();
        }

        private static Socket restrict(Socket socket, boolean forHost) {
            if (socket instanceof SSLSocket ssl) {
                SSLParameters parameters = ssl.getSSLParameters();
                parameters.setProtocols(PROTOCOL_ARRAY.clone());
                if (forHost) {
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                }
                ssl.setSSLParameters(parameters);
            }
            return socket;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate().getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate().getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return restrict(delegate().createSocket(), false);
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return restrict(delegate().createSocket(s, host, port, autoClose), true);
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return restrict(delegate().createSocket(host, port), true);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return restrict(delegate().createSocket(host, port, localHost, localPort), true);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return restrict(delegate().createSocket(host, port), false);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return restrict(delegate().createSocket(address, port, localAddress, localPort), false);
        }
    }
}
