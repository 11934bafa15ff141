package dev.clientauth.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clientauth.certs.test.KeyAlgorithm;
import java.security.KeyPair;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PemFilesTest {
    @ParameterizedTest
    @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "EC_P384", "RSA_2048", "ED25519"})
    void publicKeyOf_derivesTheMatchingPublicKey(KeyAlgorithm algorithm) {
        KeyPair pair = algorithm.generate();
        assertEquals(pair.getPublic(), PemFiles.publicKeyOf(pair.getPrivate()));
    }
}
