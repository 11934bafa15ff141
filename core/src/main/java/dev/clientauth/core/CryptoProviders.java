package dev.clientauth.core;

import java.security.Provider;
import java.security.Security;
import java.util.Objects;
import java.util.Optional;

/**
 * The one crypto-provider choice of the library, honoured wherever it uses keys: assertion
 * signing and verification, key generation and rotation, JWKS publication, key stores, PEM and
 * identity loading, and TLS contexts (when the provider offers them).
 *
 * <ul>
 *   <li><b>Default</b>: the fastest vetted provider present for each operation — Bouncy Castle's
 *       provider for ECDSA and EdDSA signatures when it is on the class path (several times faster
 *       than the JDK 17 providers), the JDK's providers for everything else.</li>
 *   <li><b>Pinned</b>: with {@link #pin(Provider)}, or the system property
 *       {@value #PROPERTY} naming a registered provider (or {@code BCFIPS} or {@code BC}, which
 *       are registered when their classes are on the class path), every key
 *       operation uses that provider and nothing else: an algorithm it lacks fails, it never falls
 *       back. Keys held by another provider (an HSM's) still sign where they live.</li>
 * </ul>
 *
 * <p>The choice is process-wide, as the JCA provider list it refines. Thread-safe.
 */
public final class CryptoProviders {
    /** The system property naming a registered provider to pin. */
    public static final String PROPERTY = "clientauth.crypto.provider";
    private static volatile Provider pinned;

    private CryptoProviders() {
    }

    /**
     * Pins {@code provider} for every key operation of the library (registering it with
     * {@link Security#addProvider} if no provider of that name is registered, as JSSE and
     * PKCS#12 loading need).
     */
    public static synchronized void pin(Provider provider) {
        Objects.requireNonNull(provider, "provider");
        if (Security.getProvider(provider.getName()) == null) {
            Security.addProvider(provider);
        }
        pinned = provider;
    }

    /** Returns to the default choice (and to {@value #PROPERTY}, if set). */
    public static synchronized void reset() {
        pinned = null;
    }

    /** Bouncy Castle's providers, registered on demand when the property names them. */
    private static final java.util.Map<String, String> KNOWN = java.util.Map.of(
            "BCFIPS", "org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider",
            "BC", "org.bouncycastle.jce.provider.BouncyCastleProvider");

    private static synchronized Provider registerKnown(String name) {
        Provider registered = Security.getProvider(name);
        if (registered != null || !KNOWN.containsKey(name)) {
            return registered;
        }
        try {
            Provider created = (Provider) Class.forName(KNOWN.get(name)).getDeclaredConstructor().newInstance();
            Security.addProvider(created);
            return created;
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            return null;
        }
    }

    /**
     * The pinned provider: from {@link #pin(Provider)}, else the registered provider named by
     * {@value #PROPERTY}, else empty (the default choice).
     *
     * @throws IllegalStateException if {@value #PROPERTY} names no registered provider
     */
    public static Optional<Provider> pinned() {
        Provider current = pinned;
        if (current != null) {
            return Optional.of(current);
        }
        String name = System.getProperty(PROPERTY);
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        Provider named = Security.getProvider(name.strip());
        if (named == null) {
            named = registerKnown(name.strip());
        }
        if (named == null) {
            throw new IllegalStateException(PROPERTY + " names the provider '" + name.strip()
                    + "', which is not registered: register it (java.security or Security.addProvider) or pin it");
        }
        return Optional.of(named);
    }
}
