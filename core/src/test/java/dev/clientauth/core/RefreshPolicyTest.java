package dev.clientauth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RefreshPolicyTest {
    private static final RefreshPolicy DEFAULTS = RefreshPolicy.defaults();

    @ParameterizedTest
    @ValueSource(longs = {5, 10, 30, 60, 300, 3600})
    void defaults_anyLifetime_refreshWellBeforeExpiry_andNeverDueOnArrival(long seconds) {
        long lifetime = seconds * 1000;
        for (double random : new double[] {0, 0.5, 0.999}) {
            RefreshPolicy.Schedule s = DEFAULTS.schedule(0, lifetime, random);
            assertTrue(s.refreshAt() > 0, "due on arrival: " + s);
            assertTrue(s.refreshAt() >= lifetime * 0.6, "refreshed too early: " + s);
            assertTrue(s.usableUntil() - s.refreshAt() >= Math.min(lifetime / 10, 30_000), "too little time to refresh: " + s);
            assertTrue(s.usableUntil() >= lifetime - 10_000 && s.usableUntil() < lifetime, s.toString());
        }
    }

    @Test
    void oneHour_refreshAtAboutEightyPercent_servedUntilTenSecondsBefore() {
        RefreshPolicy.Schedule s = DEFAULTS.schedule(1_000, 1_000 + 3_600_000L, 0.5);
        assertEquals(1_000 + 3_590_000L, s.usableUntil());
        assertEquals(1_000 + (long) (3_590_000 * 0.8), s.refreshAt());
    }

    @Test
    void fiveSeconds_leewayCappedAtATenth() {
        RefreshPolicy.Schedule s = DEFAULTS.schedule(0, 5_000L, 0.5);
        assertEquals(4_500, s.usableUntil());
        assertEquals(3_600, s.refreshAt());
    }

    @Test
    void jitter_spreadsTheRefreshPoint() {
        RefreshPolicy.Schedule low = DEFAULTS.schedule(0, 3_600_000L, 0);
        RefreshPolicy.Schedule high = DEFAULTS.schedule(0, 3_600_000L, 0.999);
        assertTrue(high.refreshAt() - low.refreshAt() > 300_000, low + " " + high);
    }

    @Test
    void noExpiresIn_defaultLifetime() {
        RefreshPolicy.Schedule s = DEFAULTS.schedule(0, null, 0.5);
        assertEquals(300_000 - 10_000, s.usableUntil());
    }

    @Test
    void expiredOnArrival_dueAtOnce_notUsable() {
        RefreshPolicy.Schedule s = DEFAULTS.schedule(10_000, 9_000L, 0.5);
        assertTrue(s.usableUntil() <= 10_000);
        assertEquals(10_000, s.refreshAt());
    }

    @Test
    void invalidSettings_refused() {
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withRefreshShare(1));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withJitter(0.3));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withExpiryLeeway(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withDefaultLifetime(Duration.ZERO));
    }
}
