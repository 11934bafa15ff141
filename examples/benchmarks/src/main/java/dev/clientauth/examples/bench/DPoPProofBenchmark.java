package dev.clientauth.examples.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.oauth2.sdk.dpop.DefaultDPoPProofFactory;
import com.nimbusds.oauth2.sdk.token.DPoPAccessToken;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.dpop.DPoPKey;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.net.URI;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.util.Arrays;
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
 * DPoP proof creation for a resource request (with {@code ath}), in memory: (a) the raw
 * signature of the same key with the same provider over an input of a proof's size, (b) a
 * complete proof from {@link DPoPKey}, (c) the same proof from the Nimbus OAuth 2.0 SDK's
 * {@code DefaultDPoPProofFactory}.
 *
 * <pre>java -cp examples/benchmarks/target/classes:$(cat examples/benchmarks/target/classpath.txt) org.openjdk.jmh.Main DPoPProofBenchmark -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DPoPProofBenchmark {
    static final URI API = URI.create("https://api.bank.example/open-banking/v3.1/aisp/accounts");
    static final String TOKEN = "eyJraWQiOiJrMSIsImFsZyI6IkVTMjU2In0.eyJzdWIiOiJjbGllbnQtMSIsImNuZiI6eyJqa3QiOiJ4In19.sig";

    @Param({"ES256", "EdDSA"})
    public String alg;

    private byte[] input;
    private Signature raw;
    private DPoPKey clientauth;
    private DefaultDPoPProofFactory nimbus;
    private DPoPAccessToken nimbusToken;

    @Setup
    public void setup() throws Exception {
        SignatureAlgorithm algorithm = SignatureAlgorithm.of(alg);
        KeyPair keys = algorithm == SignatureAlgorithm.ES256 ? KeyAlgorithm.EC_P256.generate() : KeyAlgorithm.ED25519.generate();
        BouncyCastleProvider bc = new BouncyCastleProvider();
        raw = Signature.getInstance(algorithm == SignatureAlgorithm.ES256 ? "SHA256withPLAIN-ECDSA" : "Ed25519", bc);
        raw.initSign(keys.getPrivate());
        clientauth = DPoPKey.of(JcaSigner.builder(keys.getPrivate()).publicKey(keys.getPublic()).algorithm(algorithm).build(),
                keys.getPublic(), Clock.systemUTC());
        input = new byte[clientauth.proof("GET", API, null, TOKEN).lastIndexOf('.')];
        new SecureRandom().nextBytes(input);
        JWK jwk;
        if (algorithm == SignatureAlgorithm.ES256) {
            jwk = new ECKey.Builder(Curve.P_256, (ECPublicKey) keys.getPublic()).privateKey((ECPrivateKey) keys.getPrivate()).build();
        } else {
            byte[] pkcs8 = keys.getPrivate().getEncoded();
            byte[] spki = keys.getPublic().getEncoded();
            jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(Arrays.copyOfRange(spki, spki.length - 32, spki.length)))
                    .d(Base64URL.encode(Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length))).build();
        }
        nimbus = new DefaultDPoPProofFactory(jwk, JWSAlgorithm.parse(alg));
        nimbusToken = new DPoPAccessToken(TOKEN);
    }

    @Benchmark
    public byte[] a_rawSignature() throws Exception {
        raw.update(input);
        return raw.sign();
    }

    @Benchmark
    public String b_clientauthProof() throws Exception {
        return clientauth.proof("GET", API, null, TOKEN);
    }

    @Benchmark
    public String c_nimbusProof() throws Exception {
        return nimbus.createDPoPJWT("GET", API, nimbusToken).serialize();
    }
}
