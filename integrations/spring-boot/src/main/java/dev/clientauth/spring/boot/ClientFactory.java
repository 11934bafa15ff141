package dev.clientauth.spring.boot;

import dev.clientauth.core.ClientAuthentication;
import dev.clientauth.core.ClientAuthenticationMethod;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.ClientSecretPost;
import dev.clientauth.core.ClientTls;
import dev.clientauth.core.RefreshPolicy;
import dev.clientauth.core.RetryPolicy;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TokenRequestObserver;
import dev.clientauth.core.TokenSource;
import dev.clientauth.core.internal.Endpoints;
import dev.clientauth.dpop.DPoP;
import dev.clientauth.dpop.DPoPKey;
import dev.clientauth.jwt.AssertionSigner;
import dev.clientauth.jwt.ClientSecretJwt;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.KeyStoreSigners;
import dev.clientauth.jwt.PrivateKeyJwt;
import dev.clientauth.keys.KeyMaterialException;
import dev.clientauth.keys.PemFiles;
import dev.clientauth.mtls.InvalidIdentityException;
import dev.clientauth.mtls.TlsClientAuth;
import dev.clientauth.mtls.TlsIdentity;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Enumeration;
import java.util.function.Function;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * Builds the {@link TokenSource} of one {@code clientauth.clients.<name>} entry. Every mistake
 * fails at startup with {@link InvalidConfigurationPropertyValueException} naming the property and
 * what is wrong; a secret, password or PIN is never part of the message.
 */
final class ClientFactory {
    private static final String REDACTED = "<redacted>";
    private final SslBundles bundles;
    private final Function<String, AssertionSigner> signerBeans;
    private final TokenRequestObserver observer;

    ClientFactory(SslBundles bundles, Function<String, AssertionSigner> signerBeans, TokenRequestObserver observer) {
        this.bundles = bundles;
        this.signerBeans = signerBeans;
        this.observer = observer;
    }

    TokenSource create(String name, ClientAuthProperties.Client client) {
        String prefix = "clientauth.clients." + name + ".";
        if (client.getClientId() == null || client.getClientId().isBlank()) {
            throw invalid(prefix + "client-id", null, "a client id is required");
        }
        ClientId id = ClientId.of(client.getClientId());
        if (client.getMethod() == null) {
            throw invalid(prefix + "method", null, "an authentication method is required");
        }
        ClientAuthenticationMethod method;
        try {
            method = ClientAuthenticationMethod.of(client.getMethod());
        } catch (IllegalArgumentException e) {
            throw invalid(prefix + "method", client.getMethod(), "unknown authentication method");
        }
        if (client.getIssuer() != null && client.getTokenUri() != null) {
            throw invalid(prefix + "token-uri", client.getTokenUri(), "give either issuer or token-uri, not both");
        }
        if (client.getIssuer() == null && client.getTokenUri() == null) {
            throw invalid(prefix + "issuer", null, "give the issuer (discovery) or the token-uri");
        }
        URI endpoint = client.getIssuer() != null ? client.getIssuer() : client.getTokenUri();
        String endpointProperty = prefix + (client.getIssuer() != null ? "issuer" : "token-uri");
        if (!endpoint.isAbsolute() || endpoint.getHost() == null || !Endpoints.isSecureOrLoopback(endpoint)) {
            throw invalid(endpointProperty, endpoint, "must be an https URL (http only to a loopback host)");
        }
        ClientTls tls = tls(prefix, client);
        ClientAuthentication authentication = authentication(prefix, client, method, id, tls);
        TokenSource.Builder builder = client.getIssuer() != null
                ? TokenSource.forIssuer(client.getIssuer(), authentication)
                : TokenSource.forTokenEndpoint(client.getTokenUri(), authentication);
        if (tls != null) {
            builder.tls(tls);
        }
        client.getScopes().forEach(scope -> {
            try {
                builder.scope(scope);
            } catch (IllegalArgumentException e) {
                throw invalid(prefix + "scopes", scope, e.getMessage());
            }
        });
        client.getResources().forEach(resource -> {
            try {
                builder.resource(resource);
            } catch (IllegalArgumentException e) {
                throw invalid(prefix + "resources", resource, e.getMessage());
            }
        });
        for (URI origin : client.getSendTokensOnlyTo()) {
            try {
                builder.sendTokensOnlyTo(origin);
            } catch (IllegalArgumentException e) {
                throw invalid(prefix + "send-tokens-only-to", origin, e.getMessage());
            }
        }
        if (client.isRequireBoundToken()) {
            if (tls == null || tls.identity().isEmpty()) {
                throw invalid(prefix + "require-bound-token", true, "needs a client certificate: set tls.ssl-bundle");
            }
            builder.requireCertificateBoundToken();
        }
        if (client.getDpop().isEnabled() || client.getDpop().getKeyPem() != null) {
            builder.dpop(dpop(prefix, client));
            if (client.getDpop().isAllowBearerFallback()) {
                builder.allowBearerFallback();
            }
        }
        if (client.getIssuer() != null && client.getTokenUri() == null) {
            builder.allowUnadvertisedAuthenticationMethod();
        }
        if (observer != null) {
            builder.observer(observer);
        }
        builder.refreshPolicy(refresh(prefix, client.getRefresh())).retryPolicy(retry(prefix, client.getRetry()));
        try {
            return builder.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw invalid(prefix + "method", client.getMethod(), e.getMessage());
        }
    }

    private ClientAuthentication authentication(String prefix, ClientAuthProperties.Client client,
            ClientAuthenticationMethod method, ClientId id, ClientTls tls) {
        if (method.equals(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)) {
            return ClientSecretBasic.of(id, secret(prefix, client));
        }
        if (method.equals(ClientAuthenticationMethod.CLIENT_SECRET_POST)) {
            return ClientSecretPost.of(id, secret(prefix, client));
        }
        boolean jwt = method.equals(ClientAuthenticationMethod.CLIENT_SECRET_JWT) || method.equals(ClientAuthenticationMethod.PRIVATE_KEY_JWT);
        if (jwt && client.getIssuer() == null) {
            // the RFC 7523bis audience is the issuer: with a token URI only it is unknown
            throw invalid(prefix + "issuer", null, method + " needs the issuer (the assertion audience): give issuer "
                    + "instead of token-uri");
        }
        if (method.equals(ClientAuthenticationMethod.CLIENT_SECRET_JWT)) {
            return ClientSecretJwt.of(id, secret(prefix, client));
        }
        if (method.equals(ClientAuthenticationMethod.PRIVATE_KEY_JWT)) {
            return PrivateKeyJwt.of(id, signer(prefix, client.getKey()));
        }
        boolean selfSigned = method.equals(ClientAuthenticationMethod.SELF_SIGNED_TLS_CLIENT_AUTH);
        if (selfSigned || method.equals(ClientAuthenticationMethod.TLS_CLIENT_AUTH)) {
            if (tls == null || tls.identity().isEmpty()) {
                throw invalid(prefix + "tls.ssl-bundle", null, method + " needs a client certificate: name an SSL bundle "
                        + "with a key store");
            }
            return selfSigned ? TlsClientAuth.selfSigned(id, tls.identity().get()) : TlsClientAuth.pki(id, tls.identity().get());
        }
        throw invalid(prefix + "method", method.value(), "unknown authentication method");
    }

    private static Secret secret(String prefix, ClientAuthProperties.Client client) {
        if ((client.getSecret() == null) == (client.getSecretFile() == null)) {
            throw invalid(prefix + "secret", client.getSecret() == null ? null : REDACTED,
                    "give the client secret with exactly one of secret or secret-file");
        }
        if (client.getSecret() != null) {
            if (client.getSecret().isEmpty()) {
                throw invalid(prefix + "secret", REDACTED, "the secret is empty");
            }
            return Secret.of(client.getSecret());
        }
        try {
            String value = Files.readString(client.getSecretFile(), StandardCharsets.UTF_8).strip();
            if (value.isEmpty()) {
                throw invalid(prefix + "secret-file", client.getSecretFile(), "the file is empty");
            }
            return Secret.of(value);
        } catch (IOException e) {
            throw invalid(prefix + "secret-file", client.getSecretFile(), "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private AssertionSigner signer(String prefix, ClientAuthProperties.Key key) {
        int given = (key.getPem() != null ? 1 : 0) + (key.getPkcs12() != null ? 1 : 0)
                + (key.getPkcs11().getConfig() != null ? 1 : 0) + (key.getSignerBean() != null ? 1 : 0);
        if (given != 1) {
            throw invalid(prefix + "key", null, "private_key_jwt needs exactly one of key.pem, key.pkcs12, key.pkcs11.config "
                    + "or key.signer-bean (" + given + " given)");
        }
        Secret password = key.getPassword() == null ? null : Secret.of(key.getPassword());
        try {
            if (key.getPem() != null) {
                java.security.KeyPair pair = PemFiles.readKeyPair(key.getPem(), password);
                return JcaSigner.builder(pair.getPrivate()).publicKey(pair.getPublic()).build();
            }
            if (key.getPkcs12() != null) {
                if (password == null) {
                    throw invalid(prefix + "key.password", null, "a PKCS#12 key needs its password");
                }
                return KeyStoreSigners.pkcs12(key.getPkcs12(), password, null).build();
            }
            if (key.getPkcs11().getConfig() != null) {
                if (key.getPkcs11().getAlias() == null || key.getPkcs11().getPin() == null) {
                    throw invalid(prefix + "key.pkcs11", null, "key.pkcs11.config needs key.pkcs11.alias and key.pkcs11.pin");
                }
                return KeyStoreSigners.pkcs11(key.getPkcs11().getConfig(), key.getPkcs11().getAlias(),
                        Secret.of(key.getPkcs11().getPin())).build();
            }
        } catch (KeyMaterialException | IllegalArgumentException | IllegalStateException e) {
            String property = key.getPem() != null ? "key.pem" : key.getPkcs12() != null ? "key.pkcs12" : "key.pkcs11.config";
            throw invalid(prefix + property, null, e.getMessage());
        }
        try {
            return signerBeans.apply(key.getSignerBean());
        } catch (RuntimeException e) {
            throw invalid(prefix + "key.signer-bean", key.getSignerBean(), "no bean of type AssertionSigner with this name");
        }
    }

    private ClientTls tls(String prefix, ClientAuthProperties.Client client) {
        String name = client.getTls().getSslBundle();
        if (name == null) {
            return null;
        }
        SslBundle bundle;
        try {
            bundle = bundles.getBundle(name);
        } catch (NoSuchSslBundleException e) {
            throw invalid(prefix + "tls.ssl-bundle", name, "no SSL bundle of this name (spring.ssl.bundle.*)");
        }
        ClientTls.Builder tls = ClientTls.builder();
        X509TrustManager trust = trustManager(bundle);
        if (trust != null) {
            tls.trust(trust);
        }
        if (bundle.getStores().getKeyStore() != null) {
            try {
                TlsIdentity identity = TlsIdentity.from("SSL bundle '" + name + "'", () -> entry(bundles.getBundle(name))).build();
                bundles.addBundleUpdateHandler(name, updated -> {
                    try {
                        identity.reload(); // tokens bound to the old certificate are dropped by the token source
                    } catch (InvalidIdentityException e) {
                        // logged by the identity, which keeps the old certificate
                    }
                });
                tls.identity(identity);
            } catch (InvalidIdentityException e) {
                throw invalid(prefix + "tls.ssl-bundle", name, e.getMessage());
            }
        }
        return tls.build();
    }

    private static KeyStore.PrivateKeyEntry entry(SslBundle bundle) throws GeneralSecurityException {
        KeyStore store = bundle.getStores().getKeyStore();
        String alias = bundle.getKey().getAlias();
        if (alias == null) {
            for (Enumeration<String> aliases = store.aliases(); aliases.hasMoreElements(); ) {
                String candidate = aliases.nextElement();
                if (store.isKeyEntry(candidate)) {
                    alias = candidate;
                    break;
                }
            }
        }
        if (alias == null) {
            return null;
        }
        String password = bundle.getKey().getPassword() != null ? bundle.getKey().getPassword() : bundle.getStores().getKeyStorePassword();
        PrivateKey key = (PrivateKey) store.getKey(alias, password == null ? new char[0] : password.toCharArray());
        return key == null ? null : new KeyStore.PrivateKeyEntry(key, store.getCertificateChain(alias));
    }

    private static X509TrustManager trustManager(SslBundle bundle) {
        if (bundle.getStores().getTrustStore() == null) {
            return null;
        }
        for (TrustManager manager : bundle.getManagers().getTrustManagerFactory().getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        return null;
    }

    private static DPoP dpop(String prefix, ClientAuthProperties.Client client) {
        if (client.getDpop().getKeyPem() == null) {
            return DPoP.withNewKey();
        }
        try {
            java.security.KeyPair pair = PemFiles.readKeyPair(client.getDpop().getKeyPem(), null);
            return DPoP.with(DPoPKey.of(JcaSigner.builder(pair.getPrivate()).publicKey(pair.getPublic()).build()));
        } catch (KeyMaterialException | IllegalArgumentException e) {
            throw invalid(prefix + "dpop.key-pem", client.getDpop().getKeyPem(), e.getMessage());
        }
    }

    private static RefreshPolicy refresh(String prefix, ClientAuthProperties.Refresh refresh) {
        RefreshPolicy policy = RefreshPolicy.defaults();
        try {
            if (refresh.getShare() != null) {
                policy = policy.withRefreshShare(refresh.getShare());
            }
            if (refresh.getMinimumTimeLeft() != null) {
                policy = policy.withMinimumTimeLeft(refresh.getMinimumTimeLeft());
            }
            if (refresh.getExpiryLeeway() != null) {
                policy = policy.withExpiryLeeway(refresh.getExpiryLeeway());
            }
            return policy;
        } catch (IllegalArgumentException e) {
            throw invalid(prefix + "refresh", null, e.getMessage());
        }
    }

    private static RetryPolicy retry(String prefix, ClientAuthProperties.Retry retry) {
        RetryPolicy defaults = RetryPolicy.defaults();
        try {
            return new RetryPolicy(retry.getMaxAttempts() != null ? retry.getMaxAttempts() : defaults.maxAttempts(),
                    retry.getInitialBackoff() != null ? retry.getInitialBackoff() : defaults.initialBackoff(),
                    retry.getMaxBackoff() != null ? retry.getMaxBackoff() : defaults.maxBackoff(), defaults.backgroundBackoff());
        } catch (IllegalArgumentException e) {
            throw invalid(prefix + "retry", null, e.getMessage());
        }
    }

    private static InvalidConfigurationPropertyValueException invalid(String property, Object value, String reason) {
        return new InvalidConfigurationPropertyValueException(property, value, reason);
    }

}
