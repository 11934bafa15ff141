package dev.clientauth.certs.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh SoftHSM2 token for the test JVM, reached through the JDK's SunPKCS11 provider, with
 * key pairs generated inside the token (private keys sensitive and non-extractable).
 *
 * <p>SoftHSM2 reads its configuration from {@code SOFTHSM2_CONF}, which must be in the test JVM's
 * environment (set it in surefire's {@code environmentVariables}); the token is created there
 * before SunPKCS11 first loads the library, as a token created later is invisible to it.
 *
 * <p>When SoftHSM2 is not installed, {@link #shared()} fails if the environment variable
 * {@code CI} is {@code true} and aborts (skips) the test otherwise.
 */
public final class SoftHsmToken {
    public static final String PIN = "123456";
    public static final String SO_PIN = "12345678";
    public static final String LABEL = "clientauth-test";
    private static final List<String> LIBRARIES = List.of("/usr/lib/softhsm/libsofthsm2.so",
            "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so", "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/local/lib/softhsm/libsofthsm2.so");
    private static SoftHsmToken shared;

    private final Path directory;
    private final Path pkcs11Config;
    private final Provider provider;
    private final KeyStore keyStore;

    /** A key generated in the token, with the self-signed certificate stored next to it. */
    public static final class HsmKey {
        private final String alias;
        private final PrivateKey privateKey;
        private final X509Certificate certificate;

        HsmKey(String alias, PrivateKey privateKey, X509Certificate certificate) {
            this.alias = alias;
            this.privateKey = privateKey;
            this.certificate = certificate;
        }

        public String alias() {
            return alias;
        }

        /** A handle to the key in the token; {@code getEncoded()} returns null. */
        public PrivateKey privateKey() {
            return privateKey;
        }

        public X509Certificate certificate() {
            return certificate;
        }
    }

    private SoftHsmToken(Path directory, Path pkcs11Config, Provider provider, KeyStore keyStore) {
        this.directory = directory;
        this.pkcs11Config = pkcs11Config;
        this.provider = provider;
        this.keyStore = keyStore;
    }

    /** Whether SoftHSM2 is installed on this machine. */
    public static boolean isInstalled() {
        return library() != null && findUtil() != null;
    }

    /** The token of this JVM, created on first use. */
    public static synchronized SoftHsmToken shared() {
        if (shared == null) {
            requireInstalled(isInstalled(), System.getenv("CI"));
            shared = create();
        }
        return shared;
    }

    /**
     * Without SoftHSM2 a test must fail under {@code CI=true} (so that CI never counts a skipped
     * HSM test as passing) and is aborted, that is reported as skipped, elsewhere.
     */
    static void requireInstalled(boolean installed, String ci) {
        if (installed) {
            return;
        }
        String message = "SoftHSM2 is not installed (apt-get install -y softhsm2)";
        if ("true".equalsIgnoreCase(ci)) {
            throw new IllegalStateException(message + "; it is required when CI=true");
        }
        Assumptions.abort(message);
    }

    private static SoftHsmToken create() {
        String conf = System.getenv("SOFTHSM2_CONF");
        if (conf == null) {
            throw new IllegalStateException("SOFTHSM2_CONF is not set in the test JVM's environment: "
                    + "set it in the surefire plugin's environmentVariables");
        }
        try {
            Path confFile = Path.of(conf).toAbsolutePath();
            Path directory = confFile.getParent();
            Path tokens = directory.resolve("tokens");
            deleteRecursively(tokens);
            Files.createDirectories(tokens);
            Files.writeString(confFile, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n"
                    + "log.level = ERROR\nslots.removable = false\n", StandardCharsets.UTF_8);
            run(findUtil(), "--init-token", "--free", "--label", LABEL, "--pin", PIN, "--so-pin", SO_PIN);
            Path pkcs11Config = directory.resolve("pkcs11.cfg");
            Files.writeString(pkcs11Config, pkcs11Configuration(), StandardCharsets.UTF_8);
            Provider provider = Security.getProvider("SunPKCS11").configure(pkcs11Config.toString());
            KeyStore keyStore = KeyStore.getInstance("PKCS11", provider);
            keyStore.load(null, PIN.toCharArray());
            return new SoftHsmToken(directory, pkcs11Config, provider, keyStore);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot open the SoftHSM2 token", e);
        }
    }

    /** The SunPKCS11 configuration text for this token. */
    static String pkcs11Configuration() {
        return "name = SoftHSM\n"
                + "library = " + library() + "\n"
                + "slotListIndex = 0\n"
                + "attributes(generate, CKO_PRIVATE_KEY, *) = {\n"
                + "  CKA_SENSITIVE = true\n"
                + "  CKA_EXTRACTABLE = false\n"
                + "}\n";
    }

    public Path directory() {
        return directory;
    }

    /** A SunPKCS11 configuration file for this token. */
    public Path pkcs11Config() {
        return pkcs11Config;
    }

    /** The configured SunPKCS11 provider, logged in. */
    public Provider provider() {
        return provider;
    }

    public KeyStore keyStore() {
        return keyStore;
    }

    /** Generates an RSA key pair of the given size inside the token and stores it under {@code alias}. */
    public HsmKey generateRsa(String alias, int bits) {
        return generate(alias, "RSA", bits, null, "SHA256withRSA");
    }

    /** Generates an EC P-256 key pair inside the token and stores it under {@code alias}. */
    public HsmKey generateEcP256(String alias) {
        return generate(alias, "EC", 0, new ECGenParameterSpec("secp256r1"), "SHA256withECDSA");
    }

    private synchronized HsmKey generate(String alias, String algorithm, int bits, ECGenParameterSpec curve, String sigAlg) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm, provider);
            if (curve != null) {
                generator.initialize(curve);
            } else {
                generator.initialize(bits);
            }
            KeyPair pair = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=" + alias);
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                            Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(86400)), name, pair.getPublic())
                            .build(new JcaContentSignerBuilder(sigAlg).setProvider(provider).build(pair.getPrivate())));
            keyStore.setKeyEntry(alias, pair.getPrivate(), null, new Certificate[] {certificate});
            PrivateKey stored = (PrivateKey) keyStore.getKey(alias, null);
            return new HsmKey(alias, stored, certificate);
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate " + algorithm + " key '" + alias + "' in SoftHSM2", e);
        }
    }

    private static String library() {
        for (String candidate : LIBRARIES) {
            if (Files.isReadable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    private static String findUtil() {
        for (String dir : List.of("/usr/bin", "/usr/local/bin")) {
            if (Files.isExecutable(Path.of(dir, "softhsm2-util"))) {
                return dir + "/softhsm2-util";
            }
        }
        return null;
    }

    private static void run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("softhsm2-util failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var paths = Files.walk(path)) {
            for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
