package dev.clientauth.spring.boot;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code clientauth.clients.<name>.*}: one OAuth 2.0 client (client credentials grant) per name.
 * Secrets and key passwords may be given inline (from the environment, a vault) or, better, as
 * files; they are never printed.
 */
@ConfigurationProperties(prefix = "clientauth")
public class ClientAuthProperties {
    /** The clients, by name. */
    private final Map<String, Client> clients = new LinkedHashMap<>();

    public Map<String, Client> getClients() {
        return clients;
    }

    /** One client. */
    public static class Client {
        /** Issuer URL of the authorization server; its metadata is discovered (RFC 8414, then OpenID). */
        private URI issuer;
        /** Token endpoint URL, when the server is not discovered (give the issuer too for JWT client assertions). */
        private URI tokenUri;
        /** The client_id registered at the authorization server. */
        private String clientId;
        /** client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, tls_client_auth or self_signed_tls_client_auth. */
        private String method;
        /** The client secret (secret methods). Prefer secret-file. */
        private String secret;
        /** A file holding the client secret. */
        private Path secretFile;
        /** The private_key_jwt signing key. */
        private final Key key = new Key();
        /** TLS: the client certificate and trust. */
        private final Tls tls = new Tls();
        /** Scopes to request. */
        private List<String> scopes = new ArrayList<>();
        /** RFC 8707 resource indicators to request. */
        private List<URI> resources = new ArrayList<>();
        /** Fail unless the token is bound to the presented client certificate (cnf.x5t#S256). */
        private boolean requireBoundToken;
        /** The only origins the interceptors send this client's tokens to; default: any https origin. */
        private List<URI> sendTokensOnlyTo = new ArrayList<>();
        /** DPoP (RFC 9449). */
        private final Dpop dpop = new Dpop();
        /** When tokens are refreshed; unset values keep the library's defaults. */
        private final Refresh refresh = new Refresh();
        /** How failed token requests are retried; unset values keep the library's defaults. */
        private final Retry retry = new Retry();

        public URI getIssuer() {
            return issuer;
        }

        public void setIssuer(URI issuer) {
            this.issuer = issuer;
        }

        public URI getTokenUri() {
            return tokenUri;
        }

        public void setTokenUri(URI tokenUri) {
            this.tokenUri = tokenUri;
        }

        public String getClientId() {
            return clientId;
        }

        public void setClientId(String clientId) {
            this.clientId = clientId;
        }

        public String getMethod() {
            return method;
        }

        public void setMethod(String method) {
            this.method = method;
        }

        public String getSecret() {
            return secret;
        }

        public void setSecret(String secret) {
            this.secret = secret;
        }

        public Path getSecretFile() {
            return secretFile;
        }

        public void setSecretFile(Path secretFile) {
            this.secretFile = secretFile;
        }

        public Key getKey() {
            return key;
        }

        public Tls getTls() {
            return tls;
        }

        public List<String> getScopes() {
            return scopes;
        }

        public void setScopes(List<String> scopes) {
            this.scopes = scopes;
        }

        public List<URI> getResources() {
            return resources;
        }

        public void setResources(List<URI> resources) {
            this.resources = resources;
        }

        public boolean isRequireBoundToken() {
            return requireBoundToken;
        }

        public void setRequireBoundToken(boolean requireBoundToken) {
            this.requireBoundToken = requireBoundToken;
        }

        public List<URI> getSendTokensOnlyTo() {
            return sendTokensOnlyTo;
        }

        public void setSendTokensOnlyTo(List<URI> sendTokensOnlyTo) {
            this.sendTokensOnlyTo = sendTokensOnlyTo;
        }

        public Dpop getDpop() {
            return dpop;
        }

        public Refresh getRefresh() {
            return refresh;
        }

        public Retry getRetry() {
            return retry;
        }

        @Override
        public String toString() {
            return "Client[" + clientId + ", " + method + "]";
        }
    }

    /** The private_key_jwt key: exactly one of pem, pkcs12, pkcs11 or signer-bean. */
    public static class Key {
        /** A PEM private key (PKCS#8, or encrypted with password). */
        private Path pem;
        /** A PKCS#12 file holding the key (and its certificate). */
        private Path pkcs12;
        /** The password of an encrypted PEM key or of the PKCS#12 file. */
        private String password;
        /** An HSM key through SunPKCS11. */
        private final Pkcs11 pkcs11 = new Pkcs11();
        /** The name of a bean implementing dev.clientauth.jwt.AssertionSigner (a remote or KMS signer). */
        private String signerBean;

        public Path getPem() {
            return pem;
        }

        public void setPem(Path pem) {
            this.pem = pem;
        }

        public Path getPkcs12() {
            return pkcs12;
        }

        public void setPkcs12(Path pkcs12) {
            this.pkcs12 = pkcs12;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public Pkcs11 getPkcs11() {
            return pkcs11;
        }

        public String getSignerBean() {
            return signerBean;
        }

        public void setSignerBean(String signerBean) {
            this.signerBean = signerBean;
        }

        @Override
        public String toString() {
            return "Key[pem=" + pem + ", pkcs12=" + pkcs12 + ", pkcs11=" + pkcs11.getConfig() + ", signerBean=" + signerBean + "]";
        }
    }

    /** An HSM key. */
    public static class Pkcs11 {
        /** The SunPKCS11 configuration file. */
        private Path config;
        /** The alias of the key (and its certificate) in the token. */
        private String alias;
        /** The user PIN. */
        private String pin;

        public Path getConfig() {
            return config;
        }

        public void setConfig(Path config) {
            this.config = config;
        }

        public String getAlias() {
            return alias;
        }

        public void setAlias(String alias) {
            this.alias = alias;
        }

        public String getPin() {
            return pin;
        }

        public void setPin(String pin) {
            this.pin = pin;
        }

        @Override
        public String toString() {
            return "Pkcs11[" + config + ", " + alias + "]";
        }
    }

    /** TLS of token requests and API calls. */
    public static class Tls {
        /**
         * A Spring Boot SSL bundle (spring.ssl.bundle.*): its key store is the client certificate
         * (required by the mTLS methods), its trust store the trusted servers; a bundle reload is
         * an identity reload.
         */
        private String sslBundle;

        public String getSslBundle() {
            return sslBundle;
        }

        public void setSslBundle(String sslBundle) {
            this.sslBundle = sslBundle;
        }
    }

    /** DPoP (RFC 9449). */
    public static class Dpop {
        /** Ask for DPoP-bound tokens; the interceptors then send a proof with every request. */
        private boolean enabled;
        /** A PEM DPoP key; default: a new ES256 key for this process. */
        private Path keyPem;
        /** Accept a Bearer token when the server does not support DPoP (a weakening). */
        private boolean allowBearerFallback;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Path getKeyPem() {
            return keyPem;
        }

        public void setKeyPem(Path keyPem) {
            this.keyPem = keyPem;
        }

        public boolean isAllowBearerFallback() {
            return allowBearerFallback;
        }

        public void setAllowBearerFallback(boolean allowBearerFallback) {
            this.allowBearerFallback = allowBearerFallback;
        }
    }

    /** Refresh-ahead. */
    public static class Refresh {
        /** Share of the token's lifetime after which it is refreshed in the background (0 to 1; default 0.8). */
        private Double share;
        /** Refresh at the latest this long before expiry (default 30 s). */
        private java.time.Duration minimumTimeLeft;
        /** Stop serving a token this long before its expiry (default 10 s). */
        private java.time.Duration expiryLeeway;

        public Double getShare() {
            return share;
        }

        public void setShare(Double share) {
            this.share = share;
        }

        public java.time.Duration getMinimumTimeLeft() {
            return minimumTimeLeft;
        }

        public void setMinimumTimeLeft(java.time.Duration minimumTimeLeft) {
            this.minimumTimeLeft = minimumTimeLeft;
        }

        public java.time.Duration getExpiryLeeway() {
            return expiryLeeway;
        }

        public void setExpiryLeeway(java.time.Duration expiryLeeway) {
            this.expiryLeeway = expiryLeeway;
        }
    }

    /** Retries of failed token requests. */
    public static class Retry {
        /** Attempts of a waiting caller's request, the first included (default 4). */
        private Integer maxAttempts;
        /** Delay before the first retry, doubled each time (default 200 ms). */
        private java.time.Duration initialBackoff;
        /** Longest delay between attempts (default 30 s). */
        private java.time.Duration maxBackoff;

        public Integer getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public java.time.Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(java.time.Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public java.time.Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(java.time.Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }
    }
}
