package dev.clientauth.jwt;

import dev.clientauth.core.Secret;
import dev.clientauth.core.internal.KeyStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.util.Objects;
import javax.security.auth.callback.PasswordCallback;

/**
 * Loads signing keys from PKCS#12 files and PKCS#11 tokens (HSMs) into {@link JcaSigner}
 * builders. A PKCS#11 private key never leaves the token: it signs through the token's
 * provider.
 *
 * <p>Errors are {@link IllegalArgumentException}s that name the file, alias or token, never the
 * password or PIN.
 */
public final class KeyStoreSigners {
    private KeyStoreSigners() {
    }

    /**
     * A signer for a private key entry of a PKCS#12 file. With a null alias the file must hold
     * exactly one key entry.
     */
    public static JcaSigner.Builder pkcs12(Path file, Secret password, String alias) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(password, "password");
        String where = "PKCS#12 file " + file;
        try {
            return signer(KeyStores.entry(KeyStores.pkcs12(file, password), alias, password, where));
        } catch (KeyStores.LoadException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * A signer for a key in a PKCS#11 token, through the JDK's SunPKCS11 provider configured with
     * the given file. The key entry needs a certificate (the SunPKCS11 keystore lists only keys
     * with one). After a signing failure (a token removed, a session lost) the next signature logs
     * in again first.
     */
    public static JcaSigner.Builder pkcs11(Path configFile, String alias, Secret pin) {
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(pin, "pin");
        if (!Files.isReadable(configFile)) {
            throw new IllegalArgumentException("cannot read PKCS#11 configuration " + configFile);
        }
        Provider base = Security.getProvider("SunPKCS11");
        if (base == null) {
            throw new IllegalStateException("the SunPKCS11 provider is not available in this JVM");
        }
        Provider provider;
        try {
            provider = base.configure(configFile.toString());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot configure PKCS#11 from " + configFile + ": " + e.getMessage(), e);
        }
        return pkcs11(provider, alias, pin);
    }

    /** As {@link #pkcs11(Path, String, Secret)} with an already configured PKCS#11 provider. */
    public static JcaSigner.Builder pkcs11(Provider provider, String alias, Secret pin) {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(pin, "pin");
        KeyStore store;
        JcaSigner.Builder builder;
        try {
            store = KeyStores.pkcs11(provider, pin);
            builder = signer(KeyStores.entry(store, alias, null, "PKCS#11 token " + provider.getName()));
        } catch (KeyStores.LoadException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        KeyStore keyStore = store;
        builder.provider(provider);
        if (provider instanceof AuthProvider) {
            AuthProvider auth = (AuthProvider) provider;
            builder.recovery(() -> {
                try {
                    auth.logout();
                } catch (javax.security.auth.login.LoginException ignored) {
                    // not logged in: nothing to undo
                }
                char[] pinChars = pin.reveal().toCharArray();
                java.util.List<PasswordCallback> answered = new java.util.ArrayList<>();
                try {
                    auth.login(null, callbacks -> {
                        for (javax.security.auth.callback.Callback c : callbacks) {
                            if (c instanceof PasswordCallback password) {
                                password.setPassword(pinChars); // PasswordCallback keeps a copy
                                answered.add(password);
                            }
                        }
                    });
                } catch (javax.security.auth.login.LoginException e) {
                    throw new GeneralSecurityException("login to PKCS#11 token " + provider.getName() + " failed", e);
                } finally {
                    java.util.Arrays.fill(pinChars, '\0');
                    answered.forEach(PasswordCallback::clearPassword);
                }
                try {
                    keyStore.load(null, null);
                } catch (IOException e) {
                    throw new GeneralSecurityException("cannot reopen PKCS#11 token " + provider.getName(), e);
                }
                Key key = keyStore.getKey(alias, null);
                if (!(key instanceof PrivateKey)) {
                    throw new GeneralSecurityException("PKCS#11 token " + provider.getName() + " no longer has key '" + alias + "'");
                }
                return (PrivateKey) key;
            });
        }
        return builder;
    }

    private static JcaSigner.Builder signer(KeyStores.Entry entry) {
        JcaSigner.Builder builder = JcaSigner.builder(entry.key());
        if (entry.chain().length > 0) {
            builder.certificate(entry.chain()[0]);
        }
        return builder;
    }
}
