package dev.clientauth.jwt;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientAuthentication;
import dev.clientauth.core.ClientAuthenticationException;
import dev.clientauth.core.ClientAuthenticationMethod;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.TokenRequestMessage;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A client assertion minted elsewhere — a workload-identity sidecar, a platform token file —
 * sent as {@code private_key_jwt}. The supplier is called for every request; what it returns
 * must look like a compact JWS with an {@code alg} other than {@code none}.
 *
 * <p>Thread-safe if the supplier is. {@code toString} prints the client id only.
 */
public final class ExternalClientAssertion implements ClientAuthentication {
    /** Supplies a fresh compact-serialised assertion. */
    @FunctionalInterface
    public interface Supplier {
        String get() throws Exception;
    }

    private final ClientId clientId;
    private final Supplier supplier;

    private ExternalClientAssertion(ClientId clientId, Supplier supplier) {
        this.clientId = clientId;
        this.supplier = supplier;
    }

    public static ExternalClientAssertion of(ClientId clientId, Supplier supplier) {
        return new ExternalClientAssertion(Objects.requireNonNull(clientId, "clientId"),
                Objects.requireNonNull(supplier, "supplier"));
    }

    @Override
    public ClientAuthenticationMethod method() {
        return ClientAuthenticationMethod.PRIVATE_KEY_JWT;
    }

    @Override
    public ClientId clientId() {
        return clientId;
    }

    @Override
    public void authenticate(TokenRequestMessage request, AuthenticationContext context) throws ClientAuthenticationException {
        String assertion;
        try {
            assertion = supplier.get();
        } catch (Exception e) {
            throw new ClientAuthenticationException("the client assertion supplier for " + clientId + " failed: "
                    + e.getClass().getSimpleName(), e);
        }
        check(assertion);
        request.setFormParameter("client_assertion_type", AssertionPolicy.ASSERTION_TYPE);
        request.setFormParameter("client_assertion", assertion);
        request.setFormParameter("client_id", clientId.value());
    }

    private void check(String assertion) throws ClientAuthenticationException {
        if (assertion == null || assertion.isBlank()) {
            throw new ClientAuthenticationException("the client assertion supplier for " + clientId + " returned nothing");
        }
        String[] parts = assertion.strip().split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw new ClientAuthenticationException("the client assertion supplier for " + clientId
                    + " returned something that is not a compact JWS");
        }
        Object alg;
        try {
            String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
            alg = JSONObjectUtils.parse(header).get("alg");
        } catch (IllegalArgumentException | java.text.ParseException e) {
            throw new ClientAuthenticationException("the supplied client assertion for " + clientId + " has an invalid header");
        }
        if (!(alg instanceof String algorithm) || algorithm.strip().isEmpty() || algorithm.strip().equalsIgnoreCase("none")) {
            throw new ClientAuthenticationException("the supplied client assertion for " + clientId
                    + " is unsigned (alg none or missing)");
        }
    }

    @Override
    public String toString() {
        return "ExternalClientAssertion[clientId=" + clientId + "]";
    }
}
