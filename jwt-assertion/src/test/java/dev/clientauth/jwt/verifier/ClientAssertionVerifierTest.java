package dev.clientauth.jwt.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientId;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.certs.test.MutableClock;
import dev.clientauth.jwt.PrivateKeyJwt;
import dev.clientauth.jwt.SignatureAlgorithm;
import dev.clientauth.jwt.verifier.InvalidClientAssertionException.Check;
import java.net.URI;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ClientAssertionVerifierTest {
    private static final URI ISSUER = URI.create("https://as.example");
    private static final URI TOKEN_ENDPOINT = URI.create("https://as.example/token");
    private static final String CLIENT = "client-1";
    private static final KeyPair EC = KeyAlgorithm.EC_P256.generate();
    private static final KeyPair RSA = KeyAlgorithm.RSA_2048.generate();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));

    private ClientAssertionVerifier.Builder builder(KeyPair keys) {
        return ClientAssertionVerifier.builder(ISSUER, (client, kid) ->
                CLIENT.equals(client) && "k1".equals(kid) ? Optional.of(keys.getPublic()) : Optional.empty()).clock(clock);
    }

    private ClientAssertionVerifier verifier() {
        return builder(EC).build();
    }

    /** An ES256 assertion with default-correct claims, adjusted by {@code edit}. */
    private String assertion(Consumer<JWTClaimsSet.Builder> edit, Consumer<JWSHeader.Builder> headerEdit) throws Exception {
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(CLIENT).subject(CLIENT).audience(ISSUER.toString())
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(60))).jwtID(UUID.randomUUID().toString());
        edit.accept(claims);
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1")
                .type(new JOSEObjectType("client-authentication+jwt"));
        headerEdit.accept(header);
        SignedJWT jwt = new SignedJWT(header.build(), claims.build());
        jwt.sign(new ECDSASigner((ECPrivateKey) EC.getPrivate()));
        return jwt.serialize();
    }

    private String assertion(Consumer<JWTClaimsSet.Builder> edit) throws Exception {
        return assertion(edit, h -> { });
    }

    private void rejected(Check check, String assertion) {
        rejected(verifier(), check, assertion, null);
    }

    private static void rejected(ClientAssertionVerifier verifier, Check check, String assertion, String clientId) {
        InvalidClientAssertionException e = assertThrows(InvalidClientAssertionException.class,
                () -> verifier.verify(assertion, clientId));
        assertEquals(check, e.check(), e.getMessage());
        assertEquals("invalid_client", e.error());
        if (assertion != null && assertion.length() > 40) {
            assertFalse(e.getMessage().contains(assertion.substring(assertion.length() - 30)), "no assertion in the message");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SignatureAlgorithm.class, names = {"RS256", "PS256", "ES256", "EdDSA", "ES384", "PS512"})
    void assertionsFromThisLibrary_verify(SignatureAlgorithm algorithm) throws Exception {
        KeyPair keys = algorithm.isRsa() ? RSA : algorithm == SignatureAlgorithm.EdDSA ? KeyAlgorithm.ED25519.generate()
                : algorithm == SignatureAlgorithm.ES384 ? KeyAlgorithm.EC_P384.generate() : EC;
        String assertion = PrivateKeyJwt.of(ClientId.of(CLIENT), JcaSigner.builder(keys.getPrivate()).publicKey(keys.getPublic())
                .algorithm(algorithm).keyId("k1").build()).createAssertion(new AuthenticationContext(ISSUER, TOKEN_ENDPOINT, clock))
                .serialize();
        ClientAssertionVerifier.VerifiedClientAssertion verified = builder(keys).build().verify(assertion, CLIENT);
        assertEquals(CLIENT, verified.clientId());
        assertEquals(algorithm, verified.algorithm());
    }

    @Test
    void replayedJti_rejected() throws Exception {
        ClientAssertionVerifier verifier = verifier();
        String assertion = assertion(c -> { });
        verifier.verify(assertion, CLIENT);
        rejected(verifier, Check.REPLAY, assertion, CLIENT);
    }

    @Test
    void algNone_rejected() throws Exception {
        String none = b64("{\"alg\":\"none\",\"kid\":\"k1\"}") + "." + b64("{\"iss\":\"client-1\"}") + ".";
        rejected(Check.MALFORMED, none);
        rejected(Check.ALGORITHM, b64("{\"alg\":\"none\",\"kid\":\"k1\"}") + "." + b64("{\"iss\":\"client-1\"}") + ".c2ln");
    }

    @Test
    void hmac_rejected() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(CLIENT).subject(CLIENT).audience(ISSUER.toString())
                .expirationTime(Date.from(clock.instant().plusSeconds(60))).jwtID("x").build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims);
        jwt.sign(new MACSigner(new byte[32]));
        rejected(Check.ALGORITHM, jwt.serialize());
    }

    @Test
    void algorithmNotAllowed_rejected() throws Exception {
        ClientAssertionVerifier onlyPs = builder(EC).algorithms(Set.of(SignatureAlgorithm.PS256)).build();
        rejected(onlyPs, Check.ALGORITHM, assertion(c -> { }), null);
        assertThrows(IllegalArgumentException.class, () -> builder(EC).algorithms(Set.of(SignatureAlgorithm.HS256)));
    }

    @Test
    void keyTypeMismatch_rejected() throws Exception {
        // an RS256 assertion checked against the client's EC key
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(CLIENT).subject(CLIENT).audience(ISSUER.toString())
                .issueTime(Date.from(clock.instant())).expirationTime(Date.from(clock.instant().plusSeconds(60))).jwtID("j").build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims);
        jwt.sign(new RSASSASigner((RSAPrivateKey) RSA.getPrivate()));
        rejected(Check.ALGORITHM, jwt.serialize());
    }

    @Test
    void badSignature_rejected() throws Exception {
        String good = assertion(c -> { });
        String tampered = good.substring(0, good.indexOf('.') + 1) + b64("{\"iss\":\"client-1\",\"sub\":\"client-1\","
                + "\"aud\":\"https://as.example\",\"exp\":" + (clock.instant().getEpochSecond() + 60) + ",\"jti\":\"other\"}")
                + good.substring(good.lastIndexOf('.'));
        rejected(Check.SIGNATURE, tampered);
        KeyPair other = KeyAlgorithm.EC_P256.generate();
        rejected(builder(other).build(), Check.SIGNATURE, good, null);
    }

    @Test
    void unknownKid_rejected() throws Exception {
        rejected(Check.KEY, assertion(c -> { }, h -> h.keyID("k2")));
        rejected(Check.KEY, assertion(c -> c.issuer("client-2").subject("client-2")));
    }

    @Test
    void issuerSubjectAndClientId_checked() throws Exception {
        rejected(Check.SUBJECT, assertion(c -> c.subject("someone-else")));
        rejected(Check.ISSUER, assertion(c -> c.issuer(null)));
        rejected(verifier(), Check.CLIENT_ID, assertion(c -> { }), "client-2");
    }

    @Test
    void audience_strictByDefault_lenientNamedMode() throws Exception {
        String array = assertion(c -> c.audience(List.of(ISSUER.toString(), TOKEN_ENDPOINT.toString())));
        String endpoint = assertion(c -> c.audience(TOKEN_ENDPOINT.toString()));
        rejected(Check.AUDIENCE, array);
        rejected(Check.AUDIENCE, endpoint);
        rejected(Check.AUDIENCE, assertion(c -> c.audience("https://other.example")));
        rejected(Check.AUDIENCE, assertion(c -> c.audience((String) null)));
        ClientAssertionVerifier lenient = builder(EC).lenientAudience(TOKEN_ENDPOINT).build();
        lenient.verify(array, null);
        lenient.verify(endpoint, null);
        rejected(lenient, Check.AUDIENCE, assertion(c -> c.audience(List.of("https://other.example"))), null);
    }

    @Test
    void expiration_requiredAndEnforced() throws Exception {
        rejected(Check.EXPIRATION, assertion(c -> c.expirationTime(null)));
        rejected(Check.EXPIRATION, assertion(c -> c.expirationTime(Date.from(clock.instant().minusSeconds(1)))));
    }

    @Test
    void lifetime_atMostFiveMinutes() throws Exception {
        verifier().verify(assertion(c -> c.expirationTime(Date.from(clock.instant().plusSeconds(300)))), null);
        rejected(Check.LIFETIME, assertion(c -> c.expirationTime(Date.from(clock.instant().plusSeconds(301)))));
        rejected(Check.LIFETIME, assertion(c -> c.issueTime(null).expirationTime(Date.from(clock.instant().plusSeconds(3600)))));
    }

    @Test
    void futureIatAndNbf_tenSecondsAcceptedSixtyOneRejected() throws Exception {
        Instant now = clock.instant();
        verifier().verify(assertion(c -> c.issueTime(Date.from(now.plusSeconds(10))).notBeforeTime(Date.from(now.plusSeconds(10)))
                .expirationTime(Date.from(now.plusSeconds(70)))), null);
        rejected(Check.ISSUED_IN_FUTURE, assertion(c -> c.issueTime(Date.from(now.plusSeconds(61)))
                .expirationTime(Date.from(now.plusSeconds(120)))));
        rejected(Check.NOT_YET_VALID, assertion(c -> c.notBeforeTime(Date.from(now.plusSeconds(61)))));
        assertThrows(IllegalArgumentException.class, () -> builder(EC).futureSkew(Duration.ofSeconds(61)));
    }

    @Test
    void jti_required() throws Exception {
        rejected(Check.JTI, assertion(c -> c.jwtID(null)));
    }

    @Test
    void typ_mustBeClientAssertionWhenPresent() throws Exception {
        verifier().verify(assertion(c -> { }, h -> h.type(null)), null);
        verifier().verify(assertion(c -> { }, h -> h.type(JOSEObjectType.JWT)), null);
        rejected(Check.TYPE, assertion(c -> { }, h -> h.type(new JOSEObjectType("at+jwt"))));
    }

    @Test
    void malformed_rejected() {
        for (String bad : new String[] {null, "", "a", "a.b", "a.b.c.d", "!!!.e30.c2ln", b64("[]") + ".e30.c2ln",
                b64("{\"alg\":\"ES256\"}") + ".bm90IGpzb24.c2ln", "x".repeat(20_000)}) {
            InvalidClientAssertionException e = assertThrows(InvalidClientAssertionException.class, () -> verifier().verify(bad, null));
            assertTrue(e.check() == Check.MALFORMED || e.check() == Check.ALGORITHM, bad + " -> " + e.check());
        }
    }

    @Test
    void replayCache_expiresEntriesAndFailsClosedWhenFull() {
        InMemoryReplayCache cache = new InMemoryReplayCache(64, 1_000_000, InMemoryReplayCache.DEFAULT_MAX_TTL);
        Instant now = Instant.parse("2026-11-28T12:00:00Z");
        assertTrue(cache.firstUse("c", "a", now.plusSeconds(60), now));
        assertFalse(cache.firstUse("c", "a", now.plusSeconds(60), now));
        assertTrue(cache.firstUse("other-client", "a", now.plusSeconds(60), now));
        assertTrue(cache.firstUse("c", "a", now.plusSeconds(200), now.plusSeconds(61)), "expired entries are forgotten");
        int accepted = 0;
        for (int i = 0; i < 1000; i++) {
            if (cache.firstUse("c", "jti-" + i, now.plusSeconds(60), now)) {
                accepted++;
            }
        }
        assertTrue(accepted < 1000 && accepted >= 64, "bounded: " + accepted);
        assertTrue(cache.firstUse("c", "later", now.plusSeconds(200), now.plusSeconds(120)), "room again once entries expire");
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes());
    }


    @Test
    void manyKeys_badSignatures_cacheNotGrown_goodSignatures_cacheBounded() throws Exception {
        java.util.Map<String, KeyPair> keys = new java.util.concurrent.ConcurrentHashMap<>();
        ClientAssertionVerifier verifier = ClientAssertionVerifier.builder(ISSUER, (client, kid) ->
                Optional.ofNullable(keys.get(kid)).map(KeyPair::getPublic)).clock(clock).build();
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        for (int i = 0; i < 300; i++) {
            keys.put("bad-" + i, generator.generateKeyPair());
            String good = assertion(c -> { }, h -> { });
            String header = Base64.getUrlEncoder().withoutPadding().encodeToString(("{\"alg\":\"ES256\",\"kid\":\"bad-" + i
                    + "\",\"typ\":\"client-authentication+jwt\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String[] parts = good.split("\\.");
            String zeros = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[64]);
            rejected(verifier, Check.SIGNATURE, header + "." + parts[1] + "." + zeros, null);
        }
        assertEquals(0, verifier.cachedVerifiers(), "no verifier is cached for a key that never verified");
        int extra = 20;
        for (int i = 0; i < ClientAssertionVerifier.MAX_CACHED_VERIFIERS + extra; i++) {
            KeyPair pair = generator.generateKeyPair();
            keys.put("good-" + i, pair);
            Instant now = clock.instant();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("good-" + i)
                    .type(new JOSEObjectType("client-authentication+jwt")).build(),
                    new JWTClaimsSet.Builder().issuer(CLIENT).subject(CLIENT).audience(ISSUER.toString())
                            .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(60)))
                            .jwtID(UUID.randomUUID().toString()).build());
            jwt.sign(new ECDSASigner((ECPrivateKey) pair.getPrivate()));
            verifier.verify(jwt.serialize(), CLIENT);
        }
        assertTrue(verifier.cachedVerifiers() <= ClientAssertionVerifier.MAX_CACHED_VERIFIERS, "" + verifier.cachedVerifiers());
    }

    @Test
    void h1_hugeNegativeIat_withExpIn2038_rejectedNotAcceptedUntil2038() throws Exception {
        rejected(Check.ISSUED_IN_FUTURE, assertion(c -> c.claim("iat", -9223372036000000000L).claim("exp", 2147483000L)));
        rejected(Check.LIFETIME, assertion(c -> c.claim("iat", -1_000_000_000_000_000L).claim("exp", 2147483000L)));
        rejected(Check.LIFETIME, assertion(c -> c.claim("exp", clock.instant().getEpochSecond() + 10 * 365 * 86400L)));
        rejected(Check.LIFETIME, assertion(c -> c.claim("iat", clock.instant().getEpochSecond() - 3600)
                .claim("exp", clock.instant().getEpochSecond() + 60)));
    }

    @Test
    void h1_nonIntegralOrHugeNumericDates_refusedWithTheirCheck_nothingUncheckedEscapes() throws Exception {
        rejected(Check.EXPIRATION, assertion(c -> c.claim("exp", 1e19)));
        rejected(Check.EXPIRATION, assertion(c -> c.claim("exp", clock.instant().getEpochSecond() + 60.5)));
        rejected(Check.EXPIRATION, assertion(c -> c.claim("exp", Long.MAX_VALUE)));
        rejected(Check.ISSUED_IN_FUTURE, assertion(c -> c.claim("iat", Long.MIN_VALUE + 1)));
        rejected(Check.NOT_YET_VALID, assertion(c -> c.claim("nbf", "tomorrow")));
    }

    @Test
    void m1_oneClientCannotFillTheReplayCacheForOthers() throws Exception {
        InMemoryReplayCache cache = new InMemoryReplayCache(6_400, 100, Duration.ofMinutes(6));
        Instant now = clock.instant();
        for (int i = 0; i < 100; i++) {
            assertTrue(cache.firstUse("evil", "jti-" + i, now.plusSeconds(300), now));
        }
        assertFalse(cache.firstUse("evil", "jti-100", now.plusSeconds(300), now), "over its quota");
        assertEquals(1, cache.quotaRefusals());
        for (int i = 0; i < 100; i++) {
            assertTrue(cache.firstUse("good", "jti-" + i, now.plusSeconds(300), now), "another client is unaffected");
        }
        assertFalse(cache.firstUse("good", "jti-0", now.plusSeconds(300), now), "replays are still refused");
        Instant later = now.plusSeconds(311);
        assertTrue(cache.firstUse("evil", "jti-100", later.plusSeconds(300), later), "the quota frees as entries expire");
    }

    @Test
    void m1_storedExpiryClampedToTheCacheMaximum() {
        InMemoryReplayCache cache = new InMemoryReplayCache(6_400, 100, Duration.ofMinutes(6));
        Instant now = clock.instant();
        assertTrue(cache.firstUse("c", "j", Instant.parse("2038-01-19T03:03:20Z"), now));
        assertFalse(cache.firstUse("c", "j", now.plusSeconds(60), now.plusSeconds(359)));
        assertEquals(0, cache.size(now.plusSeconds(361)), "gone after six minutes, not in 2038");
    }

    @Test
    void l5_replayCacheWorksAfter2038() {
        InMemoryReplayCache cache = new InMemoryReplayCache(6_400, 100, Duration.ofMinutes(6));
        Instant now = Instant.parse("2040-01-01T00:00:00Z");
        assertTrue(cache.firstUse("c", "j", now.plusSeconds(60), now));
        assertFalse(cache.firstUse("c", "j", now.plusSeconds(60), now.plusSeconds(30)));
        assertTrue(cache.firstUse("c", "k", now.plusSeconds(60), now.plusSeconds(30)));
        assertEquals(2, cache.size(now.plusSeconds(30)));
    }

    @Test
    void l6_weakRsaKey_andWrongCurve_refused() throws Exception {
        KeyPair weak = rsa(1024);
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(CLIENT).subject(CLIENT).audience(ISSUER.toString())
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(60))).jwtID(UUID.randomUUID().toString()).build();
        SignedJWT rs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims);
        rs.sign(new RSASSASigner(weak.getPrivate(), java.util.Set.of(com.nimbusds.jose.crypto.opts.AllowWeakRSAKey.getInstance())));
        rejected(builder(weak).build(), Check.KEY, rs.serialize(), null);
        KeyPair p384 = KeyAlgorithm.EC_P384.generate();
        SignedJWT es = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(), claims);
        es.sign(new ECDSASigner((ECPrivateKey) p384.getPrivate(), com.nimbusds.jose.jwk.Curve.P_256));
        rejected(builder(p384).build(), Check.ALGORITHM, es.serialize(), null);
    }

    private static KeyPair rsa(int bits) throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits);
        return generator.generateKeyPair();
    }
}
