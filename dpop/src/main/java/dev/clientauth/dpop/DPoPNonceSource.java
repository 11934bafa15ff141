package dev.clientauth.dpop;

import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Server nonces for DPoP (RFC 9449 §8, §9): a random nonce that rotates every interval; the
 * current and the previous one are accepted, so a client that just received a nonce is not
 * refused at a rotation. Compared in constant time. Thread-safe.
 */
public final class DPoPNonceSource {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Clock clock;
    private final Duration interval;
    private String current;
    private String previous;
    private Instant rotatedAt;

    private DPoPNonceSource(Duration interval, Clock clock) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the rotation interval must be positive: " + interval);
        }
        this.interval = interval;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.current = fresh();
        this.rotatedAt = clock.instant();
    }

    /** Nonces that rotate every {@code interval}. */
    public static DPoPNonceSource rotatingEvery(Duration interval) {
        return new DPoPNonceSource(interval, Clock.systemUTC());
    }

    /** As {@link #rotatingEvery(Duration)}, on {@code clock}. */
    public static DPoPNonceSource rotatingEvery(Duration interval, Clock clock) {
        return new DPoPNonceSource(interval, clock);
    }

    /** The nonce to hand out now (in {@code DPoP-Nonce}). */
    public synchronized String current() {
        rotateIfDue();
        return current;
    }

    /** Whether {@code nonce} is the current or the previous nonce. */
    public synchronized boolean accepts(String nonce) {
        if (nonce == null) {
            return false;
        }
        rotateIfDue();
        byte[] given = nonce.getBytes(StandardCharsets.US_ASCII);
        boolean matchesCurrent = MessageDigest.isEqual(given, current.getBytes(StandardCharsets.US_ASCII));
        boolean matchesPrevious = previous != null && MessageDigest.isEqual(given, previous.getBytes(StandardCharsets.US_ASCII));
        return matchesCurrent | matchesPrevious;
    }

    private void rotateIfDue() {
        Instant now = clock.instant();
        if (!now.isBefore(rotatedAt.plus(interval))) {
            boolean skippedOne = !now.isBefore(rotatedAt.plus(interval.multipliedBy(2)));
            previous = skippedOne ? null : current;
            current = fresh();
            rotatedAt = now;
        }
    }

    private static String fresh() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64URL.encode(bytes).toString();
    }

    @Override
    public String toString() {
        return "DPoPNonceSource[rotating every " + interval + "]";
    }
}
