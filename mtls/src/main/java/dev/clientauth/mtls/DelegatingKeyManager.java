package dev.clientauth.mtls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A client key manager that always presents the current identity, whatever CAs the server
 * names (a self-signed {@code self_signed_tls_client_auth} certificate is never among them).
 * The alias carries the identity's generation, so one handshake sees one consistent key and
 * chain even if a reload happens in the middle of it.
 */
final class DelegatingKeyManager extends X509ExtendedKeyManager {
    private static final String PREFIX = "clientauth-";
    private final Supplier<IdentityMaterial> current;
    private volatile IdentityMaterial previous;

    DelegatingKeyManager(Supplier<IdentityMaterial> current) {
        this.current = current;
    }

    void retire(IdentityMaterial old) {
        this.previous = old;
    }

    private IdentityMaterial byAlias(String alias) {
        IdentityMaterial now = current.get();
        if ((PREFIX + now.generation).equals(alias)) {
            return now;
        }
        IdentityMaterial before = previous;
        if (before != null && (PREFIX + before.generation).equals(alias)) {
            return before;
        }
        return null;
    }

    private String alias(String[] keyTypes) {
        IdentityMaterial now = current.get();
        String type = now.leaf().getPublicKey().getAlgorithm();
        if (keyTypes == null) {
            return PREFIX + now.generation;
        }
        for (String keyType : keyTypes) {
            if (keyType.equals(type) || (type.equals("RSA") && keyType.equals("RSASSA-PSS"))
                    || ((type.equals("Ed25519") || type.equals("EdDSA")) && (keyType.equals("EdDSA") || keyType.equals("Ed25519")))
                    || keyType.startsWith(type + "_")) {
                return PREFIX + now.generation;
            }
        }
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return alias(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return alias(keyTypes);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        String alias = alias(new String[] {keyType});
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        IdentityMaterial material = byAlias(alias);
        return material == null ? null : material.chain.clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        IdentityMaterial material = byAlias(alias);
        return material == null ? null : material.privateKey;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String toString() {
        return "DelegatingKeyManager[" + current.get().describe() + "]";
    }
}
