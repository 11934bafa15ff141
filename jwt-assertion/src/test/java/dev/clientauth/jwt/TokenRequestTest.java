package dev.clientauth.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.clientauth.certs.test.KeyAlgorithm;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.AuthenticationContext;
import dev.clientauth.core.ClientAuthentication;
import dev.clientauth.core.ClientAuthenticationException;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.HttpsMockServer;
import dev.clientauth.core.internal.FormEncoding;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TokenClient;
import dev.clientauth.core.TokenRequest;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Token requests with each assertion method against a real HTTPS endpoint, checking the exact form. */
class TokenRequestTest {
    private static final TestPki PKI = TestPki.create();
    private static final ClientId CLIENT = ClientId.of("client-7523");
    private static final String SECRET = "0123456789abcdef0123456789abcdef-secret";
    private HttpsMockServer server;

    @BeforeEach
    void start() throws Exception {
        server = new HttpsMockServer(PKI);
        server.enqueueToken();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private URI issuer() {
        return server.uri("/as");
    }

    private TokenClient client(ClientAuthentication auth) {
        return TokenClient.builder(server.uri("/as/token"), auth).issuer(issuer()).tls(server.tls()).build();
    }

    private Map<String, String> form(RecordedRequest request) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : request.getBody().utf8().split("&")) {
            String[] kv = pair.split("=", 2);
            form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return form;
    }

    @Test
    void privateKeyJwt_exactFormBody() throws Exception {
        KeyPair keys = KeyAlgorithm.EC_P256.generate();
        client(PrivateKeyJwt.of(CLIENT, JcaSigner.of(keys))).requestToken(TokenRequest.builder().scope("accounts").build());
        RecordedRequest request = server.server.takeRequest(5, TimeUnit.SECONDS);
        Map<String, String> form = form(request);
        assertEquals(List.of("grant_type", "scope", "client_assertion_type", "client_assertion", "client_id"),
                List.copyOf(form.keySet()));
        String assertion = form.get("client_assertion");
        assertEquals("grant_type=client_credentials&scope=accounts"
                + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                + "&client_assertion=" + FormEncoding.encode(assertion) + "&client_id=client-7523", request.getBody().utf8());
        assertEquals(null, request.getHeaders().get("Authorization"));
        SignedJWT jwt = Verification.verifySignature(assertion, keys.getPublic());
        assertEquals(issuer().toString(), jwt.getPayload().toJSONObject().get("aud"));
        new Verification.SdkVerifier(issuer().toString(), List.of(keys.getPublic()), null)
                .verify(CLIENT.value(), assertion, false);
    }

    @Test
    void privateKeyJwt_omitClientId_leavesItOut() throws Exception {
        client(PrivateKeyJwt.builder(CLIENT, JcaSigner.of(KeyAlgorithm.EC_P256.generate())).omitClientIdParameter().build())
                .requestToken(TokenRequest.clientCredentials());
        assertFalse(form(server.server.takeRequest(5, TimeUnit.SECONDS)).containsKey("client_id"));
    }

    @Test
    void clientSecretJwt_hs256_verifiesWithSecret() throws Exception {
        client(ClientSecretJwt.of(CLIENT, Secret.of(SECRET))).requestToken(TokenRequest.clientCredentials());
        Map<String, String> form = form(server.server.takeRequest(5, TimeUnit.SECONDS));
        assertEquals("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", form.get("client_assertion_type"));
        assertEquals("client-7523", form.get("client_id"));
        assertFalse(form.containsKey("client_secret"));
        SignedJWT jwt = SignedJWT.parse(form.get("client_assertion"));
        assertEquals("HS256", jwt.getHeader().getAlgorithm().getName());
        assertTrue(jwt.verify(new MACVerifier(SECRET.getBytes(StandardCharsets.UTF_8))));
        new Verification.SdkVerifier(issuer().toString(), List.of(), SECRET).verify(CLIENT.value(), jwt.serialize(), true);
    }

    @Test
    void clientSecretJwt_hs512_andShortSecretRefused() throws Exception {
        ClientSecretJwt hs512 = ClientSecretJwt.builder(CLIENT, Secret.of(SECRET + SECRET)).algorithm(SignatureAlgorithm.HS512).build();
        SignedJWT jwt = SignedJWT.parse(hs512.createAssertion(
                new AuthenticationContext(issuer(), server.uri("/as/token"), Clock.systemUTC())).serialize());
        assertEquals("HS512", jwt.getHeader().getAlgorithm().getName());
        assertTrue(jwt.verify(new MACVerifier((SECRET + SECRET).getBytes(StandardCharsets.UTF_8))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClientSecretJwt.of(CLIENT, Secret.of("short-secret")));
        assertTrue(e.getMessage().contains("32 bytes") && !e.getMessage().contains("short-secret"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClientSecretJwt.builder(CLIENT, Secret.of(SECRET))
                .algorithm(SignatureAlgorithm.HS512).build());
        assertThrows(IllegalArgumentException.class, () -> ClientSecretJwt.builder(CLIENT, Secret.of(SECRET))
                .algorithm(SignatureAlgorithm.ES256));
        assertFalse(ClientSecretJwt.of(CLIENT, Secret.of(SECRET)).toString().contains(SECRET));
    }

    @Test
    void remoteSigner_kmsStyleDerSignatures_verifyAndAreSent() throws Exception {
        KeyPair kmsKey = KeyAlgorithm.EC_P256.generate(); // held by the "KMS": only the function touches it
        RemoteSigner.SignFunction kms = input -> {
            Signature signature = Signature.getInstance("SHA256withECDSA");
            signature.initSign(kmsKey.getPrivate());
            signature.update(input);
            return signature.sign(); // DER, as AWS KMS, GCP KMS and Vault Transit return
        };
        RemoteSigner signer = RemoteSigner.builder(SignatureAlgorithm.ES256, "kms-key-1", kms)
                .derEncodedEcdsa().publicKey(kmsKey.getPublic()).build();
        client(PrivateKeyJwt.of(CLIENT, signer)).requestToken(TokenRequest.clientCredentials());
        String assertion = form(server.server.takeRequest(5, TimeUnit.SECONDS)).get("client_assertion");
        SignedJWT jwt = Verification.verifySignature(assertion, kmsKey.getPublic());
        assertEquals("kms-key-1", jwt.getHeader().getKeyID());
    }

    @Test
    void remoteSigner_throws_clearErrorAndNothingSent() {
        RemoteSigner signer = RemoteSigner.builder(SignatureAlgorithm.ES256, "kms-key-1", input -> {
            throw new java.io.IOException("KMS unavailable: secret-arn-xyz");
        }).build();
        ClientAuthenticationException e = assertThrows(ClientAuthenticationException.class,
                () -> client(PrivateKeyJwt.of(CLIENT, signer)).requestToken(TokenRequest.clientCredentials()));
        assertTrue(e.getMessage().contains("kms-key-1") && e.getMessage().contains("IOException"), e.getMessage());
        assertEquals(0, server.server.getRequestCount());
    }

    @Test
    void remoteSigner_garbage_clearErrorAndNothingSent() {
        KeyPair key = KeyAlgorithm.EC_P256.generate();
        List<RemoteSigner> garbage = List.of(
                RemoteSigner.builder(SignatureAlgorithm.ES256, "k", input -> new byte[64]).publicKey(key.getPublic()).build(),
                RemoteSigner.builder(SignatureAlgorithm.ES256, "k", input -> new byte[13]).build(),
                RemoteSigner.builder(SignatureAlgorithm.ES256, "k", input -> null).build(),
                RemoteSigner.builder(SignatureAlgorithm.ES256, "k", input -> "not der".getBytes()).derEncodedEcdsa().build(),
                RemoteSigner.builder(SignatureAlgorithm.PS256, "k", input -> new byte[100])
                        .publicKey(KeyAlgorithm.RSA_2048.generate().getPublic()).build());
        for (RemoteSigner signer : garbage) {
            ClientAuthenticationException e = assertThrows(ClientAuthenticationException.class,
                    () -> client(PrivateKeyJwt.of(CLIENT, signer)).requestToken(TokenRequest.clientCredentials()));
            assertTrue(e.getMessage().contains("signer for key k"), e.getMessage());
        }
        assertEquals(0, server.server.getRequestCount());
    }

    @Test
    void externalAssertion_sentAsIs_andInvalidOnesRefused() throws Exception {
        String minted = PrivateKeyJwt.of(CLIENT, JcaSigner.of(KeyAlgorithm.EC_P256.generate()))
                .createAssertion(new AuthenticationContext(issuer(), server.uri("/as/token"), Clock.systemUTC())).serialize();
        client(ExternalClientAssertion.of(CLIENT, () -> minted)).requestToken(TokenRequest.clientCredentials());
        Map<String, String> form = form(server.server.takeRequest(5, TimeUnit.SECONDS));
        assertEquals(minted, form.get("client_assertion"));
        assertEquals("client-7523", form.get("client_id"));
        String unsigned = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
                + ".e30.x";
        java.util.function.Function<String, String> withHeader = header -> java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(header.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ".e30.x";
        for (String bad : new String[] {"", "not-a-jwt", "a.b", unsigned, withHeader.apply("{\"alg\":\"NONE\"}"),
                withHeader.apply("{\"alg\"\t:\n\"none\"}"), withHeader.apply("{\"alg\":\"\\u006eone\"}"),
                withHeader.apply("{\"alg\":\" none \"}"), withHeader.apply("{\"typ\":\"JWT\"}"), withHeader.apply("not json")}) {
            assertThrows(ClientAuthenticationException.class,
                    () -> client(ExternalClientAssertion.of(CLIENT, () -> bad)).requestToken(TokenRequest.clientCredentials()));
        }
        assertThrows(ClientAuthenticationException.class, () -> client(ExternalClientAssertion.of(CLIENT, () -> {
            throw new IllegalStateException("sidecar down");
        })).requestToken(TokenRequest.clientCredentials()));
        assertEquals(1, server.server.getRequestCount());
    }
}
