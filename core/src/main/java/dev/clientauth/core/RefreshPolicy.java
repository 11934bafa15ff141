package dev.clientauth.core;

import java.time.Duration;
import java.util.Objects;

/**
 * When a cached token is refreshed and until when it is served: a pure function of the time the
 * token was received, its expiry and a random number, so the rules can be read and tested alone.
 *
 * <p>For a token received at {@code t} that expires at {@code e} (lifetime {@code L = e - t}):
 * <ul>
 *   <li><b>usable until</b> {@code e - leeway}, where the leeway is {@link #expiryLeeway()} but at
 *       most a tenth of {@code L}, so a short-lived token keeps most of its life;</li>
 *   <li><b>refresh at</b> {@code t + W·(share ± jitter)} where {@code W} is the usable window,
 *       but no later than {@link #minimumTimeLeft()} before the end of the window — and that
 *       minimum is itself capped at the part of the window after the latest jittered refresh
 *       point, {@code W·(1 - share - jitter)}, so a short token is never due on arrival.</li>
 * </ul>
 * With the defaults (share 0.8, jitter 0.05, leeway 10 s, minimum 30 s) a 5 s token is refreshed
 * after about 3.6 s and served until 4.5 s; a one-hour token is refreshed after about 48 minutes
 * and served until 59 min 50 s. One request per lifetime, made while the old token is still served.
 *
 * @param refreshShare share of the usable window after which a refresh starts, in (0, 1)
 * @param jitter spread of the refresh point, as a share of the window, in [0, 0.5), less than the
 *     smaller of {@code refreshShare} and {@code 1 - refreshShare}
 * @param minimumTimeLeft refresh when less than this is left of the window (capped as above)
 * @param expiryLeeway a token counts as expired this long before it does (capped at a tenth of its lifetime)
 * @param defaultLifetime lifetime assumed when a response has no {@code expires_in}
 */
public record RefreshPolicy(double refreshShare, double jitter, Duration minimumTimeLeft, Duration expiryLeeway,
        Duration defaultLifetime) {

    /** Share 0.8, jitter 0.05, minimum time left 30 s, leeway 10 s, default lifetime 5 minutes. */
    public static RefreshPolicy defaults() {
        return new RefreshPolicy(0.8, 0.05, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMinutes(5));
    }

    public RefreshPolicy {
        if (!(refreshShare > 0 && refreshShare < 1)) {
            throw new IllegalArgumentException("refreshShare must be in (0, 1): " + refreshShare);
        }
        if (!(jitter >= 0 && jitter < 0.5 && jitter < refreshShare && jitter < 1 - refreshShare)) {
            throw new IllegalArgumentException("jitter must be in [0, 0.5) and smaller than refreshShare and "
                    + "1 - refreshShare: " + jitter);
        }
        nonNegative(minimumTimeLeft, "minimumTimeLeft");
        nonNegative(expiryLeeway, "expiryLeeway");
        nonNegative(defaultLifetime, "defaultLifetime");
        if (defaultLifetime.isZero()) {
            throw new IllegalArgumentException("defaultLifetime must be positive");
        }
    }

    /** The instants, in epoch milliseconds, at which a token is due for refresh and stops being served. */
    public record Schedule(long refreshAt, long usableUntil) {
    }

    /**
     * The schedule of a token received at {@code receivedMillis} that expires at
     * {@code expiresAtMillis} ({@code null}: no {@code expires_in}, so the default lifetime).
     *
     * @param random uniform in [0, 1), for the jitter
     */
    public Schedule schedule(long receivedMillis, Long expiresAtMillis, double random) {
        long expiresAt = expiresAtMillis != null ? expiresAtMillis : receivedMillis + defaultLifetime.toMillis();
        long lifetime = Math.max(0, expiresAt - receivedMillis);
        long usableUntil = expiresAt - Math.min(expiryLeeway.toMillis(), lifetime / 10);
        long window = Math.max(0, usableUntil - receivedMillis);
        double share = refreshShare + jitter * (2 * random - 1);
        long margin = Math.min(minimumTimeLeft.toMillis(), (long) (window * (1 - refreshShare - jitter)));
        long refreshAt = Math.min(receivedMillis + (long) (window * share), usableUntil - margin);
        return new Schedule(Math.max(receivedMillis, Math.min(refreshAt, usableUntil)), usableUntil);
    }

    public RefreshPolicy withRefreshShare(double share) {
        return new RefreshPolicy(share, jitter, minimumTimeLeft, expiryLeeway, defaultLifetime);
    }

    public RefreshPolicy withJitter(double spread) {
        return new RefreshPolicy(refreshShare, spread, minimumTimeLeft, expiryLeeway, defaultLifetime);
    }

    public RefreshPolicy withMinimumTimeLeft(Duration minimum) {
        return new RefreshPolicy(refreshShare, jitter, minimum, expiryLeeway, defaultLifetime);
    }

    public RefreshPolicy withExpiryLeeway(Duration leeway) {
        return new RefreshPolicy(refreshShare, jitter, minimumTimeLeft, leeway, defaultLifetime);
    }

    public RefreshPolicy withDefaultLifetime(Duration lifetime) {
        return new RefreshPolicy(refreshShare, jitter, minimumTimeLeft, expiryLeeway, lifetime);
    }

    static Duration nonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
        }
        return d;
    }
}
