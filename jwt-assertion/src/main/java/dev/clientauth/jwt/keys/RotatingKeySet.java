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
 * A client's signing keys, rotated without a single failed token request, by one process or by
 * many replicas sharing one {@link KeySetStore}.
 *
 * <p>Every key is published in the JWKS while it is {@link KeyState#NEXT} — for at least the
 * publication lead time (default 1 hour, longer than the JWKS cache of a typical authorization
 * server, commonly 5 to 60 minutes), counted from when every replica can have seen it (the lead
 * plus the poll interval) — before it becomes {@link KeyState#ACTIVE} and signs; after it is
 * replaced it stays published as {@link KeyState#RETIRED} for the retirement grace (default 10
 * minutes, more than the 5-minute maximum assertion lifetime plus clock skew), so assertions it
 * signed still verify, and is then removed. {@link #rotateNow()} is for a suspected compromise:
 * the active key leaves the JWKS at once and the published next key takes over.
 *
 * <p><b>Several replicas.</b> Any replica may change the set, but only by compare-and-set on the
 * store's version: of replicas that find the same transition due, one writes it and the others
 * reload, so exactly one rotation happens per interval. Every replica looks at the store's version
 * at most every poll interval (default 30 s) when it signs or publishes, and reloads when it
 * changed, so a change made anywhere (a rotation, {@link #rotateNow()}, the CLI) is served by all
 * replicas within that bound, and replicas holding the same version serve the same JWKS bytes and
 * ETag. A replica never goes back to an older version. While the store cannot be reached (or
 * holds no usable set: corrupt, or older than the set held), a replica serves the JWKS it holds and signs by the schedule — the active key, then from its
 * activation time the next key, which every replica has published for the lead by then — until
 * the earliest moment a replica reaching the store could have removed that key (one more rotation
 * interval plus the retirement grace); the store's content changes when it is back. A replica cut
 * off from the store does not see a {@link #rotateNow()} made elsewhere until it is back.
 *
 * <p>The {@code kid} of every key is its RFC 7638 thumbprint and is never reused. Keys are made by
 * a {@link KeyGenerator} (software or HSM) and kept in the store, written atomically on every
 * change, so a restart brings back the same keys. A corrupt store is reported, never replaced.
 *
 * <p>As an {@link AssertionSigner}, the set is read at signing time: {@code PrivateKeyJwt} built
 * with it follows rotations without being rebuilt. Transitions happen when due, on any call
 * ({@link #maintain()} may also be called from a scheduler). Thread-safe.
 */
public final class RotatingKeySet implements AssertionSigner {
    private static final System.Logger LOG = System.getLogger(RotatingKeySet.class.getName());

    private final KeySetStore store;
    private final KeySetCodec codec;
    private final KeyGenerator generator;
    private final SignatureAlgorithm algorithm;
    private final Duration rotationInterval;
    private final Duration publicationLead;
    private final Duration retirementGrace;
    private final Duration pollInterval;
    private final Clock clock;
    private final Map<String, PrivateKey> softwareKeys = new HashMap<>();
    private final Set<String> usedKeyIds = new LinkedHashSet<>();
    private volatile List<ManagedKey> keys = List.of();
    private volatile ManagedKey active;
    private volatile long version;
    /** The store generation this instance last read or wrote. */
    private volatile long generation;
    private volatile Instant nextStoreCheck = Instant.MIN;
    /** Since when the store cannot be reached or holds no usable set (null: it answered with one last time). */
    private volatile Instant storeFailingSince;
    /** The default of how often the store is checked for changes made elsewhere (a CLI rotation, another replica). */
    static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(30);
    /** How many times a change is tried again after another replica changed the set first. */
    private static final int CONFLICT_ATTEMPTS = 3;

    private RotatingKeySet(Builder b) {
        this.store = b.store;
        this.codec = new KeySetCodec(b.password, b.kdfIterations);
        this.generator = b.generator;
        this.algorithm = b.algorithm;
        this.rotationInterval = b.rotationInterval;
        this.publicationLead = b.publicationLead;
        this.retirementGrace = b.retirementGrace;
        this.pollInterval = b.pollInterval;
        this.clock = b.clock;
    }

    /**
     * A builder for the set kept in {@code store}, encrypted under {@code password} (every replica
     * of one set uses the same password), with new keys made by {@code generator}.
     */
    public static Builder builder(KeySetStore store, dev.clientauth.core.Secret password, KeyGenerator generator) {
        return new Builder(store, password, generator);
    }

    /** The active key, after applying any transition that is due. */
    @Override
    public SigningKey currentKey() throws SigningException {
        try {
            maintainIfDue();
        } catch (IOException e) {
            throw new SigningException("the key set in " + store.description() + " cannot be used: " + e.getMessage(), e);
        }
        Instant failingSince = storeFailingSince;
        if (failingSince != null) {
            return signerWhileStoreFails(failingSince);
        }
        return active.signer;
    }

    /**
     * While the store cannot be reached, the key every replica signs with by the schedule: the
     * active key until the next key's activation time, then the next key (published by every
     * replica for the lead by then, and the key that a replica reaching the store makes active),
     * until the earliest moment a replica reaching the store could have removed it again.
     */
    private SigningKey signerWhileStoreFails(Instant failingSince) throws SigningException {
        Instant now = clock.instant();
        ManagedKey pending = find(keys, KeyState.NEXT);
        if (pending == null || now.isBefore(pending.activatesAt().orElseThrow())) {
            return active.signer;
        }
        Instant deadline = signingDeadline();
        if (!now.isBefore(deadline)) {
            throw new SigningException("the key set store " + store.description() + " cannot be reached since "
                    + failingSince + ", and since " + deadline + " a replica reaching it may have withdrawn key "
                    + pending.keyId() + "; not signing with it");
        }
        return pending.signer;
    }

    /**
     * The earliest time a replica reaching the store could have removed the next key from the
     * JWKS: its activation, one more rotation interval, the retirement grace, less one minute of skew.
     */
    private Instant signingDeadline() {
        ManagedKey pending = find(keys, KeyState.NEXT);
        return pending == null ? Instant.MIN
                : pending.activatesAt().orElseThrow().plus(max(rotationInterval, publicationLead.plus(pollInterval)))
                        .plus(retirementGrace).minus(Duration.ofMinutes(1));
    }

    /**
     * {@link #maintain()} only when a transition is due, and at most every poll interval a look at
     * the store's version to pick up changes made elsewhere: cheap enough for every call. A store
     * that cannot be reached, or holds no usable set (corrupt, or older than the set held here), is
     * tried again after the poll interval; meanwhile the set held here is used, never the store's.
     */
    void maintainIfDue() throws IOException {
        Instant now = clock.instant();
        if (active != null && !isDue(now) && now.isBefore(nextStoreCheck)) {
            return;
        }
        synchronized (this) {
            if (active != null && !isDue(now) && now.isBefore(nextStoreCheck)) {
                return;
            }
            if (storeFailingSince != null && now.isBefore(nextStoreCheck)) {
                return; // tried less than a poll interval ago
            }
            nextStoreCheck = now.plus(pollInterval);
            try {
                if (isDue(now)) {
                    maintain();
                } else {
                    reloadIfChanged();
                }
                storeAnswered();
            } catch (IOException e) {
                storeFailed(now, e);
            }
        }
    }

    private void storeAnswered() {
        if (storeFailingSince != null) {
            storeFailingSince = null;
            LOG.log(Level.INFO, "key set store {0} answers again", store.description());
        }
    }

    private void storeFailed(Instant now, IOException e) {
        if (storeFailingSince == null) {
            storeFailingSince = now;
            if (e.getCause() instanceof KeySetCorruptException) {
                // the held set stays: it was verified, and what is stored now is not usable (or older)
                LOG.log(Level.ERROR, "key set store {0} holds no usable key set ({1}); keeping the set held, signing by the "
                        + "schedule until {2} at the latest, changes wait", store.description(), e.getMessage(), signingDeadline());
            } else {
                LOG.log(Level.WARNING, "key set store {0} cannot be reached ({1}); signing by the schedule with the keys held "
                        + "until {2} at the latest, changes wait", store.description(), e.getClass().getSimpleName(),
                        signingDeadline());
            }
        }
    }

    /** Reloads the set when it was changed elsewhere since this instance read it. */
    synchronized boolean reloadIfChanged() throws IOException {
        long stored;
        try {
            stored = store.version();
        } catch (KeySetCorruptException e) {
            throw corrupt(e);
        }
        if (stored == generation) {
            return false;
        }
        try {
            load(store.load()); // refuses a set older than the one held, or none
        } catch (KeySetCorruptException e) {
            throw corrupt(e);
        }
        LOG.log(Level.INFO, "key set {0} was changed elsewhere; now at version {1}, active key {2}", store.description(),
                generation, active.keyId());
        return true;
    }

    private static IOException corrupt(KeySetCorruptException e) {
        return new IOException(e.getMessage(), e);
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
     * one RETIRED, a new NEXT is made); RETIRED keys past their grace are removed. Reads the store
     * first; if another replica changes it meanwhile, reloads and decides again.
     *
     * @return whether this call changed the set (and wrote the store)
     * @throws IOException the store cannot be reached or is corrupt; the set in memory is unchanged
     */
    public synchronized boolean maintain() throws IOException {
        return changeByCompareAndSet(this::maintainOnce);
    }

    @FunctionalInterface
    private interface Change {
        boolean apply() throws IOException;
    }

    private boolean changeByCompareAndSet(Change change) throws IOException {
        for (int attempt = 1; ; attempt++) {
            reloadIfChanged();
            try {
                return change.apply();
            } catch (KeySetConflictException e) {
                if (attempt == CONFLICT_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private boolean maintainOnce() throws IOException {
        Instant now = clock.instant();
        List<ManagedKey> next = new ArrayList<>(keys);
        List<ManagedKey> generated = new ArrayList<>();
        List<ManagedKey> removed = new ArrayList<>();
        for (ManagedKey key : keys) {
            if (key.state() == KeyState.RETIRED && !now.isBefore(key.removeAt().orElseThrow())) {
                next.remove(key);
                removed.add(key);
            }
        }
        boolean changed = !removed.isEmpty();
        ManagedKey pending = find(next, KeyState.NEXT);
        ManagedKey rotatedIn = null;
        if (pending != null && !now.isBefore(pending.activatesAt().orElseThrow())) {
            ManagedKey previous = find(next, KeyState.ACTIVE);
            if (previous != null) {
                next.set(next.indexOf(previous), previous.with(KeyState.RETIRED, null, now.plus(retirementGrace)));
            }
            next.set(next.indexOf(pending), pending.with(KeyState.ACTIVE, null, null));
            next.add(generate(KeyState.NEXT, now, generated));
            changed = true;
            rotatedIn = pending;
        }
        if (find(next, KeyState.NEXT) == null) {
            next.add(generate(KeyState.NEXT, now, generated));
            changed = true;
        }
        if (changed) {
            commit(next, generated, removed);
            if (rotatedIn != null) {
                LOG.log(Level.INFO, "rotated client signing key: {0} is active", rotatedIn.keyId());
            }
        }
        return changed;
    }

    /**
     * Rotates now on schedule terms: the published NEXT key becomes active and the active key is
     * RETIRED (still published for the grace period); a new NEXT is made. The NEXT key must have
     * been in the set for the publication lead plus the poll interval (so every replica has
     * published it for the lead); for a compromise use {@link #rotateNow()}.
     *
     * @throws IllegalStateException the NEXT key has not been published long enough yet
     */
    public synchronized void rotate() throws IOException {
        changeByCompareAndSet(() -> {
            rotateOnce();
            return true;
        });
    }

    private void rotateOnce() throws IOException {
        Instant now = clock.instant();
        List<ManagedKey> next = new ArrayList<>(keys);
        List<ManagedKey> generated = new ArrayList<>();
        ManagedKey previous = find(next, KeyState.ACTIVE);
        ManagedKey pending = find(next, KeyState.NEXT);
        if (pending == null) {
            throw new IllegalStateException("key set " + store.description() + " has no published next key; maintain() first");
        }
        Instant publishedEnough = pending.createdAt().plus(publicationLead).plus(pollInterval);
        if (now.isBefore(publishedEnough)) {
            throw new IllegalStateException("the next key " + pending.keyId() + " is published only since "
                    + pending.createdAt() + "; it can sign from " + publishedEnough
                    + " (publication lead + poll interval). After a compromise, use rotateNow()");
        }
        if (previous != null) {
            next.set(next.indexOf(previous), previous.with(KeyState.RETIRED, null, now.plus(retirementGrace)));
        }
        next.set(next.indexOf(pending), pending.with(KeyState.ACTIVE, null, null));
        next.add(generate(KeyState.NEXT, now, generated));
        commit(next, generated, List.of());
    }

    /**
     * Rotates at once after a suspected compromise: the active key is removed from the JWKS
     * immediately (not retired), the published NEXT key becomes active, and a new NEXT is made.
     * Other replicas withdraw the key within their poll interval.
     */
    public synchronized void rotateNow() throws IOException {
        changeByCompareAndSet(() -> {
            rotateNowOnce();
            return true;
        });
    }

    private void rotateNowOnce() throws IOException {
        Instant now = clock.instant();
        List<ManagedKey> next = new ArrayList<>(keys);
        List<ManagedKey> generated = new ArrayList<>();
        ManagedKey compromised = find(next, KeyState.ACTIVE);
        if (compromised != null) {
            next.remove(compromised);
        }
        ManagedKey pending = find(next, KeyState.NEXT);
        if (pending != null) {
            next.set(next.indexOf(pending), pending.with(KeyState.ACTIVE, null, null));
        } else {
            next.add(generate(KeyState.ACTIVE, now, generated));
        }
        next.add(generate(KeyState.NEXT, now, generated));
        commit(next, generated, compromised == null ? List.of() : List.of(compromised));
        if (compromised != null) {
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

    /** Changes with every change of the set held here (for caching the published JWKS); local to this instance. */
    public long version() {
        return version;
    }

    /** The store's version of the set held here: the same on every replica holding the same set. */
    public long storedVersion() {
        return generation;
    }

    /**
     * Since when the store cannot be reached or holds no usable set — corrupt, or older than the
     * set held here (empty when it answered with a usable set at the last look).
     */
    public java.util.Optional<Instant> storeFailingSince() {
        return java.util.Optional.ofNullable(storeFailingSince);
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

    private ManagedKey generate(KeyState state, Instant now, List<ManagedKey> generated) throws IOException {
        ManagedKey key = generate(state, now);
        generated.add(key);
        return key;
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
            Instant activates = state == KeyState.NEXT ? now.plus(max(rotationInterval, publicationLead.plus(pollInterval))) : null;
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

    /**
     * Writes {@code next} by compare-and-set. Keys that left the set are deleted from the HSM only
     * after the write; keys made for a write that lost to another replica are dropped (and deleted
     * from the HSM). After any other failure the write may or may not have happened, so nothing is
     * deleted: the next look at the store tells.
     */
    private void commit(List<ManagedKey> next, List<ManagedKey> generated, List<ManagedKey> removed) throws IOException {
        byte[] content = codec.encode(next, new ArrayList<>(usedKeyIds), softwareKeys, generation + 1);
        try {
            store.write(generation, content);
        } catch (KeySetConflictException e) {
            generated.forEach(this::forget);
            throw e;
        }
        generation++;
        keys = List.copyOf(next);
        active = find(next, KeyState.ACTIVE);
        version++;
        removed.forEach(this::forget);
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

    private void load(KeySetStore.Stored stored) throws KeySetCorruptException {
        if (stored.version() == 0) {
            throw new KeySetCorruptException("key set " + store.description() + " is gone");
        }
        if (stored.version() < generation) {
            throw new KeySetCorruptException("key set " + store.description() + " went back from version " + generation
                    + " to " + stored.version() + "; refusing to use an older set (was it restored from a backup?)");
        }
        Map<String, ManagedKey> held = new HashMap<>();
        for (ManagedKey key : keys) {
            held.put(key.keyId(), key);
        }
        KeySetCodec.Content content = codec.decode(stored.content(), store.description(), candidate -> {
            ManagedKey known = held.get(candidate.kid);
            return known != null && known.certificate().equals(candidate.certificate) ? softwareKeys.get(candidate.kid) : null;
        });
        if (content.generation != stored.version()) {
            throw new KeySetCorruptException("key set " + store.description() + " holds a set written as version "
                    + content.generation + " under version " + stored.version());
        }
        Map<String, PrivateKey> loadedSoftwareKeys = new HashMap<>();
        List<ManagedKey> loaded = new ArrayList<>();
        for (KeySetCodec.StoredKey key : content.keys) {
            ManagedKey known = held.get(key.kid);
            if (known != null && known.certificate().equals(key.certificate) && known.algorithm().joseName().equals(key.alg)
                    && Objects.equals(known.hsmAlias().orElse(null), key.hsmAlias)) {
                // held and proven already: only its state and times can have changed
                if (key.hsmAlias == null) {
                    loadedSoftwareKeys.put(key.kid, key.softwareKey);
                }
                loaded.add(new ManagedKey(key.kid, key.state, known.algorithm(), key.created, key.activates, key.remove,
                        key.certificate, key.hsmAlias, known.signer));
            } else {
                loaded.add(resolve(key, loadedSoftwareKeys));
            }
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

    /** A key not held yet: its private key (software or HSM), proven to match its certificate. */
    private ManagedKey resolve(KeySetCodec.StoredKey stored, Map<String, PrivateKey> loadedSoftwareKeys)
            throws KeySetCorruptException {
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
        return new ManagedKey(stored.kid, stored.state, alg, stored.created, stored.activates, stored.remove,
                stored.certificate, stored.hsmAlias, builder.build());
    }

    /** Proves that the private key is the certificate's: sign a fresh challenge, verify it with the certificate. */
    private static void proveMatch(KeySetCodec.StoredKey stored, PrivateKey privateKey, java.security.Provider provider)
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
            throw new KeySetCorruptException("key set " + store.description() + " has " + active + " active and " + pending
                    + " next keys; exactly one active and at most one next are possible");
        }
        Instant latestActivation = now.plus(max(rotationInterval, publicationLead.plus(pollInterval))).plus(Duration.ofMinutes(5));
        Instant latestRemoval = now.plus(retirementGrace).plus(Duration.ofMinutes(5));
        for (ManagedKey key : loaded) {
            if (key.activatesAt().map(t -> t.isAfter(latestActivation)).orElse(false)
                    || key.removeAt().map(t -> t.isAfter(latestRemoval)).orElse(false)) {
                throw new KeySetCorruptException("key " + key.keyId() + " of " + store.description() + " has times further "
                        + "ahead than the rotation schedule allows");
            }
        }
    }

    @Override
    public String toString() {
        return "RotatingKeySet[" + store.description() + ", active=" + (active == null ? null : active.keyId()) + ", keys=" + keys.size() + "]";
    }

    /** Builds (loading or creating) a {@link RotatingKeySet}. Not thread-safe. */
    public static final class Builder {
        private final KeySetStore store;
        private final dev.clientauth.core.Secret password;
        private final KeyGenerator generator;
        private int kdfIterations = KeySetCodec.DEFAULT_KDF_ITERATIONS;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private SignatureAlgorithm algorithm = SignatureAlgorithm.ES256;
        private Duration rotationInterval = Duration.ofDays(30);
        private Duration publicationLead = Duration.ofHours(1);
        private Duration retirementGrace = Duration.ofMinutes(10);
        private Clock clock = Clock.systemUTC();

        private Builder(KeySetStore store, dev.clientauth.core.Secret password, KeyGenerator generator) {
            this.store = Objects.requireNonNull(store, "store");
            this.password = Objects.requireNonNull(password, "password");
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

        /**
         * How often the store's version is checked for changes made elsewhere (another replica,
         * the CLI); default 30 s, from 1 s to 5 minutes. It bounds how long a change takes to reach
         * this replica, and it is added to the publication lead of new keys, so replicas of one set
         * use the same value.
         */
        public Builder pollInterval(Duration interval) {
            Duration checked = positive(interval, "pollInterval");
            if (checked.compareTo(Duration.ofSeconds(1)) < 0 || checked.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("pollInterval must be from 1 second to 5 minutes: " + interval);
            }
            this.pollInterval = checked;
            return this;
        }

        /** Fewer KDF iterations, for tests that write many key sets. */
        Builder kdfIterations(int iterations) {
            this.kdfIterations = iterations;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Loads the set from the store, or creates it (an active and a next key) if the store is
         * empty; of replicas creating it at once, one succeeds and the others load its set.
         *
         * @throws KeySetCorruptException if the store holds a set that cannot be used; it is left untouched
         * @throws IOException the store cannot be reached
         */
        public RotatingKeySet build() throws KeySetCorruptException, IOException {
            RotatingKeySet set = new RotatingKeySet(this);
            KeySetStore.Stored stored = store.load();
            if (stored.version() == 0) {
                Instant now = clock.instant();
                List<ManagedKey> initial = new ArrayList<>();
                List<ManagedKey> generated = new ArrayList<>();
                initial.add(set.generate(KeyState.ACTIVE, now, generated));
                initial.add(set.generate(KeyState.NEXT, now, generated));
                try {
                    set.commit(initial, generated, List.of());
                    set.nextStoreCheck = now.plus(pollInterval);
                    return set;
                } catch (KeySetConflictException created) {
                    stored = store.load(); // another replica created it first
                }
            }
            set.load(stored);
            set.nextStoreCheck = clock.instant().plus(pollInterval);
            set.maintain();
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
