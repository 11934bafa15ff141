package dev.clientauth.jwt.keys;

import dev.clientauth.jwt.AssertionSigner;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.Jwks;
import dev.clientauth.jwt.internal.JcaSignatures;
import dev.clientauth.jwt.SignatureAlgorithm;
import dev.clientauth.jwt.SigningException;
import dev.clientauth.jwt.SigningKey;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A client's signing keys, rotated without a single failed token request.
 *
 * <p>Every key is published in the JWKS while it is {@link KeyState#NEXT} — for at least the
 * publication lead time (default 1 hour, longer than the JWKS cache of a typical authorization
 * server, commonly 5 to 60 minutes) — before it becomes {@link KeyState#ACTIVE} and signs; after
 * it is replaced it stays published as {@link KeyState#RETIRED} for the retirement grace (default
 * 10 minutes, more than the 5-minute maximum assertion lifetime plus clock skew), so assertions it
 * signed still verify, and is then removed. {@link #rotateNow()} is for a suspected compromise: the
 * active key leaves the JWKS at once and the published next key takes over.
 *
 * <p>The {@code kid} of every key is its RFC 7638 thumbprint and is never reused. Keys are made by
 * a {@link KeyGenerator} (software or HSM) and kept in a {@link KeySetStore}, written atomically on
 * every change, so a restart brings back the same keys. A corrupt store is reported, never replaced.
 *
 * <p>As an {@link AssertionSigner}, the set is read at signing time: {@code PrivateKeyJwt} built
 * with it follows rotations without being rebuilt. Transitions happen when due, on any call
 * ({@link #maintain()} may also be called from a scheduler). Thread-safe.
 */
public final class RotatingKeySet implements AssertionSigner {
    private static final System.Logger LOG = System.getLogger(RotatingKeySet.class.getName());

    private final KeySetStore store;
    private final KeyGenerator generator;
    private final SignatureAlgorithm algorithm;
    private final Duration rotationInterval;
    private final Duration publicationLead;
    private final Duration retirementGrace;
    private final Clock clock;
    private final Map<String, PrivateKey> softwareKeys = new HashMap<>();
    private final Set<String> usedKeyIds = new LinkedHashSet<>();
    private volatile List<ManagedKey> keys = List.of();
    private volatile ManagedKey active;
    private volatile long version;
    /** The store generation this instance last read or wrote. */
    private volatile long generation;
    private volatile Instant nextStoreCheck = Instant.MIN;
    /** How often the store is checked for changes made by another process (a CLI rotation, another replica). */
    static final Duration STORE_CHECK_INTERVAL = Duration.ofSeconds(30);

    private RotatingKeySet(Builder b) {
        this.store = b.store;
        this.generator = b.generator;
        this.algorithm = b.algorithm;
        this.rotationInterval = b.rotationInterval;
        this.publicationLead = b.publicationLead;
        this.retirementGrace = b.retirementGrace;
        this.clock = b.clock;
    }

    public static Builder builder(KeySetStore store, KeyGenerator generator) {
        return new Builder(store, generator);
    }

    /** The active key, after applying any transition that is due. */
    @Override
    public SigningKey currentKey() throws SigningException {
        try {
            maintainIfDue();
        } catch (IOException e) {
            throw new SigningException("cannot save the rotated key set to " + store.file(), e);
        }
        return active.signer;
    }

    /**
     * {@link #maintain()} only when a transition is due, and at most every 30 s a look at the
     * store's generation to pick up changes made by another process: cheap enough for every call.
     */
    void maintainIfDue() throws IOException {
        Instant now = clock.instant();
        if (active == null || isDue(now)) {
            maintain();
        } else if (!now.isBefore(nextStoreCheck)) {
            nextStoreCheck = now.plus(STORE_CHECK_INTERVAL);
            reloadIfChanged();
        }
    }

    /** Reloads the set when another process has written the store since this instance read it. */
    synchronized boolean reloadIfChanged() throws IOException {
        if (store.currentGeneration() == generation) {
            return false;
        }
        try {
            load();
        } catch (KeySetCorruptException e) {
            throw new IOException(e.getMessage(), e);
        }
        LOG.log(Level.INFO, "key set {0} was changed by another process; reloaded (active key {1})", store.file(),
                active.keyId());
        return true;
    }

    private boolean isDue(Instant now) {
        for (ManagedKey key : keys) {
            if (key.state() == KeyState.NEXT && !now.isBefore(key.activatesAt().orElseThrow())) {
                return true;
            }
            if (key.state() == KeyState.RETIRED && !now.isBefore(key.removeAt().orElseThrow())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Applies the transitions that are due: a NEXT key whose time has come becomes ACTIVE (the old
     * one RETIRED, a new NEXT is made); RETIRED keys past their grace are removed.
     *
     * @return whether anything changed (the store was then written)
     */
    public synchronized boolean maintain() throws IOException {
        try {
            return maintainOnce();
        } catch (KeySetConflictException e) {
            reloadAfterConflict();
            return maintainOnce();
        }
    }

    private boolean maintainOnce() throws IOException {
        Instant now = clock.instant();
        List<ManagedKey> next = new ArrayList<>(keys);
        boolean changed = next.removeIf(k -> k.state() == KeyState.RETIRED && !now.isBefore(k.removeAt().orElseThrow()));
        for (ManagedKey removed : keys) {
            if (!next.contains(removed)) {
                forget(removed);
            }
        }
        ManagedKey pending = find(next, KeyState.NEXT);
        if (pending != null && !now.isBefore(pending.activatesAt().orElseThrow())) {
            ManagedKey previous = find(next, KeyState.ACTIVE);
            if (previous != null) {
                next.set(next.indexOf(previous), previous.with(KeyState.RETIRED, null, now.plus(retirementGrace)));
            }
            next.set(next.indexOf(pending), pending.with(KeyState.ACTIVE, null, null));
            next.add(generate(KeyState.NEXT, now));
            changed = true;
            LOG.log(Level.INFO, "rotated client signing key: {0} is active", pending.keyId());
        }
        if (find(next, KeyState.NEXT) == null) {
            next.add(generate(KeyState.NEXT, now));
            changed = true;
        }
        if (changed) {
            commit(next);
        }
        return changed;
    }

    /**
     * Rotates now on schedule terms: the published NEXT key becomes active and the active key is
     * RETIRED (still published for the grace period); a new NEXT is made. Use when the NEXT key has
     * been published long enough; for a compromise use {@link #rotateNow()}.
     */
    public synchronized void rotate() throws IOException {
        try {
            rotateOnce();
        } catch (KeySetConflictException e) {
            reloadAfterConflict();
            rotateOnce();
        }
    }

    private void rotateOnce() throws IOException {
        Instant now = clock.instant();
        List<ManagedKey> next = new ArrayList<>(keys);
        ManagedKey previous = find(next, KeyState.ACTIVE);
        ManagedKey pending = find(next, KeyState.NEXT);
        if (previous != null) {
            next.set(next.indexOf(previous), previous.with(KeyState.RETIRED, null, now.plus(retirementGrace)));
        }
        if (pending != null) {
            next.set(next.indexOf(pending), pending.with(KeyState.ACTIVE, null, null));
        } else {
            next.add(generate(KeyState.ACTIVE, now));
        }
        next.add(generate(KeyState.NEXT, now));
        commit(next);
    }

    /**
     * Rotates at once after a suspected compromise: the active key is removed from the JWKS
     * immediately (not retired), the published NEXT key becomes active, and a new NEXT is made.
     */
    public synchronized void rotateNow() throws IOException {
        try {
            rotateNowOnce();
        } catch (KeySetConflictException e) {
            reloadAfterConflict();
            rotateNowOnce();
        }
    }

    private void reloadAfterConflict() throws IOException {
        try {
            load();
        } catch (KeySetCorruptException corrupt) {
            throw new IOException(corrupt.getMessage(), corrupt);
        }
    }

    private void rotateNowOnce() throws IOException {
        Instant now = clock.instant();
        List<ManagedKey> next = new ArrayList<>(keys);
        ManagedKey compromised = find(next, KeyState.ACTIVE);
        if (compromised != null) {
            next.remove(compromised);
        }
        ManagedKey pending = find(next, KeyState.NEXT);
        if (pending != null) {
            next.set(next.indexOf(pending), pending.with(KeyState.ACTIVE, null, null));
        } else {
            next.add(generate(KeyState.ACTIVE, now));
        }
        next.add(generate(KeyState.NEXT, now));
        commit(next);
        if (compromised != null) {
            forget(compromised);
            LOG.log(Level.WARNING, "client signing key {0} withdrawn at once (rotateNow)", compromised.keyId());
        }
    }

    /** The keys in the set now, active first. */
    public List<ManagedKey> keys() {
        List<ManagedKey> sorted = new ArrayList<>(keys);
        sorted.sort((a, b) -> Integer.compare(a.state().ordinal() == 1 ? -1 : a.state().ordinal(),
                b.state().ordinal() == 1 ? -1 : b.state().ordinal()));
        return Collections.unmodifiableList(sorted);
    }

    /** The key currently signing. */
    public ManagedKey activeKey() {
        return active;
    }

    /** Changes with every change of the set (for caching the published JWKS). */
    public long version() {
        return version;
    }

    /** A publisher of this set's public JWKS; {@code maxAge} is its {@code Cache-Control: max-age}. */
    public JwksPublisher publisher(Duration maxAge) {
        return new JwksPublisher(this, maxAge);
    }

    public SignatureAlgorithm algorithm() {
        return algorithm;
    }

    public Clock clock() {
        return clock;
    }

    private static ManagedKey find(List<ManagedKey> list, KeyState state) {
        for (ManagedKey key : list) {
            if (key.state() == state) {
                return key;
            }
        }
        return null;
    }

    private ManagedKey generate(KeyState state, Instant now) throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            KeyGenerator.GeneratedKey generated;
            try {
                generated = generator.generate(algorithm);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot generate a " + algorithm + " key", e);
            }
            String kid = Jwks.thumbprint(generated.certificate.getPublicKey());
            if (usedKeyIds.contains(kid)) {
                continue; // a kid is never reused
            }
            usedKeyIds.add(kid);
            if (generated.hsmAlias == null) {
                softwareKeys.put(kid, generated.privateKey);
            }
            Instant activates = state == KeyState.NEXT ? now.plus(max(rotationInterval, publicationLead)) : null;
            return new ManagedKey(kid, state, algorithm, now, activates, null, generated.certificate, generated.hsmAlias,
                    signer(generated.privateKey, generated, kid));
        }
        throw new IOException("the key generator keeps returning keys whose kid was used before");
    }

    private JcaSigner signer(PrivateKey privateKey, KeyGenerator.GeneratedKey generated, String kid) {
        JcaSigner.Builder builder = JcaSigner.builder(privateKey).certificate(generated.certificate).algorithm(algorithm).keyId(kid);
        if (generated.provider != null) {
            builder.provider(generated.provider);
        }
        return builder.build();
    }

    private void commit(List<ManagedKey> next) throws IOException {
        generation = store.save(next, new ArrayList<>(usedKeyIds), softwareKeys, generation);
        keys = List.copyOf(next);
        active = find(next, KeyState.ACTIVE);
        version++;
    }

    private void forget(ManagedKey key) {
        softwareKeys.remove(key.keyId());
        if (key.hsmAlias().isPresent() && generator instanceof Pkcs11KeyGenerator) {
            try {
                ((Pkcs11KeyGenerator) generator).delete(key.hsmAlias().get());
            } catch (GeneralSecurityException e) {
                LOG.log(Level.WARNING, "cannot delete removed key {0} from the HSM", key.keyId());
            }
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private void load() throws KeySetCorruptException {
        KeySetStore.Content content = store.load();
        Map<String, PrivateKey> loadedSoftwareKeys = new HashMap<>();
        List<ManagedKey> loaded = new ArrayList<>();
        for (KeySetStore.StoredKey stored : content.keys) {
            PrivateKey privateKey = stored.softwareKey;
            KeyGenerator.GeneratedKey generated;
            if (stored.hsmAlias != null) {
                if (!(generator instanceof Pkcs11KeyGenerator)) {
                    throw new KeySetCorruptException("key " + stored.kid + " is in an HSM, but no PKCS#11 key generator is configured");
                }
                Pkcs11KeyGenerator hsm = (Pkcs11KeyGenerator) generator;
                try {
                    privateKey = hsm.load(stored.hsmAlias);
                } catch (GeneralSecurityException e) {
                    throw new KeySetCorruptException("key " + stored.kid + " is missing from the HSM", e);
                }
                generated = new KeyGenerator.GeneratedKey(privateKey, stored.certificate, hsm.provider(), stored.hsmAlias);
            } else {
                loadedSoftwareKeys.put(stored.kid, privateKey);
                generated = new KeyGenerator.GeneratedKey(privateKey, stored.certificate, null, null);
            }
            if (!Jwks.thumbprint(stored.certificate.getPublicKey()).equals(stored.kid)) {
                throw new KeySetCorruptException("key " + stored.kid + " does not match its certificate");
            }
            proveMatch(stored, privateKey, generated.provider);
            SignatureAlgorithm alg = SignatureAlgorithm.of(stored.alg);
            if (alg != algorithm) {
                LOG.log(Level.INFO, "key {0} uses {1}; new keys will use {2}", stored.kid, alg, algorithm);
            }
            JcaSigner.Builder builder = JcaSigner.builder(privateKey).certificate(stored.certificate).algorithm(alg).keyId(stored.kid);
            if (generated.provider != null) {
                builder.provider(generated.provider);
            }
            loaded.add(new ManagedKey(stored.kid, stored.state, alg, stored.created, stored.activates, stored.remove,
                    stored.certificate, stored.hsmAlias, builder.build()));
        }
        checkPlausible(loaded);
        softwareKeys.clear();
        softwareKeys.putAll(loadedSoftwareKeys);
        usedKeyIds.clear();
        usedKeyIds.addAll(content.usedKeyIds);
        keys = List.copyOf(loaded);
        active = find(loaded, KeyState.ACTIVE);
        generation = content.generation;
        version++;
    }

    /** Proves that the private key is the certificate's: sign a fresh challenge, verify it with the certificate. */
    private static void proveMatch(KeySetStore.StoredKey stored, PrivateKey privateKey, java.security.Provider provider)
            throws KeySetCorruptException {
        try {
            byte[] challenge = new byte[32];
            new java.security.SecureRandom().nextBytes(challenge);
            SignatureAlgorithm alg = SignatureAlgorithm.of(stored.alg);
            JcaSigner.Builder builder = JcaSigner.builder(privateKey).publicKey(stored.certificate.getPublicKey()).algorithm(alg);
            if (provider != null) {
                builder.provider(provider);
            }
            byte[] signature = builder.build().sign(challenge);
            if (!JcaSignatures.verifies(stored.certificate.getPublicKey(), alg, challenge, signature)) {
                throw new KeySetCorruptException("the private key of " + stored.kid + " does not match its certificate");
            }
        } catch (SigningException | RuntimeException e) {
            throw new KeySetCorruptException("cannot prove that key " + stored.kid + " matches its certificate", e);
        }
    }

    /** Exactly one ACTIVE key, at most one NEXT, and no time further ahead than the schedule allows. */
    private void checkPlausible(List<ManagedKey> loaded) throws KeySetCorruptException {
        Instant now = clock.instant();
        long active = loaded.stream().filter(k -> k.state() == KeyState.ACTIVE).count();
        long pending = loaded.stream().filter(k -> k.state() == KeyState.NEXT).count();
        if (active != 1 || pending > 1) {
            throw new KeySetCorruptException("key set " + store.file() + " has " + active + " active and " + pending
                    + " next keys; exactly one active and at most one next are possible");
        }
        Instant latestActivation = now.plus(max(rotationInterval, publicationLead)).plus(Duration.ofMinutes(5));
        Instant latestRemoval = now.plus(retirementGrace).plus(Duration.ofMinutes(5));
        for (ManagedKey key : loaded) {
            if (key.activatesAt().map(t -> t.isAfter(latestActivation)).orElse(false)
                    || key.removeAt().map(t -> t.isAfter(latestRemoval)).orElse(false)) {
                throw new KeySetCorruptException("key " + key.keyId() + " of " + store.file() + " has times further "
                        + "ahead than the rotation schedule allows");
            }
        }
    }

    @Override
    public String toString() {
        return "RotatingKeySet[" + store.file() + ", active=" + (active == null ? null : active.keyId()) + ", keys=" + keys.size() + "]";
    }

    /** Builds (loading or creating) a {@link RotatingKeySet}. Not thread-safe. */
    public static final class Builder {
        private final KeySetStore store;
        private final KeyGenerator generator;
        private SignatureAlgorithm algorithm = SignatureAlgorithm.ES256;
        private Duration rotationInterval = Duration.ofDays(30);
        private Duration publicationLead = Duration.ofHours(1);
        private Duration retirementGrace = Duration.ofMinutes(10);
        private Clock clock = Clock.systemUTC();

        private Builder(KeySetStore store, KeyGenerator generator) {
            this.store = Objects.requireNonNull(store, "store");
            this.generator = Objects.requireNonNull(generator, "generator");
        }

        /** Algorithm of new keys; default ES256. HMAC is refused. */
        public Builder algorithm(SignatureAlgorithm algorithm) {
            if (Objects.requireNonNull(algorithm, "algorithm").isHmac()) {
                throw new IllegalArgumentException("a signing key set cannot use " + algorithm);
            }
            this.algorithm = algorithm;
            return this;
        }

        /** How long a key stays active; default 30 days. */
        public Builder rotationInterval(Duration interval) {
            this.rotationInterval = positive(interval, "rotationInterval");
            return this;
        }

        /** How long a key is published before it signs; default 1 hour, at least 1 minute. */
        public Builder publicationLead(Duration lead) {
            if (positive(lead, "publicationLead").compareTo(Duration.ofMinutes(1)) < 0) {
                throw new IllegalArgumentException("publicationLead must be at least 1 minute: " + lead);
            }
            this.publicationLead = lead;
            return this;
        }

        /** How long a replaced key stays published; default 10 minutes, at least 6 (5 min lifetime + 1 min skew). */
        public Builder retirementGrace(Duration grace) {
            if (positive(grace, "retirementGrace").compareTo(Duration.ofMinutes(6)) < 0) {
                throw new IllegalArgumentException("retirementGrace must cover the maximum assertion lifetime plus clock "
                        + "skew (at least 6 minutes): " + grace);
            }
            this.retirementGrace = grace;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Loads the set from the store, or creates it (an active and a next key) if the file does not exist.
         *
         * @throws KeySetCorruptException if the file exists but cannot be used; it is left untouched
         */
        public RotatingKeySet build() throws KeySetCorruptException, IOException {
            RotatingKeySet set = new RotatingKeySet(this);
            if (store.exists()) {
                set.load();
                set.maintain();
            } else {
                Instant now = clock.instant();
                List<ManagedKey> initial = new ArrayList<>();
                initial.add(set.generate(KeyState.ACTIVE, now));
                initial.add(set.generate(KeyState.NEXT, now));
                set.commit(initial);
            }
            return set;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
