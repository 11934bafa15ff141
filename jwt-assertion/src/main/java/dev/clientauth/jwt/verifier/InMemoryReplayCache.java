package dev.clientauth.jwt.verifier;

import dev.clientauth.core.internal.Jca;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import dev.clientauth.core.internal.Printable;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded in-memory {@link ReplayCache}. Each entry is 128 bits of SHA-256 over client id and
 * {@code jti} plus its expiry in seconds (20 bytes in open-addressing arrays, about 40 bytes per
 * live entry with the load factor), so a million live assertions take about 43 MiB (measured).
 *
 * <ul>
 *   <li>Entries expire with their assertion, but never later than {@link #maxTtl()} after they
 *       are recorded, whatever expiry the caller gives.</li>
 *   <li>One client holds at most {@link #maxPerClient()} live entries; beyond that its
 *       assertions are refused (fail closed), so one client cannot fill the cache for the
 *       others.</li>
 *   <li>The overall bound is split over 64 stripes and checked when a stripe has to grow, so a
 *       stripe may hold up to about 1.5 times its share before it refuses; once a stripe is full
 *       of live entries, new assertions are refused rather than older ones forgotten.</li>
 *   <li>Every refusal for lack of room is counted ({@link #fullRefusals()},
 *       {@link #quotaRefusals()}) and logged at WARNING once per minute.</li>
 * </ul>
 * Striped for concurrency; thread-safe.
 */
public final class InMemoryReplayCache implements ReplayCache {
    private static final System.Logger LOG = System.getLogger(InMemoryReplayCache.class.getName());
    private static final int STRIPES = 64;
    /** Default cap of an entry's life: the 5-minute assertion lifetime plus skew. */
    public static final Duration DEFAULT_MAX_TTL = Duration.ofMinutes(6);
    private final Stripe[] stripes = new Stripe[STRIPES];
    private final int maxPerStripe;
    private final int maxPerClient;
    private final long maxTtlSeconds;
    private final ConcurrentHashMap<String, ClientUsage> usage = new ConcurrentHashMap<>();
    private final AtomicLong fullRefusals = new AtomicLong();
    private final AtomicLong quotaRefusals = new AtomicLong();
    private final AtomicLong lastWarning = new AtomicLong(Long.MIN_VALUE);

    /**
     * A cache for about {@code maxEntries} live assertions (see above for the exact bound), at most
     * {@code maxPerClient} of one client, each kept at most {@code maxTtl}.
     */
    public InMemoryReplayCache(int maxEntries, int maxPerClient, Duration maxTtl) {
        if (maxEntries < STRIPES) {
            throw new IllegalArgumentException("maxEntries must be at least " + STRIPES + ": " + maxEntries);
        }
        if (maxPerClient < 1) {
            throw new IllegalArgumentException("maxPerClient must be positive: " + maxPerClient);
        }
        if (maxTtl.isNegative() || maxTtl.isZero() || maxTtl.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("maxTtl must be in (0, 1 h]: " + maxTtl);
        }
        this.maxPerStripe = maxEntries / STRIPES;
        this.maxPerClient = maxPerClient;
        this.maxTtlSeconds = maxTtl.getSeconds();
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe(16);
        }
    }

    /** A cache for about {@code maxEntries} live assertions, a tenth of them per client at most, kept at most 6 minutes. */
    public InMemoryReplayCache(int maxEntries) {
        this(maxEntries, Math.max(1, maxEntries / 10), DEFAULT_MAX_TTL);
    }

    /** A cache for up to 1,000,000 live assertions, 100,000 per client. */
    public static InMemoryReplayCache create() {
        return new InMemoryReplayCache(1_000_000);
    }

    /** Live entries one client may hold. */
    public int maxPerClient() {
        return maxPerClient;
    }

    /** The longest an entry is kept. */
    public Duration maxTtl() {
        return Duration.ofSeconds(maxTtlSeconds);
    }

    /** Assertions refused because a stripe of the cache was full of live entries. */
    public long fullRefusals() {
        return fullRefusals.get();
    }

    /** Assertions refused because their client held its quota of live entries. */
    public long quotaRefusals() {
        return quotaRefusals.get();
    }

    /** Occupied entries (live ones, and expired ones not yet reused): how full the cache is. */
    public long entries() {
        long total = 0;
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                total += stripe.used;
            }
        }
        return total;
    }

    /** How many entries the cache holds at most. */
    public long capacity() {
        return (long) maxPerStripe * STRIPES;
    }

    /** Times are stored as int seconds since this instant (2020-09-13), which lasts from 1952 to 2088. */
    private static final long BASE = 1_600_000_000L;

    /** Seconds since {@link #BASE}, clamped into the int range; never 0, which marks an empty slot. */
    private static int relative(long epochSecond) {
        long value = Math.max(Integer.MIN_VALUE + 1L, Math.min(Integer.MAX_VALUE, epochSecond - BASE));
        return value == 0 ? 1 : (int) value;
    }

    @Override
    public boolean firstUse(String clientId, String jti, Instant expiresAt, Instant now) {
        long nowSeconds = now.getEpochSecond();
        long expiry = Math.min(expiresAt.getEpochSecond(), nowSeconds + maxTtlSeconds);
        ClientUsage client = usage.computeIfAbsent(clientId, k -> new ClientUsage());
        synchronized (client) {
            if (client.live(nowSeconds) >= maxPerClient) {
                quotaRefusals.incrementAndGet();
                warn(nowSeconds, "client " + Printable.of(clientId, 64) + " holds its quota of " + maxPerClient
                        + " live assertions");
                return false;
            }
            boolean recorded = record(clientId, jti, expiry, nowSeconds);
            if (recorded) {
                client.add(expiry, nowSeconds);
            }
            return recorded;
        }
    }

    private boolean record(String clientId, String jti, long expiry, long nowSeconds) {
        byte[] digest = sha256(clientId, jti);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (digest[i] & 0xff);
            lo = (lo << 8) | (digest[8 + i] & 0xff);
        }
        Stripe stripe = stripes[(int) (lo >>> 58)];
        int result;
        synchronized (stripe) {
            result = stripe.add(hi, lo, relative(expiry), relative(nowSeconds), maxPerStripe);
        }
        if (result == Stripe.FULL) {
            fullRefusals.incrementAndGet();
            warn(nowSeconds, "the replay cache is full of live assertions");
        }
        return result == Stripe.ADDED;
    }

    private void warn(long nowSeconds, String what) {
        long last = lastWarning.get();
        if (nowSeconds - last >= 60 && lastWarning.compareAndSet(last, nowSeconds)) {
            LOG.log(Level.WARNING, "{0}: client assertions are refused until entries expire (refusals so far: full {1}, "
                    + "quota {2})", what, fullRefusals.get(), quotaRefusals.get());
        }
    }

    /** Live (unexpired) entries at {@code now}; for monitoring. */
    public long size(Instant now) {
        long total = 0;
        int seconds = relative(now.getEpochSecond());
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                total += stripe.live(seconds);
            }
        }
        return total;
    }

    private static byte[] sha256(String clientId, String jti) {
        try {
            MessageDigest sha = Jca.messageDigest("SHA-256");
            sha.update(clientId.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(jti.getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Live entries of one client, counted in 10-second buckets of their expiry. */
    private static final class ClientUsage {
        private static final int WIDTH = 10;
        private final java.util.TreeMap<Long, Integer> buckets = new java.util.TreeMap<>();

        int live(long nowSeconds) {
            buckets.headMap(Math.floorDiv(nowSeconds, WIDTH), false).clear(); // buckets whose every entry has expired
            int live = 0;
            for (int count : buckets.values()) {
                live += count;
            }
            return live;
        }

        void add(long expiry, long nowSeconds) {
            buckets.merge(Math.max(expiry, nowSeconds + 1) / WIDTH, 1, Integer::sum);
        }
    }

    /** Open addressing with linear probing; expired slots are reclaimed when the table is rebuilt. */
    private static final class Stripe {
        static final int ADDED = 0;
        static final int REPLAY = 1;
        static final int FULL = 2;

        long[] his;
        long[] los;
        int[] expiries; // 0 = empty slot
        int used;       // occupied slots, expired or not

        Stripe(int capacity) {
            his = new long[capacity];
            los = new long[capacity];
            expiries = new int[capacity];
        }

        int add(long hi, long lo, int expiry, int now, int max) {
            int mask = his.length - 1;
            int index = (int) (hi ^ (hi >>> 32)) & mask;
            while (expiries[index] != 0) {
                if (his[index] == hi && los[index] == lo && expiries[index] > now) {
                    return REPLAY;
                }
                index = (index + 1) & mask;
            }
            if (used + 1 > his.length * 3 / 4) {
                int live = live(now);
                if (live + 1 > max) {
                    return FULL; // full of live entries: fail closed
                }
                int capacity = his.length;
                while ((live + 1) * 2 > capacity) {
                    capacity *= 2;
                }
                rebuild(Math.max(16, capacity), now);
                return add(hi, lo, expiry, now, max);
            }
            his[index] = hi;
            los[index] = lo;
            expiries[index] = expiry;
            used++;
            return ADDED;
        }

        int live(int now) {
            int live = 0;
            for (int expiry : expiries) {
                if (expiry != 0 && expiry > now) {
                    live++;
                }
            }
            return live;
        }

        void rebuild(int capacity, int now) {
            long[] oldHis = his;
            long[] oldLos = los;
            int[] oldExpiries = expiries;
            his = new long[capacity];
            los = new long[capacity];
            expiries = new int[capacity];
            used = 0;
            int mask = capacity - 1;
            for (int i = 0; i < oldExpiries.length; i++) {
                if (oldExpiries[i] != 0 && oldExpiries[i] > now) {
                    int index = (int) (oldHis[i] ^ (oldHis[i] >>> 32)) & mask;
                    while (expiries[index] != 0) {
                        index = (index + 1) & mask;
                    }
                    his[index] = oldHis[i];
                    los[index] = oldLos[i];
                    expiries[index] = oldExpiries[i];
                    used++;
                }
            }
        }
    }
}
