package dev.clientauth.core;

import java.time.Duration;
import java.util.Optional;

/**
 * How failed token requests are retried: a pure function of the attempt, the error and a random
 * number.
 *
 * <ul>
 *   <li><b>A caller waiting for a token</b> (nothing valid is cached): retryable failures (5xx,
 *       429, transport) are retried up to {@link #maxAttempts()} in all, after a delay with full
 *       jitter between 0 and {@code initialBackoff·2^(attempt-1)} (at most {@link #maxBackoff()}),
 *       or after the server's {@code Retry-After}. A {@code Retry-After} longer than
 *       {@code maxBackoff} ends the retries instead of being cut short.</li>
 *   <li><b>A background refresh</b> (a valid token is still served) makes one attempt; after the
 *       {@code n}th failure in a row the next attempt waits between half and all of
 *       {@code backgroundBackoff·2^(n-1)} (at most {@code maxBackoff}), or the server's
 *       {@code Retry-After} if longer — so an outage costs a handful of requests, not several a
 *       second.</li>
 * </ul>
 *
 * @param maxAttempts attempts in all for a waiting caller, at least 1
 * @param initialBackoff first delay for a waiting caller
 * @param maxBackoff cap of every delay
 * @param backgroundBackoff first delay between background attempts
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration backgroundBackoff) {

    /** 4 attempts, 200 ms first delay, 30 s cap, 1 s first background delay. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofSeconds(1));
    }

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        RefreshPolicy.nonNegative(initialBackoff, "initialBackoff");
        RefreshPolicy.nonNegative(maxBackoff, "maxBackoff");
        RefreshPolicy.nonNegative(backgroundBackoff, "backgroundBackoff");
    }

    /**
     * The delay before attempt {@code attempt + 1} for a waiting caller, or empty when the error is
     * not retryable, the attempts are used up, or the server asks for a longer pause than
     * {@link #maxBackoff()}.
     */
    public Optional<Duration> delayBeforeRetry(int attempt, TokenRequestException error, double random) {
        if (!error.isRetryable() || attempt >= maxAttempts) {
            return Optional.empty();
        }
        Optional<Duration> retryAfter = error.retryAfter();
        if (retryAfter.isPresent()) {
            return retryAfter.get().compareTo(maxBackoff) > 0 ? Optional.empty() : retryAfter;
        }
        return Optional.of(Duration.ofMillis((long) (capped(initialBackoff, attempt) * random)));
    }

    /** The delay before the next background attempt after {@code failures} failures in a row (at least 1). */
    public Duration backgroundDelay(int failures, TokenRequestException error, double random) {
        long base = capped(backgroundBackoff, Math.max(1, failures));
        long delay = base / 2 + (long) ((base - base / 2) * random);
        long retryAfter = error.retryAfter().map(Duration::toMillis).orElse(0L);
        return Duration.ofMillis(Math.max(delay, Math.min(retryAfter, maxBackoff.toMillis())));
    }

    private long capped(Duration first, int attempt) {
        long millis = first.toMillis() << Math.min(attempt - 1, 20);
        return Math.min(millis, maxBackoff.toMillis());
    }
}
