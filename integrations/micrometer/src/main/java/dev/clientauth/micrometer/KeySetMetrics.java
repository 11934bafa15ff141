package dev.clientauth.micrometer;

import dev.clientauth.jwt.keys.RotatingKeySet;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Objects;

/**
 * The meters of a {@link RotatingKeySet} (needs {@code clientauth-jwt-assertion}), tagged
 * {@code keyset}: {@code clientauth.signing.key.age} (seconds since the active key was created),
 * {@code clientauth.signing.key.rotation.due} (seconds until the rotation interval says the next key
 * takes over; negative when overdue) and {@code clientauth.signing.keyset.version} (the stored
 * version, which grows with every rotation, on every replica).
 */
public final class KeySetMetrics implements MeterBinder {
    private final RotatingKeySet keySet;
    private final String name;
    private final Duration rotationInterval;

    /**
     * @param name a short, fixed name for the tag (not a path or URL)
     * @param rotationInterval the set's rotation interval, for the due gauge
     */
    public KeySetMetrics(RotatingKeySet keySet, String name, Duration rotationInterval) {
        this.keySet = Objects.requireNonNull(keySet, "keySet");
        this.name = Objects.requireNonNull(name, "name");
        this.rotationInterval = Objects.requireNonNull(rotationInterval, "rotationInterval");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of("keyset", name);
        Gauge.builder("clientauth.signing.key.age", keySet, k -> ageSeconds(k))
                .description("Seconds since the active signing key was created").baseUnit("seconds").tags(tags).register(registry);
        Gauge.builder("clientauth.signing.key.rotation.due", keySet, k -> rotationInterval.toSeconds() - ageSeconds(k))
                .description("Seconds until the next rotation is due").baseUnit("seconds").tags(tags).register(registry);
        Gauge.builder("clientauth.signing.keyset.version", keySet, RotatingKeySet::storedVersion)
                .description("Version of the stored key set held (the same on replicas that hold the same set)").tags(tags)
                .register(registry);
        Gauge.builder("clientauth.signing.keyset.store.failing", keySet, k -> k.storeFailingSince().isPresent() ? 1 : 0)
                .description("1 while the key set store cannot be reached or holds no usable set (signing goes on by the schedule, changes wait)")
                .tags(tags).register(registry);
    }

    private static double ageSeconds(RotatingKeySet keySet) {
        return (keySet.clock().millis() - keySet.activeKey().createdAt().toEpochMilli()) / 1000.0;
    }

    @Override
    public String toString() {
        return "KeySetMetrics[" + name + "]";
    }
}
