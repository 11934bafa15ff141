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
 * A {@link KeySetStore} in one file, for one machine (or replicas sharing one file system that
 * supports locks): the file is the encoded key set itself, and its version is the document's
 * {@code generation} member.
 *
 * <ul>
 *   <li><b>Atomic writes</b>: the new content goes to a new, randomly named temporary file in the
 *       same directory (created exclusively, owner-only, never through a link), is flushed to
 *       disk, and replaces the file with an atomic rename (the directory is then flushed too). A
 *       crash at any point leaves either the old or the new file, so no key is lost.</li>
 *   <li><b>Owner-only</b>: the file is created and rewritten with mode {@code 0600}; a file or
 *       directory that others can write is refused.</li>
 *   <li><b>One writer at a time, no lost update</b>: every write holds an exclusive lock on the
 *       sidecar file {@code <file>.lock} (and an in-process lock) and succeeds only if the file
 *       still has the version the writer last read; otherwise it fails with
 *       {@link KeySetConflictException} and the writer reloads.</li>
 * </ul>
 */
public final class FileKeySetStore implements KeySetStore {
    private static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(10);
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
    private final Path file;
    private final Duration lockTimeout;
    final Writer writer;

    /** How bytes reach the file; replaced in tests to simulate a crash. */
    interface Writer {
        void write(Path file, byte[] content) throws IOException;
    }

    private FileKeySetStore(Path file, Writer writer, Duration lockTimeout) {
        this.file = file;
        this.writer = writer;
        this.lockTimeout = lockTimeout;
    }

    static FileKeySetStore at(Path file) {
        return new FileKeySetStore(file.toAbsolutePath(), FileKeySetStore::atomicWrite, DEFAULT_LOCK_TIMEOUT);
    }

    FileKeySetStore withWriter(Writer writer) {
        return new FileKeySetStore(file, writer, lockTimeout);
    }

    /** How long a write waits for another process's lock before it fails; default 10 s. */
    public FileKeySetStore withLockTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("lock timeout must not be negative: " + timeout);
        }
        return new FileKeySetStore(file, writer, timeout);
    }

    public Path file() {
        return file;
    }

    @Override
    public String description() {
        return file.toString();
    }

    @Override
    public Stored load() throws IOException, KeySetCorruptException {
        if (!Files.exists(file)) {
            return Stored.empty();
        }
        byte[] content = Files.readAllBytes(file);
        long version = generationOf(content);
        return new Stored(version, content);
    }

    @Override
    public long version() throws IOException, KeySetCorruptException {
        return Files.exists(file) ? generationOf(Files.readAllBytes(file)) : 0;
    }

    @Override
    public void write(long expectedVersion, byte[] content) throws IOException {
        try {
            if (generationOf(content) != expectedVersion + 1) {
                throw new IllegalArgumentException("the content's generation must be the expected version + 1");
            }
        } catch (KeySetCorruptException e) {
            throw new IllegalArgumentException("the content is not an encoded key set", e);
        }
        locked(() -> {
            long current;
            try {
                current = Files.exists(file) ? generationOf(Files.readAllBytes(file)) : 0;
            } catch (KeySetCorruptException e) {
                throw new IOException(e.getMessage(), e);
            }
            if (current != expectedVersion) {
                throw new KeySetConflictException("key set " + file + " was changed by another process (generation "
                        + current + ", expected " + expectedVersion + ")");
            }
            writer.write(file, content);
            return null;
        });
    }

    /** The document's {@code generation} member (a positive number). */
    private long generationOf(byte[] content) throws KeySetCorruptException {
        try {
            Map<String, Object> document = JSONObjectUtils.parse(new String(content, StandardCharsets.UTF_8));
            Object generation = document.get("generation");
            if (generation instanceof Long value && value > 0) {
                return value;
            }
            throw new KeySetCorruptException("key set " + file + " is corrupt: no generation");
        } catch (java.text.ParseException e) {
            throw new KeySetCorruptException("key set " + file + " is corrupt: " + e.getClass().getSimpleName(), e);
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
        return "FileKeySetStore[" + file + "]";
    }
}
