package dev.clientauth.examples.bench;

import com.sun.net.httpserver.HttpServer;
import dev.clientauth.core.AccessToken;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TokenClient;
import dev.clientauth.core.TokenRequest;
import dev.clientauth.core.TokenType;
import dev.clientauth.redis.RedisTokenCache;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyGenerator;
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
 * What a replica pays when its own cache misses: (a) the token another replica stored, read from
 * a private {@code redis-server} on 127.0.0.1 and opened (AES-GCM), against (b) a token request
 * ({@code client_secret_basic}) to a token endpoint on 127.0.0.1 that answers at once — a real
 * authorization server adds its own work and network on top of (b).
 *
 * <pre>java -cp examples/benchmarks/target/classes:$(cat examples/benchmarks/target/classpath.txt) org.openjdk.jmh.Main SharedTokenCacheBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SharedTokenCacheBenchmark {
    private LoopbackRedis redis;
    private RedisTokenCache cache;
    private HttpServer tokenEndpoint;
    private TokenClient client;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        redis = new LoopbackRedis();
        KeyGenerator generator = KeyGenerator.getInstance("AES");
        generator.init(256);
        cache = RedisTokenCache.create(redis.uri(), generator.generateKey(), "bench:",
                Duration.ofSeconds(1));
        cache.put("key", new AccessToken("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJl", TokenType.BEARER, Instant.now(),
                Instant.now().plusSeconds(3600), Set.of("accounts"), null), Instant.now().plusSeconds(3600));

        System.setProperty("sun.net.httpserver.nodelay", "true");
        tokenEndpoint = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        tokenEndpoint.setExecutor(Executors.newFixedThreadPool(2));
        byte[] body = "{\"access_token\":\"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJl\",\"token_type\":\"Bearer\",\"expires_in\":3600}"
                .getBytes(StandardCharsets.UTF_8);
        tokenEndpoint.createContext("/token", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        tokenEndpoint.start();
        client = TokenClient.builder(URI.create("http://127.0.0.1:" + tokenEndpoint.getAddress().getPort() + "/token"),
                ClientSecretBasic.of(ClientId.of("bench"), Secret.of("bench-secret"))).build();
        if (a_sharedCacheHitFromRedis() == null || b_tokenRequestToLoopback() == null) {
            throw new IllegalStateException("setup failed");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        cache.close();
        tokenEndpoint.stop(0);
        ((java.util.concurrent.ExecutorService) tokenEndpoint.getExecutor()).shutdownNow();
        redis.close();
    }

    @Benchmark
    public AccessToken a_sharedCacheHitFromRedis() {
        return cache.get("key").orElse(null);
    }

    @Benchmark
    public AccessToken b_tokenRequestToLoopback() throws Exception {
        return client.requestToken(TokenRequest.clientCredentials()).accessToken();
    }
}
