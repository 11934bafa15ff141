package dev.clientauth.core;

import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.internal.Endpoints;
import dev.clientauth.core.internal.Origins;
import dev.clientauth.core.internal.Printable;
import dev.clientauth.core.jdk.JdkHttpTransport;
import dev.clientauth.core.http.TransportRequest;
import dev.clientauth.core.http.TransportResponse;
import dev.clientauth.core.metadata.AuthorizationServerMetadata;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import dev.clientauth.core.internal.FormEncoding;
import java.net.URLDecoder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Sends client credentials grant requests to one token endpoint, authenticated by one
 * {@link ClientAuthentication}, and parses the response.
 *
 * <pre>
 * POST /token HTTP/1.1
 * Content-Type: application/x-www-form-urlencoded
 * Accept: application/json
 * [Authorization: Basic ...]            (client_secret_basic)
 *
 * grant_type=client_credentials&amp;scope=...&amp;resource=...[&amp;client_id=...&amp;client_assertion=...]
 * </pre>
 *
 * <p>Guarantees: the endpoint is {@code https} (plain {@code http} only to a loopback host); a
 * method that authenticates with a TLS certificate is only used with a transport presenting
 * that certificate; when the transport presents a client certificate and the metadata has
 * {@code mtls_endpoint_aliases.token_endpoint}, the request goes there (RFC 8705 §5).
 *
 * <p>With {@link Builder#dpop DPoP}, every request carries a fresh proof and the token is bound to
 * its key; a server nonce is remembered for the token endpoint's origin.
 *
 * <p>Specifications: RFC 6749 §4.4, §5.1, §5.2; RFC 8414; RFC 8705 §5; RFC 8707; RFC 9449 §5, §8.
 * <p>Thread-safe; share one instance.
 */
public final class TokenClient {
    private static final System.Logger LOG = System.getLogger(TokenClient.class.getName());

    private final URI tokenEndpoint;
    private final URI issuer;
    private final ClientAuthentication authentication;
    private final HttpTransport transport;
    private final Clock clock;
    private final boolean requireBoundToken;
    private final DPoPProofs dpop;
    private final boolean allowBearerFallback;
    private volatile boolean bearerFallbackLogged;

    private TokenClient(Builder b, URI tokenEndpoint, HttpTransport transport) {
        this.tokenEndpoint = tokenEndpoint;
        this.issuer = b.issuer;
        this.authentication = b.authentication;
        this.transport = transport;
        this.clock = b.clock;
        this.requireBoundToken = b.requireBoundToken;
        this.dpop = b.dpop;
        this.allowBearerFallback = b.allowBearerFallback;
    }

    /** A client for a known token endpoint. */
    public static Builder builder(URI tokenEndpoint, ClientAuthentication authentication) {
        Builder builder = new Builder(Objects.requireNonNull(authentication, "authentication"));
        builder.tokenEndpoint = Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
        return builder;
    }

    /**
     * A client for a discovered authorization server: the token endpoint (or its mTLS alias) and
     * the issuer come from the metadata.
     */
    public static Builder builder(AuthorizationServerMetadata metadata, ClientAuthentication authentication) {
        Builder builder = new Builder(Objects.requireNonNull(authentication, "authentication"));
        builder.metadata = Objects.requireNonNull(metadata, "metadata");
        builder.issuer = metadata.issuer();
        return builder;
    }

    /** The endpoint requests are sent to. */
    public URI tokenEndpoint() {
        return tokenEndpoint;
    }

    public Optional<URI> issuer() {
        return Optional.ofNullable(issuer);
    }

    public ClientAuthentication authentication() {
        return authentication;
    }

    public HttpTransport transport() {
        return transport;
    }

    public Clock clock() {
        return clock;
    }

    /** The DPoP proofs sent with every token request, when DPoP is used. */
    public Optional<DPoPProofs> dpop() {
        return Optional.ofNullable(dpop);
    }

    /**
     * Requests a token.
     *
     * @throws OAuthErrorResponseException the server refused with an RFC 6749 §5.2 error
     * @throws UnexpectedStatusException a non-2xx answer that is not an OAuth error
     * @throws TokenTransportException connect, TLS or timeout failure
     * @throws MalformedTokenResponseException an invalid response
     * @throws ClientAuthenticationException credentials could not be produced; nothing was sent
     */
    public TokenResponse requestToken(TokenRequest request) throws TokenRequestException {
        Objects.requireNonNull(request, "request");
        for (int attempt = 1; ; attempt++) {
            TokenRequestMessage message = new TokenRequestMessage(tokenEndpoint);
            request.writeTo(message);
            try {
                authentication.authenticate(message, new AuthenticationContext(issuer, tokenEndpoint, clock));
            } catch (IllegalStateException e) { // e.g. a destroyed secret: nothing is sent
                throw new ClientAuthenticationException("the credentials of " + authentication.method() + " for "
                        + authentication.clientId() + " could not be produced: " + e.getMessage(), e);
            }
            Map<String, String> headers = new LinkedHashMap<>(message.headers());
            headers.put("Content-Type", "application/x-www-form-urlencoded");
            headers.put("Accept", "application/json");
            DPoPProofs.Proof proof = null;
            if (dpop != null) {
                proof = dpop.proof("POST", tokenEndpoint, null);
                headers.put("DPoP", proof.value());
            }
            TransportResponse response = transport.execute(
                    TransportRequest.post(tokenEndpoint, headers, message.encodedForm().getBytes(StandardCharsets.UTF_8)));
            List<String> sensitive = sensitiveValues(message, proof);
            if (dpop == null) {
                return checked(ResponseParser.parse(response, clock, sensitive), response, null);
            }
            boolean nonceGiven = rememberNonce(response);
            try {
                return checked(ResponseParser.parse(response, clock, sensitive), response, proof);
            } catch (OAuthErrorResponseException e) {
                if (!e.error().equals(OAuthErrorCode.USE_DPOP_NONCE)) {
                    throw e;
                }
                if (!nonceGiven) {
                    throw new DPoPException("the token endpoint of " + Origins.of(tokenEndpoint) + " demanded a DPoP "
                            + "nonce (use_dpop_nonce) " + (attempt == 1 ? "without a valid new DPoP-Nonce header"
                            : "again after a retry with the nonce it gave"), e.statusCode(), attempt > 1);
                }
                if (attempt > 1) {
                    throw new DPoPException("the token endpoint of " + Origins.of(tokenEndpoint) + " demanded a new "
                            + "DPoP nonce again after a retry with the nonce it gave", e.statusCode(), true);
                }
                LOG.log(Level.DEBUG, "token endpoint of {0} asked for a DPoP nonce; retrying once with it",
                        Origins.of(tokenEndpoint));
            }
        }
    }

    /**
     * Remembers a {@code DPoP-Nonce} of the response; whether there was a valid one. An invalid
     * nonce is not remembered.
     */
    private boolean rememberNonce(TransportResponse response) {
        Optional<String> nonce = response.header("DPoP-Nonce");
        if (nonce.isEmpty()) {
            return false;
        }
        try {
            dpop.nonceReceived(tokenEndpoint, nonce.get());
            return true;
        } catch (IllegalArgumentException invalid) {
            LOG.log(Level.DEBUG, "ignoring an invalid DPoP-Nonce from {0}: {1}", Origins.of(tokenEndpoint),
                    invalid.getMessage());
            return false;
        }
    }

    private TokenResponse checked(TokenResponse tokenResponse, TransportResponse response, DPoPProofs.Proof proof)
            throws TokenRequestException {
        boolean dpopToken = tokenResponse.accessToken().type().equals(TokenType.DPOP);
        if (proof == null && dpopToken) {
            // a DPoP-bound token is useless without the key of a proof this request never sent (RFC 9449 §5),
            // and sending it as if it were a bearer token would only leak it
            throw new MalformedTokenResponseException("token response has token_type DPoP, but this request sent no "
                    + "DPoP proof", response.statusCode());
        }
        if (proof != null) {
            if (dpopToken) {
                Optional<String> bound = CertificateBinding.boundKey(tokenResponse);
                if (bound.isPresent() && !MessageDigest.isEqual(bound.get().getBytes(StandardCharsets.US_ASCII),
                        proof.thumbprint().getBytes(StandardCharsets.US_ASCII))) {
                    throw new MalformedTokenResponseException("access token is bound to DPoP key jkt=" + Printable.of(bound.get())
                            + " but the proof was signed by jkt=" + proof.thumbprint(), response.statusCode());
                }
                tokenResponse = tokenResponse.withAccessToken(tokenResponse.accessToken().withBoundKey(proof.thumbprint()));
            } else if (!allowBearerFallback) {
                throw new DPoPException("DPoP was requested, but " + Origins.of(tokenEndpoint) + " issued a token of type "
                        + tokenResponse.accessToken().type() + ": the server does not support DPoP for this client; "
                        + "allowBearerFallback() accepts such tokens", response.statusCode(), false);
            } else if (!bearerFallbackLogged) {
                bearerFallbackLogged = true;
                LOG.log(Level.WARNING, "DPoP was requested, but {0} issued a {1} token; using it as allowed",
                        Origins.of(tokenEndpoint), tokenResponse.accessToken().type());
            }
        }
        Optional<TlsClientIdentity> identity = transport.clientIdentity();
        if (identity.isPresent()) {
            CertificateThumbprint presented = identity.get().thumbprint();
            Optional<CertificateThumbprint> bound = CertificateBinding.boundThumbprint(tokenResponse);
            if (bound.isPresent()) {
                if (!bound.get().matches(presented)) {
                    throw new MalformedTokenResponseException("access token is bound to certificate x5t#S256="
                            + bound.get() + " but the client presented x5t#S256=" + presented, response.statusCode());
                }
                return tokenResponse.withAccessToken(tokenResponse.accessToken().withBoundCertificate(presented));
            }
            if (requireBoundToken) {
                throw new MalformedTokenResponseException("a certificate-bound token was required, but the access "
                        + "token shows no cnf.x5t#S256 binding", response.statusCode());
            }
        }
        return tokenResponse;
    }

    /**
     * What the request carried that a server must not be able to echo into a message or log: the
     * Authorization header, its Basic credentials (encoded, decoded, and each half, form-encoded or
     * not), the client secret and assertion of the form, and the DPoP proof.
     */
    private static List<String> sensitiveValues(TokenRequestMessage message, DPoPProofs.Proof proof) {
        List<String> values = new ArrayList<>();
        if (proof != null) {
            values.add(proof.value());
        }
        String authorization = message.header("Authorization");
        if (authorization != null) {
            values.add(authorization);
            int space = authorization.indexOf(' ');
            if (space > 0) {
                String credentials = authorization.substring(space + 1).strip();
                values.add(credentials);
                try {
                    String decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
                    values.add(decoded);
                    int colon = decoded.indexOf(':');
                    if (colon >= 0) {
                        String secret = decoded.substring(colon + 1);
                        values.add(secret);
                        values.add(URLDecoder.decode(secret, StandardCharsets.UTF_8));
                    }
                } catch (IllegalArgumentException notBasic) {
                    // not Basic credentials: the header value itself is redacted
                }
            }
        }
        for (String name : List.of("client_secret", "client_assertion")) {
            for (String value : message.formParameters().getOrDefault(name, List.of())) {
                values.add(value);
                values.add(FormEncoding.encode(value));
            }
        }
        values.sort((a, b) -> Integer.compare(b.length(), a.length())); // longest first: no partial leftovers
        return values;
    }

    @Override
    public String toString() {
        return "TokenClient[" + tokenEndpoint + ", " + authentication.method() + ", clientId=" + authentication.clientId() + "]";
    }

    /** Builds a {@link TokenClient}. Not thread-safe. */
    public static final class Builder {
        private final ClientAuthentication authentication;
        private URI tokenEndpoint;
        private AuthorizationServerMetadata metadata;
        private URI issuer;
        private HttpTransport transport;
        private ClientTls tls;
        private Clock clock = Clock.systemUTC();
        private boolean allowUnadvertised;
        private boolean requireBoundToken;
        private DPoPProofs dpop;
        private boolean allowBearerFallback;

        private Builder(ClientAuthentication authentication) {
            this.authentication = authentication;
        }

        /** The authorization server's issuer identifier: the audience of client assertions. */
        public Builder issuer(URI issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /**
         * The transport; default: a {@link JdkHttpTransport} on {@link #tls} (by default the mTLS
         * method's identity, or none, and the JDK's trust store).
         */
        public Builder transport(HttpTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /**
         * TLS for the default transport: trust, and the client identity (for an mTLS method its
         * identity, which is added when {@code tls} has none).
         */
        public Builder tls(ClientTls tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * A weakening: use the authentication method even though the metadata does not list it in
         * {@code token_endpoint_auth_methods_supported}. Logs one warning.
         */
        public Builder allowUnadvertisedAuthenticationMethod() {
            this.allowUnadvertised = true;
            return this;
        }

        /**
         * Fail a token response unless the token is visibly bound to the presented certificate
         * ({@code cnf.x5t#S256} in a JWT access token or in the response). Needs a transport with
         * a client certificate.
         */
        public Builder requireCertificateBoundToken() {
            this.requireBoundToken = true;
            return this;
        }

        /**
         * Sends a DPoP proof (RFC 9449) with every token request, so the server binds the token to
         * the proof key ({@code token_type: DPoP}); works with every authentication method, mutual
         * TLS included. A {@code 400 use_dpop_nonce} answer with a {@code DPoP-Nonce} is retried
         * once with the nonce. A {@code Bearer} token in answer fails with {@link DPoPException}
         * unless {@link #allowBearerFallback()} is set.
         */
        public Builder dpop(DPoPProofs proofs) {
            this.dpop = Objects.requireNonNull(proofs, "proofs");
            return this;
        }

        /**
         * A weakening: accept a {@code Bearer} token when DPoP was asked for (a server without DPoP
         * support). Logs one warning.
         */
        public Builder allowBearerFallback() {
            this.allowBearerFallback = true;
            return this;
        }

        /**
         * @throws IllegalStateException if the method is not advertised by the metadata (without the opt-out),
         *     if an mTLS method's certificate is not presented by the transport, or if the metadata has no
         *     token endpoint
         * @throws IllegalArgumentException if the endpoint is not https (or http to loopback)
         */
        public TokenClient build() {
            Optional<TlsClientIdentity> methodIdentity = authentication.tlsIdentity();
            HttpTransport chosen = transport;
            if (chosen == null) {
                chosen = JdkHttpTransport.builder().tls(ClientTls.forMethod(tls, methodIdentity.orElse(null))).build();
            } else if (tls != null) {
                throw new IllegalStateException("tls applies to the default transport only; "
                        + "configure TLS on the given transport instead");
            }
            if (methodIdentity.isPresent() && chosen.clientIdentity().orElse(null) != methodIdentity.get()) {
                throw new IllegalStateException(authentication.method() + " authenticates with a TLS client "
                        + "certificate, but the transport does not present that identity: build the transport with it");
            }
            if (requireBoundToken && chosen.clientIdentity().isEmpty()) {
                throw new IllegalStateException("requireCertificateBoundToken needs a transport that presents a client certificate");
            }
            URI endpoint = tokenEndpoint;
            if (metadata != null) {
                if (!metadata.tokenEndpointAuthMethodsSupported().contains(authentication.method())) {
                    if (!allowUnadvertised) {
                        throw new IllegalStateException("authentication method " + authentication.method()
                                + " is not in token_endpoint_auth_methods_supported "
                                + metadata.tokenEndpointAuthMethodsSupported() + " of " + metadata.issuer()
                                + "; call allowUnadvertisedAuthenticationMethod() if the server accepts it anyway");
                    }
                    LOG.log(Level.WARNING, "authentication method {0} is not advertised by {1}; using it anyway",
                            authentication.method(), metadata.issuer());
                }
                Optional<List<String>> dpopAlgorithms = metadata.dpopSigningAlgValuesSupported();
                if (dpop != null && dpopAlgorithms.isPresent() && !dpopAlgorithms.get().contains(dpop.algorithm())) {
                    throw new IllegalStateException("the DPoP key's algorithm " + dpop.algorithm() + " is not in "
                            + "dpop_signing_alg_values_supported " + dpopAlgorithms.get() + " of " + metadata.issuer()
                            + "; use a DPoP key of one of those algorithms");
                }
                Optional<URI> fromMetadata = chosen.clientIdentity().isPresent()
                        ? metadata.mtlsTokenEndpoint() : metadata.tokenEndpoint();
                endpoint = fromMetadata.orElseThrow(() -> new IllegalStateException(
                        "metadata of " + metadata.issuer() + " has no token_endpoint"));
            }
            checkEndpoint(endpoint);
            return new TokenClient(this, endpoint, chosen);
        }

        private static void checkEndpoint(URI endpoint) {
            if (Endpoints.isSecureOrLoopback(endpoint)) {
                return;
            }
            throw new IllegalArgumentException("token endpoint must use https (http is allowed only to a loopback host): "
                    + endpoint);
        }
    }
}
