package dev.clientauth.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clientauth.certs.test.ServerTls;
import dev.clientauth.core.AdapterTestBase;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.ClientSecretPost;
import dev.clientauth.core.HttpsMockServer;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TestIdentity;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenClient;
import dev.clientauth.core.TokenNotSentException;
import dev.clientauth.core.TokenRequest;
import dev.clientauth.core.TokenSource;
import java.io.IOException;
import java.net.URI;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;

/** The OkHttp adapter against a real HTTPS token endpoint and API on 127.0.0.1. */
class OkHttpAdapterTest extends AdapterTestBase {
    private static int get(OkHttpClient client, URI uri) throws IOException {
        try (Response response = client.newCall(new Request.Builder().url(uri.toString()).build()).execute()) {
            return response.code();
        }
    }

    @Test
    void bearerAdded_invalidTokenRetriedOnce() throws Exception {
        apiScript.add(invalidToken());
        assertOneRefreshAndRetry(get(OkHttpBearer.of(source), server.uri("/api")));
    }

    @Test
    void secondInvalidToken_returnedToCaller() throws Exception {
        apiScript.add(invalidToken());
        apiScript.add(invalidToken());
        assertSecond401ReturnedToCaller(get(OkHttpBearer.install(new OkHttpClient.Builder(), source).build(),
                server.uri("/api")));
    }

    @Test
    void oneShotBody_notRetried() throws Exception {
        apiScript.add(invalidToken());
        RequestBody oneShot = new RequestBody() {
            @Override
            public MediaType contentType() {
                return MediaType.get("application/octet-stream");
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.write(new byte[] {1, 2, 3});
            }

            @Override
            public boolean isOneShot() {
                return true;
            }
        };
        try (Response response = OkHttpBearer.of(source).newCall(new Request.Builder().url(server.uri("/api").toString())
                .post(oneShot).build()).execute()) {
            assertEquals(401, response.code());
            assertEquals(1, apiAuthorizations.size());
        }
    }

    @Test
    void redirectToAnotherOrigin_followedWithoutTheToken() throws Exception {
        for (int status : new int[] {302, 307, 308}) {
            redirectToOtherOrigin(status);
            assertEquals(200, get(OkHttpBearer.of(source), server.uri("/api")));
        }
        assertEquals(3, otherAuthorizations.size(), "the redirects were followed");
        assertNoTokenReachedOtherOrigin();
    }

    @Test
    void cleartextRemote_andUnlistedOrigin_refused() throws Exception {
        assertThrows(TokenNotSentException.class, () -> get(OkHttpBearer.of(source), cleartextRemote()));
        restrictedTo(URI.create(server.uri("/").toString()));
        OkHttpClient client = OkHttpBearer.of(source);
        assertEquals(200, get(client, server.uri("/api")));
        assertThrows(TokenNotSentException.class, () -> get(client, other.uri("/api")));
        assertTrue(otherAuthorizations.isEmpty());
        assertEquals(1, tokens.get());
    }

    @Test
    void boundToken_presentedWithItsCertificate_refusedWithoutIt() throws Exception {
        TlsClientIdentity identity = new TestIdentity(PKI.clientCertificate());
        try (HttpsMockServer mtls = new HttpsMockServer(PKI, ServerTls.ClientAuth.WANT);
                TokenSource bound = TokenSource.forTokenEndpoint(mtls.uri("/token"),
                        ClientSecretPost.of(ClientId.of("c"), Secret.of("s"))).tls(mtls.tls(identity)).build()) {
            mtls.enqueueJson(200, "{\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":60,"
                    + "\"cnf\":{\"x5t#S256\":\"" + identity.thumbprint() + "\"}}");
            mtls.server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
            mtls.server.enqueue(new MockResponse.Builder().code(200).body("must not be reached").build());
            assertEquals(200, get(OkHttpBearer.of(bound), mtls.uri("/api")));
            mtls.server.takeRequest();
            RecordedRequest api = mtls.server.takeRequest();
            assertEquals(identity.certificate(), api.getHandshake().peerCertificates().get(0));
            // the user swaps the socket factory for one without the certificate: the guard refuses
            OkHttpClient swapped = OkHttpBearer.install(new OkHttpClient.Builder(), bound)
                    .sslSocketFactory(mtls.tls().sslContext().getSocketFactory(), mtls.trustManager())
                    .connectionPool(new okhttp3.ConnectionPool()).build();
            TokenNotSentException e = assertThrows(TokenNotSentException.class, () -> get(swapped, mtls.uri("/api")));
            assertTrue(e.getMessage().contains(identity.thumbprint().toString()), e.getMessage());
            assertEquals(2, mtls.server.getRequestCount());
        }
    }

    @Test
    void transport_obtainsTokens() throws Exception {
        TokenClient client = TokenClient.builder(server.uri("/token"), ClientSecretBasic.of(ClientId.of("c"), Secret.of("s")))
                .transport(OkHttpTransport.create(server.tls())).build();
        assertEquals("tok-1", client.requestToken(TokenRequest.clientCredentials()).accessToken().value());
    }
}
