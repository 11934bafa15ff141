package dev.clientauth.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import dev.clientauth.certs.test.SoftHsmToken;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientAuthenticationException;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.Secret;
import java.net.URI;
import java.security.AuthProvider;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Signing with non-extractable keys in a real SoftHSM2 token through SunPKCS11. */
class HsmSignerTest {
    private static final String ISSUER = "https://as.example";
    private static final ClientId CLIENT = ClientId.of("hsm-client");
    private static final AuthenticationContext CONTEXT = new AuthenticationContext(URI.create(ISSUER),
            URI.create("https://as.example/token"), Clock.systemUTC());
    private static SoftHsmToken token;
    private static SoftHsmToken.HsmKey rsa;
    private static SoftHsmToken.HsmKey ec;

    @BeforeAll
    static void token() {
        token = SoftHsmToken.shared();
        rsa = token.generateRsa("sign-rsa", 2048);
        ec = token.generateEcP256("sign-ec");
    }

    @Test
    void hsmKeys_areNotExtractable() {
        assertNull(rsa.privateKey().getEncoded());
        assertNull(ec.privateKey().getEncoded());
        assertEquals("SunPKCS11-SoftHSM", token.provider().getName());
    }

    @ParameterizedTest
    @EnumSource(value = SignatureAlgorithm.class, names = {"RS256", "PS256", "ES256"})
    void pkcs11Loader_signsInsideToken_verifiedIndependently(SignatureAlgorithm algorithm) throws Exception {
        SoftHsmToken.HsmKey key = algorithm == SignatureAlgorithm.ES256 ? ec : rsa;
        JcaSigner signer = KeyStoreSigners.pkcs11(token.pkcs11Config(), key.alias(), Secret.of(SoftHsmToken.PIN))
                .algorithm(algorithm).build();
        assertTrue(signer.provider().orElseThrow().getName().startsWith("SunPKCS11"));
        PrivateKeyJwt auth = PrivateKeyJwt.of(CLIENT, signer);
        String assertion = auth.createAssertion(CONTEXT).serialize();
        SignedJWT jwt = Verification.verifySignature(assertion, key.certificate().getPublicKey());
        assertEquals(algorithm.joseName(), jwt.getHeader().getAlgorithm().getName());
        assertEquals(Jwks.thumbprint(key.certificate().getPublicKey()), jwt.getHeader().getKeyID());
        Verification.SdkVerifier verifier = new Verification.SdkVerifier(ISSUER, List.of(key.certificate().getPublicKey()), null);
        verifier.verify(CLIENT.value(), assertion, false);
        verifier.verify(CLIENT.value(), auth.createAssertion(CONTEXT).serialize(), false);
    }

    @Test
    void sharedProvider_signsWithoutLoader() throws Exception {
        JcaSigner signer = KeyStoreSigners.pkcs11(token.provider(), ec.alias(), Secret.of(SoftHsmToken.PIN)).build();
        assertEquals(SignatureAlgorithm.ES256, signer.algorithm());
        Verification.verifySignature(PrivateKeyJwt.of(CLIENT, signer).createAssertion(CONTEXT).serialize(),
                ec.certificate().getPublicKey());
    }

    @Test
    void wrongKeyTypeForAlgorithm_failsInBuild() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyStoreSigners.pkcs11(
                token.provider(), rsa.alias(), Secret.of(SoftHsmToken.PIN)).algorithm(SignatureAlgorithm.ES256).build());
        assertTrue(e.getMessage().contains("ES256") && e.getMessage().contains("RSA"), e.getMessage());
    }

    @Test
    void wrongPin_clearErrorWithoutPin() throws Exception {
        AuthProvider provider = (AuthProvider) token.provider();
        provider.logout(); // PKCS#11 login state is per token: log out so the PIN is really checked
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> KeyStoreSigners.pkcs11(token.provider(), ec.alias(), Secret.of("999999")));
            assertTrue(e.getMessage().contains("wrong PIN"), e.getMessage());
            assertFalse(e.getMessage().contains("999999"));
        } finally {
            token.keyStore().load(null, SoftHsmToken.PIN.toCharArray());
        }
    }

    @Test
    void unknownAlias_clearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeyStoreSigners.pkcs11(token.provider(), "no-such-key", Secret.of(SoftHsmToken.PIN)));
        assertTrue(e.getMessage().contains("no-such-key"), e.getMessage());
    }

    @Test
    void tokenSessionLostMidRun_nextSignatureFailsClearly_thenRecovers() throws Exception {
        JcaSigner signer = KeyStoreSigners.pkcs11(token.provider(), ec.alias(), Secret.of(SoftHsmToken.PIN)).build();
        PrivateKeyJwt auth = PrivateKeyJwt.of(CLIENT, signer);
        Verification.verifySignature(auth.createAssertion(CONTEXT).serialize(), ec.certificate().getPublicKey());

        // The token goes away under the signer: its login session ends (as on a token reset or removal).
        ((AuthProvider) token.provider()).logout();
        ClientAuthenticationException e = assertThrows(ClientAuthenticationException.class,
                () -> auth.createAssertion(CONTEXT));
        assertTrue(e.getMessage().contains(signer.keyId().orElseThrow()) && e.getMessage().contains("ES256"),
                e.getMessage());
        assertFalse(e.getMessage().contains(SoftHsmToken.PIN));

        // Back: the next signature logs in again and succeeds.
        String assertion = auth.createAssertion(CONTEXT).serialize();
        Verification.verifySignature(assertion, ec.certificate().getPublicKey());
        new Verification.SdkVerifier(ISSUER, List.of(ec.certificate().getPublicKey()), null).verify(CLIENT.value(), assertion, false);
    }
}
