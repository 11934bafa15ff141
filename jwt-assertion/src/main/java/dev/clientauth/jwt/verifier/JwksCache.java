package dev.clientauth.jwt.verifier;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.clientauth.core.ClientTls;
import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.http.TransportRequest;
import dev.clientauth.core.http.TransportResponse;
import java.lang.System.Logger.Level;
import dev.clientauth.core.internal.Endpoints;
import dev.clientauth.core.internal.Printable;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.X509TrustManager;

/**
 * A cache of one client's JWKS from its {@code jwks_uri}, for verifying its assertions.
 *
 * <ul>
 *   <li>fetched (by default) over one connection to an address that passed the address policy
 *       below, TLS verified against the name, at most 512 KiB, within 5 s;</li>
 *   <li>kept for the server's {@code Cache-Control: max-age}, bounded below and above (default
 *       1 minute .. 1 hour; 5 minutes when the server says nothing);</li>
 *   <li>every fetch attempt, successful or not, first or later, waits for the refetch interval
 *       (default 1 minute) since the last one, doubled after each failure in a row up to 16
 *       times: a flood of assertions with made-up kids, or a {@code jwks_uri} that is down or
 *       slow, never becomes a flood of fetches;</li>
 *   <li>one fetch at a time, outside any lock: other verifications meanwhile use the last good
 *       set, or find no key at once when there is none yet (they do not queue behind the fetch);</li>
 *   <li>when a fetch fails, the last good set keeps being used;</li>
 *   <li>{@code https} only, to a host whose every address is public (not loopback, link-local,
 *       private, unique-local, multicast or wildcard), checked at each fetch and connected to — a
 *       {@code jwks_uri} comes from a client's registration and must not reach the server's own
 *       network. {@link Builder#allowHttpLoopbackForTesting()} and
 *       {@link Builder#allowPrivateAddresses()} are the named weakenings.</li>
 * </ul>
 * Thread-safe.
 */
public final class JwksCache {
    private static final System.Logger LOG = System.getLogger(JwksCache.class.getName());
    private static final Pattern MAX_AGE = Pattern.compile("max-age\\s*=\\s*(\\d+)");

    private final URI jwksUri;
    private final HttpTransport transport;
    private final Clock clock;
    private final Duration minTtl;
    private final Duration maxTtl;
    private final Duration defaultTtl;
    private final Duration refetchInterval;
    private final boolean allowPrivateAddresses;
    private final AtomicBoolean fetching = new AtomicBoolean();
    private volatile JWKSet keys;
    private volatile Instant expiresAt = Instant.MIN;
    private volatile Instant nextAttempt = Instant.MIN;
    private volatile int failures;
    private volatile long fetches;

    private JwksCache(Builder b) {
        this.jwksUri = b.jwksUri;
        this.transport = b.transport;
        this.clock = b.clock;
        this.minTtl = b.minTtl;
        this.maxTtl = b.maxTtl;
        this.defaultTtl = b.defaultTtl;
        this.refetchInterval = b.refetchInterval;
        this.allowPrivateAddresses = b.allowPrivateAddresses;
    }

    public static Builder builder(URI jwksUri) {
        return new Builder(jwksUri);
    }

    /**
     * The key with this {@code kid}: from the cache while it is fresh, otherwise (or when the kid
     * is unknown and the refetch interval has passed) after fetching the set again.
     */
    public Optional<JWK> key(String kid) {
        Instant now = clock.instant();
        JWKSet current = keys;
        if (current == null || !now.isBefore(expiresAt)) {
            refresh(now, false);
            current = keys;
        }
        JWK key = current == null ? null : current.getKeyByKeyId(kid);
        if (key == null && refresh(now, true)) {
            current = keys;
            key = current == null ? null : current.getKeyByKeyId(kid);
        }
        return Optional.ofNullable(key);
    }

    /** How many fetches were made (for monitoring and tests). */
    public long fetchCount() {
        return fetches;
    }

    /** @return whether a fetch was made and succeeded */
    private boolean refresh(Instant now, boolean unknownKid) {
        boolean stale = keys == null || !now.isBefore(expiresAt);
        if (!stale && !unknownKid) {
            return false;
        }
        if (now.isBefore(nextAttempt)) {
            return false; // rate limit: every attempt, failed or not, waits for the interval
        }
        if (!fetching.compareAndSet(false, true)) {
            return false; // one fetch at a time; meanwhile the last good set (or none) is used
        }
        try {
            if (now.isBefore(nextAttempt)) {
                return false;
            }
            nextAttempt = now.plus(refetchInterval);
            fetches++;
            JWKSet parsed;
            Duration ttl;
            try {
                if (!(transport instanceof VettedAddressFetch)) {
                    checkAddress(); // a transport of the user's resolves the name again: checked, but not pinned
                }
                TransportResponse response = transport.execute(TransportRequest.get(jwksUri,
                        Map.of("Accept", "application/jwk-set+json, application/json")));
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("HTTP " + response.statusCode());
                }
                parsed = JWKSet.parse(response.bodyAsString());
                ttl = ttl(response.header("Cache-Control").orElse(null));
            } catch (TokenRequestException | java.text.ParseException | RuntimeException e) {
                int failed = failures + 1;
                failures = failed;
                nextAttempt = now.plus(refetchInterval.multipliedBy(1L << Math.min(failed - 1, 4)));
                // the message comes from the client's server or its JWKS: printable and short, never raw
                LOG.log(Level.WARNING, "fetching JWKS {0} failed{1}: {2}: {3}", jwksUri,
                        keys == null ? "" : ", keeping the last good set", e.getClass().getSimpleName(),
                        Printable.of(String.valueOf(e.getMessage()), 120));
                if (keys != null) {
                    expiresAt = now.plus(minTtl);
                }
                return false;
            }
            keys = parsed;
            expiresAt = now.plus(ttl);
            failures = 0;
            return true;
        } finally {
            fetching.set(false);
        }
    }

    /** Refuses a host with any non-public address, unless private addresses were allowed. */
    private void checkAddress() {
        if (allowPrivateAddresses) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(jwksUri.getHost());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("unknown host " + jwksUri.getHost());
        }
        for (InetAddress address : addresses) {
            if (!isPublic(address)) {
                throw new IllegalStateException("host " + jwksUri.getHost() + " has the non-public address "
                        + address.getHostAddress() + "; call allowPrivateAddresses() to fetch it anyway");
            }
        }
    }

    static boolean isPublic(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] bytes = address.getAddress();
        if (bytes.length == 16) {
            return (bytes[0] & 0xfe) != 0xfc; // fc00::/7, unique local
        }
        int first = bytes[0] & 0xff;
        int second = bytes[1] & 0xff;
        return first != 0 && !(first == 100 && second >= 64 && second < 128) // 0/8, 100.64/10 (shared)
                && !(first == 169 && second == 254) && first < 224;          // link local, multicast, reserved
    }

    private Duration ttl(String cacheControl) {
        Duration ttl = defaultTtl;
        if (cacheControl != null) {
            String value = cacheControl.toLowerCase(Locale.ROOT);
            Matcher matcher = MAX_AGE.matcher(value);
            if (value.contains("no-store") || value.contains("no-cache")) {
                ttl = minTtl;
            } else if (matcher.find()) {
                try {
                    ttl = Duration.ofSeconds(Long.parseLong(matcher.group(1)));
                } catch (NumberFormatException e) {
                    ttl = maxTtl;
                }
            }
        }
        if (ttl.compareTo(minTtl) < 0) {
            return minTtl;
        }
        return ttl.compareTo(maxTtl) > 0 ? maxTtl : ttl;
    }

    @Override
    public String toString() {
        return "JwksCache[" + jwksUri + ", fetches=" + fetches + "]";
    }

    /** Builds a {@link JwksCache}. Not thread-safe. */
    public static final class Builder {
        private final URI jwksUri;
        private HttpTransport transport;
        private Clock clock = Clock.systemUTC();
        private Duration minTtl = Duration.ofMinutes(1);
        private Duration maxTtl = Duration.ofHours(1);
        private Duration defaultTtl = Duration.ofMinutes(5);
        private Duration refetchInterval = Duration.ofMinutes(1);
        private boolean allowHttpLoopback;
        private boolean allowPrivateAddresses;
        private X509TrustManager trust;

        private Builder(URI jwksUri) {
            this.jwksUri = Objects.requireNonNull(jwksUri, "jwksUri");
        }

        /**
         * Trust for the {@code jwks_uri}'s server with the default fetch; default: the JDK's
         * trust store.
         */
        public Builder trust(X509TrustManager trust) {
            this.trust = Objects.requireNonNull(trust, "trust");
            return this;
        }

        /**
         * Fetches through this transport instead of the default, which connects to the very address
         * it checked; a transport of your own resolves the name again after the check, so the
         * address policy holds only as far as DNS answers stay the same.
         */
        public Builder transport(HttpTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Bounds for the server's max-age, and the TTL when it gives none. */
        public Builder ttl(Duration min, Duration defaultTtl, Duration max) {
            if (min.isNegative() || min.compareTo(defaultTtl) > 0 || defaultTtl.compareTo(max) > 0) {
                throw new IllegalArgumentException("need 0 <= min <= default <= max: " + min + ", " + defaultTtl + ", " + max);
            }
            this.minTtl = min;
            this.defaultTtl = defaultTtl;
            this.maxTtl = max;
            return this;
        }

        /** At most one fetch per this interval when an unknown kid shows up; default 1 minute. */
        public Builder refetchInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("refetchInterval must not be negative: " + interval);
            }
            this.refetchInterval = interval;
            return this;
        }

        /**
         * A weakening for tests: accept an {@code http} {@code jwks_uri} to a loopback host (and
         * loopback addresses). Logs one warning.
         */
        public Builder allowHttpLoopbackForTesting() {
            LOG.log(Level.WARNING, "JWKS cache for {0} accepts http to loopback: for tests only", jwksUri);
            this.allowHttpLoopback = true;
            this.allowPrivateAddresses = true;
            return this;
        }

        /**
         * A weakening: fetch from hosts with loopback, link-local or private addresses (a client
         * registry you control, on your own network), or whose name does not resolve here (a
         * transport that reaches the internet through a proxy). Logs one warning.
         */
        public Builder allowPrivateAddresses() {
            LOG.log(Level.WARNING, "JWKS cache for {0} may fetch from private addresses", jwksUri);
            this.allowPrivateAddresses = true;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the {@code jwks_uri} is not https (or, after
         *     {@link #allowHttpLoopbackForTesting()}, http to loopback)
         */
        public JwksCache build() {
            boolean https = "https".equalsIgnoreCase(jwksUri.getScheme()) && jwksUri.getHost() != null;
            if (!https && !(allowHttpLoopback && Endpoints.isSecureOrLoopback(jwksUri))) {
                throw new IllegalArgumentException("jwks_uri must use https: " + jwksUri);
            }
            if (transport == null) {
                ClientTls.Builder tls = ClientTls.builder();
                if (trust != null) {
                    tls.trust(trust);
                }
                transport = new VettedAddressFetch(tls.build(), allowPrivateAddresses, Duration.ofSeconds(5), 512 * 1024);
            } else if (trust != null) {
                throw new IllegalStateException("trust applies to the default fetch; configure it on the given transport");
            }
            return new JwksCache(this);
        }
    }
}
