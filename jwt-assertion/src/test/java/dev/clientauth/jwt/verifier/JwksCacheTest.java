package dev.clientauth.jwt.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.JWKSet;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.certs.test.ServerTls;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.jwt.Jwks;
import dev.clientauth.certs.test.MutableClock;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.net.InetAddress;
import java.net.URI;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The verifier's JWKS cache against a real HTTPS jwks_uri on 127.0.0.1. */
class JwksCacheTest {
    private static final TestPki PKI = TestPki.create();
    private static final KeyPair KEY = KeyAlgorithm.EC_P256.generate();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
    private MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.useHttps(PKI.serverTls(ServerTls.ClientAuth.NONE).sslContext().getSocketFactory());
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String jwks(String kid) {
        return new JWKSet(Jwks.publicJwk(KEY.getPublic(), kid, SignatureAlgorithm.ES256, null)).toString();
    }

    private void serve(String body, String cacheControl) {
        MockResponse.Builder response = new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body);
        if (cacheControl != null) {
            response.addHeader("Cache-Control", cacheControl);
        }
        server.enqueue(response.build());
    }

    private JwksCache cache() {
        X509TrustManager trust = PKI.trustManager();
        return JwksCache.builder(URI.create("https://127.0.0.1:" + server.getPort() + "/jwks")).clock(clock)
                .trust(trust).refetchInterval(Duration.ofMinutes(1)).allowPrivateAddresses().build();
    }

    @Test
    void unknownKidFlood_atMostOneFetchPerInterval() {
        for (int i = 0; i < 10; i++) {
            serve(jwks("k1"), "max-age=300");
        }
        JwksCache cache = cache();
        assertTrue(cache.key("k1").isPresent());
        assertEquals(1, cache.fetchCount());
        clock.advance(Duration.ofSeconds(61));
        for (int i = 0; i < 1000; i++) {
            assertTrue(cache.key("unknown-" + i).isEmpty());
        }
        assertEquals(2, cache.fetchCount(), "one refetch for 1,000 unknown kids");
        clock.advance(Duration.ofSeconds(30));
        for (int i = 0; i < 1000; i++) {
            cache.key("more-unknown-" + i);
        }
        assertEquals(2, cache.fetchCount(), "still within the interval");
        clock.advance(Duration.ofSeconds(31));
        cache.key("after-interval");
        assertEquals(3, cache.fetchCount());
    }

    @Test
    void cacheControl_respectedWithinBounds() {
        serve(jwks("k1"), "public, max-age=30"); // below the 1 minute floor
        serve(jwks("k1"), "max-age=86400");     // above the 1 hour ceiling
        serve(jwks("k1"), null);
        JwksCache cache = cache();
        cache.key("k1");
        clock.advance(Duration.ofSeconds(59));
        cache.key("k1");
        assertEquals(1, cache.fetchCount(), "kept for the 1 minute floor");
        clock.advance(Duration.ofSeconds(2));
        cache.key("k1");
        assertEquals(2, cache.fetchCount());
        clock.advance(Duration.ofMinutes(59));
        cache.key("k1");
        assertEquals(2, cache.fetchCount());
        clock.advance(Duration.ofMinutes(2));
        cache.key("k1");
        assertEquals(3, cache.fetchCount(), "refreshed after the 1 hour ceiling");
    }

    @Test
    void failedRefresh_keepsLastGoodSet() {
        serve(jwks("k1"), "max-age=60");
        server.enqueue(new MockResponse.Builder().code(500).body("down").build());
        JwksCache cache = cache();
        assertTrue(cache.key("k1").isPresent());
        clock.advance(Duration.ofMinutes(2));
        assertTrue(cache.key("k1").isPresent(), "last good set served while the endpoint fails");
        assertEquals(2, cache.fetchCount());
    }

    @Test
    void oversizeResponse_refused_noKeys() {
        Buffer big = new Buffer();
        big.writeUtf8("{\"keys\":[");
        while (big.size() < 600 * 1024) {
            big.writeUtf8("{\"kty\":\"oct\",\"k\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"},");
        }
        big.writeUtf8("{}]}");
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(big).build());
        assertTrue(cache().key("k1").isEmpty());
    }

    @Test
    void slowResponse_timesOut_noKeys() {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(jwks("k1"))
                .headersDelay(8, TimeUnit.SECONDS).build());
        long start = System.nanoTime();
        assertTrue(cache().key("k1").isEmpty());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(7), "gave up after the 5 s timeout");
    }

    @Test
    void plainHttpJwksUri_refusedUnlessLoopback() {
        assertThrows(IllegalArgumentException.class, () -> JwksCache.builder(URI.create("http://jwks.example/keys")).build());
    }

    @Test
    void m2_endpointDownBeforeAnySuccess_fetchesRateLimitedWithBackoff() {
        for (int i = 0; i < 10; i++) {
            server.enqueue(new MockResponse.Builder().code(503).body("down").build());
        }
        JwksCache cache = cache();
        for (int i = 0; i < 50; i++) {
            assertTrue(cache.key("k1").isEmpty());
        }
        assertEquals(1, cache.fetchCount(), "50 verifications, one fetch");
        clock.advance(Duration.ofSeconds(61));
        cache.key("k1");
        assertEquals(2, cache.fetchCount());
        clock.advance(Duration.ofSeconds(61));
        cache.key("k1");
        assertEquals(2, cache.fetchCount(), "after two failures the interval has doubled");
        clock.advance(Duration.ofSeconds(60));
        cache.key("k1");
        assertEquals(3, cache.fetchCount());
        assertEquals(3, server.getRequestCount());
    }

    @Test
    void m2_slowFetch_otherVerificationsDoNotQueueBehindIt() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(jwks("k1"))
                .headersDelay(2, TimeUnit.SECONDS).build());
        JwksCache cache = cache();
        java.util.concurrent.CompletableFuture<Boolean> slow = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> cache.key("k1").isPresent());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (server.getRequestCount() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        long start = System.nanoTime();
        assertTrue(cache.key("k1").isEmpty(), "no set yet: fails fast instead of waiting");
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(500), "did not wait for the fetch");
        assertTrue(slow.get(10, TimeUnit.SECONDS), "the fetch itself completes");
        assertEquals(1, cache.fetchCount());
    }

    @Test
    void m7_privateAddressesRefusedByDefault_nothingFetched() {
        serve(jwks("k1"), "max-age=300");
        JwksCache cache = JwksCache.builder(URI.create("https://127.0.0.1:" + server.getPort() + "/jwks")).clock(clock)
                .trust(PKI.trustManager()).build();
        assertTrue(cache.key("k1").isEmpty());
        assertEquals(0, server.getRequestCount(), "no request to a loopback address");
    }

    @Test
    void m7_addressPolicy() throws Exception {
        for (String address : new String[] {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fd12:3456::1", "::"}) {
            assertFalse(JwksCache.isPublic(java.net.InetAddress.getByName(address)), address);
        }
        for (String address : new String[] {"8.8.8.8", "1.1.1.1", "2001:4860:4860::8888"}) {
            assertTrue(JwksCache.isPublic(java.net.InetAddress.getByName(address)), address);
        }
    }

    @Test
    void m7_httpRefused_evenToLoopback_unlessTheTestingWeakening() {
        URI loopback = URI.create("http://127.0.0.1:" + server.getPort() + "/jwks");
        assertThrows(IllegalArgumentException.class, () -> JwksCache.builder(loopback).build());
        assertTrue(JwksCache.builder(loopback).allowHttpLoopbackForTesting().build().toString().contains("127.0.0.1"));
        assertThrows(IllegalArgumentException.class,
                () -> JwksCache.builder(URI.create("http://jwks.example/keys")).allowHttpLoopbackForTesting().build());
    }

    @Test
    void l6_resolver_skipsKeysForEncryptionOrAnotherAlgorithm() throws Exception {
        java.security.interfaces.ECPublicKey ec = (java.security.interfaces.ECPublicKey)
                dev.clientauth.certs.test.KeyAlgorithm.EC_P256.generate().getPublic();
        com.nimbusds.jose.jwk.JWKSet set = new com.nimbusds.jose.jwk.JWKSet(java.util.List.of(
                new com.nimbusds.jose.jwk.ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256, ec).keyID("enc")
                        .keyUse(com.nimbusds.jose.jwk.KeyUse.ENCRYPTION).build(),
                new com.nimbusds.jose.jwk.ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256, ec).keyID("es384")
                        .algorithm(com.nimbusds.jose.JWSAlgorithm.ES384).build(),
                new com.nimbusds.jose.jwk.ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256, ec).keyID("sig")
                        .keyUse(com.nimbusds.jose.jwk.KeyUse.SIGNATURE).algorithm(com.nimbusds.jose.JWSAlgorithm.ES256).build()));
        serve(set.toString(), "max-age=300");
        JwksCache cache = cache();
        ClientKeyResolver resolver = ClientKeyResolver.fromJwks(id -> cache);
        assertTrue(resolver.publicKey("c", "enc", dev.clientauth.jwt.SignatureAlgorithm.ES256).isEmpty());
        assertTrue(resolver.publicKey("c", "es384", dev.clientauth.jwt.SignatureAlgorithm.ES256).isEmpty());
        assertEquals(ec, resolver.publicKey("c", "sig", dev.clientauth.jwt.SignatureAlgorithm.ES256).orElseThrow());
    }

    @Test
    void m7_defaultFetch_resolvesOnce_connectsToTheCheckedAddress_verifiesTheName() throws Exception {
        serve(jwks("k1"), "max-age=300");
        // "localhost" is resolved once, checked (allowed here), connected to by address, and TLS is verified for the name
        JwksCache cache = JwksCache.builder(URI.create("https://localhost:" + server.getPort() + "/jwks")).clock(clock)
                .trust(PKI.trustManager()).allowPrivateAddresses().build();
        assertTrue(cache.key("k1").isPresent());
        assertEquals("localhost:" + server.getPort(), server.takeRequest().getHeaders().get("Host"));
        // a server at the same address whose certificate names only 127.0.0.1: reached as "localhost"
        // the handshake fails, so the name is what TLS verifies, not the address connected to
        var ipOnly = PKI.leaf("CN=ip-only,O=clientauth test").serverAuth().sanIp("127.0.0.1").build();
        try (MockWebServer other = new MockWebServer()) {
            other.useHttps(PKI.clientSslContext(ipOnly).getSocketFactory());
            other.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
            other.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                    .body(jwks("k2")).build());
            JwksCache byName = JwksCache.builder(URI.create("https://localhost:" + other.getPort() + "/jwks")).clock(clock)
                    .trust(PKI.trustManager()).allowPrivateAddresses().build();
            assertTrue(byName.key("k2").isEmpty(), "certificate does not name localhost: no keys");
            other.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                    .body(jwks("k2")).build());
            JwksCache byAddress = JwksCache.builder(URI.create("https://127.0.0.1:" + other.getPort() + "/jwks")).clock(clock)
                    .trust(PKI.trustManager()).allowPrivateAddresses().build();
            assertTrue(byAddress.key("k2").isPresent(), "the same server under the name its certificate carries");
        }
    }
}
