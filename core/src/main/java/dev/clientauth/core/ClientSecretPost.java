package dev.clientauth.core;

import java.util.Objects;

/**
 * {@code client_secret_post}: the client id and secret as form parameters.
 *
 * <pre>
 * client_id=...&amp;client_secret=...
 * </pre>
 *
 * <p>Specifications: RFC 6749 §2.3.1.
 * <p>Immutable and thread-safe. {@code toString} prints the client id only.
 */
public final class ClientSecretPost implements ClientAuthentication {
    private final ClientId clientId;
    private final Secret secret;

    private ClientSecretPost(ClientId clientId, Secret secret) {
        this.clientId = clientId;
        this.secret = secret;
    }

    public static ClientSecretPost of(ClientId clientId, Secret secret) {
        return new ClientSecretPost(Objects.requireNonNull(clientId, "clientId"), Objects.requireNonNull(secret, "secret"));
    }

    @Override
    public ClientAuthenticationMethod method() {
        return ClientAuthenticationMethod.CLIENT_SECRET_POST;
    }

    @Override
    public ClientId clientId() {
        return clientId;
    }

    @Override
    public void authenticate(TokenRequestMessage request, AuthenticationContext context) {
        request.setFormParameter("client_id", clientId.value());
        request.setFormParameter("client_secret", secret.reveal());
    }

    @Override
    public String toString() {
        return "ClientSecretPost[clientId=" + clientId + "]";
    }
}
