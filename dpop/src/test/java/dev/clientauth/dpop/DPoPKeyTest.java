package dev.clientauth.dpop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.Jwks;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class DPoPKeyTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** Checks the signature with the JDK's own provider against the key in the proof's header. */
    private static boolean verifies(String proof) throws Exception {
        SignedJWT jwt = SignedJWT.parse(proof);
        JWK jwk = jwt.getHeader().getJWK();
        PublicKey key = Jwks.toPublicKey(jwk).orElseThrow();
        byte[] input = jwt.getSigningInput();
        byte[] signature = jwt.getSignature().decode();
        String alg = jwt.getHeader().getAlgorithm().getName();
        Signature verifier;
        switch (alg) {
            case "ES256":
                verifier = Signature.getInstance("SHA256withECDSA", "SunEC");
                signature = ECDSA.transcodeSignatureToDER(signature);
                break;
            case "EdDSA":
                verifier = Signature.getInstance("Ed25519", "SunEC");
                break;
            case "PS256":
                verifier = Signature.getInstance("RSASSA-PSS", "SunRsaSign");
                verifier.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                break;
            default:
                throw new AssertionError(alg);
        }
        verifier.initVerify(key);
        verifier.update(input);
        return verifier.verify(signature);
    }

    @ParameterizedTest
    @EnumSource(value = SignatureAlgorithm.class, names = {"ES256", "EdDSA", "PS256"})
    void proof_hasTheRfc9449HeaderAndClaims_andVerifiesWithTheEmbeddedKey(SignatureAlgorithm algorithm) throws Exception {
        DPoPKey key = DPoPKey.generate(algorithm, CLOCK);
        String proof = key.proof("POST", URI.create("https://as.example/token?x=1#frag"));
        assertTrue(verifies(proof));
        SignedJWT jwt = SignedJWT.parse(proof);
        JWSHeader header = jwt.getHeader();
        assertEquals("dpop+jwt", header.getType().toString());
        assertEquals(algorithm.joseName(), header.getAlgorithm().getName());
        assertFalse(header.getJWK().isPrivate());
        Map<String, Object> jwk = header.getJWK().toJSONObject();
        for (String privateMember : new String[] {"d", "p", "q", "dp", "dq", "qi"}) {
            assertFalse(jwk.containsKey(privateMember), privateMember);
        }
        assertEquals(key.thumbprint(), header.getJWK().computeThumbprint().toString(), "jkt is the header key's thumbprint");
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertEquals("POST", claims.getStringClaim("htm"));
        assertEquals("https://as.example/token", claims.getStringClaim("htu"));
        assertEquals(NOW, claims.getIssueTime().toInstant());
        assertTrue(SignedJWT.parse(proof).getPayload().toString().contains("\"iat\":" + NOW.getEpochSecond()), "iat is an integer");
        assertTrue(Base64URL.from(claims.getJWTID()).decode().length >= 16, "jti carries at least 128 bits");
        assertNull(claims.getClaim("nonce"));
        assertNull(claims.getClaim("ath"));
    }

    @Test
    void nonceWithJsonSpecialCharacters_roundTripsThroughAJsonParser() throws Exception {
        String nonce = "a\"b\\c{}:,'~";
        DPoPKey key = DPoPKey.generate();
        JWTClaimsSet claims = SignedJWT.parse(key.proof("PATCH", URI.create("https://api.example/x%2Fy/../z?q=%221%22"), nonce,
                "token")).getJWTClaimsSet();
        assertEquals(nonce, claims.getStringClaim("nonce"));
        assertEquals("https://api.example/z", claims.getStringClaim("htu"));
        assertEquals("PATCH", claims.getStringClaim("htm"));
        assertEquals(DPoPKey.accessTokenHash("token"), claims.getStringClaim("ath"));
        assertEquals(22, claims.getJWTID().length(), "128 bits, base64url without padding");
    }

    @Test
    void resourceRequestProof_carriesAthAndNonce() throws Exception {
        DPoPKey key = DPoPKey.generate();
        String token = "eyJ.access.token";
        String proof = key.proof("GET", URI.create("https://api.example/accounts"), "server-nonce-1", token);
        assertTrue(verifies(proof));
        JWTClaimsSet claims = SignedJWT.parse(proof).getJWTClaimsSet();
        String expected = Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)))
                .toString();
        assertEquals(expected, claims.getStringClaim("ath"));
        assertEquals("server-nonce-1", claims.getStringClaim("nonce"));
        assertFalse(proof.contains(token), "the token itself is not in the proof");
    }

    @Test
    void everyProofIsNew_evenForTheSameRequest() throws Exception {
        DPoPKey key = DPoPKey.generate(SignatureAlgorithm.ES256, CLOCK);
        Set<String> jtis = new HashSet<>();
        Set<String> proofs = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            String proof = key.proof("GET", URI.create("https://api.example/x"));
            proofs.add(proof);
            jtis.add(SignedJWT.parse(proof).getJWTClaimsSet().getJWTID());
        }
        assertEquals(500, jtis.size());
        assertEquals(500, proofs.size());
    }

    @ParameterizedTest
    @CsvSource({
        "HTTPS://API.Example:443/a/./b/../c?q=1#f, https://api.example/a/c",
        "http://api.example:80, http://api.example/",
        "https://api.example:8443/x, https://api.example:8443/x",
        "https://api.example/%7euser/%2f/%c3%a9, https://api.example/~user/%2F/%C3%A9",
        "https://api.example, https://api.example/",
    })
    void htu_isNormalised(String uri, String expected) {
        assertEquals(expected, DPoPKey.htu(URI.create(uri)));
    }

    @ParameterizedTest
    @CsvSource({"/relative", "ftp://files.example/x", "https://user:pw@api.example/x", "mailto:a@b"})
    void htu_refusesWhatIsNotAnHttpTarget_withoutEchoingCredentials(String uri) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DPoPKey.htu(URI.create(uri)));
        assertFalse(e.getMessage().contains("pw"), e.getMessage());
    }

    @Test
    void methodAndNonce_checked() {
        DPoPKey key = DPoPKey.generate();
        URI uri = URI.create("https://api.example/x");
        assertThrows(IllegalArgumentException.class, () -> key.proof("GET\r\nX: y", uri));
        assertThrows(IllegalArgumentException.class, () -> key.proof("", uri));
        assertThrows(IllegalArgumentException.class, () -> key.proof("GET", uri, "", null));
        assertThrows(IllegalArgumentException.class, () -> key.proof("GET", uri, "a b", null));
        assertThrows(IllegalArgumentException.class, () -> key.proof("GET", uri, "n".repeat(1025), null));
    }

    @Test
    void hmacKey_refused() throws Exception {
        javax.crypto.spec.SecretKeySpec secret = new javax.crypto.spec.SecretKeySpec(new byte[32], "HmacSHA256");
        KeyPair pair = KeyPairGenerator.getInstance("EC").generateKeyPair();
        dev.clientauth.jwt.SigningKey hmac = new dev.clientauth.jwt.SigningKey() {
            public SignatureAlgorithm algorithm() {
                return SignatureAlgorithm.HS256;
            }

            public java.util.Optional<String> keyId() {
                return java.util.Optional.empty();
            }

            public byte[] sign(byte[] input) {
                return secret.getEncoded();
            }
        };
        assertThrows(IllegalArgumentException.class, () -> DPoPKey.of(hmac, pair.getPublic()));
    }

    @Test
    void configuredKey_signsThroughItsSigner_andToStringShowsNoKeyMaterial() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair pair = generator.generateKeyPair();
        DPoPKey key = DPoPKey.of(JcaSigner.of(pair), pair.getPublic());
        assertEquals(Jwks.thumbprint(pair.getPublic()), key.thumbprint());
        String proof = key.proof("GET", URI.create("https://api.example/x"));
        assertTrue(verifies(proof));
        assertEquals(key.thumbprint(), JWSObject.parse(proof).getHeader().getJWK().computeThumbprint().toString());
        String text = key.toString();
        assertTrue(text.contains(key.thumbprint()), text);
        assertFalse(text.contains(Base64URL.encode(pair.getPrivate().getEncoded()).toString().substring(0, 20)), text);
        assertNotEquals(key.proof("GET", URI.create("https://api.example/x")), proof);
    }

    @Test
    void nonces_arePerOrigin_andChecked() {
        DPoPNonces nonces = new DPoPNonces();
        nonces.update(URI.create("https://as.example/token"), "as-1");
        nonces.update(URI.create("https://api.example:443/a"), "rs-1");
        assertEquals("as-1", nonces.nonceFor(URI.create("https://AS.example:443/other")).orElseThrow());
        assertEquals("rs-1", nonces.nonceFor(URI.create("https://api.example/b")).orElseThrow());
        assertTrue(nonces.nonceFor(URI.create("https://api.example:8443/b")).isEmpty(), "another port is another origin");
        assertTrue(nonces.nonceFor(URI.create("http://api.example/b")).isEmpty(), "another scheme is another origin");
        assertThrows(IllegalArgumentException.class, () -> nonces.update(URI.create("https://as.example/t"), "bad\u00e9"));
        assertEquals("as-1", nonces.nonceFor(URI.create("https://as.example/token")).orElseThrow(), "a refused nonce changes nothing");
        nonces.update(URI.create("https://as.example/token"), "as-2");
        assertEquals("as-2", nonces.nonceFor(URI.create("https://as.example/token")).orElseThrow());
    }
}
