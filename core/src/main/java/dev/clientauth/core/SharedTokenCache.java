package dev.clientauth.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A second cache level under {@link TokenSource}'s own, shared by the replicas of one client
 * (for example on Redis, {@code clientauth-redis}), so that N replicas make one token request
 * per refresh cycle instead of N. Keys are opaque hashes made by the token source from the
 * client, the token endpoint, the request, the presented certificate's thumbprint and the DPoP
 * key's thumbprint: a bound token is only found by replicas that hold the same certificate or key.
 *
 * <p>A shared cache must never make token acquisition fail: when its store is unavailable,
 * {@link #get} returns empty, {@link #tryLease} returns true (request yourself) and {@link #put}
 * does nothing. Tokens are bearer secrets at rest: implementations encrypt them.
 * Implementations are thread-safe.
 */
public interface SharedTokenCache {
    /** The token stored under {@code key}, if any. */
    Optional<AccessToken> get(String key);

    /** Stores {@code token} under {@code key} until {@code storeUntil}. */
    void put(String key, AccessToken token, Instant storeUntil);

    /**
     * Takes the lease of requesting a new token for {@code key} for {@code lease}: true when
     * this replica should make the request (it got the lease, or the store cannot tell), false
     * when another replica holds it.
     */
    boolean tryLease(String key, Duration lease);
}
