package dev.clientauth.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * A secret value (a client secret, a PIN, a password) that has no printable form.
 *
 * <p>{@link #toString()} never shows the value; the raw value is read only through
 * {@link #reveal()} and {@link #revealBytes()}, which are easy to find in a code review.
 * {@link #equals(Object)} compares in constant time. Thread-safe.
 */
public final class Secret {
    private final byte[] utf8;
    private volatile boolean destroyed;

    private Secret(byte[] utf8) {
        this.utf8 = utf8;
    }

    /**
     * @throws IllegalArgumentException if the value is empty
     */
    public static Secret of(String value) {
        Objects.requireNonNull(value, "secret");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("secret must not be empty");
        }
        return new Secret(value.getBytes(StandardCharsets.UTF_8));
    }

    /** A secret from raw bytes (copied). */
    public static Secret ofBytes(byte[] value) {
        Objects.requireNonNull(value, "secret");
        if (value.length == 0) {
            throw new IllegalArgumentException("secret must not be empty");
        }
        return new Secret(value.clone());
    }

    /**
     * The secret as a string (UTF-8 decoded).
     *
     * @throws IllegalStateException after {@link #destroy()}
     */
    public String reveal() {
        checkNotDestroyed();
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /**
     * A copy of the secret's bytes (UTF-8 for secrets made from strings).
     *
     * @throws IllegalStateException after {@link #destroy()}
     */
    public byte[] revealBytes() {
        checkNotDestroyed();
        return utf8.clone();
    }

    /** Whether {@link #destroy()} was called. */
    public boolean isDestroyed() {
        return destroyed;
    }

    private void checkNotDestroyed() {
        if (destroyed) {
            throw new IllegalStateException("the secret was destroyed");
        }
    }

    /** The length in bytes; not secret in itself. */
    public int length() {
        return utf8.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret && MessageDigest.isEqual(utf8, ((Secret) o).utf8);
    }

    @Override
    public int hashCode() {
        return 0x5ec12e7;
    }

    @Override
    public String toString() {
        return "Secret[redacted]";
    }

    /** Overwrites the held bytes; {@link #reveal()} and {@link #revealBytes()} fail afterwards. */
    public void destroy() {
        destroyed = true;
        Arrays.fill(utf8, (byte) 0);
    }
}
