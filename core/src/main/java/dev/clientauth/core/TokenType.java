package dev.clientauth.core;

import java.util.Locale;
import java.util.Objects;

/**
 * An access token type (RFC 6749 §7.1), compared case-insensitively. Known types: {@code Bearer}
 * (RFC 6750), {@code DPoP} (RFC 9449) and {@code N_A} (RFC 8693).
 */
public final class TokenType {
    public static final TokenType BEARER = new TokenType("Bearer");
    public static final TokenType DPOP = new TokenType("DPoP");
    public static final TokenType N_A = new TokenType("N_A");

    private final String value;

    private TokenType(String value) {
        this.value = value;
    }

    /** The known type of this name, case-insensitively; empty for an unknown one. */
    public static java.util.Optional<TokenType> lookup(String value) {
        Objects.requireNonNull(value, "token_type");
        for (TokenType known : new TokenType[] {BEARER, DPOP, N_A}) {
            if (known.value.equalsIgnoreCase(value)) {
                return java.util.Optional.of(known);
            }
        }
        return java.util.Optional.empty();
    }

    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenType && ((TokenType) o).value.toLowerCase(Locale.ROOT).equals(value.toLowerCase(Locale.ROOT));
    }

    @Override
    public int hashCode() {
        return value.toLowerCase(Locale.ROOT).hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
