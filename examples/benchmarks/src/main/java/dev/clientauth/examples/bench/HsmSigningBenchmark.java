package dev.clientauth.examples.bench;

import dev.clientauth.certs.test.SoftHsmToken;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.Secret;
import dev.clientauth.jwt.KeyStoreSigners;
import dev.clientauth.jwt.PrivateKeyJwt;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.net.URI;
import java.time.Clock;
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
 * Client assertions signed inside a SoftHSM2 token through SunPKCS11 (throughput).
 *
 * <pre>SOFTHSM2_CONF=/tmp/clientauth-hsm/softhsm2.conf java -cp examples/benchmarks/target/classes:$(cat examples/benchmarks/target/classpath.txt) org.openjdk.jmh.Main HsmSigningBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class HsmSigningBenchmark {
    @Param({"RS256", "ES256"})
    public String alg;

    private PrivateKeyJwt auth;
    private AuthenticationContext context;

    @Setup
    public void setup() {
        SoftHsmToken token = SoftHsmToken.shared();
        SignatureAlgorithm algorithm = SignatureAlgorithm.of(alg);
        SoftHsmToken.HsmKey key = algorithm.isRsa() ? token.generateRsa("bench-rsa", 2048) : token.generateEcP256("bench-ec");
        auth = PrivateKeyJwt.of(ClientId.of("bench-client"),
                KeyStoreSigners.pkcs11(token.provider(), key.alias(), Secret.of(SoftHsmToken.PIN)).algorithm(algorithm).build());
        context = new AuthenticationContext(URI.create("https://as.example"), URI.create("https://as.example/token"),
                Clock.systemUTC());
    }

    @Benchmark
    public String hsmAssertion() throws Exception {
        return auth.createAssertion(context).serialize();
    }
}
