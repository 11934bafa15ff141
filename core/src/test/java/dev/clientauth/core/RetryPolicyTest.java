package dev.clientauth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final RetryPolicy DEFAULTS = RetryPolicy.defaults();
    private static final TokenRequestException UNAVAILABLE = new UnexpectedStatusException("503", 503, null, null);

    @Test
    void waitingCaller_fullJitterExponential_untilAttemptsUsedUp() {
        assertEquals(Optional.of(Duration.ofMillis(100)), DEFAULTS.delayBeforeRetry(1, UNAVAILABLE, 0.5));
        assertEquals(Optional.of(Duration.ofMillis(200)), DEFAULTS.delayBeforeRetry(2, UNAVAILABLE, 0.5));
        assertEquals(Optional.of(Duration.ofMillis(400)), DEFAULTS.delayBeforeRetry(3, UNAVAILABLE, 0.5));
        assertEquals(Optional.empty(), DEFAULTS.delayBeforeRetry(4, UNAVAILABLE, 0.5));
    }

    @Test
    void notRetryable_noRetry() {
        TokenRequestException invalidClient = new OAuthErrorResponseException(OAuthErrorCode.of("invalid_client"), null,
                null, 401, null, null);
        assertEquals(Optional.empty(), DEFAULTS.delayBeforeRetry(1, invalidClient, 0.5));
    }

    @Test
    void retryAfter_honoured_butNotBeyondTheCap() {
        TokenRequestException shortWait = new UnexpectedStatusException("429", 429, null, Duration.ofSeconds(2));
        TokenRequestException longWait = new UnexpectedStatusException("429", 429, null, Duration.ofMinutes(5));
        assertEquals(Optional.of(Duration.ofSeconds(2)), DEFAULTS.delayBeforeRetry(1, shortWait, 0.5));
        assertEquals(Optional.empty(), DEFAULTS.delayBeforeRetry(1, longWait, 0.5));
        assertEquals(Duration.ofSeconds(30), DEFAULTS.backgroundDelay(1, longWait, 0.5), "capped in the background");
    }

    @Test
    void background_doublesFromOneSecond_withEqualJitter_cappedAtThirtySeconds() {
        assertEquals(Duration.ofMillis(500), DEFAULTS.backgroundDelay(1, UNAVAILABLE, 0));
        assertEquals(Duration.ofMillis(1000), DEFAULTS.backgroundDelay(1, UNAVAILABLE, 1));
        assertEquals(Duration.ofMillis(4000), DEFAULTS.backgroundDelay(3, UNAVAILABLE, 1));
        assertEquals(Duration.ofSeconds(30), DEFAULTS.backgroundDelay(12, UNAVAILABLE, 1));
        assertEquals(Duration.ofSeconds(15), DEFAULTS.backgroundDelay(12, UNAVAILABLE, 0));
    }

    @Test
    void invalidSettings_refused() {
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(1, Duration.ofMillis(-1), Duration.ZERO, Duration.ZERO));
    }
}
