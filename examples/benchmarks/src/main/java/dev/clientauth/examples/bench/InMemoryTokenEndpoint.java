package dev.clientauth.examples.bench;

import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.http.TransportRequest;
import dev.clientauth.core.http.TransportResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A transport answering every request with a fresh token, after an optional delay: for cache benchmarks. */
final class InMemoryTokenEndpoint implements HttpTransport {
    final AtomicInteger requests = new AtomicInteger();
    /** How long the last request took here, in nanoseconds: the round trip callers wait for. */
    volatile long lastRoundTripNanos;
    private final long delayNanos;
    private final long expiresIn;

    InMemoryTokenEndpoint(long delayNanos, long expiresIn) {
        this.delayNanos = delayNanos;
        this.expiresIn = expiresIn;
    }

    @Override
    public TransportResponse execute(TransportRequest request) throws TokenRequestException {
        long start = System.nanoTime();
        int n = requests.incrementAndGet();
        if (delayNanos > 0) {
            // a network round trip waits without using the CPU
            java.util.concurrent.locks.LockSupport.parkNanos(delayNanos);
        }
        lastRoundTripNanos = System.nanoTime() - start;
        String body = "{\"access_token\":\"token-" + n + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}";
        return new TransportResponse(200, Map.of("Content-Type", List.of("application/json")),
                body.getBytes(StandardCharsets.UTF_8));
    }
}
