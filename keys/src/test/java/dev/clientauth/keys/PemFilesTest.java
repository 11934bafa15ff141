package dev.clientauth.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
        // compared by value: the derived key may come from another provider than the generated one, whose
        // encoding differs (a FIPS provider writes the curve's parameters out instead of naming it)
        java.security.PublicKey derived = PemFiles.publicKeyOf(pair.getPrivate());
        if (pair.getPublic() instanceof java.security.interfaces.ECPublicKey expected) {
            assertEquals(expected.getW(), ((java.security.interfaces.ECPublicKey) derived).getW());
        } else {
            assertArrayEquals(pair.getPublic().getEncoded(), derived.getEncoded());
        }
    }
}
