package dev.clientauth.spring.boot;

import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenSource;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The health of one client: DOWN when its client certificate has expired, or when its token
 * requests fail and no valid token is left to serve; UP otherwise (also before the first token
 * request). Details: seconds to certificate expiry, seconds the current token is still served,
 * whether requests are failing and the last error's bounded name — never a token or secret.
 */
public final class ClientHealthIndicator implements HealthIndicator {
    private final TokenSource source;
    private final Clock clock;

    public ClientHealthIndicator(TokenSource source) {
        this(source, Clock.systemUTC());
    }

    ClientHealthIndicator(TokenSource source, Clock clock) {
        this.source = Objects.requireNonNull(source, "source");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Health health() {
        Instant now = clock.instant();
        TokenSource.Statistics statistics = source.statistics();
        Health.Builder health = Health.up();
        health.withDetail("clientId", source.clientId().value());
        boolean down = false;
        TlsClientIdentity identity = source.tls().identity().orElse(null);
        if (identity != null) {
            long seconds = identity.certificate().getNotAfter().toInstant().getEpochSecond() - now.getEpochSecond();
            health.withDetail("certificateExpiresInSeconds", seconds);
            if (seconds <= 0) {
                down = true;
                health.withDetail("reason", "the client certificate has expired");
            }
        }
        boolean tokenValid = statistics.tokenUsableUntil().map(now::isBefore).orElse(false);
        statistics.tokenUsableUntil().ifPresent(until -> health.withDetail("tokenServedForSeconds",
                Math.max(0, until.getEpochSecond() - now.getEpochSecond())));
        health.withDetail("failing", statistics.failing());
        statistics.lastError().ifPresent(error -> health.withDetail("lastError", error));
        if (statistics.failing() && !tokenValid) {
            down = true;
            health.withDetail("reason", "token requests fail and no valid token is left");
        }
        return down ? health.down().build() : health.build();
    }

    @Override
    public String toString() {
        return "ClientHealthIndicator[" + source.clientId() + "]";
    }
}
