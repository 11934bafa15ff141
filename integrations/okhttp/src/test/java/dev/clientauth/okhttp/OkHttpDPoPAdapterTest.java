package dev.clientauth.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clientauth.dpop.DPoPAdapterTestBase;
import java.net.URI;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** The OkHttp adapter with DPoP tokens. */
class OkHttpDPoPAdapterTest extends DPoPAdapterTestBase {
    @Override
    protected int call(String method, URI uri, String body) throws Exception {
        OkHttpClient client = OkHttpBearer.of(source);
        RequestBody requestBody = body == null ? (method.equals("POST") ? RequestBody.create(new byte[0]) : null)
                : RequestBody.create(body, MediaType.get("application/json"));
        try (Response response = client.newCall(new Request.Builder().url(uri.toString()).method(method, requestBody).build())
                .execute()) {
            return response.code();
        }
    }

    @Test
    void sameOriginRedirect_followedWithAProofForTheNewUri() throws Exception {
        assertEquals(200, call("GET", server.uri("/moved"), null));
        assertEquals(List.of("ok", "ok"), apiResults, "each hop's proof verified against its own URI");
    }
}
