package dev.clientauth.httpclient5;

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
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.Test;

/** The Apache HttpClient 5 adapters (classic and async) against a real HTTPS token endpoint and API. */
class ApacheAdapterTest extends AdapterTestBase {
    private static int asyncCall(CloseableHttpAsyncClient client, SimpleHttpRequest request) throws Exception {
        return client.execute(request, null).get(10, TimeUnit.SECONDS).getCode();
    }

    @Test
    void classic_bearerAdded_invalidTokenRetriedOnce() throws Exception {
        apiScript.add(invalidToken());
        try (CloseableHttpClient client = BearerTokenExecHandler.of(source)) {
            assertOneRefreshAndRetry(client.execute(new HttpGet(server.uri("/api")), r -> r.getCode()));
        }
    }

    @Test
    void classic_secondInvalidToken_returnedToCaller() throws Exception {
        apiScript.add(invalidToken());
        apiScript.add(invalidToken());
        try (CloseableHttpClient client = BearerTokenExecHandler.install(HttpClients.custom(), source).build()) {
            assertSecond401ReturnedToCaller(client.execute(new HttpGet(server.uri("/api")), r -> r.getCode()));
        }
    }

    @Test
    void classic_streamingEntity_notRetried_repeatableEntityRetried() throws Exception {
        apiScript.add(invalidToken());
        try (CloseableHttpClient client = BearerTokenExecHandler.of(source)) {
            HttpPost streaming = new HttpPost(server.uri("/api"));
            streaming.setEntity(new InputStreamEntity(new ByteArrayInputStream(new byte[] {1, 2}), 2, ContentType.DEFAULT_BINARY));
            assertEquals(401, (int) client.execute(streaming, r -> r.getCode()));
            assertEquals(1, apiAuthorizations.size());
            apiScript.add(invalidToken());
            HttpPost repeatable = new HttpPost(server.uri("/api"));
            repeatable.setEntity(new StringEntity("{}", ContentType.APPLICATION_JSON));
            assertEquals(200, (int) client.execute(repeatable, r -> r.getCode()));
            assertEquals(3, apiAuthorizations.size());
        }
    }

    @Test
    void classic_redirectToAnotherOrigin_tokenNotSentThere() throws Exception {
        for (int status : new int[] {302, 307, 308}) {
            redirectToOtherOrigin(status);
            try (CloseableHttpClient client = BearerTokenExecHandler.of(source)) {
                client.execute(new HttpGet(server.uri("/api")), r -> r.getCode());
            }
        }
        assertEquals(3, otherAuthorizations.size(), "the redirects were followed");
        assertNoTokenReachedOtherOrigin();
    }

    @Test
    void classic_cleartextRemote_andUnlistedOrigin_refused() throws Exception {
        try (CloseableHttpClient client = BearerTokenExecHandler.of(source)) {
            assertThrows(TokenNotSentException.class, () -> client.execute(new HttpGet(cleartextRemote()), r -> r.getCode()));
        }
        restrictedTo(URI.create(server.uri("/").toString()));
        try (CloseableHttpClient client = BearerTokenExecHandler.of(source)) {
            assertEquals(200, (int) client.execute(new HttpGet(server.uri("/api")), r -> r.getCode()));
            assertThrows(TokenNotSentException.class, () -> client.execute(new HttpGet(other.uri("/api")), r -> r.getCode()));
        }
        assertTrue(otherAuthorizations.isEmpty());
        assertEquals(1, tokens.get());
    }

    @Test
    void classic_boundToken_presentedWithItsCertificate_refusedWithoutIt() throws Exception {
        TlsClientIdentity identity = new TestIdentity(PKI.clientCertificate());
        // the server asks for a certificate but does not insist, so only the guard stands between the token and a bare connection
        try (HttpsMockServer mtls = new HttpsMockServer(PKI, ServerTls.ClientAuth.WANT);
                TokenSource bound = TokenSource.forTokenEndpoint(mtls.uri("/token"),
                        ClientSecretPost.of(ClientId.of("c"), Secret.of("s"))).tls(mtls.tls(identity)).build()) {
            String thumbprint = identity.thumbprint().toString();
            mtls.enqueueJson(200, "{\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":60,"
                    + "\"cnf\":{\"x5t#S256\":\"" + thumbprint + "\"}}");
            mtls.server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
            mtls.server.enqueue(new MockResponse.Builder().code(200).body("must not be reached").build());
            try (CloseableHttpClient client = BearerTokenExecHandler.of(bound)) {
                assertEquals(200, (int) client.execute(new HttpGet(mtls.uri("/api")), r -> r.getCode()));
            }
            mtls.server.takeRequest();
            RecordedRequest api = mtls.server.takeRequest();
            assertEquals(identity.certificate(), api.getHandshake().peerCertificates().get(0));
            // the same bound token over a connection without the certificate (the user replaced the pool): refused
            try (CloseableHttpClient client = BearerTokenExecHandler.install(HttpClients.custom(), bound)
                    .setConnectionManager(org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder.create()
                            .setTlsSocketStrategy(org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder.create()
                                    .setSslContext(mtls.tls().sslContext()).buildClassic()).build()).build()) {
                TokenNotSentException e = assertThrows(TokenNotSentException.class,
                        () -> client.execute(new HttpGet(mtls.uri("/api")), r -> r.getCode()));
                assertTrue(e.getMessage().contains(thumbprint), e.getMessage());
                assertEquals(2, mtls.server.getRequestCount(), "nothing reached the API without the certificate");
            }
        }
    }

    @Test
    void async_bearerAdded_invalidTokenRetriedOnce_secondReturned() throws Exception {
        apiScript.add(invalidToken());
        try (CloseableHttpAsyncClient client = BearerTokenAsyncExecHandler.of(source)) {
            assertOneRefreshAndRetry(asyncCall(client, SimpleRequestBuilder.get(server.uri("/api")).build()));
            apiAuthorizations.clear();
            apiScript.add(invalidToken());
            apiScript.add(invalidToken());
            assertEquals(401, asyncCall(client, SimpleRequestBuilder.get(server.uri("/api")).build()));
            assertEquals(List.of("Bearer tok-2", "Bearer tok-3"), apiAuthorizations);
            apiAuthorizations.clear();
            apiScript.add(invalidToken());
            assertEquals(200, asyncCall(client, SimpleRequestBuilder.post(server.uri("/api"))
                    .setBody("{}", ContentType.APPLICATION_JSON).build()));
            assertEquals(2, apiAuthorizations.size(), "a repeatable body is sent again");
        }
    }

    @Test
    void async_cleartextRemote_refused() throws Exception {
        try (CloseableHttpAsyncClient client = BearerTokenAsyncExecHandler.of(source)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> asyncCall(client, SimpleRequestBuilder.get(cleartextRemote()).build()));
            assertTrue(e.getCause() instanceof TokenNotSentException, e.toString());
        }
        assertEquals(0, tokens.get());
    }

    @Test
    void transport_obtainsTokens() throws Exception {
        try (ApacheHttpTransport transport = ApacheHttpTransport.create(server.tls())) {
            TokenClient client = TokenClient.builder(server.uri("/token"), ClientSecretBasic.of(ClientId.of("c"), Secret.of("s")))
                    .transport(transport).build();
            assertEquals("tok-1", client.requestToken(TokenRequest.clientCredentials()).accessToken().value());
        }
    }

    @Test
    void l3_transportOnAUsersRedirectFollowingClient_neverRepostsTheForm() throws Exception {
        javax.net.ssl.SSLContext context = server.tls().sslContext();
        try (CloseableHttpClient users = HttpClients.custom().setConnectionManager(
                org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder.create()
                        .setTlsSocketStrategy(org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder.create()
                                .setSslContext(context).buildClassic()).build()).build(); // follows redirects by default
                ApacheHttpTransport transport = ApacheHttpTransport.on(users)) {
            apiScript.add(new MockResponse.Builder().code(307).addHeader("Location", other.uri("/steal").toString()).body("").build());
            dev.clientauth.core.http.TransportResponse response = transport.execute(dev.clientauth.core.http.TransportRequest.post(
                    server.uri("/api"), java.util.Map.of("Content-Type", "application/x-www-form-urlencoded"),
                    "client_secret=s3cr3t".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertEquals(307, response.statusCode());
            assertTrue(otherAuthorizations.isEmpty(), "the form went to the Location");
        }
    }
}
