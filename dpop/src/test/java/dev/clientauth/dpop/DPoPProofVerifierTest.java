package dev.clientauth.dpop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.Jwks;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class DPoPProofVerifierTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final URI API = URI.create("https://api.example/accounts/1");
    private static final String TOKEN = "access-token-value-7f3a9";
    private static final KeyPair EC = ec("secp256r1");

    private final DPoPProofVerifier verifier = DPoPProofVerifier.builder().clock(CLOCK).build();

    private static KeyPair ec(String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String jkt(KeyPair pair) {
        return Jwks.thumbprint(pair.getPublic());
    }

    /** A proof signed by {@code signer}, with header and claims as a correct client would make them, then edited. */
    private static String proof(KeyPair signer, SignatureAlgorithm alg, KeyPair headerKey,
            Consumer<Map<String, Object>> editHeader, Consumer<Map<String, Object>> editClaims) throws Exception {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "dpop+jwt");
        header.put("alg", alg.joseName());
        header.put("jwk", Jwks.publicJwk(headerKey.getPublic(), null, null, null).toJSONObject());
        editHeader.accept(header);
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("jti", "jti-" + System.nanoTime());
        claims.put("htm", "GET");
        claims.put("htu", API.toString());
        claims.put("iat", NOW.getEpochSecond());
        claims.put("ath", DPoPKey.accessTokenHash(TOKEN));
        editClaims.accept(claims);
        String input = b64(JSONObjectUtils.toJSONString(header)) + "." + b64(JSONObjectUtils.toJSONString(claims));
        byte[] signature = JcaSigner.builder(signer.getPrivate()).publicKey(signer.getPublic()).algorithm(alg).build()
                .sign(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64URL.encode(signature);
    }

    private static String proof(Consumer<Map<String, Object>> editHeader, Consumer<Map<String, Object>> editClaims) throws Exception {
        return proof(EC, SignatureAlgorithm.ES256, EC, editHeader, editClaims);
    }

    private static String b64(String json) {
        return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private InvalidDPoPProofException refused(DPoPProofVerifier v, String proof) {
        InvalidDPoPProofException e = assertThrows(InvalidDPoPProofException.class,
                () -> v.verify("GET", API, List.of(proof), TOKEN, jkt(EC)));
        assertFalse(e.getMessage().contains(TOKEN), e.getMessage());
        assertFalse(proof.length() > 20 && e.getMessage().contains(proof.substring(0, 20)), e.getMessage());
        return e;
    }

    private InvalidDPoPProofException refused(String proof) {
        return refused(verifier, proof);
    }

    @Test
    void proofsFromDPoPKey_accepted_atTheTokenEndpointAndTheResource() throws Exception {
        DPoPKey key = DPoPKey.generate(SignatureAlgorithm.ES256, CLOCK);
        DPoPProofVerifier.VerifiedProof atToken = verifier.verify("POST", URI.create("https://as.example/token"),
                List.of(key.proof("POST", URI.create("https://as.example/token"))), null, null);
        assertEquals(key.thumbprint(), atToken.thumbprint());
        for (SignatureAlgorithm alg : new SignatureAlgorithm[] {SignatureAlgorithm.ES256, SignatureAlgorithm.EdDSA, SignatureAlgorithm.PS256}) {
            DPoPKey k = DPoPKey.generate(alg, CLOCK);
            String proof = k.proof("GET", URI.create("https://API.example:443/accounts/1?x=y"), null, TOKEN);
            assertEquals(alg, verifier.verify("GET", API, List.of(proof), TOKEN, k.thumbprint()).algorithm());
        }
    }

    @Test
    void exactlyOneHeader_ofBoundedSize() throws Exception {
        String good = proof(h -> { }, c -> { });
        assertThrows(InvalidDPoPProofException.class, () -> verifier.verify("GET", API, List.of(), TOKEN, jkt(EC)));
        assertThrows(InvalidDPoPProofException.class, () -> verifier.verify("GET", API, List.of(good, good), TOKEN, jkt(EC)));
        assertTrue(refused(proof(h -> { }, c -> c.put("pad", "x".repeat(9000)))).getMessage().contains("longer than"));
        assertTrue(refused("not.a-jws").getMessage().contains("JSON") || refused("not.a-jws").getMessage().contains("compact"));
        assertTrue(refused("only-one-part").getMessage().contains("compact JWS"));
    }

    @Test
    void typAlgAndJwk_enforced() throws Exception {
        assertTrue(refused(proof(h -> h.put("typ", "JWT"), c -> { })).getMessage().contains("typ"));
        assertTrue(refused(proof(h -> h.remove("typ"), c -> { })).getMessage().contains("typ"));
        assertTrue(refused(proof(h -> h.put("crit", List.of("x")), c -> { })).getMessage().contains("critical"));
        assertTrue(refused(proof(h -> h.put("alg", "none"), c -> { })).getMessage().contains("alg"));
        assertTrue(refused(proof(h -> h.put("alg", "HS256"), c -> { })).getMessage().contains("alg"));
        DPoPProofVerifier es256Only = DPoPProofVerifier.builder().clock(CLOCK).algorithms(EnumSet.of(SignatureAlgorithm.ES384)).build();
        assertTrue(refused(es256Only, proof(h -> { }, c -> { })).getMessage().contains("alg"));
        assertThrows(IllegalArgumentException.class, () -> DPoPProofVerifier.builder().algorithms(EnumSet.of(SignatureAlgorithm.HS256)));
        assertTrue(refused(proof(h -> h.remove("jwk"), c -> { })).getMessage().contains("jwk"));
        ECKey withPrivate = new ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256, (ECPublicKey) EC.getPublic())
                .privateKey((ECPrivateKey) EC.getPrivate()).build();
        assertTrue(refused(proof(h -> h.put("jwk", withPrivate.toJSONObject()), c -> { })).getMessage().contains("private"));
        KeyPair p384 = ec("secp384r1");
        assertTrue(refused(proof(EC, SignatureAlgorithm.ES256, p384, h -> { }, c -> { })).getMessage().contains("does not fit"));
    }

    @Test
    void signatureByAnotherKeyThanTheJwk_refused() throws Exception {
        KeyPair other = ec("secp256r1");
        assertTrue(refused(proof(other, SignatureAlgorithm.ES256, EC, h -> { }, c -> { })).getMessage().contains("signature"));
        String good = proof(h -> { }, c -> { });
        String tampered = good.substring(0, good.lastIndexOf('.') + 1) + "AAAA" + good.substring(good.lastIndexOf('.') + 5);
        assertTrue(refused(tampered).getMessage().contains("signature"));
    }

    @Test
    void weakRsaKey_refused() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        KeyPair weak = generator.generateKeyPair();
        // signed without the library's own key-size check, as an attacker's client would
        Map<String, Object> header = Map.of("typ", "dpop+jwt", "alg", "RS256",
                "jwk", Jwks.publicJwk(weak.getPublic(), null, null, null).toJSONObject());
        Map<String, Object> claims = Map.of("jti", "w", "htm", "GET", "htu", API.toString(), "iat", NOW.getEpochSecond());
        String input = b64(JSONObjectUtils.toJSONString(header)) + "." + b64(JSONObjectUtils.toJSONString(claims));
        java.security.Signature rsa = java.security.Signature.getInstance("SHA256withRSA");
        rsa.initSign(weak.getPrivate());
        rsa.update(input.getBytes(StandardCharsets.US_ASCII));
        String proof = input + "." + Base64URL.encode(rsa.sign());
        InvalidDPoPProofException e = assertThrows(InvalidDPoPProofException.class,
                () -> verifier.verify("GET", API, List.of(proof), null, null));
        assertTrue(e.getMessage().contains("2048"), e.getMessage());
    }

    @Test
    void htmAndHtu_mustMatchTheRequest() throws Exception {
        assertTrue(refused(proof(h -> { }, c -> c.put("htm", "POST"))).getMessage().contains("htm"));
        assertTrue(refused(proof(h -> { }, c -> c.put("htm", "get"))).getMessage().contains("htm"));
        assertTrue(refused(proof(h -> { }, c -> c.put("htu", "https://api.example/accounts/2"))).getMessage().contains("htu"));
        assertTrue(refused(proof(h -> { }, c -> c.put("htu", "https://evil.example/accounts/1"))).getMessage().contains("htu"));
        assertTrue(refused(proof(h -> { }, c -> c.put("htu", "http://api.example/accounts/1"))).getMessage().contains("htu"));
        assertTrue(refused(proof(h -> { }, c -> c.put("htu", 42))).getMessage().contains("htu"));
        // the same target written differently is the same htu
        verifier.verify("GET", API, List.of(proof(h -> { }, c -> c.put("htu", "HTTPS://api.EXAMPLE:443/accounts/./1"))), TOKEN, jkt(EC));
    }

    @Test
    void iat_integralAndWithinTheWindow() throws Exception {
        assertTrue(refused(proof(h -> { }, c -> c.put("iat", NOW.minusSeconds(301).getEpochSecond()))).getMessage().contains("iat"));
        assertTrue(refused(proof(h -> { }, c -> c.put("iat", NOW.plusSeconds(6).getEpochSecond()))).getMessage().contains("iat"));
        assertTrue(refused(proof(h -> { }, c -> c.put("iat", NOW.getEpochSecond() + 0.5))).getMessage().contains("integral"));
        assertTrue(refused(proof(h -> { }, c -> c.put("iat", String.valueOf(NOW.getEpochSecond())))).getMessage().contains("integral"));
        assertTrue(refused(proof(h -> { }, c -> c.put("iat", new java.math.BigInteger("99999999999999999999999")))).getMessage().contains("iat"));
        verifier.verify("GET", API, List.of(proof(h -> { }, c -> c.put("iat", NOW.minusSeconds(299).getEpochSecond()))), TOKEN, jkt(EC));
    }

    @Test
    void jti_singleUse() throws Exception {
        String proof = proof(h -> { }, c -> c.put("jti", "once"));
        verifier.verify("GET", API, List.of(proof), TOKEN, jkt(EC));
        assertTrue(refused(proof).getMessage().contains("used before"));
        assertTrue(refused(proof(h -> { }, c -> c.remove("jti"))).getMessage().contains("jti"));
    }

    @Test
    void athAndBinding_checked() throws Exception {
        assertTrue(refused(proof(h -> { }, c -> c.remove("ath"))).getMessage().contains("ath"));
        assertTrue(refused(proof(h -> { }, c -> c.put("ath", DPoPKey.accessTokenHash("another-token")))).getMessage().contains("ath"));
        String good = proof(h -> { }, c -> { });
        InvalidDPoPProofException stolen = assertThrows(InvalidDPoPProofException.class,
                () -> verifier.verify("GET", API, List.of(good), TOKEN, jkt(ec("secp256r1"))));
        assertEquals(InvalidDPoPProofException.INVALID_TOKEN, stolen.error(), "a token bound to another key, used with the thief's key");
        InvalidDPoPProofException unbound = assertThrows(InvalidDPoPProofException.class,
                () -> verifier.verify("GET", API, List.of(proof(h -> { }, c -> { })), TOKEN, null));
        assertEquals(InvalidDPoPProofException.INVALID_TOKEN, unbound.error());
        assertEquals(InvalidDPoPProofException.INVALID_DPOP_PROOF, refused(proof(h -> { }, c -> c.remove("ath"))).error());
    }

    @Test
    void serverNonces_demandedRotatedAndAnswered() throws Exception {
        Instant[] now = {NOW};
        Clock moving = new Clock() {
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            public Instant instant() {
                return now[0];
            }
        };
        DPoPNonceSource nonces = DPoPNonceSource.rotatingEvery(Duration.ofMinutes(1), moving);
        DPoPProofVerifier v = DPoPProofVerifier.builder().clock(CLOCK).nonces(nonces).build();
        InvalidDPoPProofException missing = refused(v, proof(h -> { }, c -> { }));
        assertEquals(InvalidDPoPProofException.USE_DPOP_NONCE, missing.error());
        String issued = missing.nonce().orElseThrow();
        assertEquals(nonces.current(), issued);
        v.verify("GET", API, List.of(proof(h -> { }, c -> c.put("nonce", issued))), TOKEN, jkt(EC));
        now[0] = NOW.plusSeconds(61);
        assertFalse(issued.equals(nonces.current()), "rotated");
        v.verify("GET", API, List.of(proof(h -> { }, c -> c.put("nonce", issued))), TOKEN, jkt(EC)); // previous still accepted
        now[0] = NOW.plusSeconds(200);
        InvalidDPoPProofException stale = refused(v, proof(h -> { }, c -> c.put("nonce", issued)));
        assertEquals(InvalidDPoPProofException.USE_DPOP_NONCE, stale.error());
        assertEquals(nonces.current(), stale.nonce().orElseThrow());
        assertEquals(InvalidDPoPProofException.USE_DPOP_NONCE, refused(v, proof(h -> { }, c -> c.put("nonce", "made-up"))).error());
    }

    @Test
    void boundThumbprint_readFromTokenClaims() {
        assertEquals("abc", DPoPProofVerifier.boundThumbprint(Map.of("cnf", Map.of("jkt", "abc"))));
        assertNull(DPoPProofVerifier.boundThumbprint(Map.of("cnf", Map.of("x5t#S256", "abc"))));
        assertNull(DPoPProofVerifier.boundThumbprint(Map.of("cnf", "abc")));
        assertNull(DPoPProofVerifier.boundThumbprint(Map.of()));
    }

    @Test
    void keySeenBefore_stillEveryCheck_aForgedSignatureWithTheCachedJwkRefused() throws Exception {
        String first = proof(h -> { }, c -> { });
        assertEquals(jkt(EC), verifier.verify("GET", API, List.of(first), TOKEN, jkt(EC)).thumbprint());
        // the same jwk in the header, signed by another key: the cached public key does not verify it
        String forged = proof(ec("secp256r1"), SignatureAlgorithm.ES256, EC, h -> { }, c -> { });
        InvalidDPoPProofException e = assertThrows(InvalidDPoPProofException.class,
                () -> verifier.verify("GET", API, List.of(forged), TOKEN, jkt(EC)));
        assertTrue(e.getMessage().contains("signature"), e.getMessage());
        // and the next genuine proof with the same key verifies
        assertEquals(jkt(EC), verifier.verify("GET", API, List.of(proof(h -> { }, c -> { })), TOKEN, jkt(EC)).thumbprint());
    }
}
