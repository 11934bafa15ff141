package dev.clientauth.micrometer;

import dev.clientauth.core.TokenRequestObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Objects;

/**
 * Token request meters and observations, for {@code TokenSource.Builder.observer(..)}:
 * <ul>
 *   <li>{@code clientauth.token.requests} — a counter per attempt, tags {@code client},
 *       {@code method}, {@code outcome} ({@code success}/{@code failure}) and {@code error}
 *       (a bounded name: {@link TokenRequestObserver#errorOf}, {@code none} on success);</li>
 *   <li>{@code clientauth.token.request} — the duration of each attempt: an {@link Observation}
 *       when an {@link ObservationRegistry} is given (so tracing sees token requests; its timer
 *       comes from the registry's handlers, as Spring Boot configures them), else a {@link Timer}
 *       with the same tags.</li>
 * </ul>
 * Tags never carry a token, secret, endpoint URL or free text: only the client id, the method and
 * bounded names. Thread-safe.
 */
public final class MicrometerTokenRequestObserver implements TokenRequestObserver {
    static final String REQUESTS = "clientauth.token.requests";
    static final String REQUEST = "clientauth.token.request";

    private final MeterRegistry registry;
    private final ObservationRegistry observations;

    private MicrometerTokenRequestObserver(MeterRegistry registry, ObservationRegistry observations) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.observations = observations;
    }

    /** Counter and timer in {@code registry}. */
    public static MicrometerTokenRequestObserver of(MeterRegistry registry) {
        return new MicrometerTokenRequestObserver(registry, null);
    }

    /** Counter in {@code registry}; each attempt an observation in {@code observations}. */
    public static MicrometerTokenRequestObserver of(MeterRegistry registry, ObservationRegistry observations) {
        return new MicrometerTokenRequestObserver(registry, Objects.requireNonNull(observations, "observations"));
    }

    @Override
    public Attempt started(Request request) {
        String client = request.clientId().value();
        String method = request.method().value();
        Observation observation = null;
        if (observations != null) {
            observation = Observation.createNotStarted(REQUEST, observations)
                    .contextualName("clientauth token request")
                    .lowCardinalityKeyValue("client", client)
                    .lowCardinalityKeyValue("method", method)
                    .highCardinalityKeyValue("attempt", Integer.toString(request.attempt()))
                    .start();
        }
        Observation started = observation;
        return outcome -> {
            String result = outcome.succeeded() ? "success" : "failure";
            String error = outcome.error().orElse("none");
            Counter.builder(REQUESTS).description("Token request attempts")
                    .tags("client", client, "method", method, "outcome", result, "error", error)
                    .register(registry).increment();
            if (started != null) {
                started.lowCardinalityKeyValue("outcome", result).lowCardinalityKeyValue("error", error);
                outcome.failure().ifPresent(started::error);
                started.stop();
            } else {
                Timer.builder(REQUEST).description("Duration of token request attempts")
                        .tags("client", client, "method", method, "outcome", result, "error", error)
                        .register(registry).record(outcome.duration());
            }
        };
    }

    @Override
    public String toString() {
        return "MicrometerTokenRequestObserver[" + registry.getClass().getSimpleName() + "]";
    }
}
