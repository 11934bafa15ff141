package dev.clientauth.jwt.verifier;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.clientauth.core.ClientTls;
import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.http.HttpTransport;
import dev.clientauth.core.jdk.JdkHttpTransport;
import dev.clientauth.core.http.TransportRequest;
import dev.clientauth.core.http.TransportResponse;
import java.lang.System.Logger.Level;
import java.net.URI;
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
 *   <li>Fetched through an {@link HttpTransport} (TLS verified; by default a JDK transport with a
 *       512 KiB size limit and 5 s timeouts);</li>
 *   <li>kept for the server's {@code Cache-Control: max-age}, bounded below and above (default
 *       1 minute .. 1 hour; 5 minutes when the server says nothing);</li>
 *   <li>on an unknown {@code kid}, fetched again at most once per refetch interval (default
 *       1 minute), so a flood of assertions with made-up kids cannot become a flood of fetches;</li>
 *   <li>when a fetch fails, the last good set keeps being used.</li>
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
    private volatile JWKSet keys;
    private volatile Instant expiresAt = Instant.MIN;
    private volatile Instant lastAttempt = Instant.MIN;
    private volatile long fetches;

    private JwksCache(Builder b) {
        this.jwksUri = b.jwksUri;
        this.transport = b.transport;
        this.clock = b.clock;
        this.minTtl = b.minTtl;
        this.maxTtl = b.maxTtl;
        this.defaultTtl = b.defaultTtl;
        this.refetchInterval = b.refetchInterval;
    }

    public static Builder builder(URI jwksUri) {
        return new Builder(jwksUri);
    }

    /** A transport for JWKS fetches: 512 KiB limit, 5 s timeouts, the given trust (null: JDK default). */
    public static HttpTransport defaultTransport(X509TrustManager trust) {
        JdkHttpTransport.Builder builder = JdkHttpTransport.builder().maxResponseBytes(512 * 1024)
                .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(5));
        if (trust != null) {
            builder.tls(ClientTls.builder().trust(trust).build());
        }
        return builder.build();
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

    /** @return whether a fetch was made */
    private synchronized boolean refresh(Instant now, boolean unknownKid) {
        boolean stale = keys == null || !now.isBefore(expiresAt);
        if (!stale && !unknownKid) {
            return false;
        }
        if (now.isBefore(lastAttempt.plus(refetchInterval)) && (unknownKid || keys != null)) {
            return false; // rate limit: at most one fetch per interval
        }
        lastAttempt = now;
        fetches++;
        try {
            TransportResponse response = transport.execute(TransportRequest.get(jwksUri,
                    Map.of("Accept", "application/jwk-set+json, application/json")));
            if (response.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + response.statusCode());
            }
            JWKSet parsed = JWKSet.parse(response.bodyAsString());
            keys = parsed;
            expiresAt = now.plus(ttl(response.header("Cache-Control").orElse(null)));
            return true;
        } catch (TokenRequestException | java.text.ParseException | RuntimeException e) {
            LOG.log(Level.WARNING, "fetching JWKS {0} failed{1}: {2}", jwksUri,
                    keys == null ? "" : ", keeping the last good set", e.getMessage());
            if (keys != null) {
                expiresAt = now.plus(minTtl);
            }
            return false;
        }
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

        private Builder(URI jwksUri) {
            this.jwksUri = Objects.requireNonNull(jwksUri, "jwksUri");
        }

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

        public JwksCache build() {
            if (!dev.clientauth.core.internal.Endpoints.isSecureOrLoopback(jwksUri)) {
                throw new IllegalArgumentException("jwks_uri must use https (http only to a loopback host): " + jwksUri);
            }
            if (transport == null) {
                transport = defaultTransport(null);
            }
            return new JwksCache(this);
        }
    }
}
