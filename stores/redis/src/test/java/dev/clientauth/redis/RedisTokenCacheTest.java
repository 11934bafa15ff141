package dev.clientauth.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.RefreshPolicy;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.TokenType;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.http.TransportResponse;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Five replicas' token sources sharing tokens through a private redis-server on 127.0.0.1. */
class RedisTokenCacheTest {
    private static final long EXPIRES_IN = 4;
    private RedisServer redis;
    private SecretKey key;
    /** The authorization server: counts token requests and answers tokens of EXPIRES_IN seconds. */
    private final AtomicInteger requests = new AtomicInteger();
    private final HttpTransport authorizationServer = request -> {
        int n = requests.incrementAndGet();
        try {
            Thread.sleep(30); // a round trip
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new TransportResponse(200, Map.of("Content-Type", List.of("application/json")),
                ("{\"access_token\":\"shared-token-" + n + "\",\"token_type\":\"Bearer\",\"expires_in\":" + EXPIRES_IN + "}")
                        .getBytes(StandardCharsets.UTF_8));
    };

    @BeforeEach
    void start() throws Exception {
        redis = new RedisServer();
        KeyGenerator generator = KeyGenerator.getInstance("AES");
        generator.init(256);
        key = generator.generateKey();
    }

    @AfterEach
    void stop() throws Exception {
        redis.close();
    }

    private RedisTokenCache cache() {
        return RedisTokenCache.create(RedisURI.create(redis.uri()), key, "clientauth:tokens:", Duration.ofMillis(200));
    }

    private TokenSource replica(RedisTokenCache cache) {
        return TokenSource.forTokenEndpoint(URI.create("https://as.example/token"),
                        ClientSecretBasic.of(ClientId.of("replicated"), Secret.of("replicated-secret")))
                .transport(authorizationServer).sharedTokenCache(cache, Duration.ofSeconds(1))
                .refreshPolicy(RefreshPolicy.defaults().withMinimumTimeLeft(Duration.ofMillis(500))
                        .withExpiryLeeway(Duration.ofMillis(300)))
                .build();
    }

    /** Five replicas, each with its own connection to the shared cache (collected in {@code caches}). */
    private List<TokenSource> fiveReplicas(List<RedisTokenCache> caches) {
        List<TokenSource> replicas = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RedisTokenCache cache = cache();
            caches.add(cache);
            replicas.add(replica(cache));
        }
        return replicas;
    }

    /** 1,000 callers spread over the replicas ask for tokens for {@code run}; the errors they got. */
    private static List<Throwable> callers(List<TokenSource> replicas, Duration run, Runnable midway) throws Exception {
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        long end = System.nanoTime() + run.toNanos();
        CountDownLatch done = new CountDownLatch(1000);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            TokenSource replica = replicas.get(i % replicas.size());
            Thread thread = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        AccessToken token = replica.token();
                        if (token.value().isEmpty()) {
                            throw new IllegalStateException("empty token");
                        }
                        Thread.sleep(50);
                    }
                } catch (Throwable t) {
                    errors.add(t);
                } finally {
                    done.countDown();
                }
            });
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        if (midway != null) {
            Thread.sleep(run.toMillis() / 2);
            midway.run();
        }
        done.await();
        return new ArrayList<>(errors);
    }

    @Test
    void fiveReplicas_oneTokenRequestPerRefreshCycle() throws Exception {
        List<RedisTokenCache> caches = new ArrayList<>();
        List<TokenSource> replicas = fiveReplicas(caches);
        try {
            Duration run = Duration.ofSeconds(9);
            List<Throwable> errors = callers(replicas, run, null);
            assertEquals(List.of(), errors);
            System.out.println("five replicas, 1,000 callers, " + run.toSeconds() + " s: " + requests.get() + " token requests");
            // refreshed at about 80 % of a 4 s lifetime: 3 to 4 cycles in 9 s, one request each across all five replicas
            int cycles = (int) Math.ceil(run.toMillis() / (EXPIRES_IN * 1000 * 0.75)) + 1;
            assertTrue(requests.get() <= cycles, requests.get() + " token requests for at most " + cycles + " cycles");
            assertTrue(requests.get() >= 2, "tokens were refreshed: " + requests.get());
        } finally {
            replicas.forEach(TokenSource::close);
            caches.forEach(RedisTokenCache::close);
        }
    }

    @Test
    void tokensAreSealedInRedis_andOnlyOpenWithTheKey() throws Exception {
        try (RedisTokenCache cache = cache(); RedisClient client = RedisClient.create(redis.uri());
                StatefulRedisConnection<String, String> connection = client.connect()) {
            AccessToken token = new AccessToken("bearer-secret-value", TokenType.BEARER, Instant.now(),
                    Instant.now().plusSeconds(60), Set.of("accounts"), null).withBoundKey("jkt-of-the-key");
            cache.put("k1", token, Instant.now().plusSeconds(30));
            List<String> keys = connection.sync().keys("*");
            assertEquals(List.of("clientauth:tokens:token:k1"), keys);
            String stored = connection.sync().get(keys.get(0));
            assertFalse(stored.contains("bearer-secret-value") || stored.contains("accounts") || stored.contains("jkt-of"), stored);
            AccessToken opened = cache.get("k1").orElseThrow();
            assertTrue(opened.sameValueAs(token));
            assertEquals("jkt-of-the-key", opened.boundKey().orElseThrow());
            assertEquals(Set.of("accounts"), opened.scopes());
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256);
            try (RedisTokenCache otherKey = RedisTokenCache.create(RedisURI.create(redis.uri()), generator.generateKey(),
                    "clientauth:tokens:", Duration.ofMillis(200))) {
                assertTrue(otherKey.get("k1").isEmpty(), "a replica with another key finds nothing it can use");
            }
            // moved to another key, the sealed value does not open (the key name is authenticated)
            connection.sync().set("clientauth:tokens:token:k2", stored);
            assertTrue(cache.get("k2").isEmpty());
        }
    }

    @Test
    void redisStoppedMidRun_eachReplicaFallsBack_noCallerError() throws Exception {
        List<RedisTokenCache> caches = new ArrayList<>();
        List<TokenSource> replicas = fiveReplicas(caches);
        try {
            List<Throwable> errors = callers(replicas, Duration.ofSeconds(9), () -> {
                try {
                    redis.stop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertEquals(List.of(), errors, "token acquisition never fails because Redis is down");
            System.out.println("five replicas, Redis stopped after 4.5 s of 9 s: " + requests.get() + " token requests");
            // after Redis went away each replica requests for itself: at most one request per cycle per replica
            assertTrue(requests.get() <= 5 * 4 + 4, "requests " + requests.get());
        } finally {
            replicas.forEach(TokenSource::close);
            caches.forEach(RedisTokenCache::close);
        }
    }

    @Test
    void aBoundToken_isOnlyFoundByReplicasHoldingTheSameDPoPKey() throws Exception {
        AtomicInteger dpopRequests = new AtomicInteger();
        HttpTransport dpopServer = request -> new TransportResponse(200, Map.of("Content-Type", List.of("application/json")),
                ("{\"access_token\":\"dpop-token-" + dpopRequests.incrementAndGet() + "\",\"token_type\":\"DPoP\",\"expires_in\":300}")
                        .getBytes(StandardCharsets.UTF_8));
        dev.clientauth.dpop.DPoPKey keyA = dev.clientauth.dpop.DPoPKey.generate();
        dev.clientauth.dpop.DPoPKey keyB = dev.clientauth.dpop.DPoPKey.generate();
        List<RedisTokenCache> caches = new ArrayList<>();
        List<TokenSource> sources = new ArrayList<>();
        try {
            for (dev.clientauth.dpop.DPoPKey key : List.of(keyA, keyB, keyA)) {
                RedisTokenCache cache = cache();
                caches.add(cache);
                sources.add(TokenSource.forTokenEndpoint(URI.create("https://as.example/token"),
                                ClientSecretBasic.of(ClientId.of("replicated"), Secret.of("replicated-secret")))
                        .transport(dpopServer).dpop(dev.clientauth.dpop.DPoP.with(key))
                        .sharedTokenCache(cache, Duration.ofMillis(200)).build());
            }
            assertEquals("dpop-token-1", sources.get(0).token().value());
            assertEquals("dpop-token-2", sources.get(1).token().value(), "another key: its own token");
            AccessToken third = sources.get(2).token();
            assertEquals("dpop-token-1", third.value(), "the same key: the shared token");
            assertEquals(keyA.thumbprint(), third.boundKey().orElseThrow());
            assertEquals(2, dpopRequests.get());
        } finally {
            sources.forEach(TokenSource::close);
            caches.forEach(RedisTokenCache::close);
        }
    }
}
