package dev.clientauth.core;

import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.internal.Endpoints;
import dev.clientauth.core.internal.Origins;
import dev.clientauth.core.jdk.JdkHttpTransport;
import dev.clientauth.core.metadata.AuthorizationServerMetadata;
import dev.clientauth.core.metadata.InvalidMetadataException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * Access tokens for the client credentials grant, cached and refreshed ahead of expiry, with one
 * token request in flight per cache key however many callers ask. The front door of the library:
 *
 * <pre>
 * TokenSource tokens = TokenSource.forIssuer(URI.create("https://as.example"), authentication)
 *         .scope("accounts")
 *         .tls(tls)                      // optional: client certificate and trust, also for API calls
 *         .build();
 * AccessToken token = tokens.token();
 * </pre>
 *
 * <ul>
 *   <li><b>Cache key</b>: the request (scopes, resources, parameters) and the {@code x5t#S256} of
 *       the client certificate presented — a reloaded certificate means a new key, so tokens bound
 *       to the old one are never served again — and with {@link Builder#dpop DPoP} the {@code jkt}
 *       of the proof key, so a replaced key means new tokens too. At most {@link #MAX_CACHED_REQUESTS} requests are
 *       cached; the default request is never evicted.</li>
 *   <li><b>Refresh-ahead</b> per {@link RefreshPolicy}: one background refresh once a token is due;
 *       callers keep getting the cached token without waiting.</li>
 *   <li><b>Expiry holds on the wall clock</b>: every call compares the clock's time with the
 *       token's usable-until instant, so a suspended machine or a restored checkpoint never gets a
 *       token past its expiry.</li>
 *   <li><b>Single flight</b>: when no valid token is cached, exactly one request goes out and every
 *       waiting caller gets its result or its error.</li>
 *   <li><b>Failures</b> per {@link RetryPolicy}: a waiting caller's request is retried with backoff;
 *       a background refresh backs off exponentially between single attempts. While the
 *       authorization server fails, a still-valid token keeps being served; once it has expired
 *       callers get the real error, not a timeout. §5.2 errors such as {@code invalid_client} are
 *       not retried.</li>
 * </ul>
 *
 * <p>A cache hit reads one clock value and a few volatile fields and allocates nothing.
 * Thread-safe; share one instance and {@link #close()} it when done.
 */
public final class TokenSource implements AutoCloseable {
    /** Lifetime assumed when a token response has no {@code expires_in}. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);
    /** How many distinct requests are cached at most. */
    public static final int MAX_CACHED_REQUESTS = 256;
    private static final System.Logger LOG = System.getLogger(TokenSource.class.getName());

    /** Sleeps between retries. */
    @FunctionalInterface
    interface Sleeper {
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

    /** Finds the token client on first use (discovery for {@link #forIssuer}). */
    @FunctionalInterface
    private interface ClientResolver {
        TokenClient resolve() throws TokenRequestException;
    }

    private final ClientResolver resolver;
    private volatile TokenClient client;
    private final ClientId clientId;
    private final ClientTls tls;
    private final TokenRequest defaultRequest;
    private final Clock clock;
    private final DoubleSupplier random;
    private final Sleeper sleeper;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final Listener listener;
    private final RefreshPolicy refresh;
    private final RetryPolicy retry;
    private final Set<String> allowedOrigins;
    private final TlsClientIdentity identity;
    private final DPoPProofs dpop;
    private final ClientAuthenticationMethod method;
    private final TokenRequestObserver observer;
    private final SharedTokenCache shared;
    private final Duration sharedWait;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder servedStale = new LongAdder();
    /** Whether the last attempt failed; logged once per change. */
    private volatile boolean failing;
    private volatile String lastError;
    private final ConcurrentHashMap<CacheKey, Entry> entries = new ConcurrentHashMap<>();
    private volatile Entry defaultEntry;

    /** A cached token with its refresh and usable-until instants, as epoch milliseconds. */
    private record Cached(AccessToken token, long refreshAt, long usableUntil) {
    }

    /** The state of one cache key. */
    private static final class Entry {
        final CacheKey key;
        final long generation;
        volatile Cached cached;
        volatile long nextBackgroundAttempt;
        volatile int backgroundFailures;
        final AtomicReference<CompletableFuture<AccessToken>> flight = new AtomicReference<>();

        Entry(CacheKey key, long generation) {
            this.key = key;
            this.generation = generation;
        }
    }

    /** The identity of a cached token within one source. */
    private record CacheKey(TokenRequest request, CertificateThumbprint thumbprint, String jkt) {
    }

    private TokenSource(Builder b, ClientResolver resolver, TokenClient resolved, ClientTls tls, DPoPProofs dpop) {
        this.resolver = resolver;
        this.dpop = dpop;
        this.method = b.authentication.method();
        this.observer = b.observer;
        this.shared = b.shared;
        this.sharedWait = b.sharedWait;
        this.client = resolved;
        this.clientId = b.authentication.clientId();
        this.tls = tls;
        this.defaultRequest = b.request();
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
        this.refresh = b.refresh;
        this.retry = b.retry;
        this.allowedOrigins = Set.copyOf(b.allowedOrigins);
        this.identity = tls.identity().orElse(null);
        if (identity != null) {
            identity.addChangeListener((oldThumbprint, newThumbprint) -> {
                entries.keySet().removeIf(key -> oldThumbprint.equals(key.thumbprint()));
                emit(TokenEvent.certificateChanged(clientId));
            });
        }
    }

    /**
     * A source for an authorization server found by discovery (RFC 8414, then OpenID Connect
     * Discovery) on the first token request; the token endpoint, or its mTLS alias when a client
     * certificate is presented, comes from the metadata, and client assertions name the issuer.
     */
    public static Builder forIssuer(URI issuer, ClientAuthentication authentication) {
        Builder builder = new Builder(Objects.requireNonNull(authentication, "authentication"));
        builder.issuer = Objects.requireNonNull(issuer, "issuer");
        return builder;
    }

    /** A source for a known token endpoint (set {@link Builder#issuer} for assertion audiences). */
    public static Builder forTokenEndpoint(URI tokenEndpoint, ClientAuthentication authentication) {
        Builder builder = new Builder(Objects.requireNonNull(authentication, "authentication"));
        builder.tokenEndpoint = Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
        return builder;
    }

    /** A source over a token client built by hand. */
    public static Builder builder(TokenClient client) {
        Builder builder = new Builder(Objects.requireNonNull(client, "client").authentication());
        builder.client = client;
        builder.clock = client.clock();
        return builder;
    }

    /**
     * The client this source obtains tokens with; for {@link #forIssuer} this discovers the
     * authorization server if no token was requested yet.
     *
     * @throws TokenRequestException discovery failed
     */
    public TokenClient client() throws TokenRequestException {
        TokenClient resolved = client;
        if (resolved == null) {
            synchronized (this) {
                resolved = client;
                if (resolved == null) {
                    resolved = resolver.resolve();
                    client = resolved;
                }
            }
        }
        return resolved;
    }

    /** The client id tokens are requested for. */
    public ClientId clientId() {
        return clientId;
    }

    /**
     * The TLS material of token requests, which API adapters present too: a certificate-bound
     * token only ever travels with its certificate.
     */
    public ClientTls tls() {
        return tls;
    }

    /** The DPoP proofs of token requests, which API adapters sign their proofs with, when DPoP is used. */
    public Optional<DPoPProofs> dpop() {
        return Optional.ofNullable(dpop);
    }

    /**
     * Whether an adapter may send this source's tokens to {@code uri}: {@code https} (plain
     * {@code http} only to a loopback host) and, when {@link Builder#sendTokensOnlyTo} was given,
     * one of those origins.
     */
    public boolean isAllowedDestination(URI uri) {
        if (uri == null || !Endpoints.isSecureOrLoopback(uri)) {
            return false;
        }
        return allowedOrigins.isEmpty() || allowedOrigins.contains(Origins.of(uri));
    }

    /**
     * A valid token for the default request: from the cache when there is one (refreshing it in
     * the background when due), else from one shared token request.
     *
     * @throws TokenRequestException the error of the token request when no valid token is cached
     */
    public AccessToken token() throws TokenRequestException {
        Entry entry = defaultEntry;
        if (entry != null && (identity == null || entry.generation == identity.generation())
                && (dpop == null || entry.key.jkt() == dpop.thumbprint())) {
            Cached cached = entry.cached;
            if (cached != null && clock.millis() < cached.refreshAt) {
                hits.increment();
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

    /** {@link #token(TokenRequest)} without blocking. */
    public CompletableFuture<AccessToken> tokenAsync(TokenRequest request) {
        Objects.requireNonNull(request, "request");
        Entry entry = entry(request, request.equals(defaultRequest));
        long now = clock.millis();
        Cached cached = entry.cached;
        if (cached != null && now < cached.usableUntil) {
            hits.increment();
            if (now >= cached.refreshAt) {
                refreshInBackground(entry, now);
            }
            return CompletableFuture.completedFuture(cached.token);
        }
        misses.increment();
        return flight(entry, false).copy(); // callers cannot complete the shared future
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
                emit(TokenEvent.invalidated(clientId, cached.token.expiresAt().orElse(null)));
            }
        }
    }

    /** Drops every cached token; the next call of each request fetches a new one. */
    public void invalidateAll() {
        for (Entry entry : entries.values()) {
            Cached cached = entry.cached;
            if (cached != null) {
                entry.cached = null;
                emit(TokenEvent.invalidated(clientId, cached.token.expiresAt().orElse(null)));
            }
        }
    }

    private AccessToken slowPath(TokenRequest request, boolean isDefault) throws TokenRequestException {
        Entry entry = entry(request, isDefault);
        long now = clock.millis();
        Cached cached = entry.cached;
        if (cached != null && now < cached.usableUntil) {
            hits.increment();
            if (now >= cached.refreshAt) {
                refreshInBackground(entry, now);
            }
            return cached.token;
        }
        misses.increment();
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
        if (t instanceof TokenRequestException e) {
            return e;
        }
        return new TokenTransportException("token request failed: " + t.getClass().getSimpleName(), t);
    }

    private Entry entry(TokenRequest request, boolean isDefault) {
        long generation = identity == null ? 0 : identity.generation();
        String jkt = dpop == null ? null : dpop.thumbprint();
        Entry current = isDefault ? defaultEntry : null;
        if (current != null && current.generation == generation && current.key.jkt() == jkt) {
            return current;
        }
        if (jkt != null && current != null && !jkt.equals(current.key.jkt())) {
            // the DPoP key was replaced: tokens bound to the old one are never served again
            entries.keySet().removeIf(k -> !jkt.equals(k.jkt()));
        }
        CacheKey key = new CacheKey(request, identity == null ? null : identity.thumbprint(), jkt);
        Entry entry = entries.compute(key, (k, existing) ->
                existing != null && existing.generation == generation ? existing : new Entry(k, generation));
        if (isDefault) {
            defaultEntry = entry;
        } else if (entries.size() > MAX_CACHED_REQUESTS) {
            evictOne(entry);
        }
        return entry;
    }

    /** Drops one cached request other than the default and {@code keep}, preferring one without a valid token. */
    private void evictOne(Entry keep) {
        long now = clock.millis();
        Entry victim = null;
        for (Entry candidate : entries.values()) {
            if (candidate == keep || candidate == defaultEntry || candidate.flight.get() != null) {
                continue;
            }
            Cached cached = candidate.cached;
            if (cached == null || now >= cached.usableUntil) {
                victim = candidate;
                break;
            }
            if (victim == null) {
                victim = candidate;
            }
        }
        if (victim != null) {
            entries.remove(victim.key, victim);
        }
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
                if (onThisThread) {
                    fetch(entry, created, true);
                    return created;
                }
                RuntimeException rejected = schedule(entry, created);
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
    private void fetch(Entry entry, CompletableFuture<AccessToken> flight, boolean onCaller) {
        Cached before = entry.cached;
        boolean background = before != null && clock.millis() < before.usableUntil;
        try {
            AccessToken token = obtain(entry, before, background);
            long received = clock.millis();
            RefreshPolicy.Schedule schedule = refresh.schedule(received,
                    token.expiresAt().map(Instant::toEpochMilli).orElse(null), random.getAsDouble());
            entry.cached = new Cached(token, schedule.refreshAt(), schedule.usableUntil());
            entry.nextBackgroundAttempt = 0;
            entry.backgroundFailures = 0;
            entry.flight.set(null);
            flight.complete(token);
            Instant expiresAt = token.expiresAt().orElse(Instant.ofEpochMilli(received).plus(refresh.defaultLifetime()));
            emit(background ? TokenEvent.refreshed(clientId, expiresAt) : TokenEvent.fetched(clientId, expiresAt));
        } catch (TokenRequestException e) {
            Cached cached = entry.cached;
            long now = clock.millis();
            if (cached != null && now < cached.usableUntil) {
                int failures = entry.backgroundFailures + 1;
                entry.backgroundFailures = failures;
                entry.nextBackgroundAttempt = nextBackgroundAttempt(now, cached.usableUntil,
                        retry.backgroundDelay(failures, e, random.getAsDouble()));
                emit(TokenEvent.servedStale(clientId, cached.token.expiresAt().orElse(null), e));
                entry.flight.set(null);
                flight.complete(cached.token);
            } else if (onCaller && Thread.currentThread().isInterrupted() && schedule(entry, flight) == null) {
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

    /**
     * The next background attempt after a failure: after the backoff, but never so late that the
     * token expires first — past that point the attempts close in on the end of the usable window
     * by halving the time left, down to one second.
     */
    private static long nextBackgroundAttempt(long now, long usableUntil, Duration delay) {
        long next = now + delay.toMillis();
        if (next < usableUntil) {
            return next;
        }
        long left = usableUntil - now;
        return left > 2_000 ? now + left / 2 : usableUntil;
    }

    /** Runs the flight's request on the executor; returns the rejection, or null once scheduled. */
    private RuntimeException schedule(Entry entry, CompletableFuture<AccessToken> flight) {
        try {
            executor.execute(() -> fetch(entry, flight, false));
            return null;
        } catch (RuntimeException rejected) {
            return rejected;
        }
    }

    /**
     * With a shared cache: a token another replica stored (newer than {@code current}, when
     * refreshing), else the lease to request one (then the new token is stored for the others),
     * else a wait of up to {@link Builder#sharedTokenCache the bound} for the holder's token, then
     * a request of its own. Without one: a request.
     */
    private AccessToken obtain(Entry entry, Cached current, boolean background) throws TokenRequestException {
        if (shared == null) {
            return background ? requestOnce(entry) : requestWithRetries(entry);
        }
        TokenClient resolved;
        try {
            resolved = client(); // the shared key names the token endpoint, so discovery comes first
        } catch (TokenRequestException discoveryFailed) {
            return background ? requestOnce(entry) : requestWithRetries(entry); // retried and reported as usual
        }
        String key = sharedKey(entry.key, resolved);
        AccessToken found = sharedToken(key, current);
        if (found != null) {
            return found;
        }
        if (!shared.tryLease(key, sharedWait.multipliedBy(2))) {
            long deadline = System.nanoTime() + sharedWait.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    Thread.sleep(25);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                found = sharedToken(key, current);
                if (found != null) {
                    return found;
                }
            }
        }
        AccessToken token = background ? requestOnce(entry) : requestWithRetries(entry);
        try {
            long received = clock.millis();
            long usableUntil = refresh.schedule(received, token.expiresAt().map(Instant::toEpochMilli).orElse(null), 0.5)
                    .usableUntil();
            if (usableUntil > received) {
                shared.put(key, token, Instant.ofEpochMilli(usableUntil));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "shared token cache failed to store a token", e);
        }
        return token;
    }

    /** A stored token still usable and, when refreshing, newer than the cached one; else null. */
    private AccessToken sharedToken(String key, Cached current) {
        Optional<AccessToken> stored;
        try {
            stored = shared.get(key);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "shared token cache failed to answer", e);
            return null;
        }
        if (stored.isEmpty() || stored.get().expiresAt().isEmpty()) {
            return null;
        }
        AccessToken token = stored.get();
        long expiresAt = token.expiresAt().get().toEpochMilli();
        long now = clock.millis();
        if (refresh.schedule(now, expiresAt, 0.5).usableUntil() <= now) {
            return null;
        }
        if (current != null && current.token.expiresAt().map(e -> e.toEpochMilli() >= expiresAt).orElse(false)) {
            return null; // not newer than the token being refreshed
        }
        return token;
    }

    /**
     * The shared key of a cache key: a SHA-256 over the client, where its tokens come from, the
     * request and the bindings, so different clients, requests, certificates and DPoP keys never
     * share a token.
     */
    private String sharedKey(CacheKey key, TokenClient resolved) {
        StringBuilder material = new StringBuilder();
        material.append(clientId.value()).append('\n').append(resolved.tokenEndpoint()).append('\n')
                .append(key.request().scopes()).append('\n').append(key.request().resources()).append('\n')
                .append(key.request().parameters()).append('\n')
                .append(key.thumbprint() == null ? "" : key.thumbprint().value()).append('\n')
                .append(key.jkt() == null ? "" : key.jkt());
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(material.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private AccessToken requestOnce(Entry entry) throws TokenRequestException {
        try {
            return attempt(entry, 1, true);
        } catch (TokenRequestException e) {
            emit(TokenEvent.failed(clientId, e, 1));
            throw e;
        }
    }

    private AccessToken requestWithRetries(Entry entry) throws TokenRequestException {
        for (int attempt = 1; ; attempt++) {
            try {
                return attempt(entry, attempt, false);
            } catch (TokenRequestException e) {
                Optional<Duration> delay = retry.delayBeforeRetry(attempt, e, random.getAsDouble());
                if (delay.isEmpty()) {
                    emit(TokenEvent.failed(clientId, e, attempt));
                    throw e;
                }
                emit(TokenEvent.retrying(clientId, e, delay.get(), attempt));
                try {
                    sleeper.sleep(delay.get());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** One token request, told to the observer. */
    private AccessToken attempt(Entry entry, int attempt, boolean background) throws TokenRequestException {
        TokenRequestObserver.Attempt handle = null;
        if (observer != null) {
            TokenClient resolved = client;
            try {
                handle = observer.started(new TokenRequestObserver.Request(clientId, method,
                        Optional.ofNullable(resolved == null ? null : resolved.tokenEndpoint()), attempt, background));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "token request observer failed", e);
            }
        }
        long start = System.nanoTime();
        try {
            AccessToken token = client().requestToken(entry.key.request()).accessToken();
            finished(handle, new TokenRequestObserver.Outcome(200, Optional.empty(), Optional.empty(),
                    Duration.ofNanos(System.nanoTime() - start)));
            return token;
        } catch (TokenRequestException e) {
            finished(handle, new TokenRequestObserver.Outcome(TokenRequestObserver.statusOf(e),
                    Optional.of(TokenRequestObserver.errorOf(e)), Optional.of(e), Duration.ofNanos(System.nanoTime() - start)));
            throw e;
        }
    }

    private static void finished(TokenRequestObserver.Attempt handle, TokenRequestObserver.Outcome outcome) {
        if (handle == null) {
            return;
        }
        try {
            handle.finished(outcome);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "token request observer failed", e);
        }
    }

    /**
     * Logs a change between working and failing once, at WARN when token requests start failing
     * (with the typed error's message, which holds no secret) and at INFO when they work again.
     */
    private void stateChange(TokenEvent event) {
        switch (event.type()) {
            case FAILED, SERVED_STALE -> {
                TokenRequestException error = event.error().orElse(null);
                lastError = error == null ? null : TokenRequestObserver.errorOf(error);
                if (!failing) {
                    failing = true;
                    LOG.log(Level.WARNING, "token requests of client {0} are failing ({1}): {2}", clientId.value(),
                            event.type() == TokenEvent.Type.SERVED_STALE ? "serving the cached token until it expires"
                                    : "no valid token", error == null ? "" : error.getMessage());
                }
            }
            case FETCHED, REFRESHED -> {
                if (failing) {
                    failing = false;
                    LOG.log(Level.INFO, "token requests of client {0} work again", clientId.value());
                }
            }
            default -> {
            }
        }
    }

    /**
     * What this source has done so far: cache hits and misses, how often a failing refresh left
     * the cached token being served, the expiry of the default request's current token, and
     * whether the last token request failed (with its bounded error name, see
     * {@link TokenRequestObserver#errorOf}). For metrics and health checks; counting adds no
     * allocation to a cache hit.
     */
    public Statistics statistics() {
        Entry entry = defaultEntry;
        Cached cached = entry == null ? null : entry.cached;
        return new Statistics(hits.sum(), misses.sum(), servedStale.sum(),
                Optional.ofNullable(cached == null ? null : Instant.ofEpochMilli(cached.usableUntil)),
                failing, Optional.ofNullable(lastError));
    }

    /** See {@link #statistics()}. {@code tokenUsableUntil}: until when the current token is served. */
    public record Statistics(long hits, long misses, long servedStale, Optional<Instant> tokenUsableUntil, boolean failing,
            Optional<String> lastError) {
    }

    private void emit(TokenEvent event) {
        if (event.type() == TokenEvent.Type.SERVED_STALE) {
            servedStale.increment();
        }
        stateChange(event);
        if (listener == null) {
            return;
        }
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "token event listener failed", e);
        }
    }

    /** How many requests have a cache entry (for tests of the bound). */
    int cachedRequests() {
        return entries.size();
    }

    /** Stops the background executor this source created (not one given to it). */
    @Override
    public void close() {
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
        }
    }

    @Override
    public String toString() {
        TokenClient resolved = client;
        return "TokenSource[" + (resolved != null ? resolved : "clientId=" + clientId) + ", entries=" + entries.size() + "]";
    }

    /** Builds a {@link TokenSource}. Not thread-safe. */
    public static final class Builder {
        private final ClientAuthentication authentication;
        private TokenClient client;
        private URI issuer;
        private URI tokenEndpoint;
        private ClientTls tls;
        private HttpTransport transport;
        private boolean requireBoundToken;
        private boolean allowUnadvertised;
        private TokenRequest explicitRequest;
        private final TokenRequest.Builder requestBuilder = TokenRequest.builder();
        private boolean requestBuilderUsed;
        private Clock clock = Clock.systemUTC();
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
        private Sleeper sleeper = duration -> Thread.sleep(duration.toMillis());
        private Executor executor;
        private Listener listener;
        private RefreshPolicy refresh = RefreshPolicy.defaults();
        private RetryPolicy retry = RetryPolicy.defaults();
        private final List<String> allowedOrigins = new ArrayList<>();
        private DPoPProofs dpop;
        private boolean allowBearerFallback;
        private TokenRequestObserver observer;
        private SharedTokenCache shared;
        private Duration sharedWait = Duration.ofSeconds(2);

        private Builder(ClientAuthentication authentication) {
            this.authentication = authentication;
        }

        /** Scopes of the default request. */
        public Builder scope(String... scopeTokens) {
            requestBuilder.scope(scopeTokens);
            requestBuilderUsed = true;
            return this;
        }

        /** A resource indicator (RFC 8707) of the default request. */
        public Builder resource(URI resource) {
            requestBuilder.resource(resource);
            requestBuilderUsed = true;
            return this;
        }

        /** The whole default request, instead of {@link #scope} and {@link #resource}; default: no scope, no resource. */
        public Builder request(TokenRequest request) {
            this.explicitRequest = Objects.requireNonNull(request, "request");
            return this;
        }

        /**
         * The TLS material for token requests and API calls: client certificate (for mTLS methods
         * it must be the method's identity, which is the default) and trust. Default: the mTLS
         * method's identity, or none, with the JDK's trust store.
         */
        public Builder tls(ClientTls tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** Sends token requests over this transport instead of a {@link JdkHttpTransport} on {@link #tls}. */
        public Builder transport(HttpTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** The issuer identifier (the audience of client assertions) for {@link #forTokenEndpoint}. */
        public Builder issuer(URI issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /**
         * DPoP (RFC 9449): every token request carries a proof, tokens are bound to the proof key,
         * and the adapters send a proof with every API call. See {@link TokenClient.Builder#dpop}.
         */
        public Builder dpop(DPoPProofs proofs) {
            this.dpop = Objects.requireNonNull(proofs, "proofs");
            return this;
        }

        /** A weakening, see {@link TokenClient.Builder#allowBearerFallback()}. Logs one warning. */
        public Builder allowBearerFallback() {
            this.allowBearerFallback = true;
            return this;
        }

        /** See {@link TokenClient.Builder#requireCertificateBoundToken()}. */
        public Builder requireCertificateBoundToken() {
            this.requireBoundToken = true;
            return this;
        }

        /** A weakening, see {@link TokenClient.Builder#allowUnadvertisedAuthenticationMethod()}. Logs one warning. */
        public Builder allowUnadvertisedAuthenticationMethod() {
            this.allowUnadvertised = true;
            return this;
        }

        /**
         * The only origins ({@code https://api.example}, port optional) adapters send tokens to;
         * default: any {@code https} origin (and {@code http} to loopback). Redirects to another
         * origin never carry the token either way.
         */
        public Builder sendTokensOnlyTo(URI... origins) {
            for (URI origin : origins) {
                String normalised = Origins.of(Objects.requireNonNull(origin, "origin"));
                if (normalised == null || !Endpoints.isSecureOrLoopback(origin)) {
                    throw new IllegalArgumentException("not an https origin (http only to loopback): " + origin);
                }
                allowedOrigins.add(normalised);
            }
            return this;
        }

        /** The clock of expiry decisions; default: the token client's clock, else the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Uniform random numbers in [0, 1) for jitter. */
        Builder random(DoubleSupplier random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /**
         * Where background refreshes and {@link #tokenAsync()} requests run; default: a cached pool
         * of daemon threads owned by the source. A blocking {@link #token()} that finds no valid
         * token and no request in flight makes the request on its own thread (it would wait for it
         * anyway).
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * A second cache level shared by the replicas of this client (e.g. on Redis): before a
         * request, a token another replica stored is used; one replica at a time holds the lease to
         * request, the others wait up to {@code wait} for its token and then request themselves.
         * A store that is down never makes token acquisition fail.
         */
        public Builder sharedTokenCache(SharedTokenCache cache, Duration wait) {
            this.shared = Objects.requireNonNull(cache, "cache");
            if (wait.isNegative()) {
                throw new IllegalArgumentException("wait must not be negative: " + wait);
            }
            this.sharedWait = wait;
            return this;
        }

        /** Told of the start and end of every token request attempt (metrics, tracing); must not block. */
        public Builder observer(TokenRequestObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /** Receives every {@link TokenEvent}; must not block. */
        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** When tokens are refreshed and until when they are served; default {@link RefreshPolicy#defaults()}. */
        public Builder refreshPolicy(RefreshPolicy policy) {
            this.refresh = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** How failed requests are retried; default {@link RetryPolicy#defaults()}. */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy");
            return this;
        }

        private TokenRequest request() {
            if (explicitRequest != null && requestBuilderUsed) {
                throw new IllegalStateException("give either request(..) or scope(..)/resource(..), not both");
            }
            return explicitRequest != null ? explicitRequest : requestBuilder.build();
        }

        /**
         * @throws IllegalStateException for contradictory settings (an mTLS method with a different
         *     identity in {@link #tls}; TLS settings on a hand-built client)
         * @throws IllegalArgumentException for a token endpoint that is not https (or http to loopback)
         */
        public TokenSource build() {
            request();
            if (client != null) {
                if (tls != null || transport != null || requireBoundToken || issuer != null) {
                    throw new IllegalStateException("tls, transport, issuer and requireCertificateBoundToken belong to "
                            + "the TokenClient when the source is built over one");
                }
                HttpTransport clientTransport = client.transport();
                ClientTls fromClient = clientTransport.tls().orElseGet(() -> clientTransport.clientIdentity()
                        .map(ClientTls::of).orElseGet(ClientTls::defaults));
                if (dpop != null || allowBearerFallback) {
                    throw new IllegalStateException("dpop and allowBearerFallback belong to the TokenClient when the "
                            + "source is built over one");
                }
                return new TokenSource(this, null, client, fromClient, client.dpop().orElse(null));
            }
            Optional<TlsClientIdentity> methodIdentity = authentication.tlsIdentity();
            ClientTls chosenTls = ClientTls.forMethod(tls, methodIdentity.orElse(null));
            HttpTransport chosenTransport;
            if (transport != null) {
                if (tls != null) {
                    throw new IllegalStateException("tls(..) configures the default transport: configure TLS on the "
                            + "given transport instead");
                }
                chosenTransport = transport;
            } else {
                chosenTransport = JdkHttpTransport.builder().tls(chosenTls).build();
            }
            ClientTls sourceTls = chosenTransport.tls().orElse(chosenTls);
            URI endpoint = tokenEndpoint;
            URI issuerId = issuer;
            boolean bound = requireBoundToken;
            boolean unadvertised = allowUnadvertised;
            Clock tokenClock = clock;
            DPoPProofs proofs = dpop;
            boolean bearerFallback = allowBearerFallback;
            if (endpoint != null) {
                TokenClient built = configure(TokenClient.builder(endpoint, authentication), chosenTransport, issuerId,
                        bound, unadvertised, tokenClock, proofs, bearerFallback).build();
                return new TokenSource(this, null, built, sourceTls, proofs);
            }
            if (!Endpoints.isSecureOrLoopback(issuerId)) {
                throw new IllegalArgumentException("issuer must use https: " + issuerId);
            }
            ClientAuthentication auth = authentication;
            ClientResolver resolver = () -> {
                AuthorizationServerMetadata metadata = AuthorizationServerMetadata.discover(issuerId, chosenTransport);
                try {
                    return configure(TokenClient.builder(metadata, auth), chosenTransport, null, bound, unadvertised,
                            tokenClock, proofs, bearerFallback).build();
                } catch (IllegalStateException | IllegalArgumentException e) {
                    throw new InvalidMetadataException(e.getMessage(), e);
                }
            };
            return new TokenSource(this, resolver, null, sourceTls, proofs);
        }

        private static TokenClient.Builder configure(TokenClient.Builder builder, HttpTransport transport, URI issuer,
                boolean requireBound, boolean allowUnadvertised, Clock clock, DPoPProofs dpop, boolean bearerFallback) {
            builder.transport(transport).clock(clock);
            if (dpop != null) {
                builder.dpop(dpop);
            }
            if (bearerFallback) {
                builder.allowBearerFallback();
            }
            if (issuer != null) {
                builder.issuer(issuer);
            }
            if (requireBound) {
                builder.requireCertificateBoundToken();
            }
            if (allowUnadvertised) {
                builder.allowUnadvertisedAuthenticationMethod();
            }
            return builder;
        }
    }
}
