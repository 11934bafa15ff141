package dev.clientauth.jwt.verifier;

import java.security.PublicKey;
import java.util.Optional;

/** Finds a client's public key by {@code kid}, for example from its cached JWKS. Thread-safe. */
@FunctionalInterface
public interface ClientKeyResolver {
    Optional<PublicKey> publicKey(String clientId, String kid);

    /** Keys from one JWKS cache per client; {@code caches} maps client id to its cache. */
    static ClientKeyResolver fromJwks(java.util.function.Function<String, JwksCache> caches) {
        return (clientId, kid) -> {
            JwksCache cache = caches.apply(clientId);
            if (cache == null || kid == null) {
                return Optional.empty();
            }
            return cache.key(kid).flatMap(dev.clientauth.jwt.Jwks::toPublicKey);
        };
    }
}
