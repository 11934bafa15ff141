package dev.clientauth.jwt.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.MutableClock;
import dev.clientauth.core.Secret;
import dev.clientauth.jwt.SigningException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A key set whose store goes away and comes back, and one whose store goes back in time (a store of the SPI, in memory). */
class KeySetOutageTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final MemoryStore store = new MemoryStore();

    /** A {@link KeySetStore} in memory that can be switched off. */
    static final class MemoryStore implements KeySetStore {
        volatile boolean down;
        int calls;
        private long version;
        private byte[] content;

        @Override
        public synchronized Stored load() throws IOException {
            check();
            return version == 0 ? Stored.empty() : new Stored(version, content);
        }

        @Override
        public synchronized long version() throws IOException {
            check();
            return version;
        }

        @Override
        public synchronized void write(long expectedVersion, byte[] newContent) throws IOException {
            check();
            if (expectedVersion != version) {
                throw new KeySetConflictException("changed");
            }
            version++;
            content = newContent.clone();
        }

        synchronized void restore(long oldVersion, byte[] oldContent) {
            version = oldVersion;
            content = oldContent;
        }

        private void check() throws IOException {
            calls++;
            if (down) {
                throw new IOException("connection refused");
            }
        }

        @Override
        public String description() {
            return "memory";
        }
    }

    private RotatingKeySet open() throws Exception {
        return RotatingKeySet.builder(store, Secret.of("pw"), SoftwareKeyGenerator.create()).kdfIterations(RotationTest.FAST_KDF)
                .rotationInterval(Duration.ofDays(1)).publicationLead(Duration.ofHours(1)).clock(clock).build();
    }

    @Test
    void storeDownAcrossTheActivation_signsByTheSchedule_untilTheKeyCouldBeGone_thenRecovers() throws Exception {
        RotatingKeySet keys = open();
        String active = keys.activeKey().keyId();
        ManagedKey next = keys.keys().get(1);
        Instant activation = next.activatesAt().orElseThrow();
        assertEquals(Instant.parse("2026-12-02T00:00:00Z"), activation);
        JwksPublisher publisher = keys.publisher(Duration.ofMinutes(5));

        clock.advance(Duration.ofHours(23));
        store.down = true;
        int before = store.calls;
        for (int i = 0; i < 100; i++) {
            clock.advance(Duration.ofMillis(100));
            assertEquals(active, keys.currentKey().keyId().orElseThrow());
        }
        assertTrue(store.calls - before <= 1, "an unreachable store is tried at most once a poll interval: " + (store.calls - before));

        clock.advance(Duration.between(clock.instant(), activation).plusMinutes(1));
        assertEquals(next.keyId(), keys.currentKey().keyId().orElseThrow(),
                "from its activation time the published next key signs, as on every replica");
        assertEquals(active, keys.activeKey().keyId(), "the set held is unchanged: nothing could be written");
        assertTrue(publisher.json().contains(active) && publisher.json().contains(next.keyId()), "the JWKS held is served");

        // a replica reaching the store could retire the next key a rotation interval later and remove it after the grace
        clock.advance(Duration.ofDays(1).plusMinutes(7));
        assertEquals(next.keyId(), keys.currentKey().keyId().orElseThrow());
        clock.advance(Duration.ofMinutes(1));
        SigningException stopped = assertThrows(SigningException.class, keys::currentKey);
        assertTrue(stopped.getMessage().contains("memory cannot be reached since 2026-12-01T23:00:00.1"), stopped.getMessage());
        assertFalse(stopped.getMessage().contains("pw"));

        store.down = false;
        clock.advance(Duration.ofSeconds(31));
        assertEquals(next.keyId(), keys.currentKey().keyId().orElseThrow());
        assertEquals(next.keyId(), keys.activeKey().keyId(), "the overdue rotation is written when the store is back");
        assertEquals(2, store.version(), "once");
    }

    @Test
    void storeGoesBackToAnOlderVersion_refused_theNewerSetHeldStays() throws Exception {
        RotatingKeySet keys = open();
        KeySetStore.Stored first = store.load();
        String withdrawn = keys.activeKey().keyId();
        keys.rotateNow();
        String current = keys.activeKey().keyId();
        store.restore(first.version(), first.content()); // a restored backup would bring back the withdrawn key
        clock.advance(Duration.ofSeconds(31));
        assertEquals(current, keys.currentKey().keyId().orElseThrow(), "signing goes on with the set held");
        assertEquals(Instant.parse("2026-12-01T00:00:31Z"), keys.storeFailingSince().orElseThrow());
        assertFalse(keys.publisher(Duration.ofMinutes(5)).json().contains(withdrawn), "the withdrawn key does not come back");
        IOException e = assertThrows(IOException.class, keys::maintain, "changes wait for a usable store");
        assertTrue(e.getMessage().contains("went back from version 2 to 1"), e.getMessage());
        assertEquals(current, keys.activeKey().keyId());
    }

    @Test
    void storeHoldsACorruptSet_theSetHeldStays_untilAUsableOneIsBack() throws Exception {
        RotatingKeySet keys = open();
        KeySetStore.Stored good = store.load();
        String active = keys.activeKey().keyId();
        store.restore(2, "{\"version\":2,\"generation\":2,\"planted\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        clock.advance(Duration.ofSeconds(31));
        assertEquals(active, keys.currentKey().keyId().orElseThrow());
        assertTrue(keys.storeFailingSince().isPresent());
        store.restore(3, good.content()); // not a valid version-3 document: still refused
        clock.advance(Duration.ofSeconds(31));
        keys.currentKey();
        assertTrue(keys.storeFailingSince().isPresent(), "a document written as version 1 does not pass as version 3");
    }
}
