package dev.clientauth.micrometer;

import dev.clientauth.jwt.verifier.InMemoryReplayCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * The meters of a verifier's {@link InMemoryReplayCache} (needs {@code clientauth-jwt-assertion}),
 * tagged {@code cache}: {@code clientauth.replay.entries} and {@code clientauth.replay.fullness}
 * (occupied share of the capacity, 0 to 1), and the refusals {@code clientauth.replay.refused.full}
 * and {@code clientauth.replay.refused.quota} — assertions or proofs refused because the cache, or
 * their client's quota, was full.
 */
public final class ReplayCacheMetrics implements MeterBinder {
    private final InMemoryReplayCache cache;
    private final String name;

    /** @param name a short, fixed name for the tag */
    public ReplayCacheMetrics(InMemoryReplayCache cache, String name) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of("cache", name);
        Gauge.builder("clientauth.replay.entries", cache, InMemoryReplayCache::entries)
                .description("Occupied replay cache entries").tags(tags).register(registry);
        Gauge.builder("clientauth.replay.fullness", cache, c -> (double) c.entries() / c.capacity())
                .description("Occupied share of the replay cache").tags(tags).register(registry);
        FunctionCounter.builder("clientauth.replay.refused.full", cache, InMemoryReplayCache::fullRefusals)
                .description("Refused because the cache was full").tags(tags).register(registry);
        FunctionCounter.builder("clientauth.replay.refused.quota", cache, InMemoryReplayCache::quotaRefusals)
                .description("Refused because the client's quota was full").tags(tags).register(registry);
    }

    @Override
    public String toString() {
        return "ReplayCacheMetrics[" + name + "]";
    }
}
