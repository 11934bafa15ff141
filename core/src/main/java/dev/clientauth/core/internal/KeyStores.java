package dev.clientauth.core.internal;

import dev.clientauth.core.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.security.auth.login.FailedLoginException;

/**
 * Opening PKCS#12 files and PKCS#11 tokens and taking one key entry out of them, with the
 * wrong-password and wrong-PIN cases told apart. Messages name the file or token and the
 * alias, never a password, PIN or key.
 */
public final class KeyStores {
    private KeyStores() {
    }

    /** A key store could not be opened or has no usable entry; the message says which and why. */
    public static final class LoadException extends Exception {
        private static final long serialVersionUID = 1L;

        LoadException(String message) {
            super(message);
        }

        LoadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A private key entry: the key and its certificate chain (leaf first, possibly empty). */
    public record Entry(String alias, PrivateKey key, X509Certificate[] chain) {
    }

    /** Opens a PKCS#12 file. */
    public static KeyStore pkcs12(Path file, Secret password) throws LoadException {
        char[] pw = password.reveal().toCharArray();
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = Jca.keyStore("PKCS12");
            store.load(in, pw);
            return store;
        } catch (NoSuchFileException e) {
            throw new LoadException(file + " does not exist");
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new LoadException("wrong password for PKCS#12 file " + file);
            }
            throw new LoadException("cannot read PKCS#12 file " + file + ": " + e.getClass().getSimpleName(), e);
        } catch (GeneralSecurityException e) {
            throw new LoadException("cannot read PKCS#12 file " + file + ": " + e.getClass().getSimpleName(), e);
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    /** Opens (logs in to) the token of a configured PKCS#11 provider. */
    public static KeyStore pkcs11(Provider provider, Secret pin) throws LoadException {
        char[] pw = pin.reveal().toCharArray();
        try {
            KeyStore store = KeyStore.getInstance("PKCS11", provider);
            store.load(null, pw);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof FailedLoginException || String.valueOf(t.getMessage()).contains("CKR_PIN_INCORRECT")) {
                    throw new LoadException("wrong PIN for PKCS#11 token " + provider.getName());
                }
            }
            throw new LoadException("cannot open PKCS#11 token " + provider.getName() + ": "
                    + Printable.of(String.valueOf(e.getMessage())), e);
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    /**
     * The private key entry {@code alias}, or with a null alias the store's only key entry.
     *
     * @param password the entry's password (null for a PKCS#11 token)
     * @param where the store, for messages ("PKCS#12 file x.p12")
     */
    public static Entry entry(KeyStore store, String alias, Secret password, String where) throws LoadException {
        char[] pw = password == null ? null : password.reveal().toCharArray();
        String chosen = alias;
        try {
            if (chosen == null) {
                List<String> keys = new ArrayList<>();
                for (String a : Collections.list(store.aliases())) {
                    if (store.isKeyEntry(a)) {
                        keys.add(a);
                    }
                }
                if (keys.size() != 1) {
                    throw new LoadException(where + " holds " + keys.size() + " private keys; name one with an alias"
                            + (keys.isEmpty() ? "" : ": " + keys));
                }
                chosen = keys.get(0);
            }
            if (!store.containsAlias(chosen)) {
                throw new LoadException(where + " has no entry '" + chosen + "'");
            }
            if (!store.isKeyEntry(chosen)) {
                throw new LoadException(where + " entry '" + chosen + "' holds no private key");
            }
            Key key = store.getKey(chosen, pw);
            if (!(key instanceof PrivateKey privateKey)) {
                throw new LoadException(where + " entry '" + chosen + "' is not a private key");
            }
            Certificate[] chain = store.getCertificateChain(chosen);
            List<X509Certificate> x509 = new ArrayList<>();
            if (chain != null) {
                for (Certificate certificate : chain) {
                    if (certificate instanceof X509Certificate c) {
                        x509.add(c);
                    }
                }
            }
            return new Entry(chosen, privateKey, x509.toArray(new X509Certificate[0]));
        } catch (UnrecoverableKeyException e) {
            throw new LoadException("wrong password for the key '" + chosen + "' in " + where);
        } catch (GeneralSecurityException e) {
            throw new LoadException("cannot read the key from " + where + ": " + e.getClass().getSimpleName(), e);
        } finally {
            if (pw != null) {
                Arrays.fill(pw, '\0');
            }
        }
    }
}
