package dev.clientauth.httpclient5;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clientauth.dpop.DPoPAdapterTestBase;
import java.net.URI;
import java.util.List;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.junit.jupiter.api.Test;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;

/** The Apache classic adapter with DPoP tokens. */
class ApacheDPoPAdapterTest extends DPoPAdapterTestBase {
    @Override
    protected int call(String method, URI uri, String body) throws Exception {
        try (CloseableHttpClient client = BearerTokenExecHandler.of(source)) {
            HttpUriRequestBase request = new HttpUriRequestBase(method, uri);
            if (body != null) {
                request.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
            }
            return client.execute(request, r -> r.getCode());
        }
    }

    /** HttpClient follows a redirect without the original's Authorization: then no proof goes either. */
    @Test
    void redirect_hopWithoutTheTokenCarriesNoProof() throws Exception {
        assertEquals(401, call("GET", server.uri("/moved"), null));
        assertEquals(List.of("ok", "no DPoP authorization: null"), apiResults);
    }
}
