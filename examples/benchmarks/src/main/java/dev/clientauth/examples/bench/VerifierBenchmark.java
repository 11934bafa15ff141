package dev.clientauth.examples.bench;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.http.TransportResponse;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.Jwks;
import dev.clientauth.jwt.PrivateKeyJwt;
import dev.clientauth.jwt.SignatureAlgorithm;
import dev.clientauth.jwt.verifier.ClientAssertionVerifier;
import dev.clientauth.jwt.verifier.ClientKeyResolver;
import dev.clientauth.jwt.verifier.InMemoryReplayCache;
import dev.clientauth.jwt.verifier.JwksCache;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Client assertion verification with a warm JWKS cache: this library's
 * {@link ClientAssertionVerifier} against Nimbus JOSE+JWT's {@code DefaultJWTProcessor} with a
 * {@code JWKSourceBuilder} source, both checking signature, typ, iss, sub, aud, exp, iat and jti.
 * Replay detection is off in both for the comparison ({@code clientauthVerify}); the cost of
 * this library's replay cache is measured on its own ({@code clientauthVerifyWithReplayCache}).
 *
 * <pre>java -cp examples/benchmarks/target/classes:$(cat examples/benchmarks/target/classpath.txt) org.openjdk.jmh.Main VerifierBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class VerifierBenchmark {
    static final String ISSUER = "https://as.example.com/realms/open-banking";
    static final String CLIENT = "8f14e45f-ceea-467f-a0e6-ba4b6f2c1a9d";
    static final int POOL = 1 << 15;

    @Param({"RS256", "PS256", "ES256", "EdDSA"})
    public String alg;

    private String[] assertions;
    private int next;
    private ClientAssertionVerifier clientauth;
    private ClientAssertionVerifier clientauthWithReplay;
    private java.util.concurrent.Callable<Object> nimbus;

    @Setup
    public void setup() throws Exception {
        SignatureAlgorithm algorithm = SignatureAlgorithm.of(alg);
        KeyPair keys = algorithm.isRsa() ? KeyAlgorithm.RSA_2048.generate()
                : algorithm.isEcdsa() ? KeyAlgorithm.EC_P256.generate() : KeyAlgorithm.ED25519.generate();
        JcaSigner signer = JcaSigner.builder(keys.getPrivate()).publicKey(keys.getPublic()).algorithm(algorithm).build();
        Instant now = Instant.now();
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        PrivateKeyJwt auth = PrivateKeyJwt.builder(ClientId.of(CLIENT), signer).lifetime(Duration.ofMinutes(5)).build();
        AuthenticationContext context = new AuthenticationContext(URI.create(ISSUER), URI.create(ISSUER + "/token"), clock);
        assertions = new String[POOL];
        for (int i = 0; i < POOL; i++) {
            assertions[i] = auth.createAssertion(context).serialize();
        }
        String jwks = new JWKSet(Jwks.publicJwk(keys.getPublic(), signer.keyId().orElseThrow(), algorithm, null)).toString();

        JwksCache cache = JwksCache.builder(URI.create("https://client.example/jwks")).clock(clock)
                .transport(request -> new TransportResponse(200, Map.of("Cache-Control", List.of("max-age=3600")),
                        jwks.getBytes(StandardCharsets.UTF_8)))
                .allowPrivateAddresses() // the in-memory transport answers for a name nothing resolves
                .build();
        clientauth = ClientAssertionVerifier.builder(URI.create(ISSUER), ClientKeyResolver.fromJwks(id -> cache))
                .clock(clock).replayCache((client, jti, exp, at) -> true).build();
        clientauthWithReplay = ClientAssertionVerifier.builder(URI.create(ISSUER), ClientKeyResolver.fromJwks(id -> cache))
                .clock(clock).replayCache(new InMemoryReplayCache(4 * POOL)).build();

        JWKSet set = JWKSet.parse(jwks);
        JWKSetSource<SecurityContext> fixed = new JWKSetSource<>() {
            @Override
            public JWKSet getJWKSet(com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator evaluator, long time,
                    SecurityContext context) {
                return set;
            }

            @Override
            public void close() {
            }
        };
        JWKSource<SecurityContext> source = JWKSourceBuilder.create(fixed).build();
        DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier = new DefaultJWTClaimsVerifier<>(ISSUER,
                new JWTClaimsSet.Builder().issuer(CLIENT).subject(CLIENT).build(), Set.of("exp", "iat", "jti"));
        if (algorithm == SignatureAlgorithm.EdDSA) {
            // DefaultJWTProcessor's key selector cannot hand OKP keys to a verifier: do its steps with Ed25519Verifier
            com.nimbusds.jose.jwk.OctetKeyPair okp = (com.nimbusds.jose.jwk.OctetKeyPair) set.getKeys().get(0);
            com.nimbusds.jose.crypto.Ed25519Verifier ed = new com.nimbusds.jose.crypto.Ed25519Verifier(okp);
            com.nimbusds.jose.jwk.JWKMatcher matcher = new com.nimbusds.jose.jwk.JWKMatcher.Builder().keyID(okp.getKeyID()).build();
            nimbus = () -> {
                com.nimbusds.jwt.SignedJWT jwt = com.nimbusds.jwt.SignedJWT.parse(nextAssertion());
                if (!"client-authentication+jwt".equals(jwt.getHeader().getType().getType())
                        || source.get(new com.nimbusds.jose.jwk.JWKSelector(matcher), null).isEmpty() || !jwt.verify(ed)) {
                    throw new IllegalStateException("rejected");
                }
                JWTClaimsSet claims = jwt.getJWTClaimsSet();
                claimsVerifier.verify(claims, null);
                return claims;
            };
        } else {
            DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
            processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("client-authentication+jwt")));
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.parse(alg), source));
            processor.setJWTClaimsSetVerifier(claimsVerifier);
            nimbus = () -> processor.process(nextAssertion(), null);
        }
        clientauth.verify(assertions[0], CLIENT);
        nimbus.call();
    }

    private String nextAssertion() {
        next = (next + 1) & (POOL - 1);
        return assertions[next];
    }

    @Benchmark
    public Object clientauthVerify() throws Exception {
        return clientauth.verify(nextAssertion(), CLIENT);
    }

    @Benchmark
    public Object nimbusVerify() throws Exception {
        return nimbus.call();
    }

    /** With the in-memory replay cache; each assertion is accepted once, so this counts rejected replays too after one pass. */
    @Benchmark
    public Object clientauthVerifyWithReplayCache() {
        try {
            return clientauthWithReplay.verify(nextAssertion(), CLIENT);
        } catch (Exception replay) {
            return replay;
        }
    }
}
