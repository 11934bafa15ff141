package dev.clientauth.httpclient5;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clientauth.dpop.DPoPAdapterTestBase;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.http.ContentType;
import org.junit.jupiter.api.Test;

/** The Apache async adapter with DPoP tokens. */
class ApacheAsyncDPoPAdapterTest extends DPoPAdapterTestBase {
    @Override
    protected int call(String method, URI uri, String body) throws Exception {
        try (CloseableHttpAsyncClient client = BearerTokenAsyncExecHandler.of(source)) {
            SimpleRequestBuilder request =
                    SimpleRequestBuilder.create(method).setUri(uri);
            if (body != null) {
                request.setBody(body, ContentType.APPLICATION_JSON);
            }
            return client.execute(request.build(), null).get(10, TimeUnit.SECONDS).getCode();
        }
    }

    @Test
    void redirect_hopWithoutTheTokenCarriesNoProof() throws Exception {
        assertEquals(401, call("GET", server.uri("/moved"), null));
        assertEquals(List.of("ok", "no DPoP authorization: null"), apiResults);
    }
}
