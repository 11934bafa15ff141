package dev.clientauth.core;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

/**
 * Access tokens for the client credentials grant, cached and refreshed ahead of expiry, with one
 * token request in flight per cache key however many callers ask.
 *
 * <ul>
 *   <li><b>Cache key</b>: token endpoint, client id, authentication method, scopes, resources and
 *       extra parameters of the request, and the {@code x5t#S256} of the client certificate the
 *       transport presents — a reloaded certificate means a new key, so tokens bound to the old
 *       one are never served again.</li>
 *   <li><b>Refresh-ahead</b>: once 80 % (configurable, with ±5 % jitter) of a token's lifetime has
 *       passed, or less than {@link Builder#minimumTimeLeft} remains, one background refresh
 *       starts; callers keep getting the cached token without waiting.</li>
 *   <li><b>Single flight</b>: when no valid token is cached, exactly one request goes out and every
 *       waiting caller gets its result or its error.</li>
 *   <li><b>Failures</b>: 5xx, 429 and transport errors are retried with exponential backoff and
 *       full jitter, honouring {@code Retry-After}; RFC 6749 §5.2 errors such as
 *       {@code invalid_client} are not. While the authorization server fails, a still-valid token
 *       keeps being served; once it has expired callers get the real error, not a timeout.</li>
 *   <li>A response without {@code expires_in} is treated as valid for
 *       {@link #DEFAULT_LIFETIME} (5 minutes), configurable.</li>
 *   <li>A token is considered expired {@link Builder#expiryLeeway} (default 10 s) before its
 *       {@code expires_in} runs out, so it does not expire on its way to the resource server.</li>
 * </ul>
 *
 * <p>A cache hit on {@link #token()} reads a few volatile fields and allocates nothing; with the
 * system clock it does not even read the clock (a timer marks a token due for refresh), with an
 * injected clock it reads that clock. Time, randomness and sleeping are injected. Thread-safe;
 * share one instance and {@link #close()} it when done.
 */
public final class TokenSource implements AutoCloseable {
    /** Lifetime assumed when a token response has no {@code expires_in}. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);
    private static final System.Logger LOG = System.getLogger(TokenSource.class.getName());

    /** Sleeps between retries; injected so tests need not wait. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * Receives {@link TokenEvent}s. Called on the thread that did the work (a caller of
     * {@link #token()} or an executor thread); must not block.
     */
    @FunctionalInterface
    public interface Listener {
        void onEvent(TokenEvent event);
    }

    private final TokenClient client;
    private final TokenRequest defaultRequest;
    private final Clock clock;
    private final DoubleSupplier random;
    private final Sleeper sleeper;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final Listener listener;
    private final double refreshShare;
    private final double jitter;
    private final long minimumTimeLeftMillis;
    private final long leewayMillis;
    private final Duration defaultLifetime;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final TlsClientIdentity identity;
    private final java.util.concurrent.ScheduledExecutorService timer;
    private final ConcurrentHashMap<CacheKey, Entry> entries = new ConcurrentHashMap<>();
    private volatile Entry defaultEntry;

    /**
     * A cached token with its refresh and expiry instants, as epoch milliseconds. With the system
     * clock, a timer sets {@link #due} at the refresh instant, so a cache hit needs no clock read.
     */
    private static final class Cached {
        final AccessToken token;
        final long refreshAt;
        final long expiresAt;
        volatile boolean due;

        Cached(AccessToken token, long refreshAt, long expiresAt) {
            this.token = token;
            this.refreshAt = refreshAt;
            this.expiresAt = expiresAt;
        }
    }

    /** The state of one cache key. */
    private static final class Entry {
        final CacheKey key;
        final TokenRequest request;
        final long generation;
        volatile Cached cached;
        volatile long nextBackgroundAttempt;
        final AtomicReference<CompletableFuture<AccessToken>> flight = new AtomicReference<>();

        Entry(CacheKey key, TokenRequest request, long generation) {
            this.key = key;
            this.request = request;
            this.generation = generation;
        }
    }

    private TokenSource(Builder b) {
        this.client = b.client;
        this.defaultRequest = b.request;
        this.clock = b.clock;
        this.random = b.random;
        this.sleeper = b.sleeper;
        if (b.executor == null) {
            this.ownedExecutor = Executors.newCachedThreadPool(r -> {
                Thread thread = new Thread(r, "clientauth-token-refresh");
                thread.setDaemon(true);
                return thread;
            });
            this.executor = ownedExecutor;
        } else {
            this.ownedExecutor = null;
            this.executor = b.executor;
        }
        this.listener = b.listener;
        this.refreshShare = b.refreshShare;
        this.jitter = b.jitter;
        this.minimumTimeLeftMillis = b.minimumTimeLeft.toMillis();
        this.leewayMillis = b.expiryLeeway.toMillis();
        this.defaultLifetime = b.defaultLifetime;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.identity = client.transport().clientIdentity().orElse(null);
        // With the system clock a timer marks tokens due; an injected clock is read on every call.
        this.timer = isSystemClock(clock) ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "clientauth-token-timer");
            thread.setDaemon(true);
            return thread;
        }) : null;
        if (identity != null) {
            identity.addChangeListener((oldThumbprint, newThumbprint) -> {
                entries.keySet().removeIf(key -> oldThumbprint.equals(key.thumbprint));
                emit(TokenEvent.Type.CERTIFICATE_CHANGED, null, null, null, 0);
            });
        }
    }

    public static Builder builder(TokenClient client) {
        return new Builder(Objects.requireNonNull(client, "client"));
    }

    /** The client this source obtains tokens with. */
    public TokenClient client() {
        return client;
    }

    /**
     * A valid token for the default request: from the cache when there is one (refreshing it in
     * the background when due), else from one shared token request.
     *
     * @throws TokenRequestException the error of the token request when no valid token is cached
     */
    public AccessToken token() throws TokenRequestException {
        Entry entry = defaultEntry;
        if (entry != null && (identity == null || entry.generation == identity.generation())) {
            Cached cached = entry.cached;
            if (cached != null && (timer != null ? !cached.due : clock.millis() < cached.refreshAt)) {
                return cached.token;
            }
        }
        return slowPath(defaultRequest, true);
    }

    /** A valid token for a specific request (another scope or resource): cached under its own key. */
    public AccessToken token(TokenRequest request) throws TokenRequestException {
        Objects.requireNonNull(request, "request");
        return slowPath(request, request.equals(defaultRequest));
    }

    /** {@link #token()} without blocking: completes with the token or the {@link TokenRequestException}. */
    public CompletableFuture<AccessToken> tokenAsync() {
        return tokenAsync(defaultRequest);
    }

    public CompletableFuture<AccessToken> tokenAsync(TokenRequest request) {
        Entry entry = entry(request, request.equals(defaultRequest));
        long now = clock.millis();
        Cached cached = entry.cached;
        if (cached != null && now < cached.expiresAt) {
            if (now >= cached.refreshAt) {
                refreshInBackground(entry, now);
            }
            return CompletableFuture.completedFuture(cached.token);
        }
        return flight(entry, false).thenApply(token -> token);
    }

    /**
     * Drops a cached token that a resource server rejected (for example with
     * {@code invalid_token}), if it is still the cached one. The next call fetches a new token.
     */
    public void invalidate(AccessToken rejected) {
        Objects.requireNonNull(rejected, "rejected");
        for (Entry entry : entries.values()) {
            Cached cached = entry.cached;
            if (cached != null && cached.token.sameValueAs(rejected)) {
                entry.cached = null;
                emit(TokenEvent.Type.INVALIDATED, cached.token.expiresAt().orElse(null), null, null, 0);
            }
        }
    }

    private AccessToken slowPath(TokenRequest request, boolean isDefault) throws TokenRequestException {
        Entry entry = entry(request, isDefault);
        long now = clock.millis();
        Cached cached = entry.cached;
        if (cached != null && now < cached.expiresAt) {
            if (now >= cached.refreshAt) {
                refreshInBackground(entry, now);
            }
            return cached.token;
        }
        // a blocking caller that finds no flight makes the request itself: no thread hop before it starts
        CompletableFuture<AccessToken> flight = flight(entry, true);
        try {
            return flight.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenTransportException("interrupted while waiting for a token", e);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    private static TokenRequestException unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TokenRequestException) {
            return (TokenRequestException) t;
        }
        return new TokenTransportException("token request failed: " + t.getClass().getSimpleName(), t);
    }

    private Entry entry(TokenRequest request, boolean isDefault) {
        long generation = identity == null ? 0 : identity.generation();
        Entry current = isDefault ? defaultEntry : null;
        if (current != null && current.generation == generation) {
            return current;
        }
        CertificateThumbprint thumbprint = identity == null ? null : identity.thumbprint();
        CacheKey key = new CacheKey(client, request, thumbprint);
        Entry entry = entries.compute(key, (k, existing) ->
                existing != null && existing.generation == generation ? existing : new Entry(k, request, generation));
        if (isDefault) {
            defaultEntry = entry;
        }
        return entry;
    }

    private void refreshInBackground(Entry entry, long now) {
        if (now < entry.nextBackgroundAttempt || entry.flight.get() != null) {
            return;
        }
        flight(entry, false);
    }

    /**
     * Joins the flight of this entry or starts it: on this thread when {@code onThisThread} (the
     * future is complete on return), otherwise on the executor.
     */
    private CompletableFuture<AccessToken> flight(Entry entry, boolean onThisThread) {
        while (true) {
            CompletableFuture<AccessToken> existing = entry.flight.get();
            if (existing != null) {
                return existing;
            }
            CompletableFuture<AccessToken> created = new CompletableFuture<>();
            if (entry.flight.compareAndSet(null, created)) {
                Cached before = entry.cached;
                if (onThisThread) {
                    fetch(entry, created, before, true);
                    return created;
                }
                RuntimeException rejected = schedule(entry, created, before);
                if (rejected != null) {
                    entry.flight.set(null);
                    created.completeExceptionally(new TokenTransportException("cannot schedule the token request", rejected));
                }
                return created;
            }
        }
    }

    /**
     * Makes the request of a flight and completes it. {@code onCaller}: the request runs on a
     * caller of {@link #token()}; if that caller is interrupted (its own request was cancelled),
     * the flight is handed to the executor instead of failing every other caller waiting on it.
     */
    private void fetch(Entry entry, CompletableFuture<AccessToken> flight, Cached before, boolean onCaller) {
        try {
            AccessToken token = requestWithRetries(entry, before);
            long issued = clock.millis();
            long expiresAt = token.expiresAt().map(Instant::toEpochMilli)
                    .orElse(issued + defaultLifetime.toMillis());
            long lifetime = Math.max(0, expiresAt - issued);
            long usableUntil = expiresAt - Math.min(leewayMillis, lifetime / 2);
            double share = refreshShare + jitter * (2 * random.getAsDouble() - 1);
            long refreshAt = Math.min(issued + (long) (lifetime * share), usableUntil - minimumTimeLeftMillis);
            refreshAt = Math.max(issued, Math.min(refreshAt, usableUntil));
            Cached fresh = new Cached(token, refreshAt, usableUntil);
            entry.cached = fresh;
            entry.nextBackgroundAttempt = 0;
            entry.flight.set(null);
            flight.complete(token);
            if (timer != null) {
                timer.schedule(() -> {
                    fresh.due = true;
                }, Math.max(0, refreshAt - clock.millis()), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            boolean wasValid = before != null && issued < before.expiresAt;
            emit(wasValid ? TokenEvent.Type.REFRESHED : TokenEvent.Type.FETCHED, Instant.ofEpochMilli(expiresAt), null, null, 0);
        } catch (TokenRequestException e) {
            Cached cached = entry.cached;
            long now = clock.millis();
            if (cached != null && now < cached.expiresAt) {
                entry.nextBackgroundAttempt = now + backoff(1).toMillis();
                emit(TokenEvent.Type.SERVED_STALE, cached.token.expiresAt().orElse(null), e, null, 0);
                entry.flight.set(null);
                flight.complete(cached.token);
            } else if (onCaller && Thread.currentThread().isInterrupted() && schedule(entry, flight, before) == null) {
                return; // handed to the executor
            } else {
                entry.flight.set(null);
                flight.completeExceptionally(e);
            }
        } catch (RuntimeException | Error e) {
            entry.flight.set(null);
            flight.completeExceptionally(new TokenTransportException("token request failed: " + e.getClass().getSimpleName(), e));
        }
    }

    /** Runs the flight's request on the executor; returns the rejection, or null once scheduled. */
    private RuntimeException schedule(Entry entry, CompletableFuture<AccessToken> flight, Cached before) {
        try {
            executor.execute(() -> fetch(entry, flight, before, false));
            return null;
        } catch (RuntimeException rejected) {
            return rejected;
        }
    }

    private AccessToken requestWithRetries(Entry entry, Cached before) throws TokenRequestException {
        for (int attempt = 1; ; attempt++) {
            try {
                return client.requestToken(entry.request).accessToken();
            } catch (TokenRequestException e) {
                if (!e.isRetryable() || attempt >= maxAttempts) {
                    emit(TokenEvent.Type.FAILED, null, e, null, attempt);
                    throw e;
                }
                Optional<Duration> retryAfter = retryAfter(e);
                if (retryAfter.isPresent() && retryAfter.get().compareTo(maxBackoff) > 0) {
                    // the server asks for a longer pause than this source may wait: do not retry early
                    emit(TokenEvent.Type.FAILED, null, e, null, attempt);
                    throw e;
                }
                Duration delay = retryAfter.orElse(jittered(backoff(attempt)));
                long now = clock.millis();
                if (before != null && now < before.expiresAt && now + delay.toMillis() >= before.expiresAt) {
                    // waiting longer would outlive the cached token: serve it and try again later
                    emit(TokenEvent.Type.FAILED, null, e, null, attempt);
                    throw e;
                }
                emit(TokenEvent.Type.RETRYING, null, e, delay, attempt);
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static Optional<Duration> retryAfter(TokenRequestException e) {
        if (e instanceof UnexpectedStatusException) {
            return ((UnexpectedStatusException) e).retryAfter();
        }
        if (e instanceof OAuthErrorResponseException) {
            return ((OAuthErrorResponseException) e).retryAfter();
        }
        return Optional.empty();
    }

    private Duration backoff(int attempt) {
        long millis = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }

    /** Full jitter: a uniform delay between 0 and the backoff. */
    private Duration jittered(Duration backoff) {
        return Duration.ofMillis((long) (backoff.toMillis() * random.getAsDouble()));
    }

    private void emit(TokenEvent.Type type, Instant expiresAt, TokenRequestException error, Duration delay, int attempt) {
        if (listener == null) {
            return;
        }
        try {
            listener.onEvent(new TokenEvent(type, client.authentication().clientId(), expiresAt, error, delay, attempt));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "token event listener failed", e);
        }
    }

    private static boolean isSystemClock(Clock clock) {
        return clock.getClass().getName().equals("java.time.Clock$SystemClock");
    }

    /** Stops the background executor this source created (not one given to it) and its timer. */
    @Override
    public void close() {
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
        }
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "TokenSource[" + client + ", entries=" + entries.size() + "]";
    }

    /** The identity of a cached token. */
    static final class CacheKey {
        final String endpoint;
        final String clientId;
        final String method;
        final TokenRequest request;
        final CertificateThumbprint thumbprint;

        CacheKey(TokenClient client, TokenRequest request, CertificateThumbprint thumbprint) {
            this.endpoint = client.tokenEndpoint().toString();
            this.clientId = client.authentication().clientId().value();
            this.method = client.authentication().method().value();
            this.request = request;
            this.thumbprint = thumbprint;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof CacheKey)) {
                return false;
            }
            CacheKey k = (CacheKey) o;
            return endpoint.equals(k.endpoint) && clientId.equals(k.clientId) && method.equals(k.method)
                    && request.equals(k.request) && Objects.equals(thumbprint, k.thumbprint);
        }

        @Override
        public int hashCode() {
            return Objects.hash(endpoint, clientId, method, request, thumbprint);
        }
    }

    /** Builds a {@link TokenSource}. Not thread-safe. */
    public static final class Builder {
        private final TokenClient client;
        private TokenRequest request = TokenRequest.clientCredentials();
        private Clock clock;
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
        private Sleeper sleeper = duration -> Thread.sleep(duration.toMillis());
        private Executor executor;
        private Listener listener;
        private double refreshShare = 0.8;
        private double jitter = 0.05;
        private Duration minimumTimeLeft = Duration.ofSeconds(30);
        private Duration expiryLeeway = Duration.ofSeconds(10);
        private Duration defaultLifetime = DEFAULT_LIFETIME;
        private int maxAttempts = 4;
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(30);

        private Builder(TokenClient client) {
            this.client = client;
            this.clock = client.clock();
        }

        /** The request {@link #token()} asks for; default: no scope, no resource. */
        public Builder request(TokenRequest request) {
            this.request = Objects.requireNonNull(request, "request");
            return this;
        }

        /** Default: the token client's clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Uniform random numbers in [0, 1) for jitter. */
        public Builder random(DoubleSupplier random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /**
         * Where background refreshes and {@link #tokenAsync()} requests run; default: a cached pool
         * of daemon threads owned by the source. A blocking {@link #token()} that finds no valid
         * token and no request in flight makes the request on its own thread (it would wait for it
         * anyway), so a stampede does not first wait for an executor thread to be scheduled.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Share of the lifetime after which a refresh starts, in (0, 1); default 0.8. */
        public Builder refreshAfter(double shareOfLifetime) {
            if (!(shareOfLifetime > 0 && shareOfLifetime < 1)) {
                throw new IllegalArgumentException("refresh share must be in (0, 1): " + shareOfLifetime);
            }
            this.refreshShare = shareOfLifetime;
            return this;
        }

        /** Spread of the refresh point, as a share of the lifetime; default 0.05 (±5 %). */
        public Builder jitter(double share) {
            if (!(share >= 0 && share < 0.5)) {
                throw new IllegalArgumentException("jitter must be in [0, 0.5): " + share);
            }
            this.jitter = share;
            return this;
        }

        /** Refresh when less than this is left, whatever the share; default 30 s. */
        public Builder minimumTimeLeft(Duration minimumTimeLeft) {
            this.minimumTimeLeft = nonNegative(minimumTimeLeft, "minimumTimeLeft");
            return this;
        }

        /** A token counts as expired this long before its real expiry; default 10 s. */
        public Builder expiryLeeway(Duration leeway) {
            this.expiryLeeway = nonNegative(leeway, "expiryLeeway");
            return this;
        }

        /** Lifetime assumed without {@code expires_in}; default {@link TokenSource#DEFAULT_LIFETIME}. */
        public Builder defaultLifetime(Duration lifetime) {
            this.defaultLifetime = nonNegative(lifetime, "defaultLifetime");
            if (lifetime.isZero()) {
                throw new IllegalArgumentException("defaultLifetime must be positive");
            }
            return this;
        }

        /**
     * Retries of retryable failures: attempts in all (default 4), first backoff (200 ms) and cap
     * (30 s). A {@code Retry-After} longer than the cap ends the retries rather than being cut short.
     */
        public Builder retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            this.initialBackoff = nonNegative(initialBackoff, "initialBackoff");
            this.maxBackoff = nonNegative(maxBackoff, "maxBackoff");
            return this;
        }

        public TokenSource build() {
            return new TokenSource(this);
        }

        private static Duration nonNegative(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative: " + d);
            }
            return d;
        }
    }
}
