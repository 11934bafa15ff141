package dev.clientauth.jwt.keys;

import dev.clientauth.core.internal.Jca;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;

/**
 * Generates keys in memory: RSA (2048 bits by default, at least 2048), EC P-256/P-384/P-521, or
 * Ed25519, as the algorithm requires. Thread-safe.
 */
public final class SoftwareKeyGenerator implements KeyGenerator {
    private final int rsaBits;
    private final Clock clock;

    private SoftwareKeyGenerator(int rsaBits, Clock clock) {
        this.rsaBits = rsaBits;
        this.clock = clock;
    }

    public static SoftwareKeyGenerator create() {
        return new SoftwareKeyGenerator(2048, Clock.systemUTC());
    }

    /** RSA keys of this size (at least 2048 bits). */
    public static SoftwareKeyGenerator withRsaBits(int bits) {
        if (bits < 2048) {
            throw new IllegalArgumentException("RSA keys must have at least 2048 bits: " + bits);
        }
        return new SoftwareKeyGenerator(bits, Clock.systemUTC());
    }

    @Override
    public GeneratedKey generate(SignatureAlgorithm algorithm) throws GeneralSecurityException {
        KeyPairGenerator generator;
        switch (algorithm.keyType()) {
            case "RSA":
                generator = Jca.keyPairGenerator("RSA");
                generator.initialize(rsaBits);
                break;
            case "EC":
                generator = Jca.keyPairGenerator("EC");
                String curve = algorithm == SignatureAlgorithm.ES256 ? "secp256r1"
                        : algorithm == SignatureAlgorithm.ES384 ? "secp384r1" : "secp521r1";
                generator.initialize(new ECGenParameterSpec(curve));
                break;
            case "Ed25519":
                generator = Jca.keyPairGenerator("Ed25519");
                break;
            default:
                throw new IllegalArgumentException("cannot generate a key for " + algorithm);
        }
        KeyPair pair = generator.generateKeyPair();
        return GeneratedKey.software(pair, SelfSignedCertificates.create("clientauth signing key", pair.getPublic(),
                pair.getPrivate(), Jca.pinned().orElse(null), clock.instant(), Duration.ofDays(3650)));
    }
}
