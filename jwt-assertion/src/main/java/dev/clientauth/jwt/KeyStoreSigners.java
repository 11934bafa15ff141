package dev.clientauth.jwt;

import dev.clientauth.core.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
        KeyStore store;
        char[] pw = password.reveal().toCharArray();
        try (InputStream in = Files.newInputStream(file)) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, pw);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new IllegalArgumentException("wrong password for PKCS#12 file " + file);
            }
            throw new IllegalArgumentException("cannot read PKCS#12 file " + file + ": " + e.getClass().getSimpleName(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read PKCS#12 file " + file + ": " + e.getClass().getSimpleName(), e);
        }
        try {
            return fromKeyStore(store, alias, pw, "PKCS#12 file " + file);
        } finally {
            java.util.Arrays.fill(pw, '\0');
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
        char[] pinChars = pin.reveal().toCharArray();
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS11", provider);
            store.load(null, pinChars);
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof javax.security.auth.login.FailedLoginException
                        || String.valueOf(t.getMessage()).contains("CKR_PIN_INCORRECT")) {
                    throw new IllegalArgumentException("wrong PIN for PKCS#11 token " + provider.getName());
                }
            }
            throw new IllegalArgumentException("cannot open PKCS#11 token " + provider.getName() + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot open PKCS#11 token " + provider.getName() + ": " + e.getMessage(), e);
        }
        JcaSigner.Builder builder = fromKeyStore(store, alias, pinChars, "PKCS#11 token " + provider.getName());
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
                try {
                    auth.login(null, callbacks -> {
                        for (javax.security.auth.callback.Callback c : callbacks) {
                            if (c instanceof PasswordCallback) {
                                ((PasswordCallback) c).setPassword(pin.reveal().toCharArray());
                            }
                        }
                    });
                } catch (javax.security.auth.login.LoginException e) {
                    throw new GeneralSecurityException("login to PKCS#11 token " + provider.getName() + " failed", e);
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

    private static JcaSigner.Builder fromKeyStore(KeyStore store, String alias, char[] password, String where) {
        try {
            String chosen = alias;
            if (chosen == null) {
                List<String> keys = new ArrayList<>();
                for (String a : Collections.list(store.aliases())) {
                    if (store.isKeyEntry(a)) {
                        keys.add(a);
                    }
                }
                if (keys.size() != 1) {
                    throw new IllegalArgumentException(where + " holds " + keys.size()
                            + " private keys; name one with an alias" + (keys.isEmpty() ? "" : ": " + keys));
                }
                chosen = keys.get(0);
            }
            if (!store.containsAlias(chosen)) {
                throw new IllegalArgumentException(where + " has no entry '" + chosen + "'");
            }
            if (!store.isKeyEntry(chosen)) {
                throw new IllegalArgumentException(where + " entry '" + chosen + "' holds no private key");
            }
            Key key = store.getKey(chosen, password);
            if (!(key instanceof PrivateKey)) {
                throw new IllegalArgumentException(where + " entry '" + chosen + "' is not a private key");
            }
            JcaSigner.Builder builder = JcaSigner.builder((PrivateKey) key);
            java.security.cert.Certificate certificate = store.getCertificate(chosen);
            if (certificate instanceof X509Certificate) {
                builder.certificate((X509Certificate) certificate);
            }
            return builder;
        } catch (UnrecoverableKeyException e) {
            throw new IllegalArgumentException("wrong password for the key '" + alias + "' in " + where);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the key from " + where + ": " + e.getClass().getSimpleName(), e);
        }
    }
}
