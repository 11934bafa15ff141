package dev.clientauth.dpop;

import dev.clientauth.core.internal.Origins;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The latest {@code DPoP-Nonce} of each origin (RFC 9449 §8, §9): the authorization server and
 * every resource server separately, so no server sees another's nonce. Updated from any response
 * that carries the header. Thread-safe; at most 256 origins are remembered.
 */
public final class DPoPNonces {
    static final int MAX_LENGTH = 1024;
    private static final int MAX_ORIGINS = 256;
    private final ConcurrentMap<String, String> byOrigin = new ConcurrentHashMap<>();

    /** An empty set of nonces. */
    public DPoPNonces() {
    }

    /** The nonce to send to {@code uri}'s origin, if its server gave one. */
    public Optional<String> nonceFor(URI uri) {
        return Optional.ofNullable(byOrigin.get(origin(uri)));
    }

    /**
     * Remembers the {@code DPoP-Nonce} a response from {@code uri} carried.
     *
     * @throws IllegalArgumentException a nonce that is empty, longer than 1 KiB or not visible
     *     ASCII; nothing is remembered
     */
    public void update(URI uri, String nonce) {
        String checked = check(nonce);
        String origin = origin(uri);
        if (byOrigin.size() >= MAX_ORIGINS && !byOrigin.containsKey(origin)) {
            byOrigin.clear(); // a bound, not a cache policy: servers hand out a fresh nonce when asked
        }
        byOrigin.put(origin, checked);
    }

    /** A nonce as RFC 9449 §8.1 allows it: 1 to 1024 visible ASCII characters. */
    static String check(String nonce) {
        Objects.requireNonNull(nonce, "nonce");
        if (nonce.isEmpty() || nonce.length() > MAX_LENGTH || !nonce.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw new IllegalArgumentException("a DPoP nonce is 1 to " + MAX_LENGTH
                    + " visible ASCII characters; this one (" + nonce.length() + " characters) is not");
        }
        return nonce;
    }

    static String origin(URI uri) {
        String origin = Origins.of(Objects.requireNonNull(uri, "uri"));
        if (origin == null) {
            throw new IllegalArgumentException("not an absolute URI with a host");
        }
        return origin;
    }

    @Override
    public String toString() {
        return "DPoPNonces[" + byOrigin.size() + " origins]";
    }
}
