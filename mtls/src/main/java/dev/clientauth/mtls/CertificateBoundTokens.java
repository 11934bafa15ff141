package dev.clientauth.mtls;

import dev.clientauth.core.internal.Jca;
import dev.clientauth.core.CertificateThumbprint;
import java.io.ByteArrayInputStream;
import java.util.Set;
import java.util.Objects;
import java.util.List;
import java.net.InetAddress;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Resource-server verification of certificate-bound access tokens (RFC 8705 §3): the
 * {@code cnf.x5t#S256} of a token — from a JWT access token's claims or an RFC 7662 introspection
 * response — must equal the thumbprint of the client certificate of the connection, taken from
 * the {@link SSLSession} or from an RFC 9440 {@code Client-Cert} header.
 *
 * <p><b>Warning:</b> a {@code Client-Cert} header proves nothing by itself. Trust it only on
 * requests that come from the TLS-terminating proxy that sets it, and make sure that proxy
 * removes any {@code Client-Cert} header sent by clients.
 *
 * <p>The comparison is constant-time. Thread-safe (stateless).
 */
public final class CertificateBoundTokens {
    private CertificateBoundTokens() {
    }

    /** Checks a JWT access token's (already verified) claims against the presented certificate (null if none). */
    public static BindingResult verifyJwtClaims(Map<String, Object> claims, X509Certificate presented) {
        return verify(claims, presented);
    }

    /** Checks an RFC 7662 introspection response against the presented certificate (null if none). */
    public static BindingResult verifyIntrospection(Map<String, Object> introspection, X509Certificate presented) {
        if (!Boolean.TRUE.equals(introspection.get("active"))) {
            return BindingResult.invalid(BindingResult.Reason.INVALID, "token is not active");
        }
        return verify(introspection, presented);
    }

    private static BindingResult verify(Map<String, Object> members, X509Certificate presented) {
        Object cnf = members.get("cnf");
        if (cnf == null) {
            return BindingResult.invalid(BindingResult.Reason.NO_CONFIRMATION, "token is not certificate-bound (no cnf)");
        }
        if (!(cnf instanceof Map) || ((Map<?, ?>) cnf).get("x5t#S256") == null) {
            return BindingResult.invalid(cnf instanceof Map ? BindingResult.Reason.NO_CONFIRMATION : BindingResult.Reason.INVALID,
                    "token has no cnf.x5t#S256");
        }
        Object value = ((Map<?, ?>) cnf).get("x5t#S256");
        CertificateThumbprint bound;
        try {
            bound = CertificateThumbprint.parse(String.valueOf(value));
        } catch (IllegalArgumentException e) {
            return BindingResult.invalid(BindingResult.Reason.INVALID, "cnf.x5t#S256 is malformed");
        }
        if (presented == null) {
            return BindingResult.invalid(BindingResult.Reason.NO_CERTIFICATE, "no client certificate presented");
        }
        if (!bound.matches(CertificateThumbprint.of(presented))) {
            return BindingResult.invalid(BindingResult.Reason.MISMATCH,
                    "client certificate does not match the certificate the token is bound to");
        }
        return BindingResult.valid();
    }

    /** The client's leaf certificate from a TLS session; empty when the client presented none. */
    public static Optional<X509Certificate> fromSession(SSLSession session) {
        try {
            java.security.cert.Certificate[] certificates = session.getPeerCertificates();
            if (certificates.length > 0 && certificates[0] instanceof X509Certificate) {
                return Optional.of((X509Certificate) certificates[0]);
            }
            return Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    /**
     * The certificate in an RFC 9440 {@code Client-Cert} header: a structured-field byte sequence,
     * {@code :base64(DER):}. Read the warning in the class description before using this.
     *
     * @throws IllegalArgumentException if the value is not such a byte sequence holding one certificate
     */
    public static X509Certificate fromClientCertHeader(String headerValue) {
        if (headerValue == null) {
            throw new IllegalArgumentException("no Client-Cert header");
        }
        String value = headerValue.strip();
        if (value.length() < 3 || value.charAt(0) != ':' || value.charAt(value.length() - 1) != ':') {
            throw new IllegalArgumentException("Client-Cert is not a structured-field byte sequence (:base64:)");
        }
        try {
            byte[] der = Base64.getDecoder().decode(value.substring(1, value.length() - 1));
            return (X509Certificate) Jca.certificateFactory().generateCertificate(new ByteArrayInputStream(der));
        } catch (IllegalArgumentException | CertificateException e) {
            throw new IllegalArgumentException("Client-Cert does not hold a DER certificate");
        }
    }

    /**
     * The certificate in the RFC 9440 {@code Client-Cert} header of a request, trusted only when it
     * arrives from one of {@code trustedProxies} (the TLS-terminating proxies that set the header
     * and remove any the client sent) and appears exactly once: a proxy that appends instead of
     * replacing would otherwise let a client choose the certificate.
     *
     * @param values every value of the {@code Client-Cert} header of the request, in order
     * @param peer the address the request came from (the proxy's, on the connection)
     * @throws IllegalArgumentException if the peer is not a trusted proxy, there is not exactly one
     *     value, or the value is not a certificate
     */
    public static X509Certificate fromClientCertHeader(List<String> values, InetAddress peer, Set<InetAddress> trustedProxies) {
        Objects.requireNonNull(peer, "peer");
        if (trustedProxies.isEmpty() || !trustedProxies.contains(peer)) {
            throw new IllegalArgumentException("Client-Cert from " + peer.getHostAddress() + ", which is not a trusted proxy");
        }
        if (values == null || values.size() != 1 || values.get(0).contains(",")) {
            throw new IllegalArgumentException("Client-Cert must appear exactly once, with one value; got "
                    + (values == null ? 0 : values.size()) + " header(s)");
        }
        return fromClientCertHeader(values.get(0));
    }

    /** Encodes a certificate as an RFC 9440 {@code Client-Cert} header value (what a proxy sends). */
    public static String toClientCertHeader(X509Certificate certificate) {
        try {
            return ":" + Base64.getEncoder().encodeToString(certificate.getEncoded()) + ":";
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalArgumentException("cannot encode certificate", e);
        }
    }
}
