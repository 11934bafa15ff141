package dev.clientauth.redis;

import dev.clientauth.jwt.verifier.ReplayCache;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ReplayCache} on Redis, shared by every verifier (authorization server, gateway or
 * resource server replica) that points at the same Redis: a {@code jti} accepted by one is a
 * replay for all.
 *
 * <ul>
 *   <li>One atomic script per check: {@code SET key NX} with the assertion's remaining lifetime as
 *       expiry, and the client's quota of live entries (a sorted set of expiries); both keys share a
 *       hash tag, so the script also runs on Redis Cluster.</li>
 *   <li>Keys are namespaced and hashed: {@code <namespace>{<SHA-256(client)>}:<SHA-256(client, jti)>};
 *       no client id or {@code jti} is stored in Redis in the clear.</li>
 *   <li>Every call has a timeout (default 250 ms). When Redis cannot answer in time — down,
 *       unreachable, refusing — the check fails closed: {@link #firstUse} returns false, so the
 *       verifier refuses the assertion or proof with its typed error. Accepting instead is a named
 *       weakening ({@link Builder#acceptWhenUnavailable()}). Either way one WARN is logged when Redis
 *       becomes unavailable and one INFO when it is back; the connection reconnects by itself.</li>
 * </ul>
 * Thread-safe; share one instance and {@link #close()} it when done.
 */
public final class RedisReplayCache implements ReplayCache, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisReplayCache.class.getName());
    /** KEYS[1] the jti key, KEYS[2] the client's quota set; ARGV: ttl ms, now ms, expiry ms, max per client, member. */
    private static final String SCRIPT = String.join("\n",
            "redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])",
            "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end",
            "local max = tonumber(ARGV[4])",
            "if max > 0 and redis.call('ZCARD', KEYS[2]) >= max then return 2 end",
            "redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])",
            "redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])",
            "if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end",
            "return 1");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final Connection connection;
    private final String namespace;
    private final int maxPerClient;
    private final Duration maxTtl;
    private final boolean acceptWhenUnavailable;
    private final AtomicLong unavailableChecks = new AtomicLong();
    private final AtomicLong quotaRefusals = new AtomicLong();
    private volatile String scriptSha;

    private RedisReplayCache(Builder builder) {
        this.namespace = builder.namespace;
        this.connection = new Connection(builder.uri, builder.client, builder.timeout, LOG, "replay cache " + namespace,
                builder.acceptWhenUnavailable ? "accepting unchecked (weakened)" : "refusing every check (fail closed)");
        this.maxPerClient = builder.maxPerClient;
        this.maxTtl = builder.maxTtl;
        this.acceptWhenUnavailable = builder.acceptWhenUnavailable;
        if (acceptWhenUnavailable) {
            LOG.log(Level.WARNING, "replay cache {0} accepts assertions and proofs unchecked while Redis is unavailable "
                    + "(acceptWhenUnavailable): replays are then not detected", namespace);
        }
    }

    /** A cache on the Redis at {@code uri} (for example {@code redis://127.0.0.1:6379}); it owns its client. */
    public static Builder builder(RedisURI uri) {
        return new Builder(Objects.requireNonNull(uri, "uri"), null);
    }

    /** A cache on a client the application shares; the cache opens one connection and closes only that. */
    public static Builder builder(RedisClient client) {
        return new Builder(null, Objects.requireNonNull(client, "client"));
    }

    @Override
    public boolean firstUse(String clientId, String jti, Instant expiresAt, Instant now) {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(jti, "jti");
        long ttl = Math.min(Math.max(1000, expiresAt.toEpochMilli() - now.toEpochMilli()), maxTtl.toMillis());
        String clientHash = hash(clientId);
        String tag = namespace + "{" + clientHash + "}";
        String jtiKey = tag + ":" + hash(clientId + "\u0000" + jti);
        String quotaKey = tag + ":quota";
        try {
            long result = run(jtiKey, quotaKey, Long.toString(ttl), Long.toString(now.toEpochMilli()),
                    Long.toString(now.toEpochMilli() + ttl), Integer.toString(maxPerClient), jtiKey);
            connection.up();
            if (result == 2) {
                quotaRefusals.incrementAndGet();
                return false;
            }
            return result == 1;
        } catch (RedisException | IllegalStateException e) {
            unavailableChecks.incrementAndGet();
            connection.down(e);
            return acceptWhenUnavailable;
        }
    }

    private long run(String jtiKey, String quotaKey, String... args) {
        RedisCommands<String, String> redis = connection.sync();
        String sha = scriptSha;
        String[] keys = {jtiKey, quotaKey};
        if (sha != null) {
            try {
                Long result = redis.evalsha(sha, ScriptOutputType.INTEGER, keys, args);
                return result;
            } catch (io.lettuce.core.RedisNoScriptException flushed) {
                // a restarted or flushed Redis forgot the script: load it again
            }
        }
        scriptSha = redis.scriptLoad(SCRIPT);
        Long result = redis.evalsha(scriptSha, ScriptOutputType.INTEGER, keys, args);
        return result;
    }

    /** Checks that could not be made because Redis was unavailable (refused, or accepted when weakened). */
    public long unavailableChecks() {
        return unavailableChecks.get();
    }

    /** Checks refused because the client held its quota of live entries. */
    public long quotaRefusals() {
        return quotaRefusals.get();
    }

    static String hash(String value) {
        try {
            return B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    @Override
    public void close() {
        connection.close();
    }

    @Override
    public String toString() {
        return "RedisReplayCache[" + namespace + ", maxPerClient=" + maxPerClient + "]";
    }

    /** Builds a {@link RedisReplayCache}. Not thread-safe. */
    public static final class Builder {
        private final RedisURI uri;
        private final RedisClient client;
        private String namespace = "clientauth:replay:";
        private Duration timeout = Duration.ofMillis(250);
        private int maxPerClient = 100_000;
        private Duration maxTtl = Duration.ofMinutes(6);
        private boolean acceptWhenUnavailable;

        private Builder(RedisURI uri, RedisClient client) {
            this.uri = uri;
            this.client = client;
        }

        /** The key prefix, to keep several verifiers (or environments) apart; default {@code clientauth:replay:}. */
        public Builder namespace(String namespace) {
            this.namespace = Objects.requireNonNull(namespace, "namespace");
            return this;
        }

        /** How long one check may take before it fails closed; default 250 ms. */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Live entries one client may hold (0: no quota); default 100,000. */
        public Builder maxPerClient(int maxPerClient) {
            if (maxPerClient < 0) {
                throw new IllegalArgumentException("maxPerClient must not be negative: " + maxPerClient);
            }
            this.maxPerClient = maxPerClient;
            return this;
        }

        /** The longest an entry is kept, whatever its expiry says; default 6 minutes. */
        public Builder maxTtl(Duration maxTtl) {
            if (maxTtl.isNegative() || maxTtl.isZero()) {
                throw new IllegalArgumentException("maxTtl must be positive: " + maxTtl);
            }
            this.maxTtl = maxTtl;
            return this;
        }

        /**
         * A weakening: while Redis is unavailable, accept every assertion or proof unchecked
         * instead of refusing it. Replays go undetected then. Logs a warning.
         */
        public Builder acceptWhenUnavailable() {
            this.acceptWhenUnavailable = true;
            return this;
        }

        public RedisReplayCache build() {
            return new RedisReplayCache(this);
        }
    }
}
