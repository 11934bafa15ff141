package dev.clientauth.jwt.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.clientauth.certs.test.MutableClock;
import dev.clientauth.core.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.pkcs.PKCS12PfxPdu;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key-set store against the findings of the security review: M5, M6, M8 and L8. */
class KeySetHardeningTest {
    private static final Secret PASSWORD = Secret.of("key-set-password");
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-02T00:00:00Z"));
    @TempDir
    Path dir;

    private FileKeySetStore store(Path file) {
        return KeySetStore.file(file);
    }

    private RotatingKeySet open(Path file) throws Exception {
        return RotatingKeySet.builder(store(file), PASSWORD, SoftwareKeyGenerator.create())
                .kdfIterations(RotationTest.FAST_KDF).rotationInterval(Duration.ofDays(1))
                .publicationLead(Duration.ofHours(1)).clock(clock).build();
    }

    /** Past the time a fresh set's next key may sign: the publication lead plus the poll interval. */
    private void publishedLongEnough() {
        clock.advance(Duration.ofHours(1).plus(RotatingKeySet.DEFAULT_POLL_INTERVAL));
    }

    @Test
    void rotate_beforeTheNextKeyWasPublishedLongEnough_refused_rotateNowIsNot() throws Exception {
        RotatingKeySet keys = open(dir.resolve("keyset.json"));
        String active = keys.activeKey().keyId();
        clock.advance(Duration.ofMinutes(60));
        IllegalStateException e = assertThrows(IllegalStateException.class, keys::rotate);
        assertTrue(e.getMessage().contains("2026-11-02T01:00:30Z") && e.getMessage().contains("rotateNow"), e.getMessage());
        assertEquals(active, keys.activeKey().keyId(), "nothing changed");
        clock.advance(Duration.ofSeconds(30));
        keys.rotate();
        assertNotEquals(active, keys.activeKey().keyId());
        keys.rotateNow(); // a compromise does not wait
        assertEquals(3, keys.keys().size(), "retired, active and a new next key: " + keys.keys());
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void m5_fileIsOwnerOnly_onCreateAndOnEverySave() throws Exception {
        Path file = dir.resolve("keyset.json");
        RotatingKeySet keys = open(file);
        assertEquals("rw-------", mode(file));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        publishedLongEnough();
        keys.rotate();
        assertEquals("rw-------", mode(file), "a save does not keep a looser mode");
        try (var listing = Files.list(dir)) {
            assertEquals(List.of("keyset.json", "keyset.json.lock"), listing.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file is left behind");
        }
    }

    @Test
    void m5_fileOrDirectoryWritableByOthers_refused() throws Exception {
        Path file = dir.resolve("keyset.json");
        RotatingKeySet keys = open(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        publishedLongEnough();
        IOException e = assertThrows(IOException.class, keys::rotate);
        assertTrue(e.getMessage().contains("writable by group or others"), e.getMessage());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        try {
            assertThrows(IOException.class, keys::rotate);
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void m5_plantedSymlinks_neitherFollowedNorWrittenThrough() throws Exception {
        Path file = dir.resolve("keyset.json");
        RotatingKeySet keys = open(file);
        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "untouched");
        Files.createSymbolicLink(dir.resolve("keyset.json.tmp"), victim); // the old fixed temporary name
        publishedLongEnough();
        keys.rotate();
        assertEquals("untouched", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(file));
        Files.delete(file);
        Files.createSymbolicLink(file, victim);
        publishedLongEnough();
        assertThrows(IOException.class, keys::rotate);
        assertEquals("untouched", Files.readString(victim));
    }

    @Test
    void m8_rotationByAnotherProcess_pickedUpWithinThirtySeconds_notUndone() throws Exception {
        Path file = dir.resolve("keyset.json");
        RotatingKeySet application = open(file);
        String compromised = application.activeKey().keyId();
        RotatingKeySet cli = open(file); // as `clientauth keys rotate --compromised` would
        cli.rotateNow();
        assertNotEquals(compromised, cli.activeKey().keyId());
        clock.advance(RotatingKeySet.DEFAULT_POLL_INTERVAL.plusSeconds(1));
        assertEquals(cli.activeKey().keyId(), application.currentKey().keyId().orElseThrow(), "the application reloaded");
        publishedLongEnough();
        application.rotate();
        RotatingKeySet reread = open(file);
        assertTrue(reread.keys().stream().noneMatch(k -> k.keyId().equals(compromised)), "the withdrawn key never comes back");
    }

    @Test
    void m8_twoWritersFromTheSameGeneration_noLostUpdate() throws Exception {
        Path file = dir.resolve("keyset.json");
        RotatingKeySet first = open(file);
        RotatingKeySet second = open(file);
        publishedLongEnough();
        first.rotate();
        String madeByFirst = first.activeKey().keyId();
        publishedLongEnough();
        second.rotate(); // its generation is stale: it reloads, then rotates on top of the first's change
        second.maintain(); // and drops the key the first retired, whose grace is over
        RotatingKeySet reread = open(file);
        assertEquals(second.keys().stream().map(ManagedKey::keyId).toList(),
                reread.keys().stream().map(ManagedKey::keyId).toList());
        assertTrue(reread.keys().stream().anyMatch(k -> k.keyId().equals(madeByFirst) && k.state() == KeyState.RETIRED),
                "the first writer's active key is retired, not lost");
    }

    @Test
    void m8_lockHeldByAnotherProcess_writeRefused_nothingWritten() throws Exception {
        Path file = dir.resolve("keyset.json");
        RotatingKeySet keys = RotatingKeySet.builder(store(file).withLockTimeout(Duration.ofMillis(500)), PASSWORD,
                SoftwareKeyGenerator.create()).kdfIterations(RotationTest.FAST_KDF).clock(clock).build();
        byte[] before = Files.readAllBytes(file);
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(),
                dir.resolve("keyset.json.lock").toString()).start();
        try {
            assertEquals("locked", new String(holder.getInputStream().readNBytes(6), StandardCharsets.US_ASCII));
            KeySetLockedException e = assertThrows(KeySetLockedException.class, keys::rotateNow);
            assertTrue(e.getMessage().contains("rotateNow"), e.getMessage());
            assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(file));
        } finally {
            holder.destroy();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        keys.rotateNow();
    }

    @Test
    void m6_metadataChangedWithoutThePassword_refusedAtLoad() throws Exception {
        Path file = dir.resolve("keyset.json");
        RotatingKeySet keys = open(file);
        publishedLongEnough();
        keys.rotate();
        Map<String, Object> document = JSONObjectUtils.parse(Files.readString(file));
        @SuppressWarnings("unchecked")
        Map<String, Object> retired = (Map<String, Object>) JSONObjectUtils.getJSONArray(document, "keys").stream()
                .filter(k -> "RETIRED".equals(((Map<?, ?>) k).get("state"))).findFirst().orElseThrow();
        retired.put("remove", "9999-12-31T00:00:00Z"); // keep a key published forever
        Files.writeString(file, JSONObjectUtils.toJSONString(document));
        KeySetCorruptException e = assertThrows(KeySetCorruptException.class, () -> open(file));
        assertTrue(e.getMessage().contains("does not verify"), e.getMessage());
    }

    @Test
    void m6_implausibleStates_refusedEvenWithAValidMac() throws Exception {
        Path file = dir.resolve("keyset.json");
        open(file);
        java.util.Map<String, java.security.PrivateKey> privateKeys = new java.util.HashMap<>();
        java.util.List<ManagedKey> twoActive = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            KeyGenerator.GeneratedKey generated = SoftwareKeyGenerator.create().generate(dev.clientauth.jwt.SignatureAlgorithm.ES256);
            String kid = dev.clientauth.jwt.Jwks.thumbprint(generated.certificate.getPublicKey());
            privateKeys.put(kid, generated.privateKey);
            twoActive.add(new ManagedKey(kid, KeyState.ACTIVE, dev.clientauth.jwt.SignatureAlgorithm.ES256, clock.instant(),
                    null, null, generated.certificate, null, dev.clientauth.jwt.JcaSigner.builder(generated.privateKey)
                            .certificate(generated.certificate).build()));
        }
        FileKeySetStore store = store(file); // written with the password: the MAC is valid, the content is not
        long current = store.version();
        store.write(current, new KeySetCodec(PASSWORD, RotationTest.FAST_KDF).encode(twoActive,
                twoActive.stream().map(ManagedKey::keyId).toList(), privateKeys, current + 1));
        KeySetCorruptException e = assertThrows(KeySetCorruptException.class, () -> open(file));
        assertTrue(e.getMessage().contains("exactly one active"), e.getMessage());
    }

    @Test
    void l8_defaults_pkcs12EntriesUsePbes2AesWithSixHundredThousandIterations() throws Exception {
        Path file = dir.resolve("keyset.json");
        assertEquals(600_000, KeySetCodec.DEFAULT_KDF_ITERATIONS);
        RotatingKeySet.builder(KeySetStore.file(file), PASSWORD, SoftwareKeyGenerator.create()).clock(clock).build();
        String sealed = JSONObjectUtils.getString(JSONObjectUtils.parse(Files.readString(file)), "pkcs12");
        assertThrows(Exception.class, () -> new PKCS12PfxPdu(Base64.getDecoder().decode(sealed)),
                "the PKCS#12 is sealed: its MAC cannot be used to test a password");
        PKCS12PfxPdu pfx = new PKCS12PfxPdu(new KeySetCodec(PASSWORD, KeySetCodec.DEFAULT_KDF_ITERATIONS)
                .unsealedPkcs12(Files.readAllBytes(file)));
        if (dev.clientauth.core.CryptoProviders.pinned().isPresent()) {
            return; // a pinned provider's PKCS#12 protects entries its own way; the sealing above is what guards them
        }
        int checked = 0;
        for (var info : pfx.getContentInfos()) {
            if (!info.getContentType().equals(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.data)) {
                continue; // the certificates, in encrypted data
            }
            for (PKCS12SafeBag bag : new org.bouncycastle.pkcs.PKCS12SafeBagFactory(info).getSafeBags()) {
                if (bag.getBagValue() instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                    var algorithm = encrypted.getEncryptionAlgorithm();
                    assertEquals(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.id_PBES2, algorithm.getAlgorithm());
                    PBES2Parameters pbes2 = PBES2Parameters.getInstance(algorithm.getParameters());
                    assertEquals(600_000, PBKDF2Params.getInstance(pbes2.getKeyDerivationFunc().getParameters())
                            .getIterationCount().intValue());
                    assertEquals(org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_aes256_CBC,
                            pbes2.getEncryptionScheme().getAlgorithm());
                    checked++;
                }
            }
        }
        assertEquals(2, checked, "both software keys");
    }
}
