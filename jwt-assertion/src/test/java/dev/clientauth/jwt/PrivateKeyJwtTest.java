package dev.clientauth.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.auth.verifier.InvalidClientException;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientAuthenticationException;
import dev.clientauth.core.ClientId;
import dev.clientauth.jwt.internal.EcdsaSignatures;
import java.net.URI;
import java.security.KeyPair;
import java.security.Security;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PrivateKeyJwtTest {
    static final String ISSUER = "https://as.example/tenant";
    static final URI TOKEN_ENDPOINT = URI.create("https://as.example/tenant/oauth2/token");
    static final ClientId CLIENT = ClientId.of("client-7523");

    private static AuthenticationContext context(Clock clock) {
        return new AuthenticationContext(URI.create(ISSUER), TOKEN_ENDPOINT, clock);
    }

    private static AuthenticationContext now() {
        return context(Clock.systemUTC());
    }

    static KeyPair keyFor(SignatureAlgorithm algorithm) {
        switch (algorithm.keyType()) {
            case "RSA":
                return KeyAlgorithm.RSA_2048.generate();
            case "Ed25519":
                return KeyAlgorithm.ED25519.generate();
            default:
                return algorithm == SignatureAlgorithm.ES256 ? KeyAlgorithm.EC_P256.generate()
                        : algorithm == SignatureAlgorithm.ES384 ? KeyAlgorithm.EC_P384.generate() : p521();
        }
    }

    private static KeyPair p521() {
        try {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
            g.initialize(new java.security.spec.ECGenParameterSpec("secp521r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SignatureAlgorithm.class, names = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512", "EdDSA"})
    void assertion_everyAlgorithm_verifiesAndHasCorrectClaims(SignatureAlgorithm algorithm) throws Exception {
        KeyPair keys = keyFor(algorithm);
        JcaSigner signer = JcaSigner.builder(keys.getPrivate()).publicKey(keys.getPublic()).algorithm(algorithm).build();
        Instant now = Instant.parse("2026-11-28T10:00:00Z");
        SignedClientAssertion assertion = PrivateKeyJwt.of(CLIENT, signer)
                .createAssertion(context(Clock.fixed(now, ZoneOffset.UTC)));

        SignedJWT jwt = Verification.verifySignature(assertion.serialize(), keys.getPublic());
        assertEquals(algorithm.joseName(), jwt.getHeader().getAlgorithm().getName());
        assertEquals("client-authentication+jwt", jwt.getHeader().getType().getType());
        assertEquals(Jwks.thumbprint(keys.getPublic()), jwt.getHeader().getKeyID());
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertEquals(CLIENT.value(), claims.getIssuer());
        assertEquals(CLIENT.value(), claims.getSubject());
        Object aud = jwt.getPayload().toJSONObject().get("aud");
        assertTrue(aud instanceof String, "aud must be a single string, was " + aud);
        assertEquals(ISSUER, aud);
        assertEquals(now.getEpochSecond(), claims.getIssueTime().toInstant().getEpochSecond());
        assertEquals(now.plusSeconds(60).getEpochSecond(), claims.getExpirationTime().toInstant().getEpochSecond());
        assertNull(claims.getNotBeforeTime());
        assertTrue(Base64.getUrlDecoder().decode(claims.getJWTID()).length >= 16);
        assertEquals(assertion.jwtId(), claims.getJWTID());
    }

    @ParameterizedTest
    @EnumSource(value = SignatureAlgorithm.class, names = {"RS256", "PS256", "ES256", "ES384", "PS384"})
    void nimbusSdkVerifier_acceptsOnce_rejectsReplay(SignatureAlgorithm algorithm) throws Exception {
        KeyPair keys = keyFor(algorithm);
        PrivateKeyJwt auth = PrivateKeyJwt.of(CLIENT,
                JcaSigner.builder(keys.getPrivate()).publicKey(keys.getPublic()).algorithm(algorithm).build());
        Verification.SdkVerifier verifier = new Verification.SdkVerifier(ISSUER, List.of(keys.getPublic()), null);
        String assertion = auth.createAssertion(now()).serialize();
        verifier.verify(CLIENT.value(), assertion, false);
        InvalidClientException replay = assertThrows(InvalidClientException.class,
                () -> verifier.verify(CLIENT.value(), assertion, false));
        assertTrue(replay.getMessage().toLowerCase().contains("jti") || replay.getMessage().contains("expended")
                || replay.getMessage().toLowerCase().contains("replay"), replay.getMessage());
        verifier.verify(CLIENT.value(), auth.createAssertion(now()).serialize(), false);
    }

    @Test
    void nimbusSdkVerifier_strictAudience_rejectsLegacyAudiences() throws Exception {
        KeyPair keys = keyFor(SignatureAlgorithm.ES256);
        JcaSigner signer = JcaSigner.of(keys);
        Verification.SdkVerifier verifier = new Verification.SdkVerifier(ISSUER, List.of(keys.getPublic()), null);
        String array = PrivateKeyJwt.builder(CLIENT, signer).legacyAudienceArray().build().createAssertion(now()).serialize();
        assertThrows(InvalidClientException.class, () -> verifier.verify(CLIENT.value(), array, false));
        String endpoint = PrivateKeyJwt.builder(CLIENT, signer).legacyTokenEndpointAudience().build()
                .createAssertion(now()).serialize();
        assertThrows(InvalidClientException.class, () -> verifier.verify(CLIENT.value(), endpoint, false));
        assertEquals(List.of(ISSUER, TOKEN_ENDPOINT.toString()), SignedJWT.parse(array).getJWTClaimsSet().getAudience());
        assertEquals(TOKEN_ENDPOINT.toString(), SignedJWT.parse(endpoint).getPayload().toJSONObject().get("aud"));
    }

    @Test
    void jti_freshEveryTime_neverReused() throws Exception {
        PrivateKeyJwt auth = PrivateKeyJwt.of(CLIENT, JcaSigner.of(keyFor(SignatureAlgorithm.ES256)));
        Set<String> jtis = new HashSet<>();
        Set<String> assertions = new HashSet<>();
        Clock fixed = Clock.fixed(Instant.now(), ZoneOffset.UTC);
        for (int i = 0; i < 1000; i++) {
            SignedClientAssertion a = auth.createAssertion(context(fixed));
            jtis.add(a.jwtId());
            assertions.add(a.serialize());
        }
        assertEquals(1000, jtis.size());
        assertEquals(1000, assertions.size());
    }

    @Test
    void options_lifetimeNotBeforeNoTypAndX5t() throws Exception {
        TestPki pki = TestPki.create();
        var certificate = pki.clientCertificate();
        JcaSigner signer = JcaSigner.builder(certificate.privateKey()).certificate(certificate.certificate()).build();
        SignedJWT jwt = SignedJWT.parse(PrivateKeyJwt.builder(CLIENT, signer).lifetime(Duration.ofMinutes(5))
                .includeNotBefore().withoutTypHeader().includeCertificateThumbprint().build()
                .createAssertion(now()).serialize());
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertEquals(300, (claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()) / 1000);
        assertEquals(claims.getIssueTime(), claims.getNotBeforeTime());
        assertNull(jwt.getHeader().getType());
        assertEquals(dev.clientauth.core.CertificateThumbprint.of(certificate.certificate()).value(),
                jwt.getHeader().getX509CertSHA256Thumbprint().toString());
        assertThrows(IllegalArgumentException.class,
                () -> PrivateKeyJwt.builder(CLIENT, signer).lifetime(Duration.ofMinutes(5).plusSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> PrivateKeyJwt.builder(CLIENT, signer).lifetime(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> PrivateKeyJwt.builder(CLIENT,
                JcaSigner.of(keyFor(SignatureAlgorithm.ES256))).includeCertificateThumbprint().build());
    }

    @Test
    void noIssuer_failsWithoutAudience() {
        PrivateKeyJwt auth = PrivateKeyJwt.of(CLIENT, JcaSigner.of(keyFor(SignatureAlgorithm.ES256)));
        ClientAuthenticationException e = assertThrows(ClientAuthenticationException.class,
                () -> auth.createAssertion(new AuthenticationContext(null, TOKEN_ENDPOINT, Clock.systemUTC())));
        assertTrue(e.getMessage().contains("issuer"));
    }

    @Test
    void keyPolicy_wrongKeyTypeForAlgorithm_namesBoth() {
        KeyPair rsa = keyFor(SignatureAlgorithm.RS256);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JcaSigner.builder(rsa.getPrivate()).publicKey(rsa.getPublic()).algorithm(SignatureAlgorithm.ES256).build());
        assertTrue(e.getMessage().contains("ES256") && e.getMessage().contains("RSA 2048"), e.getMessage());
        KeyPair p384 = keyFor(SignatureAlgorithm.ES384);
        e = assertThrows(IllegalArgumentException.class,
                () -> JcaSigner.builder(p384.getPrivate()).algorithm(SignatureAlgorithm.ES256).build());
        assertTrue(e.getMessage().contains("P-256") && e.getMessage().contains("P-384"), e.getMessage());
        KeyPair ed = keyFor(SignatureAlgorithm.EdDSA);
        e = assertThrows(IllegalArgumentException.class,
                () -> JcaSigner.builder(ed.getPrivate()).algorithm(SignatureAlgorithm.PS256).build());
        assertTrue(e.getMessage().contains("PS256") && e.getMessage().contains("Ed25519"), e.getMessage());
    }

    @Test
    void keyPolicy_hmacAndNoneRefused() {
        KeyPair ec = keyFor(SignatureAlgorithm.ES256);
        assertThrows(IllegalArgumentException.class,
                () -> JcaSigner.builder(ec.getPrivate()).algorithm(SignatureAlgorithm.HS256).build());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> SignatureAlgorithm.of("none"));
        assertTrue(none.getMessage().contains("none"));
        assertThrows(IllegalArgumentException.class, () -> SignatureAlgorithm.of("NONE"));
    }

    @Test
    void keyPolicy_rsa1024RefusedUnlessWeakeningCalled() throws Exception {
        KeyPair weak = KeyAlgorithm.RSA_1024.generate();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JcaSigner.of(weak));
        assertTrue(e.getMessage().contains("1024") && e.getMessage().contains("allowWeakRsaKey"), e.getMessage());
        JcaSigner signer = JcaSigner.builder(weak.getPrivate()).publicKey(weak.getPublic()).allowWeakRsaKey().build();
        Verification.verifySignature(PrivateKeyJwt.of(CLIENT, signer).createAssertion(now()).serialize(), weak.getPublic());
    }

    @Test
    void defaults_algorithmFromKey() {
        assertEquals(SignatureAlgorithm.PS256, JcaSigner.of(keyFor(SignatureAlgorithm.RS256)).algorithm());
        assertEquals(SignatureAlgorithm.ES256, JcaSigner.of(keyFor(SignatureAlgorithm.ES256)).algorithm());
        assertEquals(SignatureAlgorithm.ES384, JcaSigner.of(keyFor(SignatureAlgorithm.ES384)).algorithm());
        assertEquals(SignatureAlgorithm.EdDSA, JcaSigner.of(keyFor(SignatureAlgorithm.EdDSA)).algorithm());
    }

    @Test
    void inMemorySoftwareKeys_signWithBouncyCastleForEcAndEd25519_jdkForRsa_orThePinnedProvider() {
        java.util.Optional<java.security.Provider> pinned = dev.clientauth.core.CryptoProviders.pinned();
        String fast = pinned.map(java.security.Provider::getName).orElse("BC");
        assertEquals(fast, JcaSigner.of(keyFor(SignatureAlgorithm.ES256)).provider().orElseThrow().getName());
        assertEquals(fast, JcaSigner.of(keyFor(SignatureAlgorithm.EdDSA)).provider().orElseThrow().getName());
        assertEquals(pinned, JcaSigner.of(keyFor(SignatureAlgorithm.RS256)).provider());
        if (pinned.isEmpty()) {
            assertNull(Security.getProvider("BC"), "Bouncy Castle must not be registered globally");
        }
        KeyPair ec = keyFor(SignatureAlgorithm.ES256);
        assertEquals("SunEC", JcaSigner.builder(ec.getPrivate()).provider(Security.getProvider("SunEC")).build()
                .provider().orElseThrow().getName());
    }

    @ParameterizedTest
    @EnumSource(value = SignatureAlgorithm.class, names = {"ES256", "ES384", "ES512"})
    void ecdsa_pinnedJdkProvider_sameJoseForm(SignatureAlgorithm algorithm) throws Exception {
        KeyPair keys = keyFor(algorithm);
        JcaSigner jdk = JcaSigner.builder(keys.getPrivate()).publicKey(keys.getPublic())
                .provider(Security.getProvider("SunEC")).build();
        byte[] input = "header.payload".getBytes();
        byte[] signature = jdk.sign(input);
        assertEquals(algorithm.joseSignatureLength(), signature.length);
        assertTrue(Verification.jcaVerifyEcdsa(algorithm.jcaName(), keys.getPublic(), input, signature));
        byte[] bc = JcaSigner.of(keys).sign(input);
        assertTrue(Verification.jcaVerifyEcdsa(algorithm.jcaName(), keys.getPublic(), input, bc));
    }

    @Test
    void ecdsaTranscoding_roundTripsAndRejectsGarbage() {
        byte[] jose = new byte[64];
        jose[0] = (byte) 0x80; // high bit set: needs a leading zero in DER
        jose[40] = 1;
        byte[] der = EcdsaSignatures.joseToDer(jose);
        assertEquals(0x30, der[0]);
        assertEquals(java.util.Arrays.toString(jose), java.util.Arrays.toString(EcdsaSignatures.derToJose(der, 32)));
        assertThrows(IllegalArgumentException.class, () -> EcdsaSignatures.derToJose(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 32));
        assertThrows(IllegalArgumentException.class, () -> EcdsaSignatures.derToJose(der, 16));
    }

    @Test
    void fromNimbusJwk_keepsKidAndAlg_everyKeyType() throws Exception {
        List<JWK> jwks = List.of(new RSAKeyGenerator(2048).keyID("rsa-1").generate(),
                new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate(),
                ed25519Jwk("ed-1"));
        for (JWK jwk : jwks) {
            JcaSigner signer = JcaSigner.builder(jwk).build();
            assertEquals(jwk.getKeyID(), signer.keyId().orElseThrow());
            SignedJWT jwt = SignedJWT.parse(PrivateKeyJwt.of(CLIENT, signer).createAssertion(now()).serialize());
            assertEquals(jwk.getKeyID(), jwt.getHeader().getKeyID());
            Verification.verifySignature(jwt.serialize(), signer.publicKey().orElseThrow());
        }
        ECKey publicOnly = new ECKeyGenerator(Curve.P_256).generate().toPublicJWK();
        assertThrows(IllegalArgumentException.class, () -> JcaSigner.builder(publicOnly));
    }

    /** An Ed25519 OKP JWK made from a JDK key pair (Nimbus' own generator needs Tink). */
    static OctetKeyPair ed25519Jwk(String kid) {
        KeyPair pair = KeyAlgorithm.ED25519.generate();
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        byte[] spki = pair.getPublic().getEncoded();
        return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length)))
                .d(Base64URL.encode(java.util.Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length))).keyID(kid).build();
    }

    @Test
    void toString_neverShowsKeyOrAssertion() throws Exception {
        KeyPair keys = keyFor(SignatureAlgorithm.ES256);
        JcaSigner signer = JcaSigner.of(keys);
        PrivateKeyJwt auth = PrivateKeyJwt.of(CLIENT, signer);
        SignedClientAssertion assertion = auth.createAssertion(now());
        String encodedKey = Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded());
        for (String text : List.of(signer.toString(), auth.toString(), assertion.toString())) {
            assertFalse(text.contains(encodedKey.substring(20, 40)), text);
            assertFalse(text.contains(assertion.serialize().substring(0, 20)), text);
        }
        assertTrue(assertion.toString().contains(assertion.jwtId()));
        assertNotEquals(assertion.serialize(), assertion.toString());
    }

    @Test
    void builderCalledAfterBuild_doesNotChangeTheBuiltObject() throws Exception {
        PrivateKeyJwt.Builder builder = PrivateKeyJwt.builder(CLIENT, JcaSigner.of(KeyAlgorithm.EC_P256.generate()));
        PrivateKeyJwt built = builder.build();
        builder.omitClientIdParameter().lifetime(java.time.Duration.ofSeconds(5));
        dev.clientauth.core.TokenRequestMessage message = new dev.clientauth.core.TokenRequestMessage(TOKEN_ENDPOINT);
        built.authenticate(message, now());
        assertEquals(java.util.List.of(CLIENT.value()), message.formParameters().get("client_id"));
        com.nimbusds.jwt.JWTClaimsSet claims = com.nimbusds.jwt.SignedJWT.parse(
                message.formParameters().get("client_assertion").get(0)).getJWTClaimsSet();
        assertEquals(60_000, claims.getExpirationTime().getTime() - claims.getIssueTime().getTime());
    }

    @Test
    void signerFromAPrivateKeyAlone_namesItsKey() throws Exception {
        KeyPair pair = KeyAlgorithm.EC_P256.generate();
        JcaSigner signer = JcaSigner.builder(pair.getPrivate()).build();
        assertEquals(java.util.Optional.of(Jwks.thumbprint(pair.getPublic())), signer.keyId());
    }

    @Test
    void clientSecretJwt_builderCalledAfterBuild_doesNotChangeTheBuiltObject() throws Exception {
        ClientSecretJwt.Builder builder = ClientSecretJwt.builder(CLIENT, dev.clientauth.core.Secret.of("a".repeat(32)));
        ClientSecretJwt built = builder.build();
        builder.omitClientIdParameter();
        dev.clientauth.core.TokenRequestMessage message = new dev.clientauth.core.TokenRequestMessage(TOKEN_ENDPOINT);
        built.authenticate(message, now());
        assertEquals(java.util.List.of(CLIENT.value()), message.formParameters().get("client_id"));
    }
}
