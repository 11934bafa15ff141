package dev.clientauth.jwt.keys;

import dev.clientauth.core.internal.Jca;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.clientauth.core.Secret;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.LinkOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.channels.FileLock;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a {@link RotatingKeySet} lives on disk: one JSON file with the keys' states and times,
 * software private keys in an embedded password-protected PKCS#12, and HSM keys by alias.
 *
 * <ul>
 *   <li><b>Atomic writes</b>: the new content goes to a new, randomly named temporary file in the
 *       same directory (created exclusively, owner-only, never through a link), is flushed to
 *       disk, and replaces the file with an atomic rename (the directory is then flushed too). A
 *       crash at any point leaves either the old or the new file, so no key is lost.</li>
 *   <li><b>Owner-only</b>: the file is created and rewritten with mode {@code 0600}; a file or
 *       directory that others can write is refused.</li>
 *   <li><b>One writer at a time, no lost update</b>: every write holds an exclusive lock on the
 *       sidecar file {@code <file>.lock} and succeeds only if the file still has the generation
 *       the writer last read; otherwise it fails with {@link KeySetConflictException} and the
 *       writer reloads. Every write increments the generation.</li>
 *   <li><b>Authenticated</b>: the keys' metadata (ids, states, times, certificates, HSM aliases)
 *       carries an HMAC-SHA256 under a key derived from the store password (PBKDF2, 600,000
 *       iterations), so nobody without the password can plant a key; software keys are
 *       encrypted with {@code PBEWithHmacSHA256AndAES_256}, 600,000 iterations, named
 *       explicitly rather than taken from the JVM's settings, and the whole PKCS#12 is sealed
 *       with AES-256-GCM under a key derived the same way, so its own MAC (whose strength the
 *       JVM's settings decide) offers no cheaper way to test a guessed password.</li>
 * </ul>
 */
public final class KeySetStore {
    private static final int VERSION = 2;
    /** PBKDF2 iterations for the metadata MAC key and the PKCS#12 entries. */
    static final int DEFAULT_KDF_ITERATIONS = 600_000;
    private static final String ENTRY_PROTECTION = "PBEWithHmacSHA256AndAES_256";
    private static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(10);
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
    private final Path file;
    private final Secret password;
    private final int kdfIterations;
    private final Duration lockTimeout;
    final Writer writer;
    private volatile MacKey macKey;

    /** Keys derived from the store password: {@code key} authenticates the metadata, {@code sealing} encrypts the PKCS#12. */
    private record MacKey(String salt, byte[] key, byte[] sealing) {
    }

    /** How bytes reach the file; replaced in tests to simulate a crash. */
    interface Writer {
        void write(Path file, byte[] content) throws IOException;
    }

    private KeySetStore(Path file, Secret password, Writer writer, int kdfIterations, Duration lockTimeout) {
        this.file = file;
        this.password = password;
        this.writer = writer;
        this.kdfIterations = kdfIterations;
        this.lockTimeout = lockTimeout;
    }

    public static KeySetStore at(Path file, Secret password) {
        return new KeySetStore(Objects.requireNonNull(file, "file").toAbsolutePath(),
                Objects.requireNonNull(password, "password"), KeySetStore::atomicWrite, DEFAULT_KDF_ITERATIONS,
                DEFAULT_LOCK_TIMEOUT);
    }

    KeySetStore withWriter(Writer writer) {
        return new KeySetStore(file, password, writer, kdfIterations, lockTimeout);
    }

    /** How long a write waits for another process's lock before it fails; default 10 s. */
    public KeySetStore withLockTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("lock timeout must not be negative: " + timeout);
        }
        return new KeySetStore(file, password, writer, kdfIterations, timeout);
    }

    /** Fewer KDF iterations, for tests that write many key sets. */
    KeySetStore withKdfIterations(int iterations) {
        return new KeySetStore(file, password, writer, iterations, lockTimeout);
    }

    int kdfIterations() {
        return kdfIterations;
    }

    public Path file() {
        return file;
    }

    boolean exists() {
        return Files.exists(file);
    }

    /** A stored key before its private key is resolved. */
    static final class StoredKey {
        final String kid;
        final KeyState state;
        final String alg;
        final Instant created;
        final Instant activates;
        final Instant remove;
        final X509Certificate certificate;
        final String hsmAlias;
        final PrivateKey softwareKey;

        StoredKey(String kid, KeyState state, String alg, Instant created, Instant activates, Instant remove,
                X509Certificate certificate, String hsmAlias, PrivateKey softwareKey) {
            this.kid = kid;
            this.state = state;
            this.alg = alg;
            this.created = created;
            this.activates = activates;
            this.remove = remove;
            this.certificate = certificate;
            this.hsmAlias = hsmAlias;
            this.softwareKey = softwareKey;
        }
    }

    /** What is stored: the keys, every kid ever used (kids are never reused), and the generation. */
    static final class Content {
        final List<StoredKey> keys;
        final List<String> usedKeyIds;
        final long generation;

        Content(List<StoredKey> keys, List<String> usedKeyIds, long generation) {
            this.keys = keys;
            this.usedKeyIds = usedKeyIds;
            this.generation = generation;
        }
    }

    /**
     * Writes the set if the file is still at {@code expectedGeneration} (0: no file yet).
     *
     * @return the new generation
     * @throws KeySetConflictException another writer changed the file since it was read
     */
    long save(List<ManagedKey> keys, List<String> usedKeyIds, Map<String, PrivateKey> softwareKeys, long expectedGeneration)
            throws IOException {
        return locked(() -> {
            long current = exists() ? readGeneration() : 0;
            if (current != expectedGeneration) {
                throw new KeySetConflictException("key set " + file + " was changed by another process (generation "
                        + current + ", expected " + expectedGeneration + ")");
            }
            write(keys, usedKeyIds, softwareKeys, current + 1);
            return current + 1;
        });
    }

    /** The PKCS#12 inside the file, unsealed (to check how its entries are protected). */
    byte[] unsealedPkcs12() throws IOException, GeneralSecurityException {
        try {
            Map<String, Object> document = JSONObjectUtils.parse(Files.readString(file, StandardCharsets.UTF_8));
            return unseal(macKey(JSONObjectUtils.getString(document, "macSalt")),
                    Base64.getDecoder().decode(JSONObjectUtils.getString(document, "pkcs12")));
        } catch (java.text.ParseException e) {
            throw new IOException(e);
        }
    }

    /** The generation of the file now (0 when there is none), read under the lock. */
    long currentGeneration() throws IOException {
        return locked(() -> exists() ? readGeneration() : 0);
    }

    private long readGeneration() throws IOException {
        try {
            Map<String, Object> document = JSONObjectUtils.parse(Files.readString(file, StandardCharsets.UTF_8));
            Object generation = document.get("generation");
            return generation instanceof Long value ? value : -1;
        } catch (java.text.ParseException e) {
            throw new IOException("key set " + file + " is corrupt: " + e.getClass().getSimpleName(), e);
        }
    }

    @FunctionalInterface
    private interface Locked<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code action} holding the in-process lock of this file and an exclusive lock on
     * {@code <file>.lock}, waiting at most 10 s for another process.
     */
    private <T> T locked(Locked<T> action) throws IOException {
        ReentrantLock local = IN_PROCESS.computeIfAbsent(file, k -> new ReentrantLock());
        local.lock();
        try {
            Path directory = file.getParent();
            Files.createDirectories(directory);
            checkNotWritableByOthers(directory, "directory");
            Path lockFile = directory.resolve(file.getFileName() + ".lock");
            try (FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS), ownerOnlyCreate(lockFile))) {
                long deadline = System.nanoTime() + lockTimeout.toNanos();
                FileLock lock;
                while ((lock = channel.tryLock()) == null) {
                    if (System.nanoTime() > deadline) {
                        throw new KeySetLockedException("key set " + file + " is locked by another process for more than "
                                + lockTimeout.toMillis() + " ms: is the application using it running? Rotate through it (rotateNow())");
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new KeySetLockedException("interrupted while waiting for the lock of key set " + file);
                    }
                }
                try {
                    return action.run();
                } finally {
                    lock.release();
                }
            }
        } finally {
            local.unlock();
        }
    }

    private void write(List<ManagedKey> keys, List<String> usedKeyIds, Map<String, PrivateKey> softwareKeys, long generation)
            throws IOException {
        char[] pw = password.reveal().toCharArray();
        try {
            KeyStore p12 = Jca.keyStore("PKCS12");
            p12.load(null, null);
            KeyStore.PasswordProtection protection = new KeyStore.PasswordProtection(pw, ENTRY_PROTECTION,
                    new PBEParameterSpec(random(16), kdfIterations));
            List<Object> entries = new ArrayList<>();
            for (ManagedKey key : keys) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("kid", key.keyId());
                entry.put("state", key.state().name());
                entry.put("alg", key.algorithm().joseName());
                entry.put("created", key.createdAt().toString());
                key.activatesAt().ifPresent(t -> entry.put("activates", t.toString()));
                key.removeAt().ifPresent(t -> entry.put("remove", t.toString()));
                entry.put("certificate", Base64.getEncoder().encodeToString(key.certificate().getEncoded()));
                if (key.hsmAlias().isPresent()) {
                    entry.put("hsmAlias", key.hsmAlias().get());
                } else {
                    KeyStore.PrivateKeyEntry privateKey = new KeyStore.PrivateKeyEntry(softwareKeys.get(key.keyId()),
                            new Certificate[] {key.certificate()});
                    try {
                        p12.setEntry(key.keyId(), privateKey, protection);
                    } catch (java.security.KeyStoreException unsupported) {
                        if (Jca.pinned().isEmpty()) {
                            throw unsupported;
                        }
                        // a pinned provider whose PKCS#12 does not take explicit parameters protects with its own
                        p12.setKeyEntry(key.keyId(), privateKey.getPrivateKey(), pw, privateKey.getCertificateChain());
                    }
                }
                entries.add(entry);
            }
            ByteArrayOutputStream p12Bytes = new ByteArrayOutputStream();
            p12.store(p12Bytes, pw);
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("version", VERSION);
            document.put("generation", generation);
            document.put("usedKeyIds", new ArrayList<Object>(usedKeyIds));
            document.put("keys", entries);
            MacKey mac = macKey(null);
            document.put("macSalt", mac.salt());
            document.put("mac", mac(mac, generation, usedKeyIds, entries));
            // sealed under the 600,000-iteration key: the PKCS#12's own MAC (the JVM's settings) is no cheaper way to test a password
            document.put("pkcs12", Base64.getEncoder().encodeToString(seal(mac, p12Bytes.toByteArray())));
            writer.write(file, JSONObjectUtils.toJSONString(document).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encode the key set", e);
        } finally {
            java.util.Arrays.fill(pw, '\0');
        }
    }

    Content load() throws KeySetCorruptException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KeySetCorruptException("cannot read key set " + file + ": " + e.getClass().getSimpleName(), e);
        }
        char[] pw = password.reveal().toCharArray();
        try {
            Map<String, Object> document = JSONObjectUtils.parse(text);
            if (!Objects.equals(JSONObjectUtils.getInt(document, "version"), VERSION)) {
                throw new KeySetCorruptException("key set " + file + " has an unknown version");
            }
            long generation = JSONObjectUtils.getLong(document, "generation");
            MacKey mac = macKey(JSONObjectUtils.getString(document, "macSalt"));
            List<Object> rawEntries = JSONObjectUtils.getJSONArray(document, "keys");
            List<String> usedIds = new ArrayList<>();
            for (Object kid : JSONObjectUtils.getJSONArray(document, "usedKeyIds")) {
                usedIds.add((String) kid);
            }
            byte[] expected = Base64.getDecoder().decode(mac(mac, generation, usedIds, rawEntries));
            byte[] stored = Base64.getDecoder().decode(String.valueOf(JSONObjectUtils.getString(document, "mac")));
            if (!MessageDigest.isEqual(expected, stored)) {
                throw new KeySetCorruptException("the metadata of key set " + file + " does not verify under the store "
                        + "password: it was changed by someone without the password (or the password is wrong)");
            }
            KeyStore p12 = Jca.keyStore("PKCS12");
            try {
                p12.load(new ByteArrayInputStream(unseal(mac, Base64.getDecoder().decode(
                        JSONObjectUtils.getString(document, "pkcs12")))), pw);
            } catch (IOException e) {
                throw new KeySetCorruptException("cannot open the keys of " + file + " (wrong password or damaged)", e);
            }
            CertificateFactory certificates = Jca.certificateFactory();
            List<StoredKey> keys = new ArrayList<>();
            for (Object item : rawEntries) {
                @SuppressWarnings("unchecked")
                Map<String, Object> entry = (Map<String, Object>) item;
                String kid = JSONObjectUtils.getString(entry, "kid");
                String hsmAlias = JSONObjectUtils.getString(entry, "hsmAlias");
                X509Certificate certificate = (X509Certificate) certificates.generateCertificate(
                        new ByteArrayInputStream(Base64.getDecoder().decode(JSONObjectUtils.getString(entry, "certificate"))));
                PrivateKey softwareKey = null;
                if (hsmAlias == null) {
                    softwareKey = (PrivateKey) p12.getKey(kid, pw);
                    if (softwareKey == null) {
                        throw new KeySetCorruptException("key set " + file + " lists key " + kid + " but does not hold it");
                    }
                }
                keys.add(new StoredKey(kid, KeyState.valueOf(JSONObjectUtils.getString(entry, "state")),
                        JSONObjectUtils.getString(entry, "alg"), instant(entry, "created"), instant(entry, "activates"),
                        instant(entry, "remove"), certificate, hsmAlias, softwareKey));
            }
            return new Content(keys, usedIds, generation);
        } catch (KeySetCorruptException e) {
            throw e;
        } catch (java.text.ParseException | RuntimeException | GeneralSecurityException e) {
            throw new KeySetCorruptException("key set " + file + " is corrupt: " + e.getClass().getSimpleName(), e);
        } finally {
            java.util.Arrays.fill(pw, '\0');
        }
    }

    /** The MAC key for {@code salt} (a new salt when null, or the one of this store once derived). */
    private MacKey macKey(String salt) throws GeneralSecurityException {
        MacKey current = macKey;
        if (current != null && (salt == null || salt.equals(current.salt()))) {
            return current;
        }
        String chosen = salt != null ? salt : Base64.getEncoder().encodeToString(random(16));
        char[] pw = password.reveal().toCharArray();
        try {
            SecretKeyFactory factory = Jca.secretKeyFactory("PBKDF2WithHmacSHA256");
            byte[] derivedBytes = factory.generateSecret(new PBEKeySpec(pw, Base64.getDecoder().decode(chosen), kdfIterations,
                    512)).getEncoded();
            MacKey derived = new MacKey(chosen, Arrays.copyOfRange(derivedBytes, 0, 32), Arrays.copyOfRange(derivedBytes, 32, 64));
            Arrays.fill(derivedBytes, (byte) 0);
            macKey = derived;
            return derived;
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    private static final byte[] SEALING_CONTEXT = "clientauth key set pkcs12".getBytes(StandardCharsets.US_ASCII);

    /** AES-256-GCM with a random 96-bit nonce: nonce || ciphertext. */
    private static byte[] seal(MacKey key, byte[] plain) throws GeneralSecurityException {
        byte[] nonce = random(12);
        javax.crypto.Cipher cipher = Jca.cipher("AES/GCM/NoPadding");
        cipher.init(javax.crypto.Cipher.ENCRYPT_MODE, new SecretKeySpec(key.sealing(), "AES"),
                new javax.crypto.spec.GCMParameterSpec(128, nonce));
        cipher.updateAAD(SEALING_CONTEXT);
        byte[] sealed = cipher.doFinal(plain);
        byte[] out = Arrays.copyOf(nonce, nonce.length + sealed.length);
        System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
        return out;
    }

    private static byte[] unseal(MacKey key, byte[] sealed) throws IOException {
        try {
            javax.crypto.Cipher cipher = Jca.cipher("AES/GCM/NoPadding");
            cipher.init(javax.crypto.Cipher.DECRYPT_MODE, new SecretKeySpec(key.sealing(), "AES"),
                    new javax.crypto.spec.GCMParameterSpec(128, sealed, 0, 12));
            cipher.updateAAD(SEALING_CONTEXT);
            return cipher.doFinal(sealed, 12, sealed.length - 12);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("the keys do not decrypt", e);
        }
    }

    /** HMAC-SHA256 over the generation, the used kids and the key entries, as canonical JSON. */
    private static String mac(MacKey key, long generation, List<String> usedKeyIds, List<Object> entries)
            throws GeneralSecurityException {
        Map<String, Object> covered = new LinkedHashMap<>();
        covered.put("generation", generation);
        covered.put("usedKeyIds", new ArrayList<Object>(usedKeyIds));
        List<Object> canonical = new ArrayList<>();
        for (Object entry : entries) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) entry;
            canonical.add(new java.util.TreeMap<>(map));
        }
        covered.put("keys", canonical);
        Mac mac = Jca.mac("HmacSHA256");
        mac.init(new SecretKeySpec(key.key(), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(JSONObjectUtils.toJSONString(covered)
                .getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] random(int bytes) {
        byte[] out = new byte[bytes];
        RANDOM.nextBytes(out);
        return out;
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private static Instant instant(Map<String, Object> entry, String name) throws java.text.ParseException {
        String value = JSONObjectUtils.getString(entry, name);
        return value == null ? null : Instant.parse(value);
    }

    /**
     * A new, randomly named, owner-only temporary file (never through a link), fsync, atomic
     * rename, fsync of the directory. Refuses a directory or an existing file others can write.
     */
    static void atomicWrite(Path file, byte[] content) throws IOException {
        Path directory = file.getParent();
        Files.createDirectories(directory);
        checkNotWritableByOthers(directory, "directory");
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isSymbolicLink(file)) {
                throw new IOException("key set " + file + " is a symbolic link; refusing to write through it");
            }
            checkNotWritableByOthers(file, "file");
        }
        Path temporary = posix(directory)
                ? Files.createTempFile(directory, "." + file.getFileName() + "-", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(directory, "." + file.getFileName() + "-", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UncheckedIOException ignored) {
            // some file systems cannot flush a directory; the rename itself is atomic
        }
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<?>[] ownerOnlyCreate(Path path) {
        return posix(path.getParent())
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    /** Refuses a path (without following links) that its group or others may write. */
    static void checkNotWritableByOthers(Path path, String what) throws IOException {
        if (!posix(path)) {
            return;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        if (permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("the key set " + what + " " + path + " is writable by group or others ("
                    + PosixFilePermissions.toString(permissions) + "); make it owner-only");
        }
    }

    @Override
    public String toString() {
        return "KeySetStore[" + file + "]";
    }
}
