package dev.clientauth.core.metadata;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.clientauth.core.ClientAuthenticationMethod;
import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.http.TransportRequest;
import dev.clientauth.core.http.TransportResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Authorization server metadata (RFC 8414), with what client authentication needs: the token
 * endpoint, the supported authentication methods and signing algorithms, the RFC 8705
 * {@code mtls_endpoint_aliases} and {@code tls_client_certificate_bound_access_tokens}.
 *
 * <p>{@link #discover} tries the RFC 8414 form first ({@code /.well-known/oauth-authorization-server}
 * inserted between host and path), then the OpenID Connect form ({@code /.well-known/openid-configuration}
 * appended), and refuses a document whose {@code issuer} is not exactly the configured one.
 *
 * <p>Specifications: RFC 8414 §2, §3, §3.3; RFC 8705 §5; OpenID Connect Discovery 1.0 §4.
 * <p>Immutable and thread-safe.
 */
public final class AuthorizationServerMetadata {
    private final URI issuer;
    private final URI tokenEndpoint;
    private final List<ClientAuthenticationMethod> authMethods;
    private final List<String> signingAlgorithms;
    private final List<String> dpopAlgorithms;
    private final Map<String, URI> mtlsEndpointAliases;
    private final boolean certificateBoundAccessTokens;
    private final URI jwksUri;
    private final Map<String, Object> parameters;

    private AuthorizationServerMetadata(Map<String, Object> json) throws InvalidMetadataException {
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(json));
        this.issuer = uri(json, "issuer", true);
        this.tokenEndpoint = uri(json, "token_endpoint", false);
        List<String> methods = strings(json, "token_endpoint_auth_methods_supported");
        List<ClientAuthenticationMethod> parsed = new ArrayList<>();
        if (methods == null) {
            parsed.add(ClientAuthenticationMethod.CLIENT_SECRET_BASIC); // RFC 8414 §2 default
        } else {
            for (String m : methods) {
                try {
                    parsed.add(ClientAuthenticationMethod.of(m));
                } catch (IllegalArgumentException ignored) {
                    // an unusable name cannot match a method we support
                }
            }
        }
        this.authMethods = List.copyOf(parsed);
        List<String> algs = strings(json, "token_endpoint_auth_signing_alg_values_supported");
        this.signingAlgorithms = algs == null ? List.of() : List.copyOf(algs);
        List<String> dpopAlgs = strings(json, "dpop_signing_alg_values_supported");
        this.dpopAlgorithms = dpopAlgs == null ? null : List.copyOf(dpopAlgs);
        Map<String, URI> aliases = new LinkedHashMap<>();
        Object aliasValue = json.get("mtls_endpoint_aliases");
        if (aliasValue != null) {
            if (!(aliasValue instanceof Map)) {
                throw new InvalidMetadataException("metadata mtls_endpoint_aliases is not a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> aliasMap = (Map<String, Object>) aliasValue;
            for (String name : aliasMap.keySet()) {
                URI alias = uri(aliasMap, name, false);
                if (alias != null) {
                    aliases.put(name, alias);
                }
            }
        }
        this.mtlsEndpointAliases = Collections.unmodifiableMap(aliases);
        Object bound = json.get("tls_client_certificate_bound_access_tokens");
        if (bound != null && !(bound instanceof Boolean)) {
            throw new InvalidMetadataException("metadata tls_client_certificate_bound_access_tokens is not a boolean");
        }
        this.certificateBoundAccessTokens = Boolean.TRUE.equals(bound);
        this.jwksUri = uri(json, "jwks_uri", false);
    }

    /**
     * Parses a metadata document and checks that its {@code issuer} equals {@code expectedIssuer}.
     */
    public static AuthorizationServerMetadata parse(String json, URI expectedIssuer) throws InvalidMetadataException {
        Objects.requireNonNull(expectedIssuer, "expectedIssuer");
        Map<String, Object> object;
        try {
            object = JSONObjectUtils.parse(json);
        } catch (java.text.ParseException | RuntimeException e) {
            throw new InvalidMetadataException("metadata is not a JSON object");
        }
        AuthorizationServerMetadata metadata = new AuthorizationServerMetadata(object);
        if (!metadata.issuer.toString().equals(expectedIssuer.toString())) {
            throw new InvalidMetadataException("metadata issuer '" + metadata.issuer
                    + "' does not match the configured issuer '" + expectedIssuer + "'");
        }
        return metadata;
    }

    /**
     * Fetches and checks the metadata of an issuer, RFC 8414 location first, then OpenID's.
     *
     * @throws InvalidMetadataException if neither location has a usable document, or the issuer differs
     * @throws TokenRequestException on transport failures
     */
    public static AuthorizationServerMetadata discover(URI issuer, HttpTransport transport) throws TokenRequestException {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(transport, "transport");
        if (!"https".equalsIgnoreCase(issuer.getScheme()) || issuer.getQuery() != null || issuer.getFragment() != null) {
            throw new IllegalArgumentException("issuer must be an https URL without query or fragment: " + issuer);
        }
        List<String> tried = new ArrayList<>();
        for (URI location : List.of(rfc8414Location(issuer), openIdLocation(issuer))) {
            TransportResponse response = transport.execute(TransportRequest.get(location, Map.of("Accept", "application/json")));
            if (response.statusCode() == 200) {
                return parse(response.bodyAsString(), issuer);
            }
            tried.add(location + " (HTTP " + response.statusCode() + ")");
        }
        throw new InvalidMetadataException("no authorization server metadata for " + issuer + " at " + String.join(", ", tried));
    }

    /** {@code https://host/.well-known/oauth-authorization-server/path} for {@code https://host/path}. */
    public static URI rfc8414Location(URI issuer) {
        String path = issuer.getRawPath() == null ? "" : issuer.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return URI.create(issuer.getScheme() + "://" + issuer.getRawAuthority() + "/.well-known/oauth-authorization-server" + path);
    }

    /** {@code https://host/path/.well-known/openid-configuration}. */
    public static URI openIdLocation(URI issuer) {
        String base = issuer.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + "/.well-known/openid-configuration");
    }

    public URI issuer() {
        return issuer;
    }

    public Optional<URI> tokenEndpoint() {
        return Optional.ofNullable(tokenEndpoint);
    }

    /** The token endpoint for mTLS clients: the alias when there is one, else the token endpoint. */
    public Optional<URI> mtlsTokenEndpoint() {
        URI alias = mtlsEndpointAliases.get("token_endpoint");
        return alias != null ? Optional.of(alias) : tokenEndpoint();
    }

    /** {@code token_endpoint_auth_methods_supported}; {@code [client_secret_basic]} when absent (RFC 8414 §2). */
    public List<ClientAuthenticationMethod> tokenEndpointAuthMethodsSupported() {
        return authMethods;
    }

    public List<String> tokenEndpointAuthSigningAlgValuesSupported() {
        return signingAlgorithms;
    }

    /**
     * {@code dpop_signing_alg_values_supported} (RFC 9449 §5.1): the proof algorithms the server
     * accepts; empty when the metadata does not say (which does not mean the server refuses DPoP).
     */
    public Optional<List<String>> dpopSigningAlgValuesSupported() {
        return Optional.ofNullable(dpopAlgorithms);
    }

    public Map<String, URI> mtlsEndpointAliases() {
        return mtlsEndpointAliases;
    }

    public boolean tlsClientCertificateBoundAccessTokens() {
        return certificateBoundAccessTokens;
    }

    public Optional<URI> jwksUri() {
        return Optional.ofNullable(jwksUri);
    }

    /** The whole document as parsed JSON. */
    public Map<String, Object> parameters() {
        return parameters;
    }

    @Override
    public String toString() {
        return "AuthorizationServerMetadata[issuer=" + issuer + ", tokenEndpoint=" + tokenEndpoint + "]";
    }

    private static URI uri(Map<String, Object> json, String name, boolean required) throws InvalidMetadataException {
        Object value = json.get(name);
        if (value == null) {
            if (required) {
                throw new InvalidMetadataException("metadata has no " + name);
            }
            return null;
        }
        if (!(value instanceof String)) {
            throw new InvalidMetadataException("metadata " + name + " is not a string");
        }
        try {
            URI uri = new URI((String) value);
            if (!uri.isAbsolute()) {
                throw new InvalidMetadataException("metadata " + name + " is not an absolute URI");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new InvalidMetadataException("metadata " + name + " is not a valid URI", e);
        }
    }

    private static List<String> strings(Map<String, Object> json, String name) throws InvalidMetadataException {
        Object value = json.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof List)) {
            throw new InvalidMetadataException("metadata " + name + " is not a JSON array");
        }
        List<String> out = new ArrayList<>();
        for (Object item : (List<?>) value) {
            if (!(item instanceof String)) {
                throw new InvalidMetadataException("metadata " + name + " holds a non-string");
            }
            out.add((String) item);
        }
        return out;
    }
}
