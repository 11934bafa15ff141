package dev.clientauth.core.internal;

import dev.clientauth.core.MalformedTokenResponseException;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.TokenTransportException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import javax.net.ssl.SSLException;

/** What every transport does the same way: limit response bodies and word failures. */
public final class Transports {
    /** Default limit of a response body, 1 MiB. */
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 1 << 20;

    private Transports() {
    }

    /**
     * Reads a body up to {@code limit} bytes, refusing a declared or actual length over it as soon
     * as it is seen. {@code declaredLength} is -1 when unknown.
     */
    public static byte[] readLimited(InputStream in, long declaredLength, int limit, URI uri, int status)
            throws IOException {
        if (declaredLength > limit) {
            throw tooLarge(uri, limit, status);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int n;
        while ((n = in.read(chunk)) != -1) {
            if (out.size() + n > limit) {
                throw tooLarge(uri, limit, status);
            }
            out.write(chunk, 0, n);
        }
        return out.toByteArray();
    }

    /** The error for a body over the limit: malformed, not retryable (the same server would send it again). */
    public static MalformedTokenResponseException tooLarge(URI uri, int limit, int status) {
        return new MalformedTokenResponseException("response body from " + uri + " exceeds the limit of " + limit
                + " bytes", status);
    }

    /**
     * The typed error for a failed exchange. This library's own errors pass through unchanged;
     * timeouts, TLS, connect and other I/O failures become {@link TokenTransportException}s.
     */
    public static TokenRequestException translate(URI uri, Throwable failure, TlsClientIdentity identity) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TokenRequestException own) {
                return own;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpConnectTimeoutException) {
                return new TokenTransportException("connect to " + uri + " timed out", t, true);
            }
            if (t instanceof HttpTimeoutException || t instanceof InterruptedIOException) {
                return new TokenTransportException("no complete response from " + uri + " in time", t, true);
            }
            if (t instanceof SSLException) {
                return new TokenTransportException("TLS failure with " + uri + ": " + Printable.of(t.getMessage())
                        + describe(identity, true), t);
            }
            if (t instanceof ConnectException) {
                return new TokenTransportException("cannot connect to " + uri + ": " + Printable.of(t.getMessage()), t);
            }
        }
        return new TokenTransportException("exchange with " + uri + " failed: "
                + (failure == null ? "unknown" : failure.getClass().getSimpleName() + ": " + Printable.of(failure.getMessage()))
                // over TLS 1.3 a server that refuses the client's certificate (or its absence) may just close
                // the connection after the handshake, so a bare I/O failure says which certificate was offered
                + describe(identity, "https".equalsIgnoreCase(uri.getScheme())), failure);
    }

    private static String describe(TlsClientIdentity identity, boolean always) {
        if (identity == null) {
            return always ? " (no client certificate presented)" : "";
        }
        try {
            return " (client certificate " + identity.certificate().getSubjectX500Principal().getName()
                    + ", x5t#S256=" + identity.thumbprint() + ")";
        } catch (RuntimeException e) {
            return " (client certificate unavailable)";
        }
    }
}
