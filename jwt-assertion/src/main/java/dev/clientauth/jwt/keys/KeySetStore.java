package dev.clientauth.jwt.keys;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a {@link RotatingKeySet} is kept: a small repository with a versioned compare-and-set.
 *
 * <p>A store holds one encoded key set (an opaque document: the keys' metadata authenticated and
 * the software private keys encrypted under the key set password, HSM keys by alias) and its
 * version, a number that grows by one with every write. {@link #write} succeeds only if the stored
 * version is still the one the writer read, so of several replicas changing the set at once exactly
 * one succeeds and the others reload. Implementations: {@link #file(Path)} (one file, with a lock)
 * and the JDBC store of {@code clientauth-keyset-jdbc} (one row of a table, optimistic version
 * column), for replicas on several machines.
 *
 * <p>Implementations must be thread-safe and must never put the content in an exception message
 * or log. Every method may block on I/O; an unreachable store is an {@link IOException} that is
 * not a {@link KeySetConflictException}, and {@link RotatingKeySet} keeps
 * signing with the keys it holds while it lasts (within the bound its documentation gives).
 */
public interface KeySetStore {
    /**
     * What a store holds: its version (0 when nothing is stored yet, then no content) and the
     * encoded key set. The content is never printed.
     */
    final class Stored {
        private final long version;
        private final byte[] content;

        public Stored(long version, byte[] content) {
            if (version < 0 || (version == 0) != (content == null)) {
                throw new IllegalArgumentException("a stored key set has content exactly when its version is positive");
            }
            this.version = version;
            this.content = content == null ? null : content.clone();
        }

        /** Nothing stored yet. */
        public static Stored empty() {
            return new Stored(0, null);
        }

        public long version() {
            return version;
        }

        /** The encoded key set, or null when nothing is stored. */
        public byte[] content() {
            return content == null ? null : content.clone();
        }

        @Override
        public String toString() {
            return "Stored[version=" + version + (content == null ? ", empty]" : ", " + content.length + " bytes]");
        }
    }

    /**
     * The stored key set and its version ({@link Stored#empty()} when there is none).
     *
     * @throws KeySetCorruptException what is stored cannot be a key set (it is left untouched)
     */
    Stored load() throws IOException, KeySetCorruptException;

    /**
     * The stored version alone (0 when there is none): the cheap check replicas poll.
     *
     * @throws KeySetCorruptException what is stored cannot be a key set
     */
    long version() throws IOException, KeySetCorruptException;

    /**
     * Stores {@code content} as version {@code expectedVersion + 1} if the stored version is still
     * {@code expectedVersion} (0: nothing stored yet), atomically: afterwards the store holds
     * either the old or the new content, whole, even if the writer dies.
     *
     * @throws KeySetConflictException the stored version is no longer {@code expectedVersion}
     */
    void write(long expectedVersion, byte[] content) throws IOException;

    /** Where the set is, for messages (a path, or a table and name): never a credential. */
    String description();

    /** The key set in one file (see {@link FileKeySetStore}). */
    static FileKeySetStore file(Path file) {
        return FileKeySetStore.at(Objects.requireNonNull(file, "file"));
    }
}
