package dev.clientauth.dpop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.TestPki;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.HttpsMockServer;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.TokenType;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every API adapter is tested against for DPoP (shared through the test jar): an HTTPS
 * authorization server and resource server on 127.0.0.1 that verify every proof with
 * {@link DPoPProofVerifier}, can demand nonces, and a second origin that records what reaches it.
 */
public abstract class DPoPAdapterTestBase {
    protected static final TestPki PKI = TestPki.create();
    protected HttpsMockServer server;
    protected HttpsMockServer other;
    protected DPoP dpop;
    protected TokenSource source;
    protected final AtomicInteger tokens = new AtomicInteger();
    /** The result of each API request the server saw: "ok" or the error code it answered. */
    protected final List<String> apiResults = new CopyOnWriteArrayList<>();
    /** The nonce each API proof carried ("-" for none). */
    protected final List<String> apiNonces = new CopyOnWriteArrayList<>();
    /** The nonce each token request proof carried ("-" for none). */
    protected final List<String> tokenNonces = new CopyOnWriteArrayList<>();
    protected final List<String> otherHeaders = new CopyOnWriteArrayList<>();
    /** When set, the resource server demands this nonce source's nonces. */
    protected volatile DPoPNonceSource resourceNonces;
    /** When true, the resource server answers use_dpop_nonce with a new nonce every time. */
    protected volatile boolean resourceNonceEveryTime;
    /** How many API requests are answered 401 invalid_token before the real check. */
    protected final AtomicInteger rejectTokens = new AtomicInteger();
    /** When set, the API answers with a redirect to this path of the other origin. */
    protected volatile String redirectTo;
    private final Map<String, String> issued = new ConcurrentHashMap<>();
    private final DPoPProofVerifier tokenEndpointVerifier = DPoPProofVerifier.builder().build();
    private final DPoPProofVerifier apiVerifier = DPoPProofVerifier.builder().build();

    /** Sends one request through the adapter under test; returns the status the caller got. */
    protected abstract int call(String method, URI uri, String body) throws Exception;

    @BeforeEach
    void startServers() throws Exception {
        server = new HttpsMockServer(PKI);
        other = new HttpsMockServer(PKI);
        server.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return request.getTarget().equals("/token") ? token(request) : api(request);
            }
        });
        other.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                otherHeaders.add(request.getHeaders().get("Authorization") + " " + request.getHeaders().get("DPoP"));
                return new MockResponse.Builder().code(200).body("other").build();
            }
        });
        dpop = DPoP.withNewKey();
        source = TokenSource.forTokenEndpoint(server.uri("/token"), ClientSecretBasic.of(ClientId.of("c"), Secret.of("s")))
                .tls(server.tls()).dpop(dpop).build();
    }

    @AfterEach
    void stopServers() {
        source.close();
        server.close();
        other.close();
    }

    private MockResponse token(RecordedRequest request) {
        try {
            String proof = request.getHeaders().get("DPoP");
            DPoPProofVerifier.VerifiedProof verified = tokenEndpointVerifier.verify("POST", server.uri(request.getTarget()),
                    proof == null ? List.of() : List.of(proof), null, null);
            tokenNonces.add(nonceOf(proof));
            String value = "dpop-tok-" + tokens.incrementAndGet();
            issued.put(value, verified.thumbprint());
            return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                    .body("{\"access_token\":\"" + value + "\",\"token_type\":\"DPoP\",\"expires_in\":3600}").build();
        } catch (InvalidDPoPProofException e) {
            return new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
                    .body("{\"error\":\"" + e.error() + "\"}").build();
        }
    }

    private MockResponse api(RecordedRequest request) {
        String authorization = String.valueOf(request.getHeaders().get("Authorization"));
        String proof = request.getHeaders().get("DPoP");
        apiNonces.add(nonceOf(proof));
        if (rejectTokens.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            apiResults.add("invalid_token");
            return new MockResponse.Builder().code(401).addHeader("WWW-Authenticate",
                    "DPoP algs=\"ES256 EdDSA\", error=\"invalid_token\"").body("").build();
        }
        if (!authorization.startsWith("DPoP ")) {
            apiResults.add("no DPoP authorization: " + authorization + (proof == null ? "" : " but a proof"));
            return new MockResponse.Builder().code(401).body("").build();
        }
        String token = authorization.substring(5);
        if (resourceNonceEveryTime) {
            apiResults.add("use_dpop_nonce");
            return new MockResponse.Builder().code(401).addHeader("DPoP-Nonce", "n-" + System.nanoTime())
                    .addHeader("WWW-Authenticate", "DPoP error=\"use_dpop_nonce\"").body("").build();
        }
        DPoPProofVerifier verifier = resourceNonces == null ? apiVerifier
                : DPoPProofVerifier.builder().nonces(resourceNonces).build();
        try {
            verifier.verify(request.getMethod(), server.uri(request.getTarget()),
                    proof == null ? List.of() : List.of(proof), token, issued.get(token));
            apiResults.add("ok");
            if (request.getTarget().startsWith("/moved")) {
                return new MockResponse.Builder().code(307).addHeader("Location", "/accounts/moved-here").body("").build();
            }
            if (redirectTo != null) {
                return new MockResponse.Builder().code(307).addHeader("Location", other.uri(redirectTo).toString()).body("").build();
            }
            return new MockResponse.Builder().code(200).body("ok " + request.getMethod() + " " + request.getTarget()).build();
        } catch (InvalidDPoPProofException e) {
            apiResults.add(e.error());
            MockResponse.Builder response = new MockResponse.Builder().code(401)
                    .addHeader("WWW-Authenticate", "DPoP error=\"" + e.error() + "\"").body("");
            e.nonce().ifPresent(n -> response.addHeader("DPoP-Nonce", n));
            return response.build();
        }
    }

    private static String nonceOf(String proof) {
        if (proof == null) {
            return "-";
        }
        try {
            Object nonce = com.nimbusds.jwt.SignedJWT.parse(proof).getJWTClaimsSet().getClaim("nonce");
            return nonce == null ? "-" : nonce.toString();
        } catch (java.text.ParseException e) {
            return "unparseable";
        }
    }

    @Test
    void dpopToken_sentWithAProofForTheExactMethodAndUri() throws Exception {
        assertEquals(200, call("GET", server.uri("/accounts?page=2"), null));
        assertEquals(200, call("POST", server.uri("/payments/1"), "{\"amount\":1}"));
        assertEquals(200, call("DELETE", server.uri("/payments/1#x"), null));
        assertEquals(List.of("ok", "ok", "ok"), apiResults);
        assertEquals(1, tokens.get());
        assertEquals(TokenType.DPOP, source.token().type());
        assertEquals(dpop.thumbprint(), source.token().boundKey().orElseThrow());
    }

    @Test
    void resourceServerNonce_retriedOnceWithIt_andRemembered() throws Exception {
        resourceNonces = DPoPNonceSource.rotatingEvery(java.time.Duration.ofMinutes(5));
        assertEquals(200, call("GET", server.uri("/accounts"), null));
        assertEquals(List.of("use_dpop_nonce", "ok"), apiResults);
        assertEquals(List.of("-", resourceNonces.current()), apiNonces);
        assertEquals(200, call("POST", server.uri("/accounts"), "{}"));
        assertEquals(List.of("use_dpop_nonce", "ok", "ok"), apiResults, "the nonce is remembered for the origin");
        assertEquals(List.of("-"), tokenNonces, "the token endpoint never saw a resource server's nonce");
    }

    @Test
    void nonceDemandedEveryTime_oneRetry_thenTheCallerGetsThe401() throws Exception {
        resourceNonceEveryTime = true;
        assertEquals(401, call("GET", server.uri("/accounts"), null));
        assertEquals(List.of("use_dpop_nonce", "use_dpop_nonce"), apiResults);
    }

    @Test
    void invalidTokenWithDPoPScheme_refreshedOnce() throws Exception {
        rejectTokens.set(1);
        assertEquals(200, call("GET", server.uri("/accounts"), null));
        assertEquals(List.of("invalid_token", "ok"), apiResults);
        assertEquals(2, tokens.get());
    }

    @Test
    void replacedKey_newTokenBoundToTheNewKey() throws Exception {
        assertEquals(200, call("GET", server.uri("/accounts"), null));
        String before = dpop.thumbprint();
        dpop.replaceKey(DPoPKey.generate(dev.clientauth.jwt.SignatureAlgorithm.EdDSA));
        assertEquals(200, call("GET", server.uri("/accounts"), null));
        assertEquals(List.of("ok", "ok"), apiResults);
        assertEquals(2, tokens.get());
        assertNotEquals(before, source.token().boundKey().orElseThrow());
        assertEquals(dpop.thumbprint(), source.token().boundKey().orElseThrow());
    }

    @Test
    void redirectToAnotherOrigin_neverCarriesTokenOrProof() throws Exception {
        redirectTo = "/elsewhere";
        int status = call("GET", server.uri("/accounts"), null);
        assertTrue(status == 200 || status == 307, "status " + status);
        for (String seen : otherHeaders) {
            assertEquals("null null", seen, "the token or a proof went to another origin");
        }
    }

    /** The proofs of two calls are different (fresh jti) even for the same request. */
    @Test
    void everyRequestGetsAFreshProof() throws Exception {
        List<String> proofs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            proofs.add(dpop.proof("GET", server.uri("/a"), source.token()).value());
        }
        assertNotEquals(proofs.get(0), proofs.get(1));
        assertFalse(source.token().toString().contains("dpop-tok"));
        assertTrue(source.token().toString().contains("jkt=" + dpop.thumbprint()));
    }
}
