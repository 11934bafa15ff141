package dev.clientauth.core;

import java.util.Optional;

/**
 * How a client proves its identity at the token endpoint: one strategy per registered
 * method ({@code client_secret_basic}, {@code private_key_jwt}, {@code tls_client_auth}, ...).
 *
 * <p>A strategy adds what its method needs to a {@link TokenRequestMessage} (a header, form
 * parameters). Methods that authenticate with the TLS client certificate expose it through
 * {@link #tlsIdentity()}, and {@link TokenClient} refuses a transport that would not present it.
 *
 * <p>Specifications: RFC 6749 §2.3; RFC 7591 §2 ({@code token_endpoint_auth_method}); RFC 7523 §2.2;
 * RFC 8705 §2.
 *
 * <p>Implementations are immutable (or internally synchronised) and thread-safe.
 */
public interface ClientAuthentication {
    /** The registered name of the method. */
    ClientAuthenticationMethod method();

    /** The client this strategy authenticates. */
    ClientId clientId();

    /**
     * Adds the method's credentials to a token request about to be sent.
     *
     * @throws TokenRequestException if the credentials cannot be produced (for example a signer failed);
     *     the request is then not sent
     */
    void authenticate(TokenRequestMessage request, AuthenticationContext context) throws TokenRequestException;

    /** The TLS identity the transport must present, for mTLS methods; empty otherwise. */
    default Optional<TlsClientIdentity> tlsIdentity() {
        return Optional.empty();
    }
}
