package dev.clientauth.spring.boot;

import dev.clientauth.core.TokenRequestObserver;
import dev.clientauth.core.TokenSource;
import dev.clientauth.jwt.AssertionSigner;
import dev.clientauth.micrometer.MicrometerTokenRequestObserver;
import dev.clientauth.micrometer.TokenSourceMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One {@link TokenSource} per {@code clientauth.clients.<name>}, in {@link ClientAuthClients};
 * with Micrometer on the class path and a {@link MeterRegistry} bean, token request meters and
 * observations and the cache, token and certificate meters of every client; with Spring Boot's
 * health module, a health contributor {@code clientauth} with one indicator per client.
 */
@AutoConfiguration(after = SslAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@EnableConfigurationProperties(ClientAuthProperties.class)
public class ClientAuthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ClientAuthClients clientAuthClients(ClientAuthProperties properties, ObjectProvider<SslBundles> bundles,
            BeanFactory beans, ObjectProvider<ObservedRequests> observed) {
        SslBundles sslBundles = bundles.getIfAvailable(DefaultSslBundleRegistry::new);
        ObservedRequests observation = observed.getIfAvailable();
        ClientFactory factory = new ClientFactory(sslBundles, name -> beans.getBean(name, AssertionSigner.class),
                observation == null ? null : observation.observer());
        Map<String, TokenSource> sources = new LinkedHashMap<>();
        try {
            properties.getClients().forEach((name, client) -> sources.put(name, factory.create(name, client)));
        } catch (RuntimeException e) {
            sources.values().forEach(TokenSource::close);
            throw e;
        }
        ClientAuthClients clients = new ClientAuthClients(sources);
        if (observation != null) {
            sources.values().forEach(observation.meters());
        }
        return clients;
    }

    /** The Micrometer observer the token sources are built with, and what binds each one's meters. */
    record ObservedRequests(TokenRequestObserver observer, Consumer<TokenSource> meters) {
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MeterRegistry.class, MicrometerTokenRequestObserver.class})
    @ConditionalOnBean(MeterRegistry.class)
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean
        ObservedRequests clientAuthObservedRequests(MeterRegistry registry, ObjectProvider<ObservationRegistry> observations) {
            ObservationRegistry observationRegistry = observations.getIfAvailable();
            return new ObservedRequests(observationRegistry == null || observationRegistry.isNoop()
                    ? MicrometerTokenRequestObserver.of(registry)
                    : MicrometerTokenRequestObserver.of(registry, observationRegistry),
                    source -> new TokenSourceMetrics(source).bindTo(registry));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthContributor.class)
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "clientauthHealthContributor")
        HealthContributor clientauthHealthContributor(ClientAuthClients clients) {
            return CompositeHealthContributor.fromMap(clients.tokenSources(), ClientHealthIndicator::new);
        }
    }
}
