package dev.clientauth.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.certs.test.MutableClock;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.CryptoProviders;
import dev.clientauth.core.Secret;
import dev.clientauth.jwt.keys.KeySetStore;
import dev.clientauth.jwt.keys.RotatingKeySet;
import dev.clientauth.jwt.keys.SoftwareKeyGenerator;
import dev.clientauth.jwt.verifier.ClientAssertionVerifier;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Provider;
import java.security.Security;
import java.time.Instant;
import java.util.Optional;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One provider choice, honoured everywhere keys are used; a pinned provider is the only one used. */
class CryptoProvidersTest {
    private static final URI ISSUER = URI.create("https://as.example");
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));

    /** The lane's pinned provider (BCFIPS in the FIPS lane), restored after each test. */
    private final Optional<Provider> lane = CryptoProviders.pinned();
    private final String laneProperty = System.getProperty(CryptoProviders.PROPERTY);

    @AfterEach
    void unpin() {
        CryptoProviders.reset();
        if (laneProperty == null) {
            System.clearProperty(CryptoProviders.PROPERTY);
        } else {
            System.setProperty(CryptoProviders.PROPERTY, laneProperty);
        }
    }

    /** Bouncy Castle's provider of this lane: BCFIPS, or BC. */
    private Provider bouncyCastle() {
        return lane.orElseGet(() -> Optional.ofNullable(Security.getProvider("BC")).orElseGet(BouncyCastleProvider::new));
    }

    private static String assertion(JcaSigner signer, MutableClock clock) throws Exception {
        return PrivateKeyJwt.of(ClientId.of("c"), signer)
                .createAssertion(new AuthenticationContext(ISSUER, URI.create("https://as.example/token"), clock)).serialize();
    }

    @Test
    void defaultChoice_bouncyCastleForEcdsaAndEdDsa_jdkForRsa() {
        CryptoProviders.reset();
        System.clearProperty(CryptoProviders.PROPERTY);
        assertTrue(CryptoProviders.pinned().isEmpty());
        // Bouncy Castle's regular provider when its class is here; the JDK's otherwise (the FIPS lane has only bc-fips)
        String fast = dev.clientauth.core.internal.Jca.bouncyCastle().isPresent() ? "provider=BC" : "provider=(key's)";
        assertTrue(JcaSigner.of(KeyAlgorithm.EC_P256.generate()).toString().contains(fast));
        assertTrue(JcaSigner.of(KeyAlgorithm.ED25519.generate()).toString().contains(fast));
        assertTrue(JcaSigner.of(KeyAlgorithm.RSA_2048.generate()).toString().contains("provider=(key's)"));
    }

    @Test
    void pinnedProvider_signsVerifiesGeneratesAndStores(@TempDir Path dir) throws Exception {
        Provider pinned = bouncyCastle();
        CryptoProviders.pin(pinned);
        for (KeyAlgorithm algorithm : new KeyAlgorithm[] {KeyAlgorithm.EC_P256, KeyAlgorithm.ED25519, KeyAlgorithm.RSA_2048}) {
            KeyPair pair = algorithm.generate();
            JcaSigner signer = JcaSigner.of(pair);
            assertTrue(signer.toString().contains("provider=" + pinned.getName()), signer.toString());
            String jwt = assertion(signer, clock);
            ClientAssertionVerifier verifier = ClientAssertionVerifier.builder(ISSUER,
                    (client, kid) -> Optional.of(pair.getPublic())).clock(clock).build();
            assertEquals("c", verifier.verify(jwt, "c").clientId());
        }
        RotatingKeySet keys = RotatingKeySet.builder(KeySetStore.file(dir.resolve("keyset.json")), Secret.of("key-set-password"),
                SoftwareKeyGenerator.create()).clock(clock).build();
        assertTrue(keys.activeKey().keyId().length() > 20);
        assertTrue(keys.currentKey().toString().contains("provider=" + pinned.getName()), keys.currentKey().toString());
    }

    @Test
    void pinnedProvider_isTheOnlyOneUsed_noFallback() {
        Provider nothing = new Provider("Nothing", "1", "offers no algorithm") {
            private static final long serialVersionUID = 1L;
        };
        CryptoProviders.pin(nothing);
        try {
            KeyPair pair = KeyAlgorithm.EC_P256.generate();
            assertThrows(RuntimeException.class, () -> assertion(JcaSigner.of(pair), clock), "no signing elsewhere");
            assertThrows(Exception.class, () -> SoftwareKeyGenerator.create().generate(SignatureAlgorithm.ES256),
                    "no key generation elsewhere");
        } finally {
            Security.removeProvider("Nothing");
        }
    }

    @Test
    void systemProperty_namesARegisteredProvider() {
        System.setProperty(CryptoProviders.PROPERTY, "SUN");
        try {
            assertEquals("SUN", CryptoProviders.pinned().orElseThrow().getName());
            System.setProperty(CryptoProviders.PROPERTY, "NoSuchProvider");
            assertThrows(IllegalStateException.class, CryptoProviders::pinned);
        } finally {
            System.clearProperty(CryptoProviders.PROPERTY); // restored after the test
        }
    }
}
