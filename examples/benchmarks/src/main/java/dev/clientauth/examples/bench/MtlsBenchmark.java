package dev.clientauth.examples.bench;

import dev.clientauth.certs.test.Pem;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.mtls.BindingResult;
import dev.clientauth.mtls.CertificateBoundTokens;
import dev.clientauth.mtls.TlsIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * mTLS costs: loading a PEM identity (chain + PKCS#8 EC key, with all load checks), computing an
 * {@code x5t#S256}, and verifying a certificate binding from JWT claims.
 *
 * <pre>java -cp examples/benchmarks/target/classes:$(cat examples/benchmarks/target/classpath.txt) org.openjdk.jmh.Main MtlsBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MtlsBenchmark {
    private Path chain;
    private Path key;
    private X509Certificate certificate;
    private Map<String, Object> claims;

    @Setup
    public void setup() throws Exception {
        TestPki pki = TestPki.create();
        Path dir = Files.createTempDirectory("mtls-bench");
        chain = Pem.writeFile(dir.resolve("tls.crt"), Pem.certificates(pki.clientCertificate().chain()));
        key = Pem.writeFile(dir.resolve("tls.key"), Pem.pkcs8(pki.clientCertificate().privateKey()));
        certificate = pki.clientCertificate().certificate();
        claims = Map.of("sub", "client", "cnf", Map.of("x5t#S256", CertificateThumbprint.of(certificate).value()));
    }

    @Benchmark
    public TlsIdentity loadPemIdentity() throws Exception {
        return TlsIdentity.fromPem(List.of(chain), key, null).build();
    }

    @Benchmark
    public CertificateThumbprint thumbprint() {
        return CertificateThumbprint.of(certificate);
    }

    @Benchmark
    public BindingResult verifyBinding() {
        return CertificateBoundTokens.verifyJwtClaims(claims, certificate);
    }
}
