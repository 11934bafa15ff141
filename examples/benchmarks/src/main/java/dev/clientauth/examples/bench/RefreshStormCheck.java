package dev.clientauth.examples.bench;

import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TokenSource;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Token requests made by a token source with default settings, in real time, for short-lived
 * tokens: 4 callers ask for a token in a loop. Prints the requests made and the longest a caller
 * waited after the first token.
 *
 * <pre>java -cp examples/benchmarks/target/classes:$(cat examples/benchmarks/target/classpath.txt) dev.clientauth.examples.bench.RefreshStormCheck</pre>
 */
public final class RefreshStormCheck {
    private RefreshStormCheck() {
    }

    public static void main(String[] args) throws Exception {
        run(10, 200, 15);
        run(30, 20, 3);
        run(5, 20, 15);
    }

    private static void run(long expiresIn, long endpointMillis, long seconds) throws Exception {
        InMemoryTokenEndpoint endpoint = new InMemoryTokenEndpoint(TimeUnit.MILLISECONDS.toNanos(endpointMillis), expiresIn);
        AtomicLong longestWait = new AtomicLong();
        try (TokenSource tokens = TokenSource.forTokenEndpoint(URI.create("https://as.example/token"),
                ClientSecretBasic.of(ClientId.of("storm"), Secret.of("storm-secret"))).transport(endpoint).build()) {
            tokens.token();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Thread caller = new Thread(() -> {
                    while (System.nanoTime() < end) {
                        long start = System.nanoTime();
                        try {
                            tokens.token();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        longestWait.accumulateAndGet(System.nanoTime() - start, Math::max);
                        java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                    }
                });
                caller.start();
                callers.add(caller);
            }
            for (Thread caller : callers) {
                caller.join();
            }
        }
        System.out.printf("expires_in=%d s, endpoint %d ms, %d s: %d token requests; longest token() after the first: %.2f ms%n",
                expiresIn, endpointMillis, seconds, endpoint.requests.get(), longestWait.get() / 1e6);
    }
}
