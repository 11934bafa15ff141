package dev.clientauth.micrometer;

import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The meters of one {@link TokenSource}, all tagged {@code client}, read when the registry is
 * scraped (so a cache hit still allocates nothing):
 * <ul>
 *   <li>{@code clientauth.token.cache.hits}, {@code clientauth.token.cache.misses} — calls served
 *       from the cache and calls that had to wait for a token request;</li>
 *   <li>{@code clientauth.token.cache.stale} — failed refreshes during which the still-valid cached
 *       token kept being served;</li>
 *   <li>{@code clientauth.token.expiry} — seconds until the current token stops being served
 *       (negative once it has; NaN before the first token);</li>
 *   <li>{@code clientauth.token.failing} — 1 while the last token request failed, else 0;</li>
 *   <li>{@code clientauth.tls.certificate.expiry} — seconds until the {@code notAfter} of the
 *       client certificate presented now (read on each scrape, so a reloaded certificate shows at
 *       once); absent without a client certificate.</li>
 * </ul>
 */
public final class TokenSourceMetrics implements MeterBinder {
    private final TokenSource source;
    private final Clock clock;

    public TokenSourceMetrics(TokenSource source) {
        this(source, Clock.systemUTC());
    }

    TokenSourceMetrics(TokenSource source, Clock clock) {
        this.source = Objects.requireNonNull(source, "source");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of("client", source.clientId().value());
        FunctionCounter.builder("clientauth.token.cache.hits", source, s -> s.statistics().hits())
                .description("Token calls served from the cache").tags(tags).register(registry);
        FunctionCounter.builder("clientauth.token.cache.misses", source, s -> s.statistics().misses())
                .description("Token calls that waited for a token request").tags(tags).register(registry);
        FunctionCounter.builder("clientauth.token.cache.stale", source, s -> s.statistics().servedStale())
                .description("Failed refreshes during which the cached token was served").tags(tags).register(registry);
        Gauge.builder("clientauth.token.expiry", source, s -> secondsUntil(s.statistics().tokenUsableUntil()))
                .description("Seconds until the current token stops being served").baseUnit("seconds").tags(tags)
                .register(registry);
        Gauge.builder("clientauth.token.failing", source, s -> s.statistics().failing() ? 1 : 0)
                .description("1 while the last token request failed").tags(tags).register(registry);
        Optional<TlsClientIdentity> identity = source.tls().identity();
        identity.ifPresent(id -> Gauge.builder("clientauth.tls.certificate.expiry", id,
                        i -> secondsUntil(Optional.of(i.certificate().getNotAfter().toInstant())))
                .description("Seconds until the presented client certificate expires").baseUnit("seconds").tags(tags)
                .register(registry));
    }

    private double secondsUntil(Optional<Instant> instant) {
        return instant.map(i -> (i.toEpochMilli() - clock.millis()) / 1000.0).orElse(Double.NaN);
    }

    @Override
    public String toString() {
        return "TokenSourceMetrics[" + source.clientId() + "]";
    }
}
