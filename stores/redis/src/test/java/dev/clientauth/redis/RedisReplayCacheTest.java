package dev.clientauth.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.dpop.DPoPKey;
import dev.clientauth.dpop.DPoPProofVerifier;
import dev.clientauth.dpop.InvalidDPoPProofException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The replay cache on a real, private redis-server on 127.0.0.1. */
class RedisReplayCacheTest {
    private static final URI API = URI.create("https://api.example/accounts");
    private RedisServer redis;

    @BeforeEach
    void start() throws Exception {
        redis = new RedisServer();
    }

    @AfterEach
    void stop() throws Exception {
        redis.close();
    }

    private RedisReplayCache cache() {
        return RedisReplayCache.builder(RedisURI.create(redis.uri())).build();
    }

    @Test
    void twoVerifiers_oneRedis_aReplayToTheOtherIsRefused() throws Exception {
        try (RedisReplayCache nodeA = cache(); RedisReplayCache nodeB = cache()) {
            DPoPProofVerifier verifierA = DPoPProofVerifier.builder().replayCache(nodeA).build();
            DPoPProofVerifier verifierB = DPoPProofVerifier.builder().replayCache(nodeB).build();
            DPoPKey key = DPoPKey.generate();
            String proof = key.proof("GET", API, null, "token");
            verifierA.verify("GET", API, List.of(proof), "token", key.thumbprint());
            InvalidDPoPProofException replay = assertThrows(InvalidDPoPProofException.class,
                    () -> verifierB.verify("GET", API, List.of(proof), "token", key.thumbprint()));
            assertTrue(replay.getMessage().contains("jti"), replay.getMessage());
            // a fresh proof goes through either node
            verifierB.verify("GET", API, List.of(key.proof("GET", API, null, "token")), "token", key.thumbprint());
        }
    }

    @Test
    void keysAreNamespacedAndHashed_noRawJtiOrClientInRedis_expiringWithTheAssertion() {
        Instant now = Instant.now();
        try (RedisReplayCache cache = cache(); RedisClient client = RedisClient.create(redis.uri());
                StatefulRedisConnection<String, String> connection = client.connect()) {
            assertTrue(cache.firstUse("client-secret-name", "jti-visible-123", now.plusSeconds(60), now));
            assertFalse(cache.firstUse("client-secret-name", "jti-visible-123", now.plusSeconds(60), now));
            assertTrue(cache.firstUse("another-client", "jti-visible-123", now.plusSeconds(60), now), "jti is per client");
            List<String> keys = connection.sync().keys("*");
            assertEquals(4, keys.size(), keys.toString()); // a jti key and a quota set per client
            for (String key : keys) {
                assertTrue(key.startsWith("clientauth:replay:{"), key);
                assertFalse(key.contains("jti-visible") || key.contains("client-secret-name") || key.contains("another-client"), key);
                long ttl = connection.sync().pttl(key);
                assertTrue(ttl > 55_000 && ttl <= 60_000, key + " ttl " + ttl);
            }
        }
    }

    @Test
    void perClientQuota() {
        Instant now = Instant.now();
        try (RedisReplayCache cache = RedisReplayCache.builder(RedisURI.create(redis.uri())).maxPerClient(3).build()) {
            for (int i = 0; i < 3; i++) {
                assertTrue(cache.firstUse("busy", "jti-" + i, now.plusSeconds(60), now));
            }
            assertFalse(cache.firstUse("busy", "jti-3", now.plusSeconds(60), now), "over the quota");
            assertEquals(1, cache.quotaRefusals());
            assertTrue(cache.firstUse("quiet", "jti-3", now.plusSeconds(60), now), "another client has its own quota");
            // entries that expired leave the quota
            assertTrue(cache.firstUse("busy", "jti-4", now.plusSeconds(60), now.plusSeconds(120)));
        }
    }

    @Test
    void redisStopped_failsClosedWithinTheTimeout_thenRecoversOnRestart() throws Exception {
        try (RedisReplayCache cache = RedisReplayCache.builder(RedisURI.create(redis.uri())).timeout(Duration.ofMillis(200)).build()) {
            DPoPProofVerifier verifier = DPoPProofVerifier.builder().replayCache(cache).build();
            DPoPKey key = DPoPKey.generate();
            verifier.verify("GET", API, List.of(key.proof("GET", API, null, "t")), "t", key.thumbprint());
            redis.stop();
            long start = System.nanoTime();
            InvalidDPoPProofException refused = assertThrows(InvalidDPoPProofException.class,
                    () -> verifier.verify("GET", API, List.of(key.proof("GET", API, null, "t")), "t", key.thumbprint()));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 2_000, "failed closed after " + millis + " ms");
            assertEquals(InvalidDPoPProofException.INVALID_DPOP_PROOF, refused.error());
            assertTrue(cache.unavailableChecks() >= 1);
            redis.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            boolean recovered = false;
            while (!recovered && System.nanoTime() < deadline) {
                try {
                    verifier.verify("GET", API, List.of(key.proof("GET", API, null, "t")), "t", key.thumbprint());
                    recovered = true;
                } catch (InvalidDPoPProofException stillDown) {
                    Thread.sleep(100);
                }
            }
            assertTrue(recovered, "the cache works again once Redis is back");
            String proof = key.proof("GET", API, null, "t");
            verifier.verify("GET", API, List.of(proof), "t", key.thumbprint());
            assertThrows(InvalidDPoPProofException.class, () -> verifier.verify("GET", API, List.of(proof), "t", key.thumbprint()),
                    "replays are caught again after the restart");
        }
    }

    @Test
    void acceptWhenUnavailable_isANamedWeakening() throws Exception {
        Instant now = Instant.now();
        try (RedisReplayCache weakened = RedisReplayCache.builder(RedisURI.create(redis.uri())).timeout(Duration.ofMillis(200))
                .acceptWhenUnavailable().build(); RedisReplayCache strict = cache()) {
            redis.stop();
            assertTrue(weakened.firstUse("c", "j", now.plusSeconds(60), now));
            assertTrue(weakened.firstUse("c", "j", now.plusSeconds(60), now), "replays go undetected while Redis is down");
            assertFalse(strict.firstUse("c", "j", now.plusSeconds(60), now));
        }
    }
}
