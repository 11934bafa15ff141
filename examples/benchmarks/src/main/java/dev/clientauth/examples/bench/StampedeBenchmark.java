package dev.clientauth.examples.bench;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TokenClient;
import dev.clientauth.core.TokenRequest;
import dev.clientauth.core.TokenSource;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * 1,000 callers ask at once with no valid token; the token endpoint takes 20 ms. Reports the
 * number of token requests that went out (counter {@code tokenRequests}, summed over the
 * iterations) and prints, per iteration, the callers' p99 wait minus the measured round trip.
 *
 * <p>{@code waitOn=tokenSource} is {@link TokenSource#token()}; {@code waitOn=rawFuture} is the
 * floor any single-flight cache has: the first caller makes the same request itself and the
 * other 999 block on one plain {@link CompletableFuture} it completes. The callers are
 * long-lived threads (started once, parked between iterations), so the harness itself adds no
 * thread-pool traffic while they wake up. {@code callers=virtual} needs Java 21 or newer.
 *
 * <pre>java -cp examples/benchmarks/target/classes:$(cat examples/benchmarks/target/classpath.txt) org.openjdk.jmh.Main StampedeBenchmark</pre>
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

    @Param({"tokenSource", "rawFuture"})
    public String waitOn;

    @Param({"platform"})
    public String callers;

    private Callers threads;
    private InMemoryTokenEndpoint endpoint;
    private TokenClient client;
    private TokenSource source;
    private AccessToken last;
    private boolean measuring;
    private AtomicReference<CompletableFuture<AccessToken>> rawFlight;
    private final List<Double> p99s = new ArrayList<>();

    /** Totals over all iterations (JMH sums EVENTS counters over the iterations). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Result {
        public long tokenRequests;
        public long iterations;
    }

    @Setup(Level.Trial)
    public void start() throws Exception {
        threads = new Callers(CALLERS, callers.equals("virtual"));
        endpoint = new InMemoryTokenEndpoint(ROUND_TRIP_NANOS, 3600);
        client = TokenClient.builder(URI.create("https://as.example/token"),
                ClientSecretBasic.of(ClientId.of("bench"), Secret.of("secret"))).transport(endpoint).build();
        source = TokenSource.builder(client).build();
    }

    /** The same source all along, as in a service; its token is dropped before each stampede. */
    @Setup(Level.Iteration)
    public void expire(IterationParams iteration) throws Exception {
        measuring = iteration.getType() == IterationType.MEASUREMENT;
        if (last != null) {
            source.invalidate(last);
        }
        rawFlight = new AtomicReference<>();
        endpoint.requests.set(0);
    }

    @TearDown(Level.Trial)
    public void stop() {
        threads.stop();
        source.close();
        Collections.sort(p99s);
        System.out.printf("%n%s/%s: p99 wait minus the measured round trip, median %.2f ms, max %.2f ms (%d measured iterations)%n",
                waitOn, callers, p99s.get(p99s.size() / 2), p99s.get(p99s.size() - 1), p99s.size());
    }

    @Benchmark
    public void thousandCallersAtExpiry(Result result) throws Exception {
        Callable<Object> task = waitOn.equals("tokenSource") ? source::token : () -> rawToken(client);
        long[] waits = threads.run(task);
        result.tokenRequests = endpoint.requests.get();
        if (waitOn.equals("tokenSource")) {
            last = source.token(); // the token all callers got, from the cache
        }
        Arrays.sort(waits);
        result.iterations = 1;
        if (measuring) {
            p99s.add((waits[(int) (CALLERS * 0.99) - 1] - endpoint.lastRoundTripNanos) / 1e6);
        }
    }

    /**
     * The floor: the first caller makes the one request on its own thread and completes a plain
     * future; everyone else blocks on that future.
     */
    private AccessToken rawToken(TokenClient client) throws Exception {
        CompletableFuture<AccessToken> flight = rawFlight.get();
        if (flight == null) {
            CompletableFuture<AccessToken> created = new CompletableFuture<>();
            if (rawFlight.compareAndSet(null, created)) {
                try {
                    created.complete(client.requestToken(TokenRequest.clientCredentials()).accessToken());
                } catch (Exception e) {
                    created.completeExceptionally(e);
                }
            }
            flight = rawFlight.get();
        }
        return flight.get();
    }

    /** Long-lived caller threads that run one task each per round and park in between. */
    static final class Callers {
        private final Thread[] threads;
        private final long[] waits;
        private final AtomicInteger remaining = new AtomicInteger();
        private volatile int round;
        private volatile boolean stopped;
        private volatile Callable<Object> task;
        private volatile Thread coordinator;

        Callers(int count, boolean virtual) throws Exception {
            threads = new Thread[count];
            waits = new long[count];
            for (int i = 0; i < count; i++) {
                int index = i;
                Runnable loop = () -> loop(index);
                threads[i] = virtual ? virtualThread(loop) : new Thread(loop, "caller-" + i);
                threads[i].setDaemon(true);
                threads[i].start();
            }
        }

        private static Thread virtualThread(Runnable loop) throws Exception {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            return (Thread) Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class)
                    .invoke(builder, loop);
        }

        private void loop(int index) {
            int seen = 0;
            while (true) {
                while (round == seen && !stopped) {
                    LockSupport.park(this);
                }
                if (stopped) {
                    return;
                }
                seen = round;
                long start = System.nanoTime();
                try {
                    task.call();
                    waits[index] = System.nanoTime() - start;
                } catch (Exception e) {
                    waits[index] = Long.MAX_VALUE;
                }
                if (remaining.decrementAndGet() == 0) {
                    LockSupport.unpark(coordinator);
                }
            }
        }

        long[] run(Callable<Object> work) {
            coordinator = Thread.currentThread();
            task = work;
            remaining.set(threads.length);
            round++;
            for (Thread t : threads) {
                LockSupport.unpark(t);
            }
            while (remaining.get() > 0) {
                LockSupport.park(this);
            }
            return waits.clone();
        }

        void stop() {
            stopped = true;
            for (Thread t : threads) {
                LockSupport.unpark(t);
            }
        }
    }
}
