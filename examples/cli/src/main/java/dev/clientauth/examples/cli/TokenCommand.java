package dev.clientauth.examples.cli;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.clientauth.core.ClientAuthentication;
import dev.clientauth.core.ClientAuthenticationMethod;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientTls;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.ClientSecretPost;
import dev.clientauth.core.Secret;
import dev.clientauth.core.TokenClient;
import dev.clientauth.core.TokenRequest;
import dev.clientauth.core.TlsClientIdentity;
import dev.clientauth.core.TokenResponse;
import dev.clientauth.jwt.ClientSecretJwt;
import dev.clientauth.jwt.PrivateKeyJwt;
import dev.clientauth.jwt.SignatureAlgorithm;
import dev.clientauth.mtls.TlsClientAuth;
import dev.clientauth.core.jdk.JdkHttpTransport;
import dev.clientauth.core.metadata.AuthorizationServerMetadata;
import dev.clientauth.dpop.DPoP;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.net.ssl.X509TrustManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code clientauth token}: obtains an access token with the client credentials grant. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Obtain an access token (client credentials grant).")
final class TokenCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static final class Endpoint {
        @Option(names = "--issuer", description = "issuer URL; metadata is discovered (RFC 8414, then OpenID)")
        URI issuer;
        @Option(names = "--token-endpoint", description = "token endpoint URL")
        URI tokenEndpoint;
    }

    @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
    Endpoint endpoint;

    @Option(names = "--client-id", required = true, description = "the client_id registered at the authorization server")
    String clientId;

    @Option(names = "--auth", required = true,
            description = "client_secret_basic|client_secret_post|client_secret_jwt|private_key_jwt|tls_client_auth|self_signed_tls_client_auth")
    String auth;

    @Option(names = "--secret-file", description = "file holding the client secret")
    Path secretFile;
    @Option(names = "--secret-env", description = "environment variable holding the client secret")
    String secretEnv;

    @Option(names = "--key", description = "private_key_jwt key: PEM or .p12")
    Path key;
    @Option(names = "--key-password-env", description = "environment variable holding the password of an encrypted PEM key or a .p12 file")
    String keyPasswordEnv;
    @Option(names = "--pkcs11-config", description = "SunPKCS11 configuration file of the HSM holding the private_key_jwt key")
    Path pkcs11Config;
    @Option(names = "--pkcs11-alias", description = "alias of the key (and its certificate) in the PKCS#11 token")
    String pkcs11Alias;
    @Option(names = "--pkcs11-pin-env", description = "environment variable holding the PKCS#11 user PIN")
    String pkcs11PinEnv;
    @Option(names = "--alg", description = "assertion algorithm (default by key type: PS256, ES256, EdDSA)")
    String alg;
    @Option(names = "--kid", description = "assertion key id (default: the RFC 7638 thumbprint of the public key)")
    String kid;
    @Option(names = "--audience", defaultValue = "issuer", description = "issuer|token-endpoint")
    String audience;

    @Option(names = "--cert", description = "TLS client certificate chain (PEM)")
    Path cert;
    @Option(names = "--cert-key", description = "TLS client private key (PEM)")
    Path certKey;
    @Option(names = "--cert-p12", description = "TLS client identity (PKCS#12)")
    Path certP12;

    @Option(names = "--trust", description = "PEM CA bundle for the server; default: the JDK's trust store")
    Path trust;

    @Option(names = "--scope", description = "a scope to request; repeat for several")
    List<String> scopes = new ArrayList<>();
    @Option(names = "--resource", description = "a resource indicator (RFC 8707) to request; repeat for several")
    List<URI> resources = new ArrayList<>();

    @Option(names = "--require-bound-token", description = "fail unless the token is bound to the presented client certificate (cnf.x5t#S256)")
    boolean requireBoundToken;

    @Option(names = "--dpop", description = "ask for a DPoP-bound token (RFC 9449); without --dpop-key the key lives only as long as this command")
    boolean dpop;
    @Option(names = "--dpop-key", description = "DPoP key: PEM or .p12 (password from --key-password-env); implies --dpop")
    Path dpopKey;

    @Option(names = "--output", defaultValue = "json", description = "json|token")
    String output;

    @Option(names = "--verbose", description = "print a stack trace on failure")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (!output.equals("json") && !output.equals("token")) {
            throw new ConfigurationException("--output must be json or token, not '" + output + "'");
        }
        ClientAuthenticationMethod method;
        try {
            method = ClientAuthenticationMethod.of(auth);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("unknown --auth '" + auth + "'");
        }
        ClientId id = ClientId.of(clientId);
        X509TrustManager trustManager = trust == null ? null : CliFiles.trustManager(trust);
        if (tokenEndpointAudience() && endpoint.issuer == null && !method.value().endsWith("_jwt")) {
            throw new ConfigurationException("--audience applies to client_secret_jwt and private_key_jwt only");
        }
        ClientAuthentication authentication = authentication(method, id);
        ClientTls.Builder tls = ClientTls.builder();
        if (trustManager != null) {
            tls.trust(trustManager);
        }
        TlsClientIdentity presented = authentication.tlsIdentity().orElse(null);
        if (presented == null && (cert != null || certP12 != null)) {
            presented = CliKeys.identity(cert, certKey, certP12, keyPasswordEnv); // for certificate-bound tokens
        }
        if (presented != null) {
            tls.identity(presented);
        }
        JdkHttpTransport transport = JdkHttpTransport.builder().tls(tls.build()).build();
        TokenClient.Builder builder;
        if (endpoint.issuer != null) {
            AuthorizationServerMetadata metadata = AuthorizationServerMetadata.discover(endpoint.issuer, transport);
            builder = TokenClient.builder(metadata, authentication).allowUnadvertisedAuthenticationMethod();
        } else {
            builder = TokenClient.builder(endpoint.tokenEndpoint, authentication);
            if (method.value().endsWith("_jwt") && !tokenEndpointAudience()) {
                throw new ConfigurationException(method + " with --token-endpoint needs the issuer as audience: give --issuer, "
                        + "or --audience token-endpoint");
            }
        }
        builder.transport(transport);
        if (requireBoundToken) {
            builder.requireCertificateBoundToken();
        }
        if (dpop || dpopKey != null) {
            builder.dpop(dpopKey == null ? DPoP.withNewKey() : DPoP.with(CliKeys.dpopKey(dpopKey, keyPasswordEnv)));
        }
        TokenRequest.Builder request = TokenRequest.builder();
        scopes.forEach(request::scope);
        resources.forEach(request::resource);
        TokenResponse response = builder.build().requestToken(request.build());
        if (output.equals("token")) {
            spec.commandLine().getOut().println(response.accessToken().value());
        } else {
            spec.commandLine().getOut().println(toJson(response));
        }
        return ClientAuthCli.OK;
    }

    static String toJson(TokenResponse response) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("access_token", response.accessToken().value());
        json.put("token_type", response.accessToken().type().value());
        response.expiresIn().ifPresent(d -> json.put("expires_in", d.getSeconds()));
        if (!response.accessToken().scopes().isEmpty()) {
            json.put("scope", String.join(" ", response.accessToken().scopes()));
        }
        response.parameters().forEach(json::putIfAbsent);
        response.accessToken().boundCertificate().ifPresent(t -> json.put("x5t#S256", t.value()));
        response.accessToken().boundKey().ifPresent(jkt -> json.put("jkt", jkt));
        return JSONObjectUtils.toJSONString(json);
    }

    private ClientAuthentication authentication(ClientAuthenticationMethod method, ClientId id) throws Exception {
        if (method.equals(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)) {
            return ClientSecretBasic.of(id, secret());
        }
        if (method.equals(ClientAuthenticationMethod.CLIENT_SECRET_POST)) {
            return ClientSecretPost.of(id, secret());
        }
        if (method.equals(ClientAuthenticationMethod.CLIENT_SECRET_JWT)) {
            ClientSecretJwt.Builder builder = ClientSecretJwt.builder(id, secret());
            if (alg != null) {
                builder.algorithm(algorithm());
            }
            if (tokenEndpointAudience()) {
                builder.legacyTokenEndpointAudience();
            }
            return builder.build();
        }
        if (method.equals(ClientAuthenticationMethod.PRIVATE_KEY_JWT)) {
            PrivateKeyJwt.Builder builder = PrivateKeyJwt.builder(id, CliKeys.signer(key, keyPasswordEnv, pkcs11Config,
                    pkcs11Alias, pkcs11PinEnv, alg == null ? null : algorithm(), kid));
            if (tokenEndpointAudience()) {
                builder.legacyTokenEndpointAudience();
            }
            return builder.build();
        }
        if (method.equals(ClientAuthenticationMethod.TLS_CLIENT_AUTH)) {
            return TlsClientAuth.pki(id, CliKeys.identity(cert, certKey, certP12, keyPasswordEnv));
        }
        if (method.equals(ClientAuthenticationMethod.SELF_SIGNED_TLS_CLIENT_AUTH)) {
            return TlsClientAuth.selfSigned(id, CliKeys.identity(cert, certKey, certP12, keyPasswordEnv));
        }
        throw new ConfigurationException("unknown --auth '" + method + "'");
    }

    private SignatureAlgorithm algorithm() {
        try {
            return SignatureAlgorithm.of(alg);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("--alg: " + e.getMessage());
        }
    }

    private boolean tokenEndpointAudience() {
        if (audience.equals("issuer")) {
            return false;
        }
        if (audience.equals("token-endpoint")) {
            return true;
        }
        throw new ConfigurationException("--audience must be issuer or token-endpoint, not '" + audience + "'");
    }

    private Secret secret() {
        if ((secretFile == null) == (secretEnv == null)) {
            throw new ConfigurationException("give the client secret with exactly one of --secret-file or --secret-env");
        }
        if (secretFile != null) {
            try {
                String value = Files.readString(secretFile, StandardCharsets.UTF_8).strip();
                if (value.isEmpty()) {
                    throw new ConfigurationException("secret file " + secretFile + " is empty");
                }
                return Secret.of(value);
            } catch (IOException e) {
                throw new ConfigurationException("cannot read secret file " + secretFile + ": " + e.getClass().getSimpleName());
            }
        }
        String value = System.getenv(secretEnv);
        if (value == null || value.isEmpty()) {
            throw new ConfigurationException("environment variable " + secretEnv + " is not set");
        }
        return Secret.of(value);
    }
}
