package dev.clientauth.mtls;

import dev.clientauth.core.internal.Jca;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * For authorization servers and gateways: does a presented client certificate match a client's
 * registered RFC 8705 metadata?
 *
 * <ul>
 *   <li>{@code tls_client_auth_subject_dn}: the DNs are compared as names (RFC 4514 / RFC 5280
 *       §7.1: attribute type case, spacing and escaping do not matter; order and values do);</li>
 *   <li>{@code tls_client_auth_san_dns} (case-insensitive), {@code _san_uri} (exact),
 *       {@code _san_ip} (as addresses: {@code ::1} equals {@code 0:0:0:0:0:0:0:1}),
 *       {@code _san_email} (local part exact, domain case-insensitive);</li>
 *   <li>{@code self_signed_tls_client_auth}: the certificate equals an {@code x5c} entry of a JWK
 *       in the client's JWKS.</li>
 * </ul>
 * Certificate chain validation for {@code tls_client_auth} is the TLS layer's job and is not
 * repeated here. Thread-safe (stateless).
 */
public final class ClientCertificateMatcher {
    private ClientCertificateMatcher() {
    }

    /** Whether the certificate's subject equals the registered DN as a name. */
    public static boolean matchesSubjectDn(X509Certificate certificate, String registeredDn) {
        Objects.requireNonNull(registeredDn, "registeredDn");
        X500Principal registered;
        try {
            registered = new X500Principal(registeredDn);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return certificate.getSubjectX500Principal().getName(X500Principal.CANONICAL)
                .equals(registered.getName(X500Principal.CANONICAL));
    }

    public static boolean matchesSanDns(X509Certificate certificate, String registered) {
        return sans(certificate, 2).stream().anyMatch(name -> name.equalsIgnoreCase(registered));
    }

    public static boolean matchesSanUri(X509Certificate certificate, String registered) {
        return sans(certificate, 6).stream().anyMatch(name -> name.equals(registered));
    }

    public static boolean matchesSanIp(X509Certificate certificate, String registered) {
        byte[] wanted = address(registered);
        return wanted != null && sans(certificate, 7).stream().anyMatch(name -> java.util.Arrays.equals(address(name), wanted));
    }

    public static boolean matchesSanEmail(X509Certificate certificate, String registered) {
        return sans(certificate, 1).stream().anyMatch(name -> emailEquals(name, registered));
    }

    /**
     * Whether a self-signed certificate equals one in the {@code x5c} of a JWK of the client's JWKS
     * (a parsed JWK Set: {@code {"keys":[{..., "x5c":["base64 DER", ...]}]}}).
     */
    public static boolean matchesSelfSignedJwks(X509Certificate certificate, Map<String, Object> jwks) {
        if (!certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
            return false;
        }
        Object keys = jwks.get("keys");
        if (!(keys instanceof List)) {
            return false;
        }
        for (Object key : (List<?>) keys) {
            if (!(key instanceof Map)) {
                continue;
            }
            Object x5c = ((Map<?, ?>) key).get("x5c");
            if (!(x5c instanceof List)) {
                continue;
            }
            for (Object entry : (List<?>) x5c) {
                try {
                    X509Certificate registered = (X509Certificate) Jca.certificateFactory()
                            .generateCertificate(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(String.valueOf(entry))));
                    if (java.security.MessageDigest.isEqual(registered.getEncoded(), certificate.getEncoded())) {
                        return true;
                    }
                } catch (IllegalArgumentException | CertificateException e) {
                    // an unreadable x5c entry matches nothing
                }
            }
        }
        return false;
    }

    private static List<String> sans(X509Certificate certificate, int type) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names == null) {
                return List.of();
            }
            return names.stream().filter(n -> Integer.valueOf(type).equals(n.get(0)) && n.get(1) instanceof String)
                    .map(n -> (String) n.get(1)).toList();
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    private static byte[] address(String literal) {
        if (literal == null || !(literal.matches("[0-9.]+") || literal.contains(":"))) {
            return null; // literals only: never resolve a name
        }
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean emailEquals(String a, String b) {
        int at1 = a.lastIndexOf('@');
        int at2 = b.lastIndexOf('@');
        if (at1 < 0 || at2 < 0) {
            return a.equals(b);
        }
        return a.substring(0, at1).equals(b.substring(0, at2))
                && a.substring(at1 + 1).toLowerCase(Locale.ROOT).equals(b.substring(at2 + 1).toLowerCase(Locale.ROOT));
    }
}
