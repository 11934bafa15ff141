package dev.clientauth.jwt.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.SoftHsmToken;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.Secret;
import dev.clientauth.certs.test.MutableClock;
import dev.clientauth.jwt.PrivateKeyJwt;
import dev.clientauth.jwt.SignatureAlgorithm;
import dev.clientauth.jwt.verifier.ClientAssertionVerifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rotating key set whose keys are generated and kept inside a SoftHSM2 token. */
class HsmRotationTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-02T00:00:00Z"));

    private RotatingKeySet keySet(Path file, SoftHsmToken token) throws Exception {
        return RotatingKeySet.builder(KeySetStore.file(file), Secret.of("pw"), new Pkcs11KeyGenerator(token.provider(), token.keyStore()))
                .kdfIterations(RotationTest.FAST_KDF)
                .rotationInterval(Duration.ofHours(1)).publicationLead(Duration.ofHours(1)).clock(clock).build();
    }

    @Test
    void hsmKeys_rotate_surviveRestart_andSignVerifiably(@TempDir Path dir) throws Exception {
        SoftHsmToken token = SoftHsmToken.shared();
        Path file = dir.resolve("hsm-keyset.json");
        RotatingKeySet keys = keySet(file, token);
        ManagedKey first = keys.activeKey();
        assertTrue(first.hsmAlias().isPresent());
        assertNull(((java.security.PrivateKey) token.keyStore().getKey(first.hsmAlias().get(), null)).getEncoded(),
                "the private key stays in the token");
        assertTrue(!Files.readString(file).contains("\"pkcs12\":\"\"") && keys.keys().stream().allMatch(k -> k.hsmAlias().isPresent()));

        clock.advance(Duration.ofMinutes(61));
        keys.maintain();
        clock.advance(Duration.ofMinutes(61));
        keys.maintain();
        assertNotEquals(first.keyId(), keys.activeKey().keyId());
        assertTrue(!token.keyStore().containsAlias(first.hsmAlias().get()), "removed keys are deleted from the token");
        List<String> before = keys.keys().stream().map(k -> k.keyId() + ":" + k.state()).collect(Collectors.toList());

        RotatingKeySet restarted = keySet(file, token);
        assertEquals(before, restarted.keys().stream().map(k -> k.keyId() + ":" + k.state()).collect(Collectors.toList()));
        String assertion = PrivateKeyJwt.of(ClientId.of("hsm-client"), restarted).createAssertion(
                new AuthenticationContext(URI.create("https://as.example"), URI.create("https://as.example/token"), clock)).serialize();
        ManagedKey active = restarted.activeKey();
        ClientAssertionVerifier verifier = ClientAssertionVerifier.builder(URI.create("https://as.example"),
                (client, kid) -> kid.equals(active.keyId()) ? Optional.of(active.publicKey()) : Optional.empty()).clock(clock).build();
        assertEquals(SignatureAlgorithm.ES256, verifier.verify(assertion, "hsm-client").algorithm());
    }
}
