package dev.clientauth.jwt.verifier;

import java.time.Instant;

/**
 * Remembers client assertion {@code jti}s until they expire, so that each assertion is accepted
 * once (RFC 7523 §3 item 7). Implementations for a cluster keep their state in a shared store.
 * Implementations are thread-safe.
 */
public interface ReplayCache {
    /**
     * Records the use of {@code jti} by {@code clientId}, valid until {@code expiresAt}.
     *
     * @return true if this is its first use; false if it was seen before (a replay), or the cache
     *     cannot record it (then the assertion must be refused: fail closed)
     */
    boolean firstUse(String clientId, String jti, Instant expiresAt, Instant now);
}
