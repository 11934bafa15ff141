package dev.clientauth.core;

import dev.clientauth.core.internal.FormEncoding;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * {@code client_secret_basic}: the client id and secret in an HTTP Basic {@code Authorization}
 * header. Each is form-urlencoded before they are joined with {@code ':'} and Base64-encoded,
 * as RFC 6749 §2.3.1 requires.
 *
 * <pre>
 * Authorization: Basic base64(urlencode(client_id) ":" urlencode(client_secret))
 * </pre>
 *
 * <p>Specifications: RFC 6749 §2.3.1 and Appendix B; RFC 7617.
 * <p>Immutable and thread-safe. {@code toString} prints the client id only.
 */
public final class ClientSecretBasic implements ClientAuthentication {
    private static final System.Logger LOG = System.getLogger(ClientSecretBasic.class.getName());

    private final ClientId clientId;
    private final Secret secret;
    private final boolean formEncode;

    private ClientSecretBasic(ClientId clientId, Secret secret, boolean formEncode) {
        this.clientId = clientId;
        this.secret = secret;
        this.formEncode = formEncode;
    }

    public static ClientSecretBasic of(ClientId clientId, Secret secret) {
        return new ClientSecretBasic(Objects.requireNonNull(clientId, "clientId"), Objects.requireNonNull(secret, "secret"), true);
    }

    /**
     * A weakening for servers that break on the RFC 6749 encoding: sends the client id and
     * secret without form-urlencoding them first. Logs one warning.
     *
     * @throws IllegalArgumentException if the client id holds a {@code ':'}, which cannot be sent raw
     */
    public ClientSecretBasic withoutFormEncoding() {
        if (clientId.value().indexOf(':') >= 0) {
            throw new IllegalArgumentException(
                    "client id '" + clientId + "' holds ':' and cannot be sent without form-urlencoding (RFC 7617 §2)");
        }
        LOG.log(Level.WARNING, "client_secret_basic for client {0}: credentials are sent without "
                + "form-urlencoding (RFC 6749 §2.3.1 requires it)", clientId);
        return new ClientSecretBasic(clientId, secret, false);
    }

    @Override
    public ClientAuthenticationMethod method() {
        return ClientAuthenticationMethod.CLIENT_SECRET_BASIC;
    }

    @Override
    public ClientId clientId() {
        return clientId;
    }

    @Override
    public void authenticate(TokenRequestMessage request, AuthenticationContext context) {
        String user = formEncode ? FormEncoding.encode(clientId.value()) : clientId.value();
        String password = formEncode ? FormEncoding.encode(secret.reveal()) : secret.reveal();
        String credentials = Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        request.setHeader("Authorization", "Basic " + credentials);
    }

    @Override
    public String toString() {
        return "ClientSecretBasic[clientId=" + clientId + (formEncode ? "" : ", withoutFormEncoding") + "]";
    }
}
