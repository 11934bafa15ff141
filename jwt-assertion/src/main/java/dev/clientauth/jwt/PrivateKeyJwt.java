package dev.clientauth.jwt;

import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientAuthentication;
import dev.clientauth.core.ClientAuthenticationException;
import dev.clientauth.core.ClientAuthenticationMethod;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.TokenRequestMessage;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code private_key_jwt}: the client authenticates with a JWT signed by its private key,
 * fresh for every request.
 *
 * <pre>
 * client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer
 * &amp;client_assertion=eyJhbGciOiJQUzI1NiIsInR5cCI6ImNsaWVudC1hdXRoZW50aWNhdGlvbitqd3QiLCJraWQiOiIuLi4ifQ...
 * &amp;client_id=...
 *
 * header: {"alg":"PS256","typ":"client-authentication+jwt","kid":"..."}
 * claims: {"iss":client_id,"sub":client_id,"aud":issuer,"iat":now,"exp":now+60,"jti":128 random bits}
 * </pre>
 *
 * <p>Defaults follow draft-ietf-oauth-rfc7523bis and FAPI 2.0: {@code aud} is the issuer
 * identifier as a single string, lifetime 60 s (at most 5 minutes), {@code typ} set, a fresh
 * {@code jti} each time; an assertion is never reused. The key is read from the
 * {@link AssertionSigner} for every assertion, so a rotating signer needs no rebuilt client.
 *
 * <p>Specifications: RFC 7521 §4.2; RFC 7523 §2.2, §3; draft-ietf-oauth-rfc7523bis; OpenID Connect
 * Core §9; FAPI 2.0 Security Profile §5.3.2.
 * <p>Immutable and thread-safe. {@code toString} prints no key material.
 */
public final class PrivateKeyJwt implements ClientAuthentication {
    private final AssertionPolicy policy;
    private final AssertionSigner signer;

    private PrivateKeyJwt(Builder builder) {
        this.policy = builder.policy.build();
        this.signer = builder.signer;
    }

    public static Builder builder(ClientId clientId, AssertionSigner signer) {
        return new Builder(clientId, signer);
    }

    /** {@code private_key_jwt} with every default. */
    public static PrivateKeyJwt of(ClientId clientId, AssertionSigner signer) {
        return builder(clientId, signer).build();
    }

    @Override
    public ClientAuthenticationMethod method() {
        return ClientAuthenticationMethod.PRIVATE_KEY_JWT;
    }

    @Override
    public ClientId clientId() {
        return policy.clientId;
    }

    /**
     * Makes and signs a fresh assertion for the given context.
     *
     * @throws ClientAuthenticationException if the issuer is unknown or the signer fails
     */
    public SignedClientAssertion createAssertion(AuthenticationContext context) throws ClientAuthenticationException {
        try {
            SigningKey key = signer.currentKey();
            if (key.algorithm().isHmac()) {
                throw new ClientAuthenticationException("private_key_jwt never signs with " + key.algorithm());
            }
            return policy.writer().write(key, policy.audience(context, "private_key_jwt"), context.clock().instant());
        } catch (SigningException e) {
            throw new ClientAuthenticationException("cannot sign the client assertion for " + policy.clientId + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void authenticate(TokenRequestMessage request, AuthenticationContext context) throws ClientAuthenticationException {
        policy.addTo(request, createAssertion(context));
    }

    @Override
    public String toString() {
        return "PrivateKeyJwt[clientId=" + policy.clientId + ", signer=" + signer + "]";
    }

    /** Builds a {@link PrivateKeyJwt}. Not thread-safe. */
    public static final class Builder {
        private final AssertionPolicy.Draft policy;
        private final AssertionSigner signer;

        private Builder(ClientId clientId, AssertionSigner signer) {
            this.policy = new AssertionPolicy.Draft(clientId);
            this.signer = Objects.requireNonNull(signer, "signer");
        }

        /** Assertion lifetime; default 60 s, at most 5 minutes. */
        public Builder lifetime(Duration lifetime) {
            policy.lifetime(lifetime);
            return this;
        }

        /** Adds {@code nbf} = {@code iat}. */
        public Builder includeNotBefore() {
            policy.notBefore = true;
            return this;
        }

        /** Adds the {@code x5t#S256} header from the signing key's certificate. */
        public Builder includeCertificateThumbprint() {
            policy.x5t = true;
            return this;
        }

        /** A weakening for servers that reject {@code typ: client-authentication+jwt}. Logs a warning. */
        public Builder withoutTypHeader() {
            policy.withoutTypHeader();
            return this;
        }

        /** Do not send {@code client_id} next to the assertion (it is optional in RFC 7523). */
        public Builder omitClientIdParameter() {
            policy.clientIdParameter = false;
            return this;
        }

        /** Legacy: the token endpoint URL as {@code aud} instead of the issuer. Logs a warning. */
        public Builder legacyTokenEndpointAudience() {
            policy.legacyAudience(AssertionPolicy.Audience.TOKEN_ENDPOINT);
            return this;
        }

        /** Legacy: {@code aud} as an array of the issuer and the token endpoint. Logs a warning. */
        public Builder legacyAudienceArray() {
            policy.legacyAudience(AssertionPolicy.Audience.ISSUER_AND_TOKEN_ENDPOINT);
            return this;
        }

        /**
         * @throws IllegalArgumentException if the signer's current key is an HMAC key, or the
         *     certificate thumbprint is requested but the key has none
         */
        public PrivateKeyJwt build() {
            if (signer instanceof SigningKey) {
                SigningKey key = (SigningKey) signer;
                if (key.algorithm().isHmac()) {
                    throw new IllegalArgumentException("private_key_jwt cannot use " + key.algorithm()
                            + "; use ClientSecretJwt for HMAC");
                }
                if (policy.x5t && key.certificateThumbprint().isEmpty()) {
                    throw new IllegalArgumentException("includeCertificateThumbprint() needs a signing key with a certificate");
                }
            }
            return new PrivateKeyJwt(this);
        }
    }
}
