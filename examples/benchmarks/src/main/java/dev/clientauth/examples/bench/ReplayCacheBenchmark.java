package dev.clientauth.examples.bench;

import dev.clientauth.jwt.verifier.InMemoryReplayCache;
import dev.clientauth.redis.RedisReplayCache;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One replay check ({@code firstUse} of a new {@code jti}) with 8 client threads: in memory
 * against a private {@code redis-server} on 127.0.0.1 (started and stopped by the benchmark).
 *
 * <pre>java -cp examples/benchmarks/target/classes:$(cat examples/benchmarks/target/classpath.txt) org.openjdk.jmh.Main ReplayCacheBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(8)
public class ReplayCacheBenchmark {
    private final AtomicLong counter = new AtomicLong();
    private LoopbackRedis redis;
    private RedisReplayCache onRedis;
    private InMemoryReplayCache inMemory;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        redis = new LoopbackRedis();
        onRedis = RedisReplayCache.builder(redis.uri()).maxPerClient(0).build();
        inMemory = new InMemoryReplayCache(4_000_000, 4_000_000, InMemoryReplayCache.DEFAULT_MAX_TTL);
        Instant now = Instant.now();
        if (!onRedis.firstUse("bench", "probe", now.plusSeconds(60), now)) {
            throw new IllegalStateException("Redis did not record the probe");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        onRedis.close();
        redis.close();
    }

    @Benchmark
    public boolean inMemory() {
        Instant now = Instant.now();
        return inMemory.firstUse("bench-client", "jti-" + counter.incrementAndGet(), now.plusSeconds(60), now);
    }

    @Benchmark
    public boolean redis() {
        Instant now = Instant.now();
        return onRedis.firstUse("bench-client", "jti-" + counter.incrementAndGet(), now.plusSeconds(60), now);
    }
}
