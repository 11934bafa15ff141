package dev.clientauth.core;

import java.net.URI;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link ClientAuthentication} may need to know about the request it authenticates:
 * the authorization server's issuer identifier (the audience of client assertions), the token
 * endpoint the request is actually sent to (which may be an {@code mtls_endpoint_aliases}
 * entry), and the clock.
 */
public final class AuthenticationContext {
    private final URI issuer;
    private final URI tokenEndpoint;
    private final Clock clock;

    public AuthenticationContext(URI issuer, URI tokenEndpoint, Clock clock) {
        this.issuer = issuer;
        this.tokenEndpoint = Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The issuer identifier, when configured or discovered. */
    public Optional<URI> issuer() {
        return Optional.ofNullable(issuer);
    }

    public URI tokenEndpoint() {
        return tokenEndpoint;
    }

    public Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "AuthenticationContext[issuer=" + issuer + ", tokenEndpoint=" + tokenEndpoint + "]";
    }
}
