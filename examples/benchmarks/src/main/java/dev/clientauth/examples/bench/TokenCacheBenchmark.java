package dev.clientauth.examples.bench;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TokenSource;
import java.net.URI;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.InMemoryOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProviderBuilder;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

/**
 * A cached token lookup: {@link TokenSource#token()} against Spring Security's
 * {@code AuthorizedClientServiceOAuth2AuthorizedClientManager} for the client credentials grant,
 * both holding a valid token; the source has the Micrometer observer and meter binder installed. Run with {@code -t 1} and {@code -t 2}, and {@code -prof gc}.
 *
 * <pre>java -cp examples/benchmarks/target/classes:$(cat examples/benchmarks/target/classpath.txt) org.openjdk.jmh.Main TokenCacheBenchmark -t 2 -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TokenCacheBenchmark {
    private TokenSource source;
    private AuthorizedClientServiceOAuth2AuthorizedClientManager spring;
    private OAuth2AuthorizeRequest springRequest;

    @Setup
    public void setup() throws Exception {
        // with the Micrometer binder and observer installed, as the Spring Boot starter does
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        source = TokenSource.forTokenEndpoint(URI.create("https://as.example/token"),
                ClientSecretBasic.of(ClientId.of("bench"), Secret.of("secret"))).transport(new InMemoryTokenEndpoint(0, 3600))
                .observer(dev.clientauth.micrometer.MicrometerTokenRequestObserver.of(registry)).build();
        new dev.clientauth.micrometer.TokenSourceMetrics(source).bindTo(registry);
        source.token();
        if (registry.get("clientauth.token.cache.misses").functionCounter().count() != 1) {
            throw new IllegalStateException("the binder does not see the source");
        }

        ClientRegistration registration = ClientRegistration.withRegistrationId("bench").clientId("bench").clientSecret("secret")
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS).tokenUri("https://as.example/token").build();
        InMemoryClientRegistrationRepository registrations = new InMemoryClientRegistrationRepository(registration);
        InMemoryOAuth2AuthorizedClientService service = new InMemoryOAuth2AuthorizedClientService(registrations);
        spring = new AuthorizedClientServiceOAuth2AuthorizedClientManager(registrations, service);
        spring.setAuthorizedClientProvider(OAuth2AuthorizedClientProviderBuilder.builder().clientCredentials().build());
        springRequest = OAuth2AuthorizeRequest.withClientRegistrationId("bench").principal("service").build();
        OAuth2AccessToken token = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "token-1", Instant.now(),
                Instant.now().plusSeconds(3600));
        service.saveAuthorizedClient(new OAuth2AuthorizedClient(registration, "service", token),
                new org.springframework.security.authentication.TestingAuthenticationToken("service", null));
        if (!"token-1".equals(spring.authorize(springRequest).getAccessToken().getTokenValue())) {
            throw new IllegalStateException("Spring did not serve the cached token");
        }
    }

    @TearDown
    public void tearDown() {
        source.close();
    }

    /** The raw operation a hit cannot avoid: reading the wall clock, so that no expired token is served. */
    @Benchmark
    public long rawWallClockRead() {
        return System.currentTimeMillis();
    }

    @Benchmark
    public AccessToken clientauthCachedToken() throws Exception {
        return source.token();
    }

    @Benchmark
    public OAuth2AccessToken springCachedToken() {
        return spring.authorize(springRequest).getAccessToken();
    }
}
