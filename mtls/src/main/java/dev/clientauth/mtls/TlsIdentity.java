package dev.clientauth.mtls;

import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.core.Secret;
import dev.clientauth.core.internal.KeyStores;
import dev.clientauth.keys.KeyMaterialException;
import dev.clientauth.keys.PemFiles;
import dev.clientauth.core.TlsClientIdentity;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.GeneralSecurityException;
import java.io.IOException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.X509KeyManager;

/**
 * A TLS client identity — private key and certificate chain — that can be swapped at run time.
 *
 * <p>Loaded from PEM (PKCS#8, encrypted PKCS#8, PKCS#1 RSA, SEC1 EC; the chain in one or more
 * files), PKCS#12, a PKCS#11 keystore alias, or given in memory. Every load is checked: the key
 * matches the leaf, the chain is in order, and the leaf is within its validity period and usable
 * for client authentication. The last two fail by default; the named weakenings
 * {@link Builder#allowCertificateOutsideValidity()} and {@link Builder#allowMissingClientAuthUsage()}
 * turn them into a logged warning.
 *
 * <p>{@link #keyManager()} always presents the current identity, so an HTTP client built once
 * keeps working across {@link #reload()}s. A reload that fails (broken files, a key that does not
 * match) keeps the old identity, tells listeners, and throws. Listeners are told the old and new
 * {@code x5t#S256} of every change.
 *
 * <pre>
 * TlsIdentity identity = TlsIdentity.fromPem(List.of(Path.of("tls.crt")), Path.of("tls.key"), null).build();
 * IdentityWatcher watcher = identity.watch(Duration.ofSeconds(30));   // Kubernetes secret rotation
 * </pre>
 *
 * <p>Thread-safe.
 */
public final class TlsIdentity implements TlsClientIdentity {
    private static final System.Logger LOG = System.getLogger(TlsIdentity.class.getName());

    /** Told about identity changes and failed reloads. */
    public interface Listener extends TlsClientIdentity.IdentityChangeListener {
        /** A reload failed; the old identity stays in use. */
        default void reloadFailed(Exception error) {
        }
    }

    private final IdentitySource source;
    private final Clock clock;
    private final boolean allowOutsideValidity;
    private final boolean allowShorterChain;
    private final boolean allowMissingClientAuth;
    private final DelegatingKeyManager keyManager;
    private final List<IdentityChangeListener> listeners = new CopyOnWriteArrayList<>();
    private volatile IdentityMaterial current;

    private TlsIdentity(Builder builder, IdentityMaterial first) {
        this.source = builder.source;
        this.clock = builder.clock;
        this.allowOutsideValidity = builder.allowOutsideValidity;
        this.allowShorterChain = builder.allowShorterChain;
        this.allowMissingClientAuth = builder.allowMissingClientAuth;
        this.current = first;
        this.keyManager = new DelegatingKeyManager(() -> current);
    }

    /** From a PEM chain (leaf first, in one or more files) and a PEM private key (password for an encrypted key, else null). */
    public static Builder fromPem(List<Path> chainFiles, Path keyFile, Secret password) {
        List<Path> chain = List.copyOf(chainFiles);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("at least one certificate file is needed");
        }
        Objects.requireNonNull(keyFile, "keyFile");
        return new Builder(new IdentitySource() {
            @Override
            public IdentityMaterial load() throws InvalidIdentityException {
                List<X509Certificate> certificates = new ArrayList<>();
                try {
                    for (Path file : chain) {
                        certificates.addAll(PemFiles.readCertificates(file));
                    }
                    PrivateKey key = PemFiles.readPrivateKey(keyFile, password);
                    return new IdentityMaterial(key, certificates.toArray(new X509Certificate[0]), 0);
                } catch (KeyMaterialException e) {
                    throw new InvalidIdentityException(e.getMessage(), e);
                }
            }

            @Override
            public List<Path> files() {
                List<Path> files = new ArrayList<>(chain);
                files.add(keyFile);
                return files;
            }

            @Override
            public String describe() {
                return "PEM " + chain + " + " + keyFile;
            }
        });
    }

    /** From a PKCS#12 file; a null alias means the file's only key entry. */
    public static Builder fromPkcs12(Path file, Secret password, String alias) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(password, "password");
        return new Builder(new IdentitySource() {
            @Override
            public IdentityMaterial load() throws InvalidIdentityException {
                try {
                    KeyStore store = KeyStores.pkcs12(file, password);
                    return material(KeyStores.entry(store, alias, password, "PKCS#12 file " + file), "PKCS#12 file " + file);
                } catch (KeyStores.LoadException e) {
                    throw new InvalidIdentityException(e.getMessage(), e);
                }
            }

            @Override
            public List<Path> files() {
                return List.of(file);
            }

            @Override
            public String describe() {
                return "PKCS#12 " + file;
            }
        });
    }

    /**
     * From a key and certificate in a PKCS#11 token (an HSM) through a configured SunPKCS11
     * provider. The key never leaves the token; JSSE signs handshakes through the provider, and
     * JSSE only finds providers registered with {@link java.security.Security#addProvider}.
     *
     * @throws IllegalStateException if the provider is not registered
     */
    public static Builder fromPkcs11(Provider provider, String alias, Secret pin) {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(pin, "pin");
        if (java.security.Security.getProvider(provider.getName()) != provider) {
            throw new IllegalStateException("PKCS#11 provider " + provider.getName() + " is not registered: call "
                    + "Security.addProvider(provider) first, JSSE signs TLS handshakes only with registered providers");
        }
        return new Builder(new IdentitySource() {
            @Override
            public IdentityMaterial load() throws InvalidIdentityException {
                String where = "PKCS#11 token " + provider.getName();
                try {
                    return material(KeyStores.entry(KeyStores.pkcs11(provider, pin), alias, null, where), where);
                } catch (KeyStores.LoadException e) {
                    throw new InvalidIdentityException(e.getMessage(), e);
                }
            }

            @Override
            public List<Path> files() {
                return List.of();
            }

            @Override
            public String describe() {
                return "PKCS#11 " + provider.getName() + " alias " + alias;
            }
        });
    }

    /**
     * Loads a private key and its chain (leaf first) from wherever an application keeps them — a
     * framework's key store, a secrets manager — and again on every {@link #reload()}.
     */
    @FunctionalInterface
    public interface Loader {
        KeyStore.PrivateKeyEntry load() throws GeneralSecurityException, IOException;
    }

    /**
     * An identity from {@code loader}, checked like every other identity; {@code description}
     * names the source in messages (never a password).
     */
    public static Builder from(String description, Loader loader) {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(loader, "loader");
        return new Builder(new IdentitySource() {
            @Override
            public IdentityMaterial load() throws InvalidIdentityException {
                KeyStore.PrivateKeyEntry entry;
                try {
                    entry = loader.load();
                } catch (GeneralSecurityException | IOException | RuntimeException e) {
                    throw new InvalidIdentityException("cannot load the TLS identity from " + description + ": "
                            + e.getClass().getSimpleName(), e);
                }
                if (entry == null) {
                    throw new InvalidIdentityException(description + " holds no private key entry");
                }
                java.security.cert.Certificate[] certificates = entry.getCertificateChain();
                X509Certificate[] chain = new X509Certificate[certificates.length];
                for (int i = 0; i < certificates.length; i++) {
                    if (!(certificates[i] instanceof X509Certificate x509)) {
                        throw new InvalidIdentityException(description + " holds a certificate that is not X.509");
                    }
                    chain[i] = x509;
                }
                return new IdentityMaterial(entry.getPrivateKey(), chain, 0);
            }

            @Override
            public List<Path> files() {
                return List.of();
            }

            @Override
            public String describe() {
                return description;
            }
        });
    }

    /** An identity held in memory (chain leaf first). */
    public static Builder of(PrivateKey privateKey, X509Certificate... chain) {
        Objects.requireNonNull(privateKey, "privateKey");
        if (chain.length == 0) {
            throw new IllegalArgumentException("a certificate chain is needed");
        }
        X509Certificate[] copy = chain.clone();
        return new Builder(new IdentitySource() {
            @Override
            public IdentityMaterial load() {
                return new IdentityMaterial(privateKey, copy, 0);
            }

            @Override
            public List<Path> files() {
                return List.of();
            }

            @Override
            public String describe() {
                return "in-memory " + copy[0].getSubjectX500Principal().getName();
            }
        });
    }

    private static IdentityMaterial material(KeyStores.Entry entry, String where) throws InvalidIdentityException {
        if (entry.chain().length == 0) {
            throw new InvalidIdentityException(where + " entry '" + entry.alias() + "' has no certificate chain");
        }
        return new IdentityMaterial(entry.key(), entry.chain(), 0);
    }

    @Override
    public X509KeyManager keyManager() {
        return keyManager;
    }

    @Override
    public X509Certificate certificate() {
        return current.leaf();
    }

    /** The current chain, leaf first. */
    public List<X509Certificate> certificateChain() {
        return List.of(current.chain);
    }

    @Override
    public CertificateThumbprint thumbprint() {
        return current.thumbprint;
    }

    @Override
    public long generation() {
        return current.generation;
    }

    @Override
    public void addChangeListener(IdentityChangeListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Loads the identity again from its source. If the new material fails any check, the old
     * identity stays in use, listeners are told, and the error is thrown.
     *
     * @return whether the identity changed (false when the same certificate and key were loaded)
     */
    public synchronized boolean reload() throws InvalidIdentityException {
        IdentityMaterial loaded;
        try {
            loaded = load(source, clock, allowOutsideValidity, allowMissingClientAuth);
        } catch (InvalidIdentityException e) {
            LOG.log(Level.WARNING, "reload of TLS identity from {0} failed, keeping {1}: {2}",
                    source.describe(), current.describe(), e.getMessage());
            for (IdentityChangeListener listener : listeners) {
                if (listener instanceof Listener) {
                    ((Listener) listener).reloadFailed(e);
                }
            }
            throw e;
        }
        IdentityMaterial old = current;
        if (loaded.thumbprint.equals(old.thumbprint) && loaded.privateKey.equals(old.privateKey)) {
            return false;
        }
        if (loaded.chain.length < old.chain.length && !allowShorterChain) {
            // a renewal written file by file can be read while the leaf is new and its intermediates are not
            InvalidIdentityException e = new InvalidIdentityException("reloaded chain from " + source.describe() + " has "
                    + loaded.chain.length + " certificate(s), the current one " + old.chain.length
                    + "; keeping the current identity until the chain is complete (allowShorterChainOnReload() to accept)");
            LOG.log(Level.WARNING, e.getMessage());
            for (IdentityChangeListener listener : listeners) {
                if (listener instanceof Listener) {
                    ((Listener) listener).reloadFailed(e);
                }
            }
            throw e;
        }
        IdentityMaterial next = loaded.withGeneration(old.generation + 1);
        keyManager.retire(old);
        current = next;
        LOG.log(Level.INFO, "TLS identity reloaded: {0} -> {1}", old.describe(), next.describe());
        for (IdentityChangeListener listener : listeners) {
            try {
                listener.identityChanged(old.thumbprint, next.thumbprint);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "identity change listener failed", e);
            }
        }
        return true;
    }

    /**
     * Watches the identity's files and reloads on change: the directories are watched (so the
     * Kubernetes symlink swap of a mounted secret is seen) and polled every {@code pollInterval}
     * as a fallback. Close the watcher to stop.
     */
    public IdentityWatcher watch(Duration pollInterval) {
        if (source.files().isEmpty()) {
            throw new IllegalStateException("identity from " + source.describe() + " has no files to watch");
        }
        return new IdentityWatcher(this, source.files(), pollInterval);
    }

    @Override
    public String toString() {
        return "TlsIdentity[" + current.describe() + ", from " + source.describe() + "]";
    }

    private static IdentityMaterial load(IdentitySource source, Clock clock, boolean allowOutsideValidity,
            boolean allowMissingClientAuth) throws InvalidIdentityException {
        IdentityMaterial material = source.load();
        IdentityChecks.check(material, clock.instant(), allowOutsideValidity, allowMissingClientAuth);
        return material;
    }

    /** Builds and first loads a {@link TlsIdentity}. Not thread-safe. */
    public static final class Builder {
        private final IdentitySource source;
        private Clock clock = Clock.systemUTC();
        private boolean allowOutsideValidity;
        private boolean allowMissingClientAuth;
        private boolean allowShorterChain;

        private Builder(IdentitySource source) {
            this.source = source;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** A weakening: load an expired or not yet valid certificate, with a logged warning. */
        public Builder allowCertificateOutsideValidity() {
            this.allowOutsideValidity = true;
            return this;
        }

        /** A weakening: load a certificate whose extended key usage lacks clientAuth, with a logged warning. */
        public Builder allowMissingClientAuthUsage() {
            this.allowMissingClientAuth = true;
            return this;
        }

        /**
         * Accept a reloaded chain shorter than the current one (a deployment that drops an
         * intermediate on purpose). By default such a reload is refused as incomplete.
         */
        public Builder allowShorterChainOnReload() {
            this.allowShorterChain = true;
            return this;
        }

        /**
         * @throws InvalidIdentityException if the material cannot be loaded or fails a check
         */
        public TlsIdentity build() throws InvalidIdentityException {
            return new TlsIdentity(this, load(source, clock, allowOutsideValidity, allowMissingClientAuth));
        }
    }
}
