package dev.clientauth.jwt.verifier;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import dev.clientauth.jwt.Jwks;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.security.PublicKey;
import java.util.Optional;
import java.util.function.Function;

/** Finds a client's public key by {@code kid}, for example from its cached JWKS. Thread-safe. */
@FunctionalInterface
public interface ClientKeyResolver {
    Optional<PublicKey> publicKey(String clientId, String kid);

    /**
     * The key for an assertion signed with {@code algorithm}; by default the key by {@code kid}.
     * Resolvers that know the key's intended use and algorithm refuse a key meant for something else.
     */
    default Optional<PublicKey> publicKey(String clientId, String kid, SignatureAlgorithm algorithm) {
        return publicKey(clientId, kid);
    }

    /**
     * Keys from one JWKS cache per client; {@code caches} maps client id to its cache. A JWK whose
     * {@code use} is not {@code sig}, or whose {@code alg} is another algorithm, is not used.
     */
    static ClientKeyResolver fromJwks(Function<String, JwksCache> caches) {
        return new ClientKeyResolver() {
            @Override
            public Optional<PublicKey> publicKey(String clientId, String kid) {
                return key(clientId, kid).flatMap(Jwks::toPublicKey);
            }

            @Override
            public Optional<PublicKey> publicKey(String clientId, String kid, SignatureAlgorithm algorithm) {
                return key(clientId, kid)
                        .filter(jwk -> jwk.getKeyUse() == null || KeyUse.SIGNATURE.equals(jwk.getKeyUse()))
                        .filter(jwk -> jwk.getAlgorithm() == null || jwk.getAlgorithm().getName().equals(algorithm.joseName()))
                        .flatMap(Jwks::toPublicKey);
            }

            private Optional<JWK> key(String clientId, String kid) {
                JwksCache cache = caches.apply(clientId);
                if (cache == null || kid == null) {
                    return Optional.empty();
                }
                return cache.key(kid);
            }
        };
    }
}
