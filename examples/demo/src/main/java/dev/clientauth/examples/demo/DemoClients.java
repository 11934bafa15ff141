package dev.clientauth.examples.demo;

import dev.clientauth.core.ClientAuthentication;
import dev.clientauth.core.ClientId;
import dev.clientauth.core.ClientSecretBasic;
import dev.clientauth.core.ClientSecretPost;
import dev.clientauth.jwt.ClientSecretJwt;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.PrivateKeyJwt;
import dev.clientauth.mtls.InvalidIdentityException;
import dev.clientauth.mtls.TlsClientAuth;
import dev.clientauth.mtls.TlsIdentity;
import java.util.LinkedHashMap;
import java.util.Map;

/** One configured {@link ClientAuthentication} per method, for the demo's registered clients. */
public final class DemoClients {
    private DemoClients() {
    }

    /** Method name to strategy, in the order the demo runs them. */
    public static Map<String, ClientAuthentication> all(DemoMaterial material) throws InvalidIdentityException {
        Map<String, ClientAuthentication> clients = new LinkedHashMap<>();
        clients.put("client_secret_basic", ClientSecretBasic.of(ClientId.of(DemoMaterial.BASIC), material.basicSecret()));
        clients.put("client_secret_post", ClientSecretPost.of(ClientId.of(DemoMaterial.POST), material.postSecret()));
        clients.put("client_secret_jwt", ClientSecretJwt.of(ClientId.of(DemoMaterial.SECRET_JWT), material.jwtSecret()));
        clients.put("private_key_jwt", PrivateKeyJwt.of(ClientId.of(DemoMaterial.PRIVATE_KEY_JWT),
                JcaSigner.of(material.assertionKey())));
        clients.put("tls_client_auth", TlsClientAuth.pki(ClientId.of(DemoMaterial.TLS), identity(material)));
        clients.put("self_signed_tls_client_auth", TlsClientAuth.selfSigned(ClientId.of(DemoMaterial.SELF_SIGNED),
                TlsIdentity.of(material.selfSigned().privateKey(), material.selfSigned().chain()).build()));
        return clients;
    }

    /** The CA-issued client identity (leaf and intermediate). */
    public static TlsIdentity identity(DemoMaterial material) throws InvalidIdentityException {
        return TlsIdentity.of(material.clientCertificate().privateKey(), material.clientCertificate().chain()).build();
    }
}
