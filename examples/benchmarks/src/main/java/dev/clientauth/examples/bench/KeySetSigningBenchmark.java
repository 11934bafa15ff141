package dev.clientauth.examples.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.id.ClientID;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.Secret;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.PrivateKeyJwt;
import dev.clientauth.jwt.SignatureAlgorithm;
import dev.clientauth.jwt.keys.KeySetStore;
import dev.clientauth.jwt.keys.RotatingKeySet;
import dev.clientauth.jwt.keys.SoftwareKeyGenerator;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
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
 * What signing through a rotating key set shared by replicas costs: (a) the raw signature, (b) a
 * client assertion with a fixed in-memory key, (c) the same through a {@code RotatingKeySet} that
 * checks its store for changes at the shortest poll interval allowed (1 s; a file store, whose
 * version check reads and parses the file), (d) Nimbus's {@code PrivateKeyJWT} with a fixed key
 * (it has no rotating key set). Same algorithm and provider everywhere; the keys differ.
 *
 * <pre>java -cp examples/benchmarks/target/classes:$(cat examples/benchmarks/target/classpath.txt) org.openjdk.jmh.Main KeySetSigningBenchmark -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KeySetSigningBenchmark {
    @Param({"ES256", "EdDSA"})
    public String alg;

    private byte[] input;
    private Signature raw;
    private PrivateKeyJwt fixedKey;
    private PrivateKeyJwt keySet;
    private AuthenticationContext context;
    private Callable<String> nimbus;

    @Setup
    public void setup() throws Exception {
        SignatureAlgorithm algorithm = SignatureAlgorithm.of(alg);
        KeyPair keys = algorithm == SignatureAlgorithm.ES256 ? KeyAlgorithm.EC_P256.generate() : KeyAlgorithm.ED25519.generate();
        input = new byte[348];
        raw = Signature.getInstance(algorithm == SignatureAlgorithm.ES256 ? "SHA256withPLAIN-ECDSA" : "Ed25519",
                new BouncyCastleProvider());
        raw.initSign(keys.getPrivate());
        JcaSigner signer = JcaSigner.builder(keys.getPrivate()).publicKey(keys.getPublic()).algorithm(algorithm).build();
        fixedKey = PrivateKeyJwt.of(ClientId.of(AssertionBenchmark.CLIENT), signer);
        Path dir = Files.createTempDirectory("keyset-bench");
        dir.toFile().deleteOnExit();
        RotatingKeySet rotating = RotatingKeySet.builder(KeySetStore.file(dir.resolve("keyset.json")), Secret.of("benchmark"),
                SoftwareKeyGenerator.create()).algorithm(algorithm).pollInterval(Duration.ofSeconds(1)).build();
        keySet = PrivateKeyJwt.of(ClientId.of(AssertionBenchmark.CLIENT), rotating);
        context = new AuthenticationContext(URI.create(AssertionBenchmark.ISSUER), URI.create(AssertionBenchmark.ISSUER + "/token"),
                Clock.systemUTC());
        if (algorithm == SignatureAlgorithm.ES256) {
            ClientID clientId = new ClientID(AssertionBenchmark.CLIENT);
            URI audience = URI.create(AssertionBenchmark.ISSUER);
            String kid = signer.keyId().orElseThrow();
            nimbus = () -> new PrivateKeyJWT(clientId, audience, JWSAlgorithm.ES256, keys.getPrivate(), kid, null)
                    .getClientAssertion().serialize();
        } else {
            nimbus = () -> "EdDSA: see AssertionBenchmark.nimbusAssertion";
        }
    }

    /** (a) The raw signature. */
    @Benchmark
    public byte[] rawSignature() throws Exception {
        raw.update(input);
        return raw.sign();
    }

    /** (b) A client assertion with a fixed in-memory key. */
    @Benchmark
    public String fixedKeyAssertion() throws Exception {
        return fixedKey.createAssertion(context).serialize();
    }

    /** (c) A client assertion through the rotating key set, polling its store every second. */
    @Benchmark
    public String keySetAssertion() throws Exception {
        return keySet.createAssertion(context).serialize();
    }

    /** (d) Nimbus OAuth 2.0 SDK with a fixed key (ES256). */
    @Benchmark
    public String nimbusAssertion() throws Exception {
        return nimbus.call();
    }
}
