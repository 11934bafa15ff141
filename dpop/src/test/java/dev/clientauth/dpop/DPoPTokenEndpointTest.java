package dev.clientauth.dpop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import dev.clientauth.certs.test.ServerTls;
import dev.clientauth.certs.test.SoftHsmToken;
import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.AccessToken;
import dev.clientauth.core.ClientAuthentication;
import dev.clientauth.core.ClientAuthenticationException;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.ClientSecretPost;
import dev.clientauth.core.DPoPException;
import dev.clientauth.core.HttpsMockServer;
import dev.clientauth.core.MalformedTokenResponseException;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TestIdentity;
import dev.clientauth.core.TokenClient;
import dev.clientauth.core.TokenRequest;
import dev.clientauth.core.TokenRequestException;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.TokenType;
import dev.clientauth.core.metadata.InvalidMetadataException;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.KeyStoreSigners;
import dev.clientauth.jwt.PrivateKeyJwt;
import dev.clientauth.jwt.SignatureAlgorithm;
import java.net.URI;
import java.security.AuthProvider;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DPoP at the token endpoint, scripted with a real HTTPS MockWebServer on 127.0.0.1. */
class DPoPTokenEndpointTest {
    private static final TestPki PKI = TestPki.create();
    private static final String SECRET = "s3cr3t-never-printed";
    private static final String TOKEN = "dpop-at-2YotnFZFEjr1zCsicMWpAA";
    private HttpsMockServer server;
    private final DPoP dpop = DPoP.withNewKey();

    @BeforeEach
    void start() throws Exception {
        server = new HttpsMockServer(PKI);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TokenClient client(ClientAuthentication auth) {
        return TokenClient.builder(server.uri("/token"), auth).issuer(server.uri("")).tls(server.tls()).dpop(dpop).build();
    }

    private TokenClient client() {
        return client(ClientSecretBasic.of(ClientId.of("c"), Secret.of(SECRET)));
    }

    private void enqueueDPoPToken() {
        server.enqueueJson(200, "{\"access_token\":\"" + TOKEN + "\",\"token_type\":\"DPoP\",\"expires_in\":300}");
    }

    private void enqueueNonceChallenge(String nonce) {
        MockResponse.Builder response = new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
                .body("{\"error\":\"use_dpop_nonce\",\"error_description\":\"Authorization server requires nonce in DPoP proof\"}");
        if (nonce != null) {
            response.addHeader("DPoP-Nonce", nonce);
        }
        server.server.enqueue(response.build());
    }

    private static SignedJWT proofOf(RecordedRequest request) throws Exception {
        String proof = request.getHeaders().get("DPoP");
        assertTrue(proof != null, "no DPoP header");
        return SignedJWT.parse(proof);
    }

    private static void assertNothingLeaked(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            assertFalse(message.contains(SECRET) || message.contains(TOKEN) || message.contains("eyJ"), message);
        }
    }

    static List<ClientAuthentication> methods(HttpsMockServer server) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        List<ClientAuthentication> methods = new ArrayList<>();
        methods.add(ClientSecretBasic.of(ClientId.of("c"), Secret.of(SECRET)));
        methods.add(ClientSecretPost.of(ClientId.of("c"), Secret.of(SECRET)));
        methods.add(PrivateKeyJwt.of(ClientId.of("c"), JcaSigner.of(generator.generateKeyPair())));
        return methods;
    }

    @ParameterizedTest
    @ValueSource(strings = {"client_secret_basic", "client_secret_post", "private_key_jwt"})
    void everyMethod_sendsAVerifiableProof_tokenBoundToTheKey(String method) throws Exception {
        ClientAuthentication auth = methods(server).stream().filter(m -> m.method().value().equals(method)).findFirst().orElseThrow();
        enqueueDPoPToken();
        AccessToken token = client(auth).requestToken(TokenRequest.clientCredentials()).accessToken();
        assertEquals(TokenType.DPOP, token.type());
        assertEquals(dpop.thumbprint(), token.boundKey().orElseThrow());
        RecordedRequest request = server.server.takeRequest();
        DPoPProofVerifier.VerifiedProof verified = DPoPProofVerifier.builder().build().verify("POST", server.uri("/token"),
                request.getHeaders().values("DPoP"), null, null);
        assertEquals(dpop.thumbprint(), verified.thumbprint());
        assertNull(proofOf(request).getJWTClaimsSet().getClaim("ath"), "no ath at the token endpoint");
    }

    @Test
    void clientCertificateAndDPoP_together() throws Exception {
        try (HttpsMockServer mtls = new HttpsMockServer(PKI, ServerTls.ClientAuth.NEED)) {
            TestIdentity identity = new TestIdentity(PKI.clientCertificate());
            mtls.enqueueJson(200, "{\"access_token\":\"" + TOKEN + "\",\"token_type\":\"DPoP\",\"expires_in\":300}");
            TokenClient client = TokenClient.builder(mtls.uri("/token"), ClientSecretBasic.of(ClientId.of("c"), Secret.of(SECRET)))
                    .tls(mtls.tls(identity)).dpop(dpop).build();
            AccessToken token = client.requestToken(TokenRequest.clientCredentials()).accessToken();
            assertEquals(dpop.thumbprint(), token.boundKey().orElseThrow());
            RecordedRequest request = mtls.server.takeRequest();
            assertEquals(PKI.clientCertificate().certificate(), request.getHandshake().peerCertificates().get(0));
            DPoPProofVerifier.builder().build().verify("POST", mtls.uri("/token"), request.getHeaders().values("DPoP"), null, null);
        }
    }

    @Test
    void useDPoPNonce_retriedOnceWithTheNonce_freshAssertion() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        TokenClient client = client(PrivateKeyJwt.of(ClientId.of("c"), JcaSigner.of(generator.generateKeyPair())));
        enqueueNonceChallenge("as-nonce-1");
        enqueueDPoPToken();
        assertEquals(TOKEN, client.requestToken(TokenRequest.clientCredentials()).accessToken().value());
        RecordedRequest first = server.server.takeRequest();
        RecordedRequest second = server.server.takeRequest();
        assertNull(proofOf(first).getJWTClaimsSet().getClaim("nonce"));
        assertEquals("as-nonce-1", proofOf(second).getJWTClaimsSet().getClaim("nonce"));
        assertNotEquals(proofOf(first).getJWTClaimsSet().getJWTID(), proofOf(second).getJWTClaimsSet().getJWTID());
        assertNotEquals(assertionJti(first), assertionJti(second), "a retried request carries a new client assertion");
        // the nonce is remembered for the authorization server's origin
        enqueueDPoPToken();
        client.requestToken(TokenRequest.clientCredentials());
        assertEquals("as-nonce-1", proofOf(server.server.takeRequest()).getJWTClaimsSet().getClaim("nonce"));
        assertEquals(java.util.Optional.empty(), dpop.nonces().nonceFor(URI.create("https://api.example/")));
    }

    private static String assertionJti(RecordedRequest request) throws Exception {
        String body = request.getBody().utf8();
        String assertion = body.replaceAll(".*client_assertion=([^&]+).*", "$1");
        return SignedJWT.parse(assertion).getJWTClaimsSet().getJWTID();
    }

    @Test
    void newNonceDemandedOnEveryAttempt_oneRetry_thenTypedErrorNamingTheOrigin() {
        enqueueNonceChallenge("n-1");
        enqueueNonceChallenge("n-2");
        DPoPException e = assertThrows(DPoPException.class, () -> client().requestToken(TokenRequest.clientCredentials()));
        assertEquals(2, server.server.getRequestCount());
        assertTrue(e.getMessage().contains("https://127.0.0.1:" + server.server.getPort()), e.getMessage());
        assertTrue(e.isRetryable());
        assertFalse(e.getMessage().contains("n-2"), "a nonce is not echoed");
        assertNothingLeaked(e);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void invalidNonceHeader_typedError_noRetry_notRemembered(int kind) {
        String nonce = switch (kind) {
            case 0 -> "";
            case 1 -> "x".repeat(1025);
            case 2 -> "two words";
            default -> null; // no header at all
        };
        MockResponse.Builder response = new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
                .body("{\"error\":\"use_dpop_nonce\"}");
        if (nonce != null) {
            response.addHeader("DPoP-Nonce", nonce);
        }
        server.server.enqueue(response.build());
        DPoPException e = assertThrows(DPoPException.class, () -> client().requestToken(TokenRequest.clientCredentials()));
        assertEquals(1, server.server.getRequestCount());
        assertTrue(e.getMessage().contains("without a valid new DPoP-Nonce"), e.getMessage());
        assertEquals(java.util.Optional.empty(), dpop.nonces().nonceFor(server.uri("/token")));
        assertNothingLeaked(e);
    }

    @Test
    void bearerWhenDPoPAsked_typedError_unlessFallbackAllowed() throws Exception {
        server.enqueueJson(200, "{\"access_token\":\"" + TOKEN + "\",\"token_type\":\"Bearer\",\"expires_in\":300}");
        DPoPException e = assertThrows(DPoPException.class, () -> client().requestToken(TokenRequest.clientCredentials()));
        assertTrue(e.getMessage().contains("does not support DPoP") && e.getMessage().contains("allowBearerFallback"),
                e.getMessage());
        assertFalse(e.isRetryable());
        assertNothingLeaked(e);

        server.enqueueJson(200, "{\"access_token\":\"" + TOKEN + "\",\"token_type\":\"Bearer\",\"expires_in\":300}");
        AccessToken token = TokenClient.builder(server.uri("/token"), ClientSecretBasic.of(ClientId.of("c"), Secret.of(SECRET)))
                .tls(server.tls()).dpop(dpop).allowBearerFallback().build().requestToken(TokenRequest.clientCredentials())
                .accessToken();
        assertEquals(TokenType.BEARER, token.type());
        assertTrue(token.boundKey().isEmpty());
    }

    @Test
    void dpopTokenWhenDPoPNotAsked_refused() {
        server.enqueueJson(200, "{\"access_token\":\"" + TOKEN + "\",\"token_type\":\"DPoP\",\"expires_in\":300}");
        TokenClient plain = TokenClient.builder(server.uri("/token"), ClientSecretBasic.of(ClientId.of("c"), Secret.of(SECRET)))
                .tls(server.tls()).build();
        MalformedTokenResponseException e = assertThrows(MalformedTokenResponseException.class,
                () -> plain.requestToken(TokenRequest.clientCredentials()));
        assertNothingLeaked(e);
    }

    @Test
    void jwtAccessTokenBoundToAnotherKey_refused() throws Exception {
        String other = DPoPKey.generate().thumbprint();
        String jwt = "eyJhbGciOiJFUzI1NiJ9." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"sub\":\"c\",\"cnf\":{\"jkt\":\"" + other + "\"}}").getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ".sig";
        server.enqueueJson(200, "{\"access_token\":\"" + jwt + "\",\"token_type\":\"DPoP\",\"expires_in\":300}");
        MalformedTokenResponseException e = assertThrows(MalformedTokenResponseException.class,
                () -> client().requestToken(TokenRequest.clientCredentials()));
        assertTrue(e.getMessage().contains(other) && e.getMessage().contains(dpop.thumbprint()), e.getMessage());
        assertFalse(e.getMessage().contains(jwt));
    }

    private String metadata(String algorithms) {
        return "{\"issuer\":\"" + server.uri("") + "\",\"token_endpoint\":\"" + server.uri("/token") + "\""
                + (algorithms == null ? "" : ",\"dpop_signing_alg_values_supported\":" + algorithms) + "}";
    }

    @Test
    void keyAlgorithmNotListedInDiscovery_failsClearly_beforeAnyTokenRequest() {
        server.enqueueJson(200, metadata("[\"PS256\",\"RS256\"]"));
        try (TokenSource source = TokenSource.forIssuer(server.uri(""), ClientSecretBasic.of(ClientId.of("c"), Secret.of(SECRET)))
                .tls(server.tls()).dpop(dpop).build()) {
            InvalidMetadataException e = assertThrows(InvalidMetadataException.class, source::token);
            assertTrue(e.getMessage().contains("ES256") && e.getMessage().contains("[PS256, RS256]"), e.getMessage());
            assertEquals(1, server.server.getRequestCount(), "only discovery, no token request");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"[\"ES256\",\"EdDSA\"]", "absent"})
    void keyAlgorithmListed_orListAbsent_works(String algorithms) throws Exception {
        server.enqueueJson(200, metadata(algorithms.equals("absent") ? null : algorithms));
        enqueueDPoPToken();
        try (TokenSource source = TokenSource.forIssuer(server.uri(""), ClientSecretBasic.of(ClientId.of("c"), Secret.of(SECRET)))
                .tls(server.tls()).dpop(dpop).build()) {
            assertEquals(dpop.thumbprint(), source.token().boundKey().orElseThrow());
        }
    }

    @Test
    void tokenSourceCacheKeyIncludesTheKey_replacedKeyMeansANewToken() throws Exception {
        enqueueDPoPToken();
        server.enqueueJson(200, "{\"access_token\":\"second\",\"token_type\":\"DPoP\",\"expires_in\":300}");
        try (TokenSource source = TokenSource.forTokenEndpoint(server.uri("/token"),
                ClientSecretBasic.of(ClientId.of("c"), Secret.of(SECRET))).tls(server.tls()).dpop(dpop).build()) {
            AccessToken first = source.token();
            assertEquals(first, source.token());
            dpop.replaceKey(DPoPKey.generate());
            AccessToken second = source.token();
            assertEquals("second", second.value());
            assertEquals(dpop.thumbprint(), second.boundKey().orElseThrow());
            assertEquals(2, server.server.getRequestCount());
            assertTrue(source.dpop().isPresent());
        }
    }

    @Test
    void hsmKeyLostMidRun_typedError_nothingSent_thenRecovers() throws Exception {
        SoftHsmToken token = SoftHsmToken.shared();
        SoftHsmToken.HsmKey key = token.generateEcP256("dpop-ec");
        JcaSigner signer = KeyStoreSigners.pkcs11(token.provider(), key.alias(), Secret.of(SoftHsmToken.PIN)).build();
        DPoP hsm = DPoP.with(DPoPKey.of(signer, key.certificate().getPublicKey()));
        TokenClient client = TokenClient.builder(server.uri("/token"), ClientSecretBasic.of(ClientId.of("c"), Secret.of(SECRET)))
                .tls(server.tls()).dpop(hsm).build();
        enqueueDPoPToken();
        assertEquals(hsm.thumbprint(), client.requestToken(TokenRequest.clientCredentials()).accessToken().boundKey().orElseThrow());
        ((AuthProvider) token.provider()).logout();
        ClientAuthenticationException e = assertThrows(ClientAuthenticationException.class,
                () -> client.requestToken(TokenRequest.clientCredentials()));
        assertTrue(e.getMessage().contains("jkt=" + hsm.thumbprint()), e.getMessage());
        assertFalse(e.getMessage().contains(SoftHsmToken.PIN));
        assertEquals(1, server.server.getRequestCount(), "nothing was sent without a proof");
        enqueueDPoPToken();
        TokenRequestException none = null;
        try {
            client.requestToken(TokenRequest.clientCredentials());
        } catch (TokenRequestException again) {
            none = again;
        }
        assertNull(none, "the next proof logs in again");
        assertEquals(SignatureAlgorithm.ES256.joseName(), hsm.algorithm());
    }

    @Test
    void proofAndNonceStayOutOfToStringAndErrors() throws Exception {
        DPoP.Proof proof = dpop.proof("POST", server.uri("/token"), null);
        assertFalse(proof.toString().contains(proof.value()));
        assertTrue(proof.toString().contains(dpop.thumbprint()));
        server.enqueueJson(400, "{\"error\":\"invalid_dpop_proof\",\"error_description\":\"" + proof.value() + "\"}");
        TokenRequestException e = assertThrows(TokenRequestException.class, () -> client().requestToken(TokenRequest.clientCredentials()));
        assertInstanceOf(dev.clientauth.core.OAuthErrorResponseException.class, e);
        assertFalse(dpop.toString().contains("eyJ"));
    }
}
