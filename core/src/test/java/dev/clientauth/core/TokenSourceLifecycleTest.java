package dev.clientauth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.MutableClock;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.http.TransportResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The token source's life with default settings, on a simulated clock: token lifetimes from 5 s
 * to an hour, an outage of the authorization server, and a wall-clock jump (a suspended machine
 * or a restored checkpoint). Background work runs on the calling thread so every step is exact.
 */
class TokenSourceLifecycleTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
    private final AtomicInteger issued = new AtomicInteger();
    private final List<Long> requestTimes = new CopyOnWriteArrayList<>();
    private final List<TokenEvent> events = new CopyOnWriteArrayList<>();
    private volatile boolean failing;
    private volatile long lifetimeSeconds = 3600;

    private final HttpTransport transport = request -> {
        requestTimes.add(clock.millis());
        if (failing) {
            return new TransportResponse(503, Map.of("Content-Type", List.of("text/plain")),
                    "unavailable".getBytes(StandardCharsets.UTF_8));
        }
        String json = "{\"access_token\":\"tok-" + issued.incrementAndGet() + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                + lifetimeSeconds + "}";
        return new TransportResponse(200, Map.of("Content-Type", List.of("application/json")),
                json.getBytes(StandardCharsets.UTF_8));
    };

    private TokenSource source() {
        return TokenSource.forTokenEndpoint(URI.create("https://as.example/token"),
                        ClientSecretBasic.of(ClientId.of("client-1"), Secret.of("s3cr3t-value")))
                .transport(transport).clock(clock).executor(Runnable::run).listener(events::add)
                .sleeper(clock::advance).build();
    }

    @Test
    void requestStorm_beforeAndAfter_shortTokens() throws Exception {
        // the storm measured before: expires_in=10 made a request on almost every call once the token was due on arrival
        lifetimeSeconds = 10;
        try (TokenSource source = source()) {
            for (int i = 0; i < 1500; i++) { // 15 s, a call every 10 ms
                source.token();
                clock.advance(Duration.ofMillis(10));
            }
        }
        assertTrue(requestTimes.size() <= 3, requestTimes.size() + " requests in 15 s with 10 s tokens");
    }

    private long count(TokenEvent.Type type) {
        return events.stream().filter(e -> e.type() == type).count();
    }

    @ParameterizedTest
    @ValueSource(longs = {5, 10, 30, 60, 300, 3600})
    void defaults_anyLifetime_oneRequestPerLifetime_noCallerEverWaits(long lifetime) throws Exception {
        lifetimeSeconds = lifetime;
        long step = lifetime * 1000 / 200;
        long lifetimes = 10;
        try (TokenSource source = source()) {
            for (long t = 0; t < lifetimes * lifetime * 1000; t += step) {
                AccessToken token = source.token();
                assertTrue(token.expiresAt().orElseThrow().isAfter(clock.instant()), "an expired token was served");
                clock.advance(Duration.ofMillis(step));
            }
        }
        int requests = requestTimes.size();
        // each token is refreshed once, at 75-85 % of its usable window (at least 90 % of its lifetime)
        assertTrue(requests >= lifetimes && requests <= Math.ceil(lifetimes / (0.75 * 0.9)) + 1,
                lifetime + " s tokens: " + requests + " requests in " + lifetimes + " lifetimes");
        assertEquals(1, count(TokenEvent.Type.FETCHED), "only the first call found no valid token");
        assertEquals(requests - 1, count(TokenEvent.Type.REFRESHED));
    }

    @Test
    void outage_whileTheTokenIsValid_aHandfulOfRequestsIn20Seconds_andAnAttemptJustBeforeExpiry() throws Exception {
        try (TokenSource source = source()) {
            AccessToken first = source.token();
            clock.advance(Duration.ofSeconds(3060)); // past every possible refresh point (75-85 % of 59:50)
            failing = true;
            requestTimes.clear();
            for (int i = 0; i < 400; i++) { // 20 s of calls every 50 ms
                assertEquals(first.value(), source.token().value());
                clock.advance(Duration.ofMillis(50));
            }
            assertTrue(requestTimes.size() >= 3 && requestTimes.size() <= 6,
                    requestTimes.size() + " requests in a 20 s outage");
            long usableUntil = first.expiresAt().orElseThrow().toEpochMilli() - 10_000;
            while (clock.millis() < usableUntil) {
                assertEquals(first.value(), source.token().value());
                clock.advance(Duration.ofMillis(100));
            }
            long last = requestTimes.get(requestTimes.size() - 1);
            assertTrue(usableUntil - last <= 3_000, "last background attempt " + (usableUntil - last) + " ms before expiry");
            assertTrue(requestTimes.size() < 80, requestTimes.size() + " requests in a 12-minute outage");
            assertTrue(count(TokenEvent.Type.SERVED_STALE) >= 3);
        }
    }

    @Test
    void wallClockJump_pastExpiry_neverServesTheOldToken() throws Exception {
        try (TokenSource source = source()) {
            AccessToken before = source.token();
            assertEquals(before.value(), source.token().value());
            clock.advance(Duration.ofHours(2)); // suspended, or restored from a checkpoint: nothing ran meanwhile
            AccessToken after = source.token();
            assertNotEquals(before.value(), after.value());
            assertEquals(2, count(TokenEvent.Type.FETCHED), "the old token was expired, not refreshed");
            assertTrue(after.expiresAt().orElseThrow().isAfter(clock.instant()));
        }
    }

    @Test
    void invalidateAll_dropsEveryCachedToken() throws Exception {
        try (TokenSource source = source()) {
            AccessToken a = source.token();
            AccessToken b = source.token(TokenRequest.builder().scope("other").build());
            source.invalidateAll();
            assertNotEquals(a.value(), source.token().value());
            assertNotEquals(b.value(), source.token(TokenRequest.builder().scope("other").build()).value());
            assertEquals(4, requestTimes.size());
            assertEquals(2, count(TokenEvent.Type.INVALIDATED));
        }
    }

    @Test
    void manyDistinctRequests_cacheStaysBounded_defaultKept() throws Exception {
        try (TokenSource source = source()) {
            AccessToken main = source.token();
            for (int i = 0; i < TokenSource.MAX_CACHED_REQUESTS + 100; i++) {
                source.token(TokenRequest.builder().scope("scope-" + i).build());
            }
            assertTrue(source.cachedRequests() <= TokenSource.MAX_CACHED_REQUESTS + 1, "entries: " + source.cachedRequests());
            int before = requestTimes.size();
            assertEquals(main.value(), source.token().value(), "the default request is never evicted");
            assertEquals(before, requestTimes.size());
        }
    }

    @Test
    void tokenAsync_futureOfAFlightCannotBeCompletedByACaller() throws Exception {
        try (TokenSource source = source()) {
            var future = source.tokenAsync();
            future.complete(null); // a caller tampering with its own copy
            assertEquals("tok-1", source.token().value());
            assertEquals("tok-1", source.tokenAsync().get().value());
        }
    }
}
