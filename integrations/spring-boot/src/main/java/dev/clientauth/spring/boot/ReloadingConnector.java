package dev.clientauth.spring.boot;

import dev.clientauth.core.ClientTls;
import dev.clientauth.core.TlsClientIdentity;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.function.Function;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import reactor.core.publisher.Mono;

/**
 * A {@code WebClient} connector (the JDK {@code HttpClient}) on a token source's TLS, rebuilt
 * after a certificate reload so no connection made with the old certificate is used again.
 * Redirects are not followed.
 */
final class ReloadingConnector implements ClientHttpConnector {
    private final ClientTls tls;
    private volatile long generation = -1;
    private volatile JdkClientHttpConnector current;

    ReloadingConnector(ClientTls tls) {
        this.tls = tls;
    }

    @Override
    public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri, Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
        return connector().connect(method, uri, requestCallback);
    }

    private JdkClientHttpConnector connector() {
        long now = tls.identity().map(TlsClientIdentity::generation).orElse(0L);
        JdkClientHttpConnector connector = current;
        if (connector == null || now != generation) {
            synchronized (this) {
                if (current == null || now != generation) {
                    current = new JdkClientHttpConnector(HttpClient.newBuilder().sslContext(tls.sslContext())
                            .sslParameters(tls.sslParameters()).connectTimeout(Duration.ofSeconds(10))
                            .followRedirects(HttpClient.Redirect.NEVER).build());
                    generation = now;
                }
                connector = current;
            }
        }
        return connector;
    }
}
