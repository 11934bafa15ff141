package dev.clientauth.dpop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clientauth.core.jdk.BearerHttpClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JDK HttpClient adapter with DPoP tokens. */
class JdkDPoPAdapterTest extends DPoPAdapterTestBase {
    private static HttpRequest request(String method, URI uri, String body) {
        return HttpRequest.newBuilder(uri).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Override
    protected int call(String method, URI uri, String body) throws Exception {
        return BearerHttpClient.of(source).send(request(method, uri, body), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void async_nonceChallengeRetriedOnce() throws Exception {
        resourceNonces = DPoPNonceSource.rotatingEvery(java.time.Duration.ofMinutes(5));
        HttpResponse<String> response = BearerHttpClient.of(source).sendAsync(request("PUT", server.uri("/x"), "{}"),
                HttpResponse.BodyHandlers.ofString()).get();
        assertEquals(200, response.statusCode());
        assertEquals(List.of("use_dpop_nonce", "ok"), apiResults);
    }
}
