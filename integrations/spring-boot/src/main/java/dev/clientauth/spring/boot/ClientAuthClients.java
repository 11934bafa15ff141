package dev.clientauth.spring.boot;

import dev.clientauth.core.TokenSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The configured clients ({@code clientauth.clients.<name>}), by name: each one's
 * {@link TokenSource}, and what a {@code RestClient} or {@code RestTemplate} needs to call APIs
 * with its tokens.
 *
 * <pre>
 * RestClient accounts = builder.apply(clients.restClient("bank")).baseUrl("https://api.bank.example").build();
 * </pre>
 */
public final class ClientAuthClients implements DisposableBean {
    private final Map<String, TokenSource> sources;

    ClientAuthClients(Map<String, TokenSource> sources) {
        this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    }

    /** The names of the configured clients. */
    public Set<String> names() {
        return sources.keySet();
    }

    /** The token source of client {@code name}. */
    public TokenSource tokenSource(String name) {
        TokenSource source = sources.get(Objects.requireNonNull(name, "name"));
        if (source == null) {
            throw new NoSuchElementException("no clientauth client '" + name + "' (clientauth.clients." + name + ".*); "
                    + "configured: " + sources.keySet());
        }
        return source;
    }

    /** All token sources, by name. */
    public Map<String, TokenSource> tokenSources() {
        return sources;
    }

    /** The interceptor adding client {@code name}'s tokens. */
    public ClientAuthInterceptor interceptor(String name) {
        return new ClientAuthInterceptor(tokenSource(name));
    }

    /** A request factory on client {@code name}'s TLS (its certificate, its trust). */
    public ClientHttpRequestFactory requestFactory(String name) {
        return new ReloadingRequestFactory(tokenSource(name).tls());
    }

    /** Configures a {@code RestClient.Builder} for client {@code name}: its TLS and its tokens. */
    public Consumer<RestClient.Builder> restClient(String name) {
        ClientAuthInterceptor interceptor = interceptor(name);
        ClientHttpRequestFactory factory = requestFactory(name);
        return builder -> builder.requestFactory(factory).requestInterceptor(interceptor);
    }

    /** Configures a {@code RestTemplate} for client {@code name}: its TLS and its tokens. */
    public Consumer<RestTemplate> restTemplate(String name) {
        ClientAuthInterceptor interceptor = interceptor(name);
        ClientHttpRequestFactory factory = requestFactory(name);
        return template -> {
            template.setRequestFactory(factory);
            template.getInterceptors().add(interceptor);
        };
    }

    /** The {@code WebClient} filter adding client {@code name}'s tokens without blocking. */
    public ClientAuthExchangeFilter exchangeFilter(String name) {
        return new ClientAuthExchangeFilter(tokenSource(name));
    }

    /** Configures a {@code WebClient.Builder} for client {@code name}: its TLS (JDK connector) and its tokens. */
    public Consumer<WebClient.Builder> webClient(String name) {
        ClientAuthExchangeFilter filter = exchangeFilter(name);
        ReloadingConnector connector = new ReloadingConnector(tokenSource(name).tls());
        return builder -> builder.clientConnector(connector).filter(filter);
    }

    @Override
    public void destroy() {
        sources.values().forEach(TokenSource::close);
    }

    @Override
    public String toString() {
        return "ClientAuthClients" + sources.keySet();
    }
}
