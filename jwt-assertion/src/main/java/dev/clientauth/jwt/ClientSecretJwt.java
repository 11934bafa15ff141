package dev.clientauth.jwt;

import dev.clientauth.core.internal.Jca;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientAuthentication;
import dev.clientauth.core.ClientAuthenticationException;
import dev.clientauth.core.ClientAuthenticationMethod;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TokenRequestMessage;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code client_secret_jwt}: a client assertion signed with HMAC using the client secret.
 * HS256 by default (HS384 and HS512 allowed); a secret shorter than the hash output is refused
 * (RFC 7518 §3.2).
 *
 * <pre>
 * client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&amp;client_assertion=...&amp;client_id=...
 * </pre>
 *
 * <p>Specifications: RFC 7523 §2.2; OpenID Connect Core §9; RFC 7518 §3.2.
 * <p>Immutable and thread-safe. {@code toString} prints the client id only.
 */
public final class ClientSecretJwt implements ClientAuthentication {
    private final AssertionPolicy policy;
    private final HmacKey key;

    private ClientSecretJwt(Builder builder, HmacKey key) {
        this.policy = builder.policy.build();
        this.key = key;
    }

    public static Builder builder(ClientId clientId, Secret secret) {
        return new Builder(clientId, secret);
    }

    public static ClientSecretJwt of(ClientId clientId, Secret secret) {
        return builder(clientId, secret).build();
    }

    @Override
    public ClientAuthenticationMethod method() {
        return ClientAuthenticationMethod.CLIENT_SECRET_JWT;
    }

    @Override
    public ClientId clientId() {
        return policy.clientId;
    }

    public SignedClientAssertion createAssertion(AuthenticationContext context) throws ClientAuthenticationException {
        try {
            return policy.writer().write(key, policy.audience(context, "client_secret_jwt"), context.clock().instant());
        } catch (SigningException e) {
            throw new ClientAuthenticationException("cannot sign the client assertion for " + policy.clientId, e);
        }
    }

    @Override
    public void authenticate(TokenRequestMessage request, AuthenticationContext context) throws ClientAuthenticationException {
        policy.addTo(request, createAssertion(context));
    }

    @Override
    public String toString() {
        return "ClientSecretJwt[clientId=" + policy.clientId + ", alg=" + key.algorithm + "]";
    }

    /** HMAC with the secret; one {@link Mac} per thread. */
    private static final class HmacKey implements SigningKey {
        private final SignatureAlgorithm algorithm;
        private final SecretKeySpec secret;
        private final ThreadLocal<Mac> macs;

        HmacKey(SignatureAlgorithm algorithm, Secret secret) {
            this.algorithm = algorithm;
            byte[] bytes = secret.revealBytes();
            this.secret = new SecretKeySpec(bytes, algorithm.jcaName());
            java.util.Arrays.fill(bytes, (byte) 0);
            this.macs = ThreadLocal.withInitial(() -> {
                try {
                    Mac mac = Jca.mac(algorithm.jcaName());
                    mac.init(this.secret);
                    return mac;
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(algorithm + " is not available", e);
                }
            });
        }

        @Override
        public SignatureAlgorithm algorithm() {
            return algorithm;
        }

        @Override
        public Optional<String> keyId() {
            return Optional.empty();
        }

        @Override
        public byte[] sign(byte[] signingInput) {
            return macs.get().doFinal(signingInput);
        }

        @Override
        public String toString() {
            return "HmacKey[" + algorithm + "]";
        }
    }

    /** Builds a {@link ClientSecretJwt}. Not thread-safe. */
    public static final class Builder {
        private final AssertionPolicy.Draft policy;
        private final Secret secret;
        private SignatureAlgorithm algorithm = SignatureAlgorithm.HS256;

        private Builder(ClientId clientId, Secret secret) {
            this.policy = new AssertionPolicy.Draft(clientId);
            this.secret = Objects.requireNonNull(secret, "secret");
        }

        /** HS256 (default), HS384 or HS512. */
        public Builder algorithm(SignatureAlgorithm algorithm) {
            if (!Objects.requireNonNull(algorithm, "algorithm").isHmac()) {
                throw new IllegalArgumentException("client_secret_jwt needs an HMAC algorithm, not " + algorithm);
            }
            this.algorithm = algorithm;
            return this;
        }

        public Builder lifetime(Duration lifetime) {
            policy.lifetime(lifetime);
            return this;
        }

        public Builder includeNotBefore() {
            policy.notBefore = true;
            return this;
        }

        public Builder withoutTypHeader() {
            policy.withoutTypHeader();
            return this;
        }

        public Builder omitClientIdParameter() {
            policy.clientIdParameter = false;
            return this;
        }

        public Builder legacyTokenEndpointAudience() {
            policy.legacyAudience(AssertionPolicy.Audience.TOKEN_ENDPOINT);
            return this;
        }

        public Builder legacyAudienceArray() {
            policy.legacyAudience(AssertionPolicy.Audience.ISSUER_AND_TOKEN_ENDPOINT);
            return this;
        }

        /**
         * @throws IllegalArgumentException if the secret is shorter than the algorithm's hash output
         */
        public ClientSecretJwt build() {
            if (secret.length() < algorithm.size()) {
                throw new IllegalArgumentException("client_secret_jwt with " + algorithm + " needs a secret of at least "
                        + algorithm.size() + " bytes, the secret has " + secret.length());
            }
            return new ClientSecretJwt(this, new HmacKey(algorithm, secret));
        }
    }
}
