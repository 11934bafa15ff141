package dev.clientauth.examples.bench;

import com.sun.net.httpserver.HttpServer;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.TokenType;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.http.TransportResponse;
import dev.clientauth.core.jdk.BearerHttpClient;
import dev.clientauth.dpop.DPoP;
import dev.clientauth.dpop.DPoPKey;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
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

/**
 * A whole API call through the JDK adapter ({@link BearerHttpClient}, HTTP/1.1 keep-alive) to a
 * server on 127.0.0.1, with a cached token: (b) a bearer token, (c) a DPoP token, whose call adds
 * one proof; beside (a) the raw signature of the DPoP key with the same provider over an input of
 * a proof's size, and (d) the bearer call plus one proof made beside it, which prices the proof amid
 * the HTTP work (cold caches, two cores shared with the client's and the server's threads). The
 * goal: (c) − (b) within 10 % of one signature.
 *
 * <pre>java -cp examples/benchmarks/target/classes:$(cat examples/benchmarks/target/classpath.txt) org.openjdk.jmh.Main DPoPCallBenchmark -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(1)
public class DPoPCallBenchmark {
    @Param({"ES256", "EdDSA"})
    public String alg;

    private HttpServer server;
    private TokenSource bearerSource;
    private TokenSource dpopSource;
    private BearerHttpClient bearer;
    private BearerHttpClient dpop;
    private HttpRequest request;
    private HttpRequest requestWithAProofSizedHeader;
    private Signature raw;
    private byte[] input;
    private DPoPKey key;
    private URI api;
    private static final String TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJl";

    @Setup(Level.Trial)
    public void setup() throws Exception {
        // without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs: 40 ms per call
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2));
        byte[] body = "{\"accounts\":[]}".getBytes(StandardCharsets.UTF_8);
        server.createContext("/api", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        api = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/accounts?page=1");
        request = HttpRequest.newBuilder(api).build();

        SignatureAlgorithm algorithm = SignatureAlgorithm.of(alg);
        KeyPair keys = algorithm == SignatureAlgorithm.ES256 ? KeyAlgorithm.EC_P256.generate() : KeyAlgorithm.ED25519.generate();
        key = DPoPKey.of(JcaSigner.builder(keys.getPrivate()).publicKey(keys.getPublic()).algorithm(algorithm).build());
        raw = Signature.getInstance(algorithm == SignatureAlgorithm.ES256 ? "SHA256withPLAIN-ECDSA" : "Ed25519",
                new BouncyCastleProvider());
        raw.initSign(keys.getPrivate());
        String sample = key.proof("GET", api, null, TOKEN);
        input = new byte[sample.lastIndexOf('.')];
        requestWithAProofSizedHeader = HttpRequest.newBuilder(api).header("X-Padding", "p".repeat(sample.length())).build();
        new SecureRandom().nextBytes(input);

        ClientSecretBasic auth = ClientSecretBasic.of(ClientId.of("bench"), Secret.of("bench-secret"));
        URI tokenEndpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
        bearerSource = TokenSource.forTokenEndpoint(tokenEndpoint, auth).transport(tokens(TokenType.BEARER)).build();
        dpopSource = TokenSource.forTokenEndpoint(tokenEndpoint, auth).transport(tokens(TokenType.DPOP))
                .dpop(DPoP.with(key)).build();
        bearer = BearerHttpClient.install(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1), bearerSource);
        dpop = BearerHttpClient.install(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1), dpopSource);
        if (b_bearerCall() != 200 || c_dpopCall() != 200) {
            throw new IllegalStateException("the API did not answer 200");
        }
    }

    /** A token endpoint in memory answering one long-lived token of the given type. */
    private static HttpTransport tokens(TokenType type) {
        return request -> new TransportResponse(200, Map.of("Content-Type", List.of("application/json")),
                ("{\"access_token\":\"" + TOKEN + "\",\"token_type\":\""
                        + type.value() + "\",\"expires_in\":86400}").getBytes(StandardCharsets.UTF_8));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bearerSource.close();
        dpopSource.close();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    @Benchmark
    public byte[] a_rawSignature() throws Exception {
        raw.update(input);
        return raw.sign();
    }

    @Benchmark
    public int b_bearerCall() throws Exception {
        return bearer.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
    }

    @Benchmark
    public int c_dpopCall() throws Exception {
        return dpop.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
    }

    /** The bearer call with one more header of a proof's size and no proof: what sending the header costs. */
    @Benchmark
    public int e_bearerCallWithAProofSizedHeader() throws Exception {
        return bearer.send(requestWithAProofSizedHeader, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
    }

    /** The bearer call plus one proof made beside it (not sent): the proof's cost amid the HTTP work. */
    @Benchmark
    public int d_bearerCallPlusAProof() throws Exception {
        String proof = key.proof("GET", api, null, TOKEN);
        return bearer.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode() + (proof.length() > 0 ? 0 : 1);
    }
}
