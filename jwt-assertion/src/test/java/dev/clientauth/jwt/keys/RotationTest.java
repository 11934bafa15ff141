package dev.clientauth.jwt.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.HttpServer;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientAuthenticationException;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.Secret;
import dev.clientauth.certs.test.MutableClock;
import dev.clientauth.jwt.PrivateKeyJwt;
import dev.clientauth.jwt.SignatureAlgorithm;
import dev.clientauth.jwt.SigningException;
import dev.clientauth.jwt.SigningKey;
import dev.clientauth.jwt.verifier.ClientAssertionVerifier;
import dev.clientauth.jwt.verifier.ClientKeyResolver;
import dev.clientauth.jwt.verifier.InvalidClientAssertionException;
import dev.clientauth.jwt.verifier.JwksCache;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client key set rotating against a verifier that caches the client's published JWKS. */
class RotationTest {
    private static final URI ISSUER = URI.create("https://as.example");
    private static final ClientId CLIENT = ClientId.of("rotating-client");
    private static final Secret PASSWORD = Secret.of("key-set-password");
    /** The production KDF cost (600,000 iterations per key) is checked once, in KeySetHardeningTest; simulations use less. */
    static final int FAST_KDF = 1_000;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-02T00:00:00Z"));

    static {
        // the JDK HttpServer otherwise waits for delayed ACKs (Nagle) on every small response
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private RotatingKeySet keySet(Path file) throws Exception {
        return RotatingKeySet.builder(KeySetStore.file(file), PASSWORD, SoftwareKeyGenerator.create()).kdfIterations(FAST_KDF)
                .rotationInterval(Duration.ofHours(1)).publicationLead(Duration.ofMinutes(30))
                .retirementGrace(Duration.ofMinutes(10)).clock(clock).build();
    }

    /** A JWKS endpoint on 127.0.0.1 serving the key set, and a verifier caching it for 5 minutes. */
    private final class Setup implements AutoCloseable {
        final HttpServer server;
        final JwksCache cache;
        final ClientAssertionVerifier verifier;

        Setup(RotatingKeySet keys) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            server.createContext("/jwks", keys.publisher(Duration.ofMinutes(5)).httpHandler());
            server.start();
            cache = JwksCache.builder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks"))
                    .clock(clock).ttl(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(5))
                    .refetchInterval(Duration.ofMinutes(1)).allowHttpLoopbackForTesting().build();
            verifier = ClientAssertionVerifier.builder(ISSUER, ClientKeyResolver.fromJwks(id -> cache)).clock(clock).build();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private String sign(PrivateKeyJwt auth) throws ClientAuthenticationException {
        return auth.createAssertion(new AuthenticationContext(ISSUER, URI.create("https://as.example/token"), clock)).serialize();
    }

    @Test
    void aWeekOfHourlyRotation_verifiedEveryMinute_zeroRejections(@TempDir Path dir) throws Exception {
        RotatingKeySet keys = keySet(dir.resolve("keyset.json"));
        PrivateKeyJwt auth = PrivateKeyJwt.of(CLIENT, keys);
        Set<String> activeKids = new java.util.HashSet<>();
        int rejections = 0;
        try (Setup setup = new Setup(keys)) {
            for (int minute = 0; minute < 7 * 24 * 60; minute++) {
                clock.advance(Duration.ofMinutes(1));
                try {
                    setup.verifier.verify(sign(auth), CLIENT.value());
                } catch (InvalidClientAssertionException e) {
                    rejections++;
                }
                activeKids.add(keys.activeKey().keyId());
            }
            assertEquals(0, rejections);
            assertTrue(activeKids.size() >= 167, "rotated every hour: " + activeKids.size());
            assertTrue(setup.cache.fetchCount() <= 7 * 24 * 12 + 2, "fetches: " + setup.cache.fetchCount());
            int size = keys.keys().size();
            assertTrue(size == 2 || size == 3, "active, next and at most one retired key: " + keys.keys());
        }
    }

    @Test
    void rotateNow_compromisedKeyRejectedOnceVerifierCacheRefreshes(@TempDir Path dir) throws Exception {
        RotatingKeySet keys = keySet(dir.resolve("keyset.json"));
        PrivateKeyJwt auth = PrivateKeyJwt.of(CLIENT, keys);
        try (Setup setup = new Setup(keys)) {
            clock.advance(Duration.ofMinutes(30));
            setup.verifier.verify(sign(auth), CLIENT.value());
            SigningKey compromised = keys.currentKey();
            PrivateKeyJwt attacker = PrivateKeyJwt.of(CLIENT, () -> compromised);

            keys.rotateNow();
            assertNotEquals(compromised.keyId(), keys.currentKey().keyId());
            assertFalse(keys.publisher(Duration.ofMinutes(5)).json().contains(compromised.keyId().orElseThrow()),
                    "the compromised key leaves the JWKS at once");
            // the client goes on without a failure: its new key was published an hour ago
            setup.verifier.verify(sign(auth), CLIENT.value());
            // until the verifier's cache refreshes, the stolen key still works ...
            setup.verifier.verify(sign(attacker), CLIENT.value());
            clock.advance(Duration.ofMinutes(6));
            // ... and then it does not
            InvalidClientAssertionException e = assertThrows(InvalidClientAssertionException.class,
                    () -> setup.verifier.verify(sign(attacker), CLIENT.value()));
            assertEquals(InvalidClientAssertionException.Check.KEY, e.check());
            setup.verifier.verify(sign(auth), CLIENT.value());
        }
    }

    @Test
    void restartMidRotation_sameKeysComeBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keyset.json");
        RotatingKeySet first = keySet(file);
        clock.advance(Duration.ofMinutes(65)); // rotated: one retired, one active, one next
        first.maintain();
        List<String> before = first.keys().stream().map(k -> k.keyId() + ":" + k.state()).collect(Collectors.toList());
        assertEquals(3, before.size());
        RotatingKeySet second = keySet(file);
        assertEquals(before, second.keys().stream().map(k -> k.keyId() + ":" + k.state()).collect(Collectors.toList()));
        assertEquals(first.activeKey().keyId(), second.activeKey().keyId());
        byte[] input = "input".getBytes();
        SigningKey key = second.currentKey();
        java.security.Signature verify = java.security.Signature.getInstance("SHA256withECDSA");
        verify.initVerify(first.activeKey().publicKey());
        verify.update(input);
        assertTrue(verify.verify(dev.clientauth.jwt.internal.EcdsaSignatures.joseToDer(key.sign(input))));
    }

    @Test
    void crashBetweenWriteAndRename_noKeyLost(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keyset.json");
        RotatingKeySet set = keySet(file);
        List<String> kids = set.keys().stream().map(ManagedKey::keyId).collect(Collectors.toList());
        byte[] saved = Files.readAllBytes(file);
        KeySetStore crashing = KeySetStore.file(file).withWriter((target, content) -> {
            Files.write(target.resolveSibling(target.getFileName() + ".tmp"), content);
            throw new IOException("power lost before the rename");
        });
        RotatingKeySet crashy = RotatingKeySet.builder(crashing, PASSWORD, SoftwareKeyGenerator.create()).kdfIterations(FAST_KDF)
                .rotationInterval(Duration.ofHours(1)).publicationLead(Duration.ofMinutes(30)).clock(clock).build();
        String saved0 = crashy.activeKey().keyId();
        String next = crashy.keys().get(1).keyId();
        clock.advance(Duration.ofMinutes(61));
        assertThrows(IOException.class, crashy::maintain);
        assertEquals(next, crashy.currentKey().keyId().orElseThrow(),
                "the store cannot be written: the saved, published next key signs from its activation time");
        assertEquals(saved0, crashy.activeKey().keyId(), "the set in memory is what was saved");
        assertArrayEquals(saved, Files.readAllBytes(file), "the stored set is untouched");
        RotatingKeySet restarted = keySet(file);
        assertTrue(restarted.keys().stream().map(ManagedKey::keyId).collect(Collectors.toSet()).containsAll(kids));
    }

    @Test
    void corruptFile_reportedNeverReplaced(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keyset.json");
        keySet(file);
        byte[] good = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(good, good.length / 2));
        byte[] corrupt = Files.readAllBytes(file);
        KeySetCorruptException e = assertThrows(KeySetCorruptException.class, () -> keySet(file));
        assertTrue(e.getMessage().contains("keyset.json"), e.getMessage());
        assertArrayEquals(corrupt, Files.readAllBytes(file));
        Files.write(file, good);
        assertThrows(KeySetCorruptException.class, () -> RotatingKeySet.builder(KeySetStore.file(file), Secret.of("wrong"),
                SoftwareKeyGenerator.create()).kdfIterations(FAST_KDF).clock(clock).build());
        assertArrayEquals(good, Files.readAllBytes(file));
    }

    @Test
    void keyLifecycle_publishedBeforeActiveAndAfterRetirement(@TempDir Path dir) throws Exception {
        RotatingKeySet keys = keySet(dir.resolve("keyset.json"));
        ManagedKey next = keys.keys().stream().filter(k -> k.state() == KeyState.NEXT).findFirst().orElseThrow();
        ManagedKey active = keys.activeKey();
        assertEquals(Instant.parse("2026-11-02T01:00:00Z"), next.activatesAt().orElseThrow());
        JwksPublisher publisher = keys.publisher(Duration.ofMinutes(5));
        assertTrue(publisher.json().contains(next.keyId()) && publisher.json().contains(active.keyId()));
        clock.advance(Duration.ofMinutes(60));
        assertEquals(next.keyId(), keys.currentKey().keyId().orElseThrow());
        assertTrue(publisher.json().contains(active.keyId()), "retired key still published");
        clock.advance(Duration.ofMinutes(10));
        assertFalse(publisher.json().contains(active.keyId()), "removed after the grace period");
        assertThrows(IllegalArgumentException.class, () -> RotatingKeySet.builder(KeySetStore.file(dir.resolve("x")), PASSWORD,
                SoftwareKeyGenerator.create()).retirementGrace(Duration.ofMinutes(2)));
    }

    @Test
    void publication_everyKeyType_publicMembersOnly_withEtagAndCaching(@TempDir Path dir) throws Exception {
        for (SignatureAlgorithm algorithm : List.of(SignatureAlgorithm.ES256, SignatureAlgorithm.PS256,
                SignatureAlgorithm.RS256, SignatureAlgorithm.EdDSA, SignatureAlgorithm.ES384)) {
            RotatingKeySet keys = RotatingKeySet.builder(KeySetStore.file(dir.resolve(algorithm + ".json")), PASSWORD,
                    SoftwareKeyGenerator.create()).kdfIterations(FAST_KDF).algorithm(algorithm).clock(clock).build();
            JwksPublisher publisher = keys.publisher(Duration.ofMinutes(15));
            JwksPublisher.Response response = publisher.respond(null);
            assertEquals(200, response.status());
            assertEquals("public, max-age=900", response.headers().get("Cache-Control"));
            Map<String, Object> jwks = JSONObjectUtils.parse(new String(response.body()));
            List<Object> list = JSONObjectUtils.getJSONArray(jwks, "keys");
            assertEquals(2, list.size());
            for (Object item : list) {
                Map<?, ?> jwk = (Map<?, ?>) item;
                for (String member : List.of("d", "p", "q", "dp", "dq", "qi", "k", "oth")) {
                    assertFalse(jwk.containsKey(member), algorithm + " published " + member);
                }
                assertEquals("sig", jwk.get("use"));
                assertEquals(algorithm.joseName(), jwk.get("alg"));
                assertTrue(jwk.containsKey("kid") && jwk.containsKey("x5c"));
            }
            assertEquals(304, publisher.respond(response.headers().get("ETag")).status());
            assertEquals(200, publisher.respond("\"stale\"").status());
        }
    }

    @Test
    void publication_overJdkHttpServer_304ForSameEtag(@TempDir Path dir) throws Exception {
        RotatingKeySet keys = keySet(dir.resolve("keyset.json"));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/jwks", keys.publisher(Duration.ofMinutes(5)).httpHandler());
        server.start();
        try {
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
            java.net.http.HttpResponse<String> first = client.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, first.statusCode());
            String etag = first.headers().firstValue("ETag").orElseThrow();
            java.net.http.HttpResponse<String> second = client.send(java.net.http.HttpRequest.newBuilder(uri)
                    .header("If-None-Match", etag).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(304, second.statusCode());
            clock.advance(Duration.ofMinutes(61)); // rotation changes the document
            java.net.http.HttpResponse<String> third = client.send(java.net.http.HttpRequest.newBuilder(uri)
                    .header("If-None-Match", etag).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, third.statusCode());
        } finally {
            server.stop(0);
        }
    }
}
