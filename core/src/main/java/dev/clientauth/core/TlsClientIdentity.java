package dev.clientauth.core;

import java.security.cert.X509Certificate;
import javax.net.ssl.X509KeyManager;

/**
 * A TLS client identity (a private key and its certificate chain) as a transport needs it:
 * a key manager that presents the current identity, and the current leaf certificate.
 *
 * <p>Implementations may change the identity at run time (a reload); the key manager then
 * presents the new one on new handshakes, and {@link #certificate()} returns the new leaf.
 * Implementations are thread-safe.
 */
public interface TlsClientIdentity {
    /** The key manager to give to {@code SSLContext.init}. */
    X509KeyManager keyManager();

    /** The leaf certificate currently presented. */
    X509Certificate certificate();

    /** The {@code x5t#S256} thumbprint of {@link #certificate()}. */
    default CertificateThumbprint thumbprint() {
        return CertificateThumbprint.of(certificate());
    }

    /**
     * A number that changes whenever the identity changes (a reload). Transports compare it to
     * stop reusing connections made with an earlier identity. Constant for a fixed identity.
     */
    default long generation() {
        return 0;
    }

    /**
     * Registers a listener told of every identity change with the old and new thumbprints. A
     * fixed identity never changes and ignores the listener.
     */
    default void addChangeListener(IdentityChangeListener listener) {
    }

    /** Told when a {@link TlsClientIdentity} changes. */
    @FunctionalInterface
    interface IdentityChangeListener {
        void identityChanged(CertificateThumbprint oldThumbprint, CertificateThumbprint newThumbprint);
    }
}
