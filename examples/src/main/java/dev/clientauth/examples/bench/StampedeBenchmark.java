package dev.clientauth.examples.bench;

import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TokenClient;
import dev.clientauth.core.TokenSource;
import java.net.URI;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * 1,000 callers ask at once with no valid token; the token endpoint takes 20 ms. Reports the
 * number of token requests that went out (counter {@code tokenRequests}, summed over the
 * iterations) and prints the callers' p99 wait minus the measured round trip per iteration.
 *
 * <pre>java -cp examples/target/classes:$(cat examples/target/classpath.txt) org.openjdk.jmh.Main StampedeBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 20)
@Fork(1)
public class StampedeBenchmark {
    static final int CALLERS = 1000;
    static final long ROUND_TRIP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private ExecutorService pool;
    private InMemoryTokenEndpoint endpoint;
    private TokenSource source;

    /** Totals over all iterations (JMH sums EVENTS counters over the iterations). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Result {
        public long tokenRequests;
        public long iterations;
    }

    private final java.util.List<Double> p99s = new java.util.ArrayList<>();

    @Setup(Level.Trial)
    public void pool() {
        pool = Executors.newFixedThreadPool(CALLERS);
    }

    @Setup(Level.Iteration)
    public void freshSource() {
        endpoint = new InMemoryTokenEndpoint(ROUND_TRIP_NANOS, 3600);
        TokenClient client = TokenClient.builder(URI.create("https://as.example/token"),
                ClientSecretBasic.of(ClientId.of("bench"), Secret.of("secret"))).transport(endpoint).build();
        source = TokenSource.builder(client).build();
    }

    @TearDown(Level.Iteration)
    public void closeSource() {
        source.close();
    }

    @TearDown(Level.Trial)
    public void stopPool() {
        pool.shutdownNow();
        java.util.Collections.sort(p99s);
        System.out.printf("%nper iteration: p99 wait minus the measured round trip, median %.2f ms, max %.2f ms (%d iterations)%n",
                p99s.get(p99s.size() / 2), p99s.get(p99s.size() - 1), p99s.size());
    }

    @Benchmark
    public void thousandCallersAtExpiry(Result result) throws Exception {
        CountDownLatch ready = new CountDownLatch(CALLERS);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(CALLERS);
        long[] waits = new long[CALLERS];
        for (int i = 0; i < CALLERS; i++) {
            int index = i;
            pool.execute(() -> {
                ready.countDown();
                try {
                    go.await();
                    long start = System.nanoTime();
                    source.token();
                    waits[index] = System.nanoTime() - start;
                } catch (Exception e) {
                    waits[index] = Long.MAX_VALUE;
                } finally {
                    done.countDown();
                }
            });
        }
        ready.await();
        go.countDown();
        done.await();
        Arrays.sort(waits);
        result.tokenRequests = endpoint.requests.get();
        result.iterations = 1;
        p99s.add((waits[(int) (CALLERS * 0.99) - 1] - endpoint.lastRoundTripNanos) / 1e6);
    }
}
