package dev.clientauth.core;

import java.util.Objects;

/**
 * An OAuth 2.0 client identifier (RFC 6749 §2.2): a non-empty string of visible characters.
 *
 * <p>Not secret; printable. Immutable and thread-safe.
 */
public final class ClientId {
    private final String value;

    private ClientId(String value) {
        this.value = value;
    }

    /**
     * @throws IllegalArgumentException if the value is empty or holds a control character
     */
    public static ClientId of(String value) {
        Objects.requireNonNull(value, "client id");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("client id must not be empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("client id holds a control character at index " + i);
            }
        }
        return new ClientId(value);
    }

    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientId && ((ClientId) o).value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
