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
    private final long delayNanos;
    private final long expiresIn;

    InMemoryTokenEndpoint(long delayNanos, long expiresIn) {
        this.delayNanos = delayNanos;
        this.expiresIn = expiresIn;
    }

    @Override
    public TransportResponse execute(TransportRequest request) throws TokenRequestException {
        int n = requests.incrementAndGet();
        if (delayNanos > 0) {
            long until = System.nanoTime() + delayNanos;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }
        String body = "{\"access_token\":\"token-" + n + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}";
        return new TransportResponse(200, Map.of("Content-Type", List.of("application/json")),
                body.getBytes(StandardCharsets.UTF_8));
    }
}
