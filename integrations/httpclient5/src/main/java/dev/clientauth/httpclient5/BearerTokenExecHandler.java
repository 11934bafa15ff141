package dev.clientauth.httpclient5;

import dev.clientauth.core.AccessToken;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.internal.BearerChallenge;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

/**
 * An Apache HttpClient 5 {@link ExecChainHandler} that adds {@code Authorization: Bearer ...} from
 * a {@link TokenSource} to every request, and on a 401 {@code Bearer error="invalid_token"}
 * invalidates the token and sends the request once more with a fresh one — never twice, never
 * when the entity is not repeatable.
 *
 * <p>For certificate-bound tokens build the client with {@link ApacheClients#builder} from the
 * same identity as the token source. Thread-safe.
 */
public final class BearerTokenExecHandler implements ExecChainHandler {
    private final TokenSource source;

    private BearerTokenExecHandler(TokenSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /** Adds the handler to a builder, first in the chain. */
    public static HttpClientBuilder install(HttpClientBuilder builder, TokenSource source) {
        return builder.addExecInterceptorFirst("clientauth-bearer", new BearerTokenExecHandler(source));
    }

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        AccessToken token = source.token();
        request.setHeader("Authorization", token.authorizationHeaderValue());
        // the chain adds protocol headers (Content-Length, ...) to the request it sends: keep a clean copy
        ClassicHttpRequest original = ClassicRequestBuilder.copy(request).build();
        ClassicHttpResponse response = chain.proceed(request, scope);
        if (response.getCode() != 401 || !isInvalidToken(response)) {
            return response;
        }
        HttpEntity entity = request.getEntity();
        if (entity != null && !entity.isRepeatable()) {
            return response;
        }
        EntityUtils.consume(response.getEntity());
        response.close();
        source.invalidate(token);
        original.setHeader("Authorization", source.token().authorizationHeaderValue());
        return chain.proceed(original, scope);
    }

    private static boolean isInvalidToken(ClassicHttpResponse response) {
        List<String> values = new ArrayList<>();
        for (Header header : response.getHeaders("WWW-Authenticate")) {
            values.add(header.getValue());
        }
        return BearerChallenge.isInvalidToken(values);
    }
}
