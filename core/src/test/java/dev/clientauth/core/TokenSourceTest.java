package dev.clientauth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.MutableClock;
import dev.clientauth.certs.test.TestPki;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenSourceTest {
    private static final TestPki PKI = TestPki.create();
    private static final String SECRET = "token-source-secret";

    private HttpsMockServer server;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
    private final AtomicInteger issued = new AtomicInteger();
    private final LinkedBlockingQueue<MockResponse> scripted = new LinkedBlockingQueue<>();
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final List<TokenEvent> events = new CopyOnWriteArrayList<>();
    private TokenSource source;

    @BeforeEach
    void start() throws Exception {
        server = new HttpsMockServer(PKI);
        server.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                hold.await(30, TimeUnit.SECONDS);
                MockResponse next = scripted.poll();
                if (next != null) {
                    return next;
                }
                return token(3600);
            }
        });
    }

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        server.close();
    }

    private MockResponse token(long expiresIn) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"access_token\":\"tok-" + issued.incrementAndGet() + "\",\"token_type\":\"Bearer\""
                        + (expiresIn > 0 ? ",\"expires_in\":" + expiresIn : "") + "}").build();
    }

    private static MockResponse status(int code, String retryAfter) {
        MockResponse.Builder b = new MockResponse.Builder().code(code).addHeader("Content-Type", "text/html").body("<h1>down</h1>");
        if (retryAfter != null) {
            b.addHeader("Retry-After", retryAfter);
        }
        return b.build();
    }

    private TokenSource.Builder builder() {
        TokenClient client = TokenClient.builder(server.uri("/token"),
                ClientSecretBasic.of(ClientId.of("client-1"), Secret.of(SECRET)))
                .tls(server.tls()).clock(clock).build();
        return TokenSource.builder(client).random(() -> 0.5).refreshPolicy(RefreshPolicy.defaults().withJitter(0)).sleeper(sleeps::add).listener(events::add);
    }

    private List<AccessToken> concurrently(int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<AccessToken>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return source.token();
                }));
            }
            ready.await();
            go.countDown();
            List<AccessToken> tokens = new ArrayList<>();
            for (Future<AccessToken> f : futures) {
                tokens.add(f.get(30, TimeUnit.SECONDS));
            }
            return tokens;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void stampede_emptyCache_exactlyOneRequest() throws Exception {
        source = builder().build();
        List<AccessToken> tokens = concurrently(200);
        assertEquals(1, server.server.getRequestCount());
        assertEquals(1, tokens.stream().map(AccessToken::value).distinct().count());
        assertEquals("tok-1", tokens.get(0).value());
    }

    @Test
    void stampede_atExpiry_exactlyOneMoreRequest() throws Exception {
        source = builder().build();
        assertEquals("tok-1", source.token().value());
        clock.advance(Duration.ofHours(2));
        List<AccessToken> tokens = concurrently(200);
        assertEquals(2, server.server.getRequestCount());
        assertTrue(tokens.stream().allMatch(t -> t.value().equals("tok-2")));
    }

    @Test
    void cacheHit_returnsSameTokenWithoutRequest() throws Exception {
        source = builder().build();
        AccessToken first = source.token();
        clock.advance(Duration.ofMinutes(30));
        assertSame(first, source.token());
        assertEquals(1, server.server.getRequestCount());
        assertEquals(TokenEvent.Type.FETCHED, events.get(0).type());
    }

    @Test
    void refreshAhead_pastEightyPercent_callerGetsCachedTokenWhileOneRefreshRuns() throws Exception {
        source = builder().build();
        AccessToken first = source.token();
        clock.advance(Duration.ofMinutes(49)); // 81.7 % of an hour
        hold = new CountDownLatch(1); // the authorization server is slow to answer the refresh
        for (int i = 0; i < 50; i++) {
            assertSame(first, source.token(), "callers with a valid token must not wait");
        }
        hold.countDown();
        waitFor(() -> events.stream().anyMatch(e -> e.type() == TokenEvent.Type.REFRESHED));
        assertEquals(2, server.server.getRequestCount());
        assertEquals("tok-2", source.token().value());
    }

    @Test
    void refreshAhead_notBeforeEightyPercent() throws Exception {
        source = builder().build();
        source.token();
        clock.advance(Duration.ofMinutes(47)); // 78 %
        source.token();
        assertEquals(1, server.server.getRequestCount());
    }

    @Test
    void outage_validTokenServed_thenTypedErrorAfterExpiry() throws Exception {
        source = builder().retryPolicy(new RetryPolicy(2, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(1))).build();
        AccessToken first = source.token();
        for (int i = 0; i < 20; i++) {
            scripted.add(status(503, null));
        }
        clock.advance(Duration.ofMinutes(50));
        assertSame(first, source.token());
        waitFor(() -> events.stream().anyMatch(e -> e.type() == TokenEvent.Type.SERVED_STALE));
        assertSame(first, source.token());
        clock.advance(Duration.ofMinutes(15)); // expired
        TokenRequestException e = assertThrows(TokenRequestException.class, source::token);
        UnexpectedStatusException status = assertInstanceOf(UnexpectedStatusException.class, e);
        assertEquals(503, status.statusCode());
        assertFalse(e.getMessage().contains(SECRET));
    }

    @Test
    void retryAfter_honouredThroughSleeper() throws Exception {
        scripted.add(status(503, "3"));
        scripted.add(status(429, "1"));
        source = builder().build();
        assertEquals("tok-1", source.token().value());
        assertEquals(List.of(Duration.ofSeconds(3), Duration.ofSeconds(1)), sleeps);
        assertEquals(3, server.server.getRequestCount());
        assertEquals(2, events.stream().filter(e -> e.type() == TokenEvent.Type.RETRYING).count());
    }

    @Test
    void retryAfter_longerThanCap_notCutShort() throws Exception {
        scripted.add(status(503, "120"));
        source = builder().retryPolicy(new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofSeconds(1))).build();
        UnexpectedStatusException e = assertThrows(UnexpectedStatusException.class, source::token);
        assertEquals(Duration.ofSeconds(120), e.retryAfter().orElseThrow());
        assertEquals(List.of(), sleeps);
        assertEquals(1, server.server.getRequestCount());
    }

    @Test
    void transportError_retriedWithExponentialBackoffAndJitter() throws Exception {
        for (int i = 0; i < 2; i++) {
            scripted.add(new MockResponse.Builder().code(200).onResponseStart(new SocketEffect.CloseSocket()).build());
        }
        source = builder().retryPolicy(new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofSeconds(1))).build();
        assertEquals("tok-1", source.token().value());
        // full jitter with random 0.5: half of 200 ms, then half of 400 ms
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), sleeps);
    }

    @Test
    void invalidClient_notRetried() {
        scripted.add(new MockResponse.Builder().code(401).addHeader("Content-Type", "application/json")
                .body("{\"error\":\"invalid_client\"}").build());
        source = builder().build();
        OAuthErrorResponseException e = assertThrows(OAuthErrorResponseException.class, source::token);
        assertEquals(OAuthErrorCode.INVALID_CLIENT, e.error());
        assertEquals(1, server.server.getRequestCount());
        assertEquals(List.of(), sleeps);
        assertEquals(TokenEvent.Type.FAILED, events.get(events.size() - 1).type());
    }

    @Test
    void errorsShared_byAllWaitingCallers() throws Exception {
        scripted.add(new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
                .body("{\"error\":\"invalid_scope\"}").build());
        source = builder().build();
        hold = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<AccessToken>> futures = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                futures.add(pool.submit(() -> source.token()));
            }
            waitFor(() -> server.server.getRequestCount() == 1);
            hold.countDown();
            Set<Class<?>> failures = ConcurrentHashMap.newKeySet();
            int fromFlight = 0;
            for (Future<AccessToken> f : futures) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause().getClass());
                    if (e.getCause() instanceof OAuthErrorResponseException) {
                        fromFlight++;
                    }
                }
            }
            assertTrue(fromFlight >= 1);
            assertTrue(failures.contains(OAuthErrorResponseException.class));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void missingExpiresIn_usesDefaultLifetime() throws Exception {
        scripted.add(token(0));
        source = builder().build();
        AccessToken first = source.token();
        clock.advance(Duration.ofMinutes(3)); // 60 % of the 5 minute default
        assertSame(first, source.token());
        clock.advance(Duration.ofMinutes(3)); // past the default lifetime
        assertEquals("tok-2", source.token().value());
    }

    @Test
    void invalidate_nextCallFetchesNewToken() throws Exception {
        source = builder().build();
        AccessToken first = source.token();
        source.invalidate(first);
        AccessToken second = source.token();
        assertNotEquals(first.value(), second.value());
        assertTrue(events.stream().anyMatch(e -> e.type() == TokenEvent.Type.INVALIDATED));
        source.invalidate(first); // an old token does not drop the new one
        assertSame(second, source.token());
    }

    @Test
    void blockingCaller_makesTheRequestItself_asyncAndBackgroundUseTheExecutor() throws Exception {
        AtomicInteger scheduled = new AtomicInteger();
        List<String> eventThreads = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            source = builder().executor(task -> {
                scheduled.incrementAndGet();
                pool.execute(task);
            }).listener(event -> eventThreads.add(Thread.currentThread().getName())).build();
            assertEquals("tok-1", source.token().value());
            assertEquals(0, scheduled.get(), "no executor hop before a blocking caller's request");
            assertEquals(List.of(Thread.currentThread().getName()), eventThreads);

            clock.advance(Duration.ofHours(2));
            assertEquals("tok-2", source.tokenAsync().get(10, TimeUnit.SECONDS).value());
            assertEquals(1, scheduled.get(), "tokenAsync does not block its caller");

            clock.advance(Duration.ofMinutes(50)); // past 80 % of the hour: a background refresh
            assertEquals("tok-2", source.token().value());
            waitFor(() -> issued.get() == 3);
            assertEquals(2, scheduled.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void interruptedCallerMakingTheRequest_othersStillGetTheToken() throws Exception {
        source = builder().build();
        hold = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Object> first = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<Object> second = new java.util.concurrent.atomic.AtomicReference<>();
        Thread requester = new Thread(() -> {
            try {
                first.set(source.token());
            } catch (Exception e) {
                first.set(e);
            }
        });
        requester.start();
        waitFor(() -> server.server.getRequestCount() == 1); // the request is out, on the caller's thread
        Thread waiter = new Thread(() -> {
            try {
                second.set(source.token());
            } catch (Exception e) {
                second.set(e);
            }
        });
        waiter.start();
        waitFor(() -> waiter.getState() == Thread.State.WAITING);
        requester.interrupt();
        requester.join(10_000);
        assertInstanceOf(TokenTransportException.class, first.get(), String.valueOf(first.get()));
        waitFor(() -> server.server.getRequestCount() == 2); // handed to the executor, not failed
        assertEquals(Thread.State.WAITING, waiter.getState());
        hold.countDown();
        waiter.join(10_000);
        assertInstanceOf(AccessToken.class, second.get(), String.valueOf(second.get()));
        assertSame(second.get(), source.token());
    }

    @Test
    void async_completesWithTokenAndWithError() throws Exception {
        source = builder().build();
        assertEquals("tok-1", source.tokenAsync().get(10, TimeUnit.SECONDS).value());
        assertEquals("tok-1", source.tokenAsync().get(10, TimeUnit.SECONDS).value());
        clock.advance(Duration.ofHours(2));
        scripted.add(new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
                .body("{\"error\":\"unauthorized_client\"}").build());
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> source.tokenAsync().get(10, TimeUnit.SECONDS));
        assertInstanceOf(OAuthErrorResponseException.class, e.getCause());
    }

    @Test
    void perRequestKeys_cachedSeparately() throws Exception {
        source = builder().build();
        AccessToken plain = source.token();
        AccessToken scoped = source.token(TokenRequest.builder().scope("payments").build());
        assertNotEquals(plain.value(), scoped.value());
        assertSame(scoped, source.token(TokenRequest.builder().scope("payments").build()));
        assertSame(plain, source.token(TokenRequest.clientCredentials()));
        assertEquals(2, server.server.getRequestCount());
    }

    @Test
    void systemClock_timerMarksTokenDue_refreshRunsInBackground() throws Exception {
        scripted.add(token(2));
        TokenClient client = TokenClient.builder(server.uri("/token"),
                ClientSecretBasic.of(ClientId.of("client-1"), Secret.of(SECRET))).tls(server.tls()).build();
        source = TokenSource.builder(client).refreshPolicy(RefreshPolicy.defaults().withJitter(0).withMinimumTimeLeft(Duration.ZERO).withExpiryLeeway(Duration.ZERO))
                .listener(events::add).build();
        AccessToken first = source.token();
        assertSame(first, source.token(), "a hit before the refresh point");
        // refresh point: 80 % of 2 s; the timer marks the token due and the next call starts the refresh
        waitFor(() -> {
            try {
                return !source.token().value().equals(first.value());
            } catch (TokenRequestException e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(events.stream().anyMatch(e -> e.type() == TokenEvent.Type.REFRESHED), events.toString());
    }

    @Test
    void events_carryNoSecretOrToken() throws Exception {
        scripted.add(status(503, "1"));
        source = builder().build();
        AccessToken token = source.token();
        assertFalse(events.isEmpty());
        for (TokenEvent event : events) {
            assertFalse(event.toString().contains(token.value()), event.toString());
            assertFalse(event.toString().contains(SECRET), event.toString());
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in time");
            }
            Thread.sleep(5);
        }
    }
}
