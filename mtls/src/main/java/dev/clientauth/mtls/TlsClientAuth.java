package dev.clientauth.mtls;

import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientAuthentication;
import dev.clientauth.core.ClientAuthenticationMethod;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenRequestMessage;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code tls_client_auth} and {@code self_signed_tls_client_auth}: the client authenticates with
 * its TLS certificate; the form carries only {@code client_id} (RFC 8705 §2). The identity is
 * exposed through {@link #tlsIdentity()}, and {@link dev.clientauth.core.TokenClient} refuses a
 * transport that does not present it.
 *
 * <pre>
 * grant_type=client_credentials&amp;client_id=...        (over a TLS connection with the client certificate)
 * </pre>
 *
 * <p>{@link #selfSigned} checks that the certificate is self-signed (the server matches it
 * against the client's registered JWKS); {@link #pki} is for CA-issued certificates matched by
 * subject DN or SAN.
 *
 * <p>Specifications: RFC 8705 §2.1 (PKI), §2.2 (self-signed), §2.
 * <p>Immutable and thread-safe.
 */
public final class TlsClientAuth implements ClientAuthentication {
    private final ClientId clientId;
    private final TlsClientIdentity identity;
    private final ClientAuthenticationMethod method;

    private TlsClientAuth(ClientId clientId, TlsClientIdentity identity, ClientAuthenticationMethod method) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.method = method;
    }

    /** {@code tls_client_auth}: a certificate issued by a CA the server trusts. */
    public static TlsClientAuth pki(ClientId clientId, TlsClientIdentity identity) {
        return new TlsClientAuth(clientId, identity, ClientAuthenticationMethod.TLS_CLIENT_AUTH);
    }

    /**
     * {@code self_signed_tls_client_auth}.
     *
     * @throws IllegalArgumentException if the identity's certificate is not self-signed
     */
    public static TlsClientAuth selfSigned(ClientId clientId, TlsClientIdentity identity) {
        java.security.cert.X509Certificate certificate = identity.certificate();
        boolean selfSigned = certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal());
        if (selfSigned) {
            try {
                certificate.verify(certificate.getPublicKey());
            } catch (java.security.GeneralSecurityException e) {
                selfSigned = false;
            }
        }
        if (!selfSigned) {
            throw new IllegalArgumentException("self_signed_tls_client_auth needs a self-signed certificate, but "
                    + certificate.getSubjectX500Principal().getName() + " is issued by "
                    + certificate.getIssuerX500Principal().getName());
        }
        return new TlsClientAuth(clientId, identity, ClientAuthenticationMethod.SELF_SIGNED_TLS_CLIENT_AUTH);
    }

    @Override
    public ClientAuthenticationMethod method() {
        return method;
    }

    @Override
    public ClientId clientId() {
        return clientId;
    }

    @Override
    public void authenticate(TokenRequestMessage request, AuthenticationContext context) {
        request.setFormParameter("client_id", clientId.value());
    }

    @Override
    public Optional<TlsClientIdentity> tlsIdentity() {
        return Optional.of(identity);
    }

    @Override
    public String toString() {
        return "TlsClientAuth[" + method + ", clientId=" + clientId + ", x5t#S256=" + identity.thumbprint() + "]";
    }
}
