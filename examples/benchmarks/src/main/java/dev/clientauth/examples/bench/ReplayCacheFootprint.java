package dev.clientauth.examples.bench;

import dev.clientauth.jwt.verifier.InMemoryReplayCache;
import java.time.Instant;
import java.util.UUID;

/**
 * Heap used by {@link InMemoryReplayCache} holding 1,000,000 live {@code jti}s.
 *
 * <pre>java -Xmx1g -cp examples/benchmarks/target/classes:$(cat examples/benchmarks/target/classpath.txt) dev.clientauth.examples.bench.ReplayCacheFootprint</pre>
 */
public final class ReplayCacheFootprint {
    private ReplayCacheFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int entries = 1_000_000;
        Instant now = Instant.now();
        long before = used();
        InMemoryReplayCache cache = new InMemoryReplayCache(entries);
        int accepted = 0;
        for (int i = 0; i < entries; i++) {
            if (cache.firstUse("client-" + (i % 100), UUID.randomUUID().toString(), now.plusSeconds(300), now)) {
                accepted++;
            }
        }
        long after = used();
        System.out.printf("live jtis: %d (accepted %d of %d); heap held by the cache: %.1f MiB%n",
                cache.size(now), accepted, entries, (after - before) / (1024.0 * 1024.0));
    }

    private static long used() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
