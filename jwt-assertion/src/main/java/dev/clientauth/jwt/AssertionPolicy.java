package dev.clientauth.jwt;

import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientAuthenticationException;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.TokenRequestMessage;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The assertion settings shared by {@code private_key_jwt} and {@code client_secret_jwt}, with
 * the defaults of draft-ietf-oauth-rfc7523bis and FAPI 2.0. Immutable; builders collect the
 * settings in a {@link Draft}.
 */
final class AssertionPolicy {
    private static final System.Logger LOG = System.getLogger(AssertionPolicy.class.getName());
    static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    static final Duration MAX_LIFETIME = Duration.ofMinutes(5);

    enum Audience { ISSUER, TOKEN_ENDPOINT, ISSUER_AND_TOKEN_ENDPOINT }

    final ClientId clientId;
    final Duration lifetime;
    final boolean notBefore;
    final boolean typ;
    final boolean x5t;
    final boolean clientIdParameter;
    final Audience audience;
    private final AssertionWriter writer;

    private AssertionPolicy(Draft draft) {
        this.clientId = draft.clientId;
        this.lifetime = draft.lifetime;
        this.notBefore = draft.notBefore;
        this.typ = draft.typ;
        this.x5t = draft.x5t;
        this.clientIdParameter = draft.clientIdParameter;
        this.audience = draft.audience;
        this.writer = new AssertionWriter(clientId, lifetime, notBefore, typ, x5t);
    }

    /** The settings while a builder collects them; {@link #build()} copies them into an immutable policy. */
    static final class Draft {
        final ClientId clientId;
        Duration lifetime = DEFAULT_LIFETIME;
        boolean notBefore;
        boolean typ = true;
        boolean x5t;
        boolean clientIdParameter = true;
        Audience audience = Audience.ISSUER;

        Draft(ClientId clientId) {
            this.clientId = Objects.requireNonNull(clientId, "clientId");
        }

        void lifetime(Duration lifetime) {
            Objects.requireNonNull(lifetime, "lifetime");
            if (lifetime.getSeconds() < 1 || lifetime.compareTo(MAX_LIFETIME) > 0) {
                throw new IllegalArgumentException("assertion lifetime must be between 1 s and " + MAX_LIFETIME + ": " + lifetime);
            }
            this.lifetime = lifetime;
        }

        void withoutTypHeader() {
            LOG.log(Level.WARNING, "client assertions for {0} are sent without typ: client-authentication+jwt", clientId);
            typ = false;
        }

        void legacyAudience(Audience audience) {
            LOG.log(Level.WARNING, "client assertions for {0} use the legacy audience {1} instead of the issuer alone",
                    clientId, audience);
            this.audience = audience;
        }

        AssertionPolicy build() {
            return new AssertionPolicy(this);
        }
    }

    AssertionWriter writer() {
        return writer;
    }

    List<String> audience(AuthenticationContext context, String method) throws ClientAuthenticationException {
        String endpoint = context.tokenEndpoint().toString();
        if (audience == Audience.TOKEN_ENDPOINT) {
            return List.of(endpoint);
        }
        String issuer = context.issuer().map(Object::toString).orElseThrow(() -> new ClientAuthenticationException(
                method + " needs the authorization server's issuer identifier as assertion audience: configure "
                        + "TokenClient.issuer(..) or build the client from discovered metadata"));
        return audience == Audience.ISSUER ? List.of(issuer) : List.of(issuer, endpoint);
    }

    void addTo(TokenRequestMessage request, SignedClientAssertion assertion) {
        request.setFormParameter("client_assertion_type", ASSERTION_TYPE);
        request.setFormParameter("client_assertion", assertion.serialize());
        if (clientIdParameter) {
            request.setFormParameter("client_id", clientId.value());
        }
    }
}
