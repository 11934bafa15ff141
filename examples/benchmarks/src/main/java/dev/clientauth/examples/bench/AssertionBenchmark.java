package dev.clientauth.examples.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.id.ClientID;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientId;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.PrivateKeyJwt;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.net.URI;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.util.Arrays;
import java.util.Date;
import java.util.UUID;
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
 * Client assertion cost with in-memory keys: (a) the fastest raw signature of the same key on
 * this JVM over a 348-byte input, (b) a complete {@code client_assertion} from this library,
 * (c) the same job by the Nimbus OAuth 2.0 SDK's {@code PrivateKeyJWT} (RSA, EC) or Nimbus
 * JOSE's {@code Ed25519Signer} (EdDSA).
 *
 * <pre>java -cp examples/benchmarks/target/classes:$(cat examples/benchmarks/target/classpath.txt) org.openjdk.jmh.Main AssertionBenchmark -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AssertionBenchmark {
    static final String ISSUER = "https://as.example.com/realms/open-banking";
    static final String CLIENT = "8f14e45f-ceea-467f-a0e6-ba4b6f2c1a9d";

    @Param({"RS256", "PS256", "ES256", "EdDSA"})
    public String alg;

    private byte[] input;
    private Signature raw;
    private Signature jdk;
    private PrivateKeyJwt clientauth;
    private AuthenticationContext context;
    private Callable<String> nimbus;
    private PrivateKeyJwt overheadOnly;
    private JcaSigner signer;

    @Setup
    public void setup() throws Exception {
        SignatureAlgorithm algorithm = SignatureAlgorithm.of(alg);
        KeyPair keys = algorithm.isRsa() ? KeyAlgorithm.RSA_2048.generate()
                : algorithm.isEcdsa() ? KeyAlgorithm.EC_P256.generate() : KeyAlgorithm.ED25519.generate();
        input = new byte[348];
        new SecureRandom().nextBytes(input);
        Arrays.fill(input, 0, 10, (byte) 'e');
        BouncyCastleProvider bc = new BouncyCastleProvider();
        switch (algorithm) {
            case RS256:
                raw = Signature.getInstance("SHA256withRSA");
                break;
            case PS256:
                raw = Signature.getInstance("RSASSA-PSS");
                break;
            case ES256:
                raw = Signature.getInstance("SHA256withPLAIN-ECDSA", bc);
                break;
            default:
                raw = Signature.getInstance("Ed25519", bc);
        }
        raw.initSign(keys.getPrivate());
        jdk = Signature.getInstance(algorithm == SignatureAlgorithm.ES256 ? "SHA256withECDSAinP1363Format"
                : algorithm == SignatureAlgorithm.EdDSA ? "Ed25519" : raw.getAlgorithm());
        jdk.initSign(keys.getPrivate());
        if (algorithm == SignatureAlgorithm.PS256) {
            jdk.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        }
        if (algorithm == SignatureAlgorithm.PS256) {
            raw.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        }
        signer = JcaSigner.builder(keys.getPrivate()).publicKey(keys.getPublic()).algorithm(algorithm).build();
        clientauth = PrivateKeyJwt.of(ClientId.of(CLIENT), signer);
        context = new AuthenticationContext(URI.create(ISSUER), URI.create(ISSUER + "/token"), Clock.systemUTC());
        String kid = signer.keyId().orElseThrow();
        byte[] fixedSignature = new byte[algorithm.isRsa() ? 256 : 64];
        dev.clientauth.jwt.SigningKey noSignature = new dev.clientauth.jwt.SigningKey() {
            @Override
            public SignatureAlgorithm algorithm() {
                return algorithm;
            }

            @Override
            public java.util.Optional<String> keyId() {
                return java.util.Optional.of(kid);
            }

            @Override
            public byte[] sign(byte[] signingInput) {
                return fixedSignature;
            }
        };
        overheadOnly = PrivateKeyJwt.of(ClientId.of(CLIENT), () -> noSignature);
        if (algorithm == SignatureAlgorithm.EdDSA) {
            byte[] pkcs8 = keys.getPrivate().getEncoded();
            byte[] spki = keys.getPublic().getEncoded();
            OctetKeyPair okp = new OctetKeyPair.Builder(Curve.Ed25519,
                    Base64URL.encode(Arrays.copyOfRange(spki, spki.length - 32, spki.length)))
                    .d(Base64URL.encode(Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length))).keyID(kid).build();
            Ed25519Signer edSigner = new Ed25519Signer(okp);
            nimbus = () -> {
                Date now = new Date();
                SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID(kid)
                        .type(new JOSEObjectType("client-authentication+jwt")).build(),
                        new JWTClaimsSet.Builder().issuer(CLIENT).subject(CLIENT).audience(ISSUER).issueTime(now)
                                .expirationTime(new Date(now.getTime() + 60_000)).jwtID(UUID.randomUUID().toString()).build());
                jwt.sign(edSigner);
                return jwt.serialize();
            };
        } else {
            JWSAlgorithm jwsAlgorithm = JWSAlgorithm.parse(alg);
            ClientID clientId = new ClientID(CLIENT);
            URI audience = URI.create(ISSUER);
            nimbus = () -> new PrivateKeyJWT(clientId, audience, jwsAlgorithm, keys.getPrivate(), kid, null)
                    .getClientAssertion().serialize();
        }
    }

    /** (a) The fastest raw signature on this JVM. */
    @Benchmark
    public byte[] rawSignature() throws Exception {
        raw.update(input);
        return raw.sign();
    }

    /** The same raw signature with the JDK's own provider (SunEC for ES256 and Ed25519). */
    @Benchmark
    public byte[] jdkSignature() throws Exception {
        jdk.update(input);
        return jdk.sign();
    }

    /** The signature alone through this module's {@code JcaSigner} (a JCA provider: Bouncy Castle for ES256 and Ed25519). */
    @Benchmark
    public byte[] clientauthSignature() throws Exception {
        return signer.sign(input);
    }

    /** (b) A complete client assertion from clientauth. */
    @Benchmark
    public String clientauthAssertion() throws Exception {
        return clientauth.createAssertion(context).serialize();
    }

    /** (b) without the signature: what building an assertion costs on top of (a). */
    @Benchmark
    public String clientauthAssertionWithoutSignature() throws Exception {
        return overheadOnly.createAssertion(context).serialize();
    }

    /** (c) The same job by Nimbus (OAuth 2.0 SDK for RSA/EC, JOSE for EdDSA). */
    @Benchmark
    public String nimbusAssertion() throws Exception {
        return nimbus.call();
    }
}
