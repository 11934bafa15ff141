package dev.clientauth.keyset.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.clientauth.certs.test.MutableClock;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.Secret;
import dev.clientauth.jwt.PrivateKeyJwt;
import dev.clientauth.jwt.SigningException;
import dev.clientauth.jwt.keys.JwksPublisher;
import dev.clientauth.jwt.keys.KeyState;
import dev.clientauth.jwt.keys.ManagedKey;
import dev.clientauth.jwt.keys.RotatingKeySet;
import dev.clientauth.jwt.keys.SoftwareKeyGenerator;
import dev.clientauth.jwt.verifier.ClientAssertionVerifier;
import dev.clientauth.jwt.verifier.ClientKeyResolver;
import dev.clientauth.jwt.verifier.InvalidClientAssertionException;
import dev.clientauth.jwt.verifier.JwksCache;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three replicas of one key set on one PostgreSQL, in simulated time: assertions signed every
 * minute by a random replica and verified by an authorization server that caches the JWKS for
 * five minutes and fetches it through a real {@code jwks_uri} behind which a "load balancer" picks
 * another replica each time.
 */
class ReplicaSimulationTest {
    private static final URI ISSUER = URI.create("https://as.example");
    private static final ClientId CLIENT = ClientId.of("replicated-client");
    private static final Secret PASSWORD = Secret.of("key-set-password");
    private static final Duration ROTATION = Duration.ofDays(3);
    private static final Duration LEAD = Duration.ofHours(1);
    private static final Duration POLL = Duration.ofSeconds(30);
    private static final Duration GRACE = Duration.ofMinutes(10);
    private static PostgresServer postgres;
    private static int sets;

    static {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresServer.withTable();
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    /** One replica: its own store connection, key set, JWKS publisher and client authentication. */
    private record Replica(JdbcKeySetStore store, RotatingKeySet keys, JwksPublisher publisher, PrivateKeyJwt auth) {
    }

    /** The replicas, the load-balanced jwks_uri and the authorization server's verifier. */
    private static final class Cluster implements AutoCloseable {
        final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
        final Random random = new Random(20261201);
        final List<Replica> replicas = new ArrayList<>();
        final HttpServer balancer;
        final JwksCache cache;
        final ClientAssertionVerifier verifier;
        final String name;
        volatile int lastSigner;
        int jwksFetches;

        Cluster(int size) throws Exception {
            name = nextName();
            for (int i = 0; i < size; i++) {
                JdbcKeySetStore store = postgres.store(name);
                RotatingKeySet keys = open(store);
                replicas.add(new Replica(store, keys, keys.publisher(Duration.ofMinutes(5)), PrivateKeyJwt.of(CLIENT, keys)));
            }
            balancer = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            balancer.createContext("/jwks", exchange -> {
                jwksFetches++;
                int pick = (lastSigner + 1 + random.nextInt(replicas.size() - 1)) % replicas.size(); // another replica
                replicas.get(pick).publisher().httpHandler().handle(exchange);
            });
            balancer.start();
            cache = JwksCache.builder(URI.create("http://127.0.0.1:" + balancer.getAddress().getPort() + "/jwks"))
                    .clock(clock).ttl(Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(5))
                    .refetchInterval(Duration.ofMinutes(1)).allowHttpLoopbackForTesting().build();
            verifier = ClientAssertionVerifier.builder(ISSUER, ClientKeyResolver.fromJwks(id -> cache)).clock(clock).build();
        }

        /** A replica's key set on {@code store}, with the schedule of this test. */
        RotatingKeySet open(JdbcKeySetStore store) throws Exception {
            return RotatingKeySet.builder(store, PASSWORD, SoftwareKeyGenerator.create()).rotationInterval(ROTATION)
                    .publicationLead(LEAD).pollInterval(POLL).retirementGrace(GRACE).clock(clock).build();
        }

        /** A random replica signs an assertion; the authorization server verifies it. Returns the kid, or null if rejected. */
        String signAndVerify() throws Exception {
            int signer = random.nextInt(replicas.size());
            lastSigner = signer;
            String assertion = replicas.get(signer).auth().createAssertion(
                    new AuthenticationContext(ISSUER, URI.create("https://as.example/token"), clock)).serialize();
            try {
                verifier.verify(assertion, CLIENT.value());
                return SignedJWT.parse(assertion).getHeader().getKeyID();
            } catch (InvalidClientAssertionException e) {
                return null;
            }
        }

        void maintainAll() throws Exception {
            List<Replica> order = new ArrayList<>(replicas);
            java.util.Collections.shuffle(order, random);
            for (Replica replica : order) {
                replica.keys().maintain();
            }
        }

        @Override
        public void close() {
            balancer.stop(0);
            replicas.forEach(r -> r.store().close());
        }
    }

    private static synchronized String nextName() {
        return "replicated-" + (++sets);
    }

    @Test
    void sixtyDays_threeReplicas_zeroRejections_oneRotationPerInterval_identicalJwks() throws Exception {
        try (Cluster cluster = new Cluster(3)) {
            int rejections = 0;
            int signed = 0;
            Map<String, Instant> firstSigned = new LinkedHashMap<>();
            Map<String, Instant> created = new HashMap<>();
            int jwksChecks = 0;
            long started = System.nanoTime();
            for (int minute = 1; minute <= 60 * 24 * 60; minute++) {
                cluster.clock.advance(Duration.ofMinutes(1));
                if (minute % 60 == 0) {
                    cluster.maintainAll(); // hourly maintenance on every replica
                }
                for (Replica replica : cluster.replicas) {
                    for (ManagedKey key : replica.keys().keys()) {
                        created.putIfAbsent(key.keyId(), key.createdAt());
                    }
                }
                String kid = cluster.signAndVerify();
                signed++;
                if (kid == null) {
                    rejections++;
                } else {
                    firstSigned.putIfAbsent(kid, cluster.clock.instant());
                }
                if (minute % 60 == 30) {
                    // half an hour after maintenance every replica has polled: same bytes, same ETag
                    JwksPublisher.Response reference = cluster.replicas.get(0).publisher().respond(null);
                    for (Replica replica : cluster.replicas) {
                        JwksPublisher.Response response = replica.publisher().respond(null);
                        assertArrayEquals(reference.body(), response.body(), "identical JWKS at minute " + minute);
                        assertEquals(reference.headers().get("ETag"), response.headers().get("ETag"));
                        assertEquals(304, replica.publisher().respond(reference.headers().get("ETag")).status());
                    }
                    jwksChecks++;
                }
            }
            Duration wall = Duration.ofNanos(System.nanoTime() - started);
            assertEquals(0, rejections, "assertions rejected");
            assertEquals(86_400, signed);

            // one rotation per interval: the first key plus one per 3 days of the 60
            List<Instant> activations = new ArrayList<>(firstSigned.values());
            assertEquals(1 + 60 / 3, activations.size(), "keys that signed: " + firstSigned.keySet());
            for (int i = 2; i < activations.size(); i++) {
                Duration gap = Duration.between(activations.get(i - 1), activations.get(i));
                assertTrue(gap.compareTo(ROTATION) >= 0 && gap.compareTo(ROTATION.plusMinutes(2)) <= 0,
                        "rotation " + i + " came " + gap + " after the previous one");
            }
            // every key signed only after it had been in the store for the lead plus the poll interval
            firstSigned.forEach((kid, first) -> {
                if (!first.equals(firstSigned.values().iterator().next())) {
                    assertFalse(first.isBefore(created.get(kid).plus(LEAD).plus(POLL)), kid + " signed too early");
                }
            });
            // written: the first set, 20 rotations and 19 removals of a retired key (the last one is not due yet)
            assertEquals(1 + 20 + 19, cluster.replicas.get(0).store().version());
            assertEquals(60 * 24, jwksChecks);
            System.out.printf("replica simulation: 60 days, %d assertions, %d rejections, %d rotations, store version %d, "
                    + "%d JWKS fetches by the verifier, %d JWKS comparisons, %d s wall%n", signed, rejections,
                    activations.size() - 1, cluster.replicas.get(0).store().version(), cluster.jwksFetches, jwksChecks,
                    wall.toSeconds());
        }
    }

    @Test
    void rotateNow_onOneReplica_withdrawnByEveryReplicaWithinThePollInterval() throws Exception {
        try (Cluster cluster = new Cluster(3)) {
            cluster.clock.advance(Duration.ofHours(2));
            String compromised = cluster.signAndVerify();
            cluster.replicas.get(1).keys().rotateNow();
            Instant withdrawn = cluster.clock.instant();
            assertFalse(cluster.replicas.get(1).publisher().json().contains(compromised), "gone at once where it was done");
            // the others serve and sign with the key until their next look at the store, at most the poll interval
            for (int second = 1; second <= POLL.toSeconds(); second++) {
                cluster.clock.advance(Duration.ofSeconds(1));
                for (Replica replica : cluster.replicas) {
                    replica.publisher().json();
                }
            }
            for (Replica replica : cluster.replicas) {
                assertFalse(replica.publisher().json().contains(compromised),
                        "withdrawn by every replica by " + withdrawn.plus(POLL));
                assertFalse(replica.keys().currentKey().keyId().orElseThrow().equals(compromised));
                assertTrue(replica.keys().keys().stream().noneMatch(k -> k.keyId().equals(compromised)));
            }
            // and the client goes on: the key that took over was published long ago
            for (int minute = 0; minute < 30; minute++) {
                cluster.clock.advance(Duration.ofMinutes(1));
                String kid = cluster.signAndVerify();
                assertTrue(kid != null && !kid.equals(compromised));
            }
        }
    }

    @Test
    void replicaKilledMidWrite_losesNothing_theOthersGoOn() throws Exception {
        try (Cluster cluster = new Cluster(2)) {
            RotatingKeySet survivor = cluster.replicas.get(0).keys();
            List<String> before = survivor.keys().stream().map(ManagedKey::keyId).toList();
            Instant activation = survivor.keys().stream().filter(k -> k.state() == KeyState.NEXT).findFirst().orElseThrow()
                    .activatesAt().orElseThrow();
            cluster.clock.advance(Duration.between(cluster.clock.instant(), activation).plusMinutes(1));
            long version = cluster.replicas.get(0).store().version();
            Process replica;
            try (java.sql.Connection lock = postgres.connect()) {
                lock.setAutoCommit(false);
                try (java.sql.PreparedStatement hold = lock.prepareStatement(
                        "SELECT version FROM clientauth_key_set WHERE name = ? FOR UPDATE")) {
                    hold.setString(1, cluster.name);
                    hold.executeQuery().close(); // the row is locked: the other JVM's UPDATE will wait for it
                }
                java.nio.file.Path output = java.nio.file.Files.createTempFile("replica", ".log");
                replica = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), ReplicaProcess.class.getName(), postgres.url(),
                        "app", cluster.name, cluster.clock.instant().toString()).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!updateWaiting()) {
                    if (System.nanoTime() > deadline || !replica.isAlive()) {
                        replica.destroyForcibly();
                        throw new AssertionError("the other replica never reached its write: "
                                + java.nio.file.Files.readString(output));
                    }
                    Thread.sleep(50);
                }
                replica.destroyForcibly(); // SIGKILL while its compare-and-set write is in flight
                assertTrue(replica.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals("writing", java.nio.file.Files.readString(output).strip(), "killed before it finished");
                java.nio.file.Files.delete(output);
                lock.rollback();
            }
            // PostgreSQL finishes or drops the dead replica's statement; either way the row is whole
            cluster.clock.advance(POLL.plusSeconds(1));
            long after = cluster.replicas.get(0).store().version();
            assertTrue(after == version || after == version + 1, "version " + version + " -> " + after);
            System.out.println("replica killed mid-write: its write was " + (after == version ? "dropped" : "committed whole"));
            List<String> kept;
            String reopenedActive;
            try (JdbcKeySetStore store = postgres.store(cluster.name)) {
                RotatingKeySet reopened = cluster.open(store);
                kept = reopened.keys().stream().map(ManagedKey::keyId).toList();
                reopenedActive = reopened.activeKey().keyId();
            }
            assertTrue(kept.containsAll(before), "no key lost: " + before + " -> " + kept);
            assertEquals(before.get(1), reopenedActive, "the next key is active: one rotation");
            int rejections = 0;
            for (int minute = 0; minute < 120; minute++) {
                cluster.clock.advance(Duration.ofMinutes(1));
                rejections += cluster.signAndVerify() == null ? 1 : 0;
            }
            assertEquals(0, rejections);
            for (Replica replica2 : cluster.replicas) {
                assertEquals(before.get(1), replica2.keys().activeKey().keyId());
            }
            assertEquals(version + 2, cluster.replicas.get(0).store().version(), "one rotation and one removal in all");
        }
    }

    /** Whether an UPDATE of the key set table waits for a lock (asked on a connection of its own: statistics are per transaction). */
    private static boolean updateWaiting() throws java.sql.SQLException {
        try (java.sql.Connection connection = postgres.connect(); java.sql.Statement query = connection.createStatement();
                java.sql.ResultSet rows = query.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        + "AND query LIKE 'UPDATE clientauth_key_set%'")) {
            rows.next();
            return rows.getInt(1) > 0;
        }
    }

    @Test
    void postgresRestartedMidRun_signingNeverStops_maintenanceResumes_oneRotation() throws Exception {
        try (Cluster cluster = new Cluster(3)) {
            Instant activation = cluster.replicas.get(0).keys().keys().stream().filter(k -> k.state() == KeyState.NEXT)
                    .findFirst().orElseThrow().activatesAt().orElseThrow();
            String first = cluster.replicas.get(0).keys().activeKey().keyId();
            String next = cluster.replicas.get(0).keys().keys().stream().filter(k -> k.state() == KeyState.NEXT)
                    .findFirst().orElseThrow().keyId();
            long versionBefore = cluster.replicas.get(0).store().version();
            Instant stopAt = activation.minus(Duration.ofMinutes(40));
            Instant restartAt = activation.plus(Duration.ofHours(2));
            int rejections = 0;
            int signingFailures = 0;
            boolean down = false;
            Map<String, Integer> signedBy = new LinkedHashMap<>();
            for (int minute = 1; minute <= 4 * 24 * 60; minute++) {
                cluster.clock.advance(Duration.ofMinutes(1));
                Instant now = cluster.clock.instant();
                if (!down && !now.isBefore(stopAt) && now.isBefore(restartAt)) {
                    postgres.stop(true); // a crash: no clean shutdown
                    down = true;
                } else if (down && !now.isBefore(restartAt)) {
                    postgres.start();
                    down = false;
                }
                if (minute % 60 == 0) {
                    for (Replica replica : cluster.replicas) {
                        try {
                            replica.keys().maintain();
                            assertFalse(down, "maintenance cannot succeed while PostgreSQL is down");
                        } catch (java.io.IOException e) {
                            assertTrue(down, "maintenance fails only while PostgreSQL is down: " + e);
                        }
                    }
                }
                try {
                    String kid = cluster.signAndVerify();
                    if (kid == null) {
                        rejections++;
                    } else {
                        signedBy.merge(kid, 1, Integer::sum);
                    }
                } catch (dev.clientauth.core.ClientAuthenticationException e) {
                    if (e.getCause() instanceof SigningException) {
                        signingFailures++;
                    } else {
                        throw e;
                    }
                }
            }
            assertFalse(down);
            assertEquals(0, signingFailures, "signing never stopped");
            assertEquals(0, rejections);
            assertEquals(List.of(first, next), new ArrayList<>(signedBy.keySet()).subList(0, 2),
                    "the next key took over on schedule, in the outage too");
            assertEquals(versionBefore + 2, cluster.replicas.get(0).store().version(),
                    "the overdue rotation was written once when PostgreSQL came back, the retired key removed once after it");
            JwksPublisher.Response reference = cluster.replicas.get(0).publisher().respond(null);
            for (Replica replica : cluster.replicas) {
                assertEquals(next, replica.keys().activeKey().keyId());
                assertArrayEquals(reference.body(), replica.publisher().respond(null).body());
            }
        }
    }
}
