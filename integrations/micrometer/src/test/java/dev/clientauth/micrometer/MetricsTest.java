package dev.clientauth.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.IssuedCertificate;
import dev.clientauth.certs.test.MutableClock;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.ClientTls;
import dev.clientauth.core.HttpsMockServer;
import dev.clientauth.core.OAuthErrorResponseException;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TestIdentity;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenSource;
import dev.clientauth.jwt.keys.KeySetStore;
import dev.clientauth.jwt.keys.RotatingKeySet;
import dev.clientauth.jwt.keys.SoftwareKeyGenerator;
import dev.clientauth.jwt.verifier.InMemoryReplayCache;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {
    private static final TestPki PKI = TestPki.create();
    private static final String SECRET = "metrics-secret-never-a-tag";
    private static final String TOKEN = "metrics-token-never-a-tag";
    private HttpsMockServer server;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws Exception {
        server = new HttpsMockServer(PKI);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TokenSource.Builder source() {
        return TokenSource.forTokenEndpoint(server.uri("/token"), ClientSecretBasic.of(ClientId.of("metrics-client"), Secret.of(SECRET)))
                .tls(server.tls());
    }

    private void enqueueToken() {
        server.enqueueJson(200, "{\"access_token\":\"" + TOKEN + "\",\"token_type\":\"Bearer\",\"expires_in\":300}");
    }

    private void assertNoSecretInAnyTag() {
        for (Meter meter : registry.getMeters()) {
            for (Tag tag : meter.getId().getTags()) {
                assertFalse(tag.getValue().contains(SECRET) || tag.getValue().contains(TOKEN) || tag.getValue().contains("://"),
                        meter.getId().toString());
            }
        }
    }

    @Test
    void tokenRequests_countedAndTimed_withBoundedTags() throws Exception {
        server.enqueueJson(401, "{\"error\":\"invalid_client\",\"error_description\":\"" + SECRET + "\"}");
        enqueueToken();
        try (TokenSource tokens = source().observer(MicrometerTokenRequestObserver.of(registry)).build()) {
            assertThrows(OAuthErrorResponseException.class, tokens::token);
            tokens.token();
        }
        assertEquals(1.0, registry.get("clientauth.token.requests").tags("client", "metrics-client", "method",
                "client_secret_basic", "outcome", "failure", "error", "invalid_client").counter().count());
        assertEquals(1.0, registry.get("clientauth.token.requests").tags("outcome", "success", "error", "none").counter().count());
        assertEquals(2, registry.get("clientauth.token.request").timers().stream().mapToLong(t -> t.count()).sum());
        assertNoSecretInAnyTag();
    }

    @Test
    void unknownOAuthErrorCode_isNotATagValue() throws Exception {
        server.enqueueJson(400, "{\"error\":\"made_up_" + System.nanoTime() + "\"}");
        try (TokenSource tokens = source().observer(MicrometerTokenRequestObserver.of(registry)).build()) {
            assertThrows(OAuthErrorResponseException.class, tokens::token);
        }
        assertEquals(1.0, registry.get("clientauth.token.requests").tags("error", "other_oauth_error").counter().count());
    }

    @Test
    void observations_forTracing() throws Exception {
        TestObservationRegistry observations = TestObservationRegistry.create();
        enqueueToken();
        try (TokenSource tokens = source().observer(MicrometerTokenRequestObserver.of(registry, observations)).build()) {
            tokens.token();
        }
        TestObservationRegistryAssert.assertThat(observations).hasObservationWithNameEqualTo("clientauth.token.request")
                .that().hasLowCardinalityKeyValue("client", "metrics-client")
                .hasLowCardinalityKeyValue("outcome", "success").hasBeenStarted().hasBeenStopped();
        assertEquals(1.0, registry.get("clientauth.token.requests").counter().count());
    }

    @Test
    void cacheCounters_andTokenExpiry() throws Exception {
        enqueueToken();
        try (TokenSource tokens = source().build()) {
            new TokenSourceMetrics(tokens).bindTo(registry);
            assertTrue(Double.isNaN(registry.get("clientauth.token.expiry").gauge().value()), "no token yet");
            for (int i = 0; i < 5; i++) {
                tokens.token();
            }
            assertEquals(1.0, registry.get("clientauth.token.cache.misses").functionCounter().count());
            assertEquals(4.0, registry.get("clientauth.token.cache.hits").functionCounter().count());
            double expiry = registry.get("clientauth.token.expiry").gauge().value();
            assertTrue(expiry > 200 && expiry <= 300, "seconds to expiry " + expiry);
            assertEquals(0.0, registry.get("clientauth.token.failing").gauge().value());
            assertTrue(registry.find("clientauth.tls.certificate.expiry").gauges().isEmpty(), "no client certificate");
        }
        assertNoSecretInAnyTag();
    }

    /** An identity whose certificate can be swapped, as a reload does. */
    static final class Swappable implements TlsClientIdentity {
        final AtomicReference<TestIdentity> current;

        Swappable(IssuedCertificate certificate) {
            current = new AtomicReference<>(new TestIdentity(certificate));
        }

        @Override
        public X509KeyManager keyManager() {
            return current.get().keyManager();
        }

        @Override
        public X509Certificate certificate() {
            return current.get().certificate();
        }
    }

    @Test
    void certificateExpiry_followsTheIdentityInUse() throws Exception {
        Swappable identity = new Swappable(PKI.clientCertificate());
        try (TokenSource tokens = TokenSource.forTokenEndpoint(server.uri("/token"),
                ClientSecretBasic.of(ClientId.of("metrics-client"), Secret.of(SECRET)))
                .tls(ClientTls.builder().identity(identity).trust(server.trustManager()).build()).build()) {
            new TokenSourceMetrics(tokens).bindTo(registry);
            double first = registry.get("clientauth.tls.certificate.expiry").gauge().value();
            double expected = (PKI.clientCertificate().certificate().getNotAfter().getTime() - System.currentTimeMillis()) / 1000.0;
            assertEquals(expected, first, 5.0);
            IssuedCertificate shortLived = PKI.leaf("CN=short-lived").validFor(Duration.ofDays(2)).clientAuth().build();
            identity.current.set(new TestIdentity(shortLived));
            double after = registry.get("clientauth.tls.certificate.expiry").gauge().value();
            assertEquals(Duration.ofDays(2).toSeconds(), after, 120.0);
        }
    }

    @Test
    void keySetAge_dueAndVersion(@TempDir Path dir) throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
        KeySetStore file = KeySetStore.file(dir.resolve("keys.json"));
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
        KeySetStore switchable = new KeySetStore() {
            @Override
            public Stored load() throws java.io.IOException, dev.clientauth.jwt.keys.KeySetCorruptException {
                check();
                return file.load();
            }

            @Override
            public long version() throws java.io.IOException, dev.clientauth.jwt.keys.KeySetCorruptException {
                check();
                return file.version();
            }

            @Override
            public void write(long expectedVersion, byte[] content) throws java.io.IOException {
                check();
                file.write(expectedVersion, content);
            }

            private void check() throws java.io.IOException {
                if (down.get()) {
                    throw new java.io.IOException("unreachable");
                }
            }

            @Override
            public String description() {
                return file.description();
            }
        };
        RotatingKeySet keys = RotatingKeySet.builder(switchable, Secret.of("key-set-password"),
                SoftwareKeyGenerator.create()).rotationInterval(Duration.ofDays(30)).clock(clock).build();
        new KeySetMetrics(keys, "assertions", Duration.ofDays(30)).bindTo(registry);
        assertEquals(1.0, registry.get("clientauth.signing.keyset.version").gauge().value());
        assertEquals(0.0, registry.get("clientauth.signing.keyset.store.failing").gauge().value());
        down.set(true);
        clock.advance(Duration.ofMinutes(1));
        keys.currentKey();
        assertEquals(1.0, registry.get("clientauth.signing.keyset.store.failing").gauge().value());
        down.set(false);
        clock.advance(Duration.ofMinutes(1));
        keys.currentKey();
        assertEquals(0.0, registry.get("clientauth.signing.keyset.store.failing").gauge().value());
        clock.advance(Duration.ofDays(3).minusMinutes(2));
        assertEquals(Duration.ofDays(3).toSeconds(), registry.get("clientauth.signing.key.age").gauge().value(), 1.0);
        assertEquals(Duration.ofDays(27).toSeconds(), registry.get("clientauth.signing.key.rotation.due").gauge().value(), 1.0);
        double version = registry.get("clientauth.signing.keyset.version").gauge().value();
        String before = keys.activeKey().keyId();
        keys.rotateNow();
        clock.advance(Duration.ofDays(1));
        assertEquals(version + 1, registry.get("clientauth.signing.keyset.version").gauge().value(), "the stored version");
        assertFalse(before.equals(keys.activeKey().keyId()), "another key is active");
        double expected = Duration.between(keys.activeKey().createdAt(), clock.instant()).toSeconds();
        assertEquals(expected, registry.get("clientauth.signing.key.age").gauge().value(), 1.0, "the age of the key now active");
    }

    @Test
    void replayCacheFullness() {
        InMemoryReplayCache cache = new InMemoryReplayCache(64, 10, Duration.ofMinutes(5));
        new ReplayCacheMetrics(cache, "assertions").bindTo(registry);
        Instant now = Instant.now();
        for (int i = 0; i < 12; i++) {
            cache.firstUse("one-client", "jti-" + i, now.plusSeconds(60), now);
        }
        assertEquals(10.0, registry.get("clientauth.replay.entries").gauge().value());
        assertEquals(10.0 / 64, registry.get("clientauth.replay.fullness").gauge().value(), 1e-9);
        assertEquals(2.0, registry.get("clientauth.replay.refused.quota").functionCounter().count());
    }
}
