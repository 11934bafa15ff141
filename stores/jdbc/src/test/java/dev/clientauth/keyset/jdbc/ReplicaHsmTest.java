package dev.clientauth.keyset.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.MutableClock;
import dev.clientauth.certs.test.SoftHsmToken;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.Secret;
import dev.clientauth.jwt.PrivateKeyJwt;
import dev.clientauth.jwt.keys.KeySetCorruptException;
import dev.clientauth.jwt.keys.KeySetStore;
import dev.clientauth.jwt.keys.ManagedKey;
import dev.clientauth.jwt.keys.Pkcs11KeyGenerator;
import dev.clientauth.jwt.keys.RotatingKeySet;
import dev.clientauth.jwt.verifier.ClientAssertionVerifier;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Replicas whose keys live in one HSM (SoftHSM2 through SunPKCS11), sharing the key set in
 * PostgreSQL: the row holds aliases, never key material; a replica that loses a race deletes the
 * HSM key it made; a removed key is deleted once, by the replica that removed it.
 */
class ReplicaHsmTest {
    private static final Secret PASSWORD = Secret.of("key-set-password");

    /** The JDBC store, except that its version looks unchanged once when armed: another replica slips in unseen. */
    private static final class RaceLosingStore implements KeySetStore {
        final KeySetStore delegate;
        final AtomicLong staleVersion = new AtomicLong(-1);

        RaceLosingStore(KeySetStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public Stored load() throws IOException, KeySetCorruptException {
            return delegate.load();
        }

        @Override
        public long version() throws IOException, KeySetCorruptException {
            long stale = staleVersion.getAndSet(-1);
            return stale >= 0 ? stale : delegate.version();
        }

        @Override
        public void write(long expectedVersion, byte[] content) throws IOException {
            delegate.write(expectedVersion, content);
        }

        @Override
        public String description() {
            return delegate.description();
        }
    }

    private static Set<String> tokenAliases(SoftHsmToken token) throws Exception {
        return new HashSet<>(Collections.list(token.keyStore().aliases()));
    }

    @Test
    void hsmKeysShared_aliasesInTheRow_loserDeletesItsKey_removedKeyDeletedOnce() throws Exception {
        SoftHsmToken token = SoftHsmToken.shared();
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
        try (PostgresServer postgres = new PostgresServer();
                JdbcKeySetStore storeA = postgres.store("hsm");
                JdbcKeySetStore storeB = postgres.store("hsm")) {
            storeA.createTable();
            Set<String> foreign = tokenAliases(token);
            RotatingKeySet a = RotatingKeySet.builder(storeA, PASSWORD, new Pkcs11KeyGenerator(token.provider(), token.keyStore()))
                    .rotationInterval(Duration.ofDays(1)).clock(clock).build();
            RaceLosingStore racing = new RaceLosingStore(storeB);
            RotatingKeySet b = RotatingKeySet.builder(racing, PASSWORD, new Pkcs11KeyGenerator(token.provider(), token.keyStore()))
                    .rotationInterval(Duration.ofDays(1)).clock(clock).build();
            assertEquals(a.activeKey().keyId(), b.activeKey().keyId());
            assertTrue(a.keys().stream().allMatch(k -> k.hsmAlias().isPresent()));
            String row = new String(storeA.load().content(), StandardCharsets.UTF_8);
            for (ManagedKey key : a.keys()) {
                assertTrue(row.contains("\"hsmAlias\":\"" + key.hsmAlias().orElseThrow() + "\""));
            }

            clock.advance(Duration.ofDays(1).plusMinutes(1));
            long before = storeA.version();
            racing.staleVersion.set(before); // B will not see A's rotation before it writes its own
            assertTrue(a.maintain());
            assertFalse(b.maintain(), "B lost the race, reloaded, and found nothing left to do");
            assertEquals(before + 1, storeA.version(), "one rotation");
            assertEquals(a.keys().stream().map(ManagedKey::keyId).toList(), b.keys().stream().map(ManagedKey::keyId).toList());
            Set<String> inSet = a.keys().stream().map(k -> k.hsmAlias().orElseThrow()).collect(Collectors.toSet());
            Set<String> inToken = tokenAliases(token);
            inToken.removeAll(foreign);
            assertEquals(inSet, inToken, "the key B made for its lost write was deleted from the HSM");

            String retired = a.keys().stream().filter(k -> k.state() == dev.clientauth.jwt.keys.KeyState.RETIRED)
                    .findFirst().orElseThrow().hsmAlias().orElseThrow();
            clock.advance(Duration.ofMinutes(11));
            assertTrue(b.maintain(), "B removes the retired key this time");
            assertFalse(token.keyStore().containsAlias(retired), "deleted from the HSM by the replica that removed it");
            assertFalse(a.maintain(), "A reloads; nothing to delete twice");
            assertEquals(2, a.keys().size());

            for (RotatingKeySet replica : List.of(a, b)) {
                String assertion = PrivateKeyJwt.of(ClientId.of("hsm-client"), replica).createAssertion(new AuthenticationContext(
                        URI.create("https://as.example"), URI.create("https://as.example/token"), clock)).serialize();
                ManagedKey active = replica.activeKey();
                ClientAssertionVerifier verifier = ClientAssertionVerifier.builder(URI.create("https://as.example"),
                        (client, kid) -> kid.equals(active.keyId()) ? Optional.of(active.publicKey()) : Optional.empty())
                        .clock(clock).build();
                assertEquals("hsm-client", verifier.verify(assertion, "hsm-client").clientId());
            }
            assertNotEquals(retired, a.activeKey().hsmAlias().orElseThrow());
        }
    }
}
