package dev.clientauth.core;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A client credentials grant request: scopes, RFC 8707 resource indicators and extra
 * parameters. Immutable and thread-safe; usable as part of a cache key.
 *
 * <pre>
 * grant_type=client_credentials&amp;scope=a%20b&amp;resource=https%3A%2F%2Fapi.example
 * </pre>
 *
 * <p>Specifications: RFC 6749 §4.4.2; RFC 8707 §2.
 */
public final class TokenRequest {
    private static final Set<String> RESERVED = Set.of("grant_type", "scope", "resource", "client_id",
            "client_secret", "client_assertion", "client_assertion_type");

    private final Set<String> scopes;
    private final List<URI> resources;
    private final Map<String, String> parameters;

    private TokenRequest(Builder builder) {
        this.scopes = Collections.unmodifiableSet(new LinkedHashSet<>(builder.scopes));
        this.resources = List.copyOf(builder.resources);
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(builder.parameters));
    }

    /** A request with no scope, resource or extra parameter. */
    public static TokenRequest clientCredentials() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Set<String> scopes() {
        return scopes;
    }

    public List<URI> resources() {
        return resources;
    }

    public Map<String, String> parameters() {
        return parameters;
    }

    /** Writes {@code grant_type}, {@code scope}, {@code resource} and extra parameters. */
    public void writeTo(TokenRequestMessage message) {
        message.setFormParameter("grant_type", "client_credentials");
        if (!scopes.isEmpty()) {
            message.setFormParameter("scope", String.join(" ", scopes));
        }
        for (URI resource : resources) {
            message.addFormParameter("resource", resource.toString());
        }
        parameters.forEach(message::setFormParameter);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TokenRequest)) {
            return false;
        }
        TokenRequest other = (TokenRequest) o;
        return scopes.equals(other.scopes) && resources.equals(other.resources) && parameters.equals(other.parameters);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scopes, resources, parameters);
    }

    @Override
    public String toString() {
        return "TokenRequest[scopes=" + scopes + ", resources=" + resources + ", parameters=" + parameters.keySet() + "]";
    }

    /** Builds a {@link TokenRequest}. Not thread-safe. */
    public static final class Builder {
        private final Set<String> scopes = new LinkedHashSet<>();
        private final List<URI> resources = new ArrayList<>();
        private final Map<String, String> parameters = new LinkedHashMap<>();

        private Builder() {
        }

        /** Adds scope tokens (RFC 6749 §3.3: visible ASCII except space, {@code "} and {@code \}). */
        public Builder scope(String... scopeTokens) {
            for (String scope : scopeTokens) {
                Objects.requireNonNull(scope, "scope");
                if (scope.isEmpty() || !scope.chars().allMatch(c -> c == 0x21 || (c >= 0x23 && c <= 0x5b)
                        || (c >= 0x5d && c <= 0x7e))) {
                    throw new IllegalArgumentException("not a valid scope token: '" + scope + "'");
                }
                scopes.add(scope);
            }
            return this;
        }

        /** Adds an RFC 8707 resource indicator: an absolute URI without a fragment. */
        public Builder resource(URI resource) {
            Objects.requireNonNull(resource, "resource");
            if (!resource.isAbsolute() || resource.getFragment() != null) {
                throw new IllegalArgumentException("resource must be an absolute URI without fragment: " + resource);
            }
            resources.add(resource);
            return this;
        }

        /** An extra form parameter; the names this library sets itself are refused. */
        public Builder parameter(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (RESERVED.contains(name)) {
                throw new IllegalArgumentException("parameter '" + name + "' is set by the library, not as an extra parameter");
            }
            parameters.put(name, value);
            return this;
        }

        public TokenRequest build() {
            return new TokenRequest(this);
        }
    }
}
