package dev.clientauth.examples.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.dpop.JWKThumbprintConfirmation;
import com.nimbusds.oauth2.sdk.dpop.verifiers.DPoPIssuer;
import com.nimbusds.oauth2.sdk.dpop.verifiers.DPoPProtectedResourceRequestVerifier;
import com.nimbusds.oauth2.sdk.token.DPoPAccessToken;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.dpop.DPoPKey;
import dev.clientauth.dpop.DPoPProofVerifier;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.net.URI;
import java.security.KeyPair;
import java.time.Clock;
import java.util.List;
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
 * Verifying the DPoP proof of a resource request (signature, {@code typ}, {@code alg},
 * {@code jwk}, {@code htm}, {@code htu}, {@code iat}, {@code ath}, {@code cnf.jkt}), single-use
 * checks off in both: {@link DPoPProofVerifier} against the Nimbus OAuth 2.0 SDK's
 * {@code DPoPProtectedResourceRequestVerifier}, each parsing the proof from its string.
 *
 * <p>Nimbus's DPoP verifiers do not accept EdDSA, so EdDSA is measured for this library alone.
 *
 * <pre>java -cp examples/benchmarks/target/classes:$(cat examples/benchmarks/target/classpath.txt) org.openjdk.jmh.Main DPoPVerifierBenchmark -p alg=ES256,PS256 -prof gc
 * java -cp ... org.openjdk.jmh.Main 'DPoPVerifierBenchmark.a_clientauth' -p alg=EdDSA -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DPoPVerifierBenchmark {
    @Param({"ES256", "EdDSA", "PS256"})
    public String alg;

    private String proof;
    private String jkt;
    private DPoPProofVerifier clientauth;
    private DPoPProtectedResourceRequestVerifier nimbus;
    private DPoPAccessToken nimbusToken;
    private JWKThumbprintConfirmation nimbusJkt;
    private final DPoPIssuer issuer = new DPoPIssuer("client-1");

    @Setup
    public void setup() throws Exception {
        SignatureAlgorithm algorithm = SignatureAlgorithm.of(alg);
        KeyPair keys = algorithm == SignatureAlgorithm.ES256 ? KeyAlgorithm.EC_P256.generate()
                : algorithm == SignatureAlgorithm.EdDSA ? KeyAlgorithm.ED25519.generate() : KeyAlgorithm.RSA_2048.generate();
        DPoPKey key = DPoPKey.of(JcaSigner.builder(keys.getPrivate()).publicKey(keys.getPublic()).algorithm(algorithm).build(),
                keys.getPublic(), Clock.systemUTC());
        proof = key.proof("GET", DPoPProofBenchmark.API, null, DPoPProofBenchmark.TOKEN);
        jkt = key.thumbprint();
        clientauth = DPoPProofVerifier.builder().replayCache((client, jti, expiresAt, now) -> true).build();
        if (algorithm != SignatureAlgorithm.EdDSA) { // Nimbus's DPoP verifiers refuse EdDSA ("Unsupported JWS algorithms")
            nimbus = new DPoPProtectedResourceRequestVerifier(new java.util.HashSet<>(Set.of(JWSAlgorithm.parse(alg))), 5, 300, null);
        }
        nimbusToken = new DPoPAccessToken(DPoPProofBenchmark.TOKEN);
        nimbusJkt = new JWKThumbprintConfirmation(new Base64URL(jkt));
        a_clientauth();
        if (nimbus != null) {
            b_nimbus();
        }
    }

    @Benchmark
    public Object a_clientauth() throws Exception {
        return clientauth.verify("GET", DPoPProofBenchmark.API, List.of(proof), DPoPProofBenchmark.TOKEN, jkt);
    }

    @Benchmark
    public Object b_nimbus() throws Exception {
        nimbus.verify("GET", DPoPProofBenchmark.API, issuer, SignedJWT.parse(proof), nimbusToken, nimbusJkt, null, null);
        return nimbus;
    }
}
