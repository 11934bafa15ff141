package dev.clientauth.jwt.verifier;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;

/**
 * A bounded in-memory {@link ReplayCache}. Each entry is 128 bits of SHA-256 over client id and
 * {@code jti} plus its expiry in seconds (20 bytes in open-addressing arrays, about 40 bytes per
 * live entry with the load factor), so a million live assertions take about 43 MiB (measured).
 * Entries expire with their assertion. The bound is split over 64 stripes and checked when a
 * stripe has to grow, so a stripe may hold up to about 1.5 times its share before it refuses;
 * once a stripe is full of live entries, new assertions are refused (fail closed) rather than
 * older ones forgotten. Striped for concurrency; thread-safe.
 */
public final class InMemoryReplayCache implements ReplayCache {
    private static final int STRIPES = 64;
    private final Stripe[] stripes = new Stripe[STRIPES];
    private final int maxPerStripe;

    /** A cache for about {@code maxEntries} live assertions (see the class description for the exact bound). */
    public InMemoryReplayCache(int maxEntries) {
        if (maxEntries < STRIPES) {
            throw new IllegalArgumentException("maxEntries must be at least " + STRIPES + ": " + maxEntries);
        }
        this.maxPerStripe = maxEntries / STRIPES;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe(16);
        }
    }

    /** A cache for up to 1,000,000 live assertions. */
    public static InMemoryReplayCache create() {
        return new InMemoryReplayCache(1_000_000);
    }

    @Override
    public boolean firstUse(String clientId, String jti, Instant expiresAt, Instant now) {
        byte[] digest = sha256(clientId, jti);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (digest[i] & 0xff);
            lo = (lo << 8) | (digest[8 + i] & 0xff);
        }
        Stripe stripe = stripes[(int) (lo >>> 58)];
        synchronized (stripe) {
            return stripe.add(hi, lo, (int) Math.min(Integer.MAX_VALUE, expiresAt.getEpochSecond()),
                    (int) now.getEpochSecond(), maxPerStripe);
        }
    }

    /** Live (unexpired) entries at {@code now}; for monitoring. */
    public long size(Instant now) {
        long total = 0;
        int seconds = (int) now.getEpochSecond();
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                total += stripe.live(seconds);
            }
        }
        return total;
    }

    private static byte[] sha256(String clientId, String jti) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(clientId.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(jti.getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Open addressing with linear probing; expired slots are reclaimed when the table is rebuilt. */
    private static final class Stripe {
        long[] his;
        long[] los;
        int[] expiries; // 0 = empty slot
        int used;       // occupied slots, expired or not

        Stripe(int capacity) {
            his = new long[capacity];
            los = new long[capacity];
            expiries = new int[capacity];
        }

        boolean add(long hi, long lo, int expiry, int now, int max) {
            int mask = his.length - 1;
            int index = (int) (hi ^ (hi >>> 32)) & mask;
            while (expiries[index] != 0) {
                if (his[index] == hi && los[index] == lo && expiries[index] > now) {
                    return false; // replay
                }
                index = (index + 1) & mask;
            }
            if (used + 1 > his.length * 3 / 4) {
                int live = live(now);
                if (live + 1 > max) {
                    return false; // full of live entries: fail closed
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
            expiries[index] = Math.max(expiry, 1);
            used++;
            return true;
        }

        int live(int now) {
            int live = 0;
            for (int expiry : expiries) {
                if (expiry > now) {
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
                if (oldExpiries[i] > now) {
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
