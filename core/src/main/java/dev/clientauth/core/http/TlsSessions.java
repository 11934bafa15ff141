package dev.clientauth.core.http;

import dev.clientauth.core.TlsClientIdentity;
import java.security.GeneralSecurityException;
import java.util.Enumeration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** TLS helpers shared by the transports and HTTP client adapters. */
public final class TlsSessions {
    private TlsSessions() {
    }

    /**
     * Invalidates every cached client TLS session of a context, so that no new connection resumes
     * a session authenticated with an earlier client certificate.
     */
    public static void invalidateAll(SSLContext context) {
        SSLSessionContext sessions = context.getClientSessionContext();
        for (Enumeration<byte[]> ids = sessions.getIds(); ids.hasMoreElements();) {
            SSLSession session = sessions.getSession(ids.nextElement());
            if (session != null) {
                session.invalidate();
            }
        }
    }

    /**
     * A client context presenting {@code identity} (null for none) and trusting {@code trust} (null
     * for the JDK default). When the identity changes, cached sessions are invalidated.
     */
    public static SSLContext clientContext(TlsClientIdentity identity, X509TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(identity == null ? null : new KeyManager[] {identity.keyManager()},
                    trust == null ? null : new TrustManager[] {trust}, null);
            if (identity != null) {
                identity.addChangeListener((oldThumbprint, newThumbprint) -> invalidateAll(context));
            }
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create TLS context", e);
        }
    }
}
