package dev.clientauth.jwt.keys;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.clientauth.core.Secret;
import dev.clientauth.core.internal.Jca;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The encoding of a key set, the same in every {@link KeySetStore}: one JSON document with the
 * keys' states and times, software private keys in an embedded PKCS#12, HSM keys by alias.
 *
 * <ul>
 *   <li>The keys' metadata (ids, states, times, certificates, HSM aliases) and the generation carry
 *       an HMAC-SHA256 under a key derived from the key set password (PBKDF2, 600,000 iterations),
 *       so nobody without the password can plant a key, and a document cannot pass for another
 *       version than the one it was written as.</li>
 *   <li>Software keys are encrypted with {@code PBEWithHmacSHA256AndAES_256}, 600,000 iterations,
 *       named explicitly rather than taken from the JVM's settings, and the whole PKCS#12 is
 *       sealed with AES-256-GCM under a key derived like the MAC key, so the PKCS#12's own MAC
 *       offers no cheaper way to test a guessed password.</li>
 *   <li>A key already encrypted in the last document read or written keeps its encryption, and a
 *       key this instance already holds (proven to match its certificate) is not decrypted again:
 *       the 600,000 iterations are paid once per key and replica, not on every change.</li>
 * </ul>
 *
 * Not thread-safe: {@link RotatingKeySet} uses it under its own lock.
 */
final class KeySetCodec {
    static final int FORMAT = 2;
    /** PBKDF2 iterations for the metadata MAC key and the PKCS#12 entries. */
    static final int DEFAULT_KDF_ITERATIONS = 600_000;
    private static final String ENTRY_PROTECTION = "PBEWithHmacSHA256AndAES_256";
    private static final byte[] SEALING_CONTEXT = "clientauth key set pkcs12".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Secret password;
    private final int kdfIterations;
    private MacKey macKey;
    /** The PKCS#12 of the last document read or written: its encrypted entries are reused. */
    private KeyStore lastPkcs12;

    /** Keys derived from the password: {@code key} authenticates the metadata, {@code sealing} encrypts the PKCS#12. */
    private record MacKey(String salt, byte[] key, byte[] sealing) {
    }

    KeySetCodec(Secret password, int kdfIterations) {
        this.password = Objects.requireNonNull(password, "password");
        this.kdfIterations = kdfIterations;
    }

    int kdfIterations() {
        return kdfIterations;
    }

    /** A stored key before its private key is resolved. */
    static final class StoredKey {
        final String kid;
        final KeyState state;
        final String alg;
        final Instant created;
        final Instant activates;
        final Instant remove;
        final X509Certificate certificate;
        final String hsmAlias;
        final PrivateKey softwareKey;

        StoredKey(String kid, KeyState state, String alg, Instant created, Instant activates, Instant remove,
                X509Certificate certificate, String hsmAlias, PrivateKey softwareKey) {
            this.kid = kid;
            this.state = state;
            this.alg = alg;
            this.created = created;
            this.activates = activates;
            this.remove = remove;
            this.certificate = certificate;
            this.hsmAlias = hsmAlias;
            this.softwareKey = softwareKey;
        }
    }

    /** A decoded key set: the keys, every kid ever used (kids are never reused), and the generation. */
    static final class Content {
        final List<StoredKey> keys;
        final List<String> usedKeyIds;
        final long generation;

        Content(List<StoredKey> keys, List<String> usedKeyIds, long generation) {
            this.keys = keys;
            this.usedKeyIds = usedKeyIds;
            this.generation = generation;
        }
    }

    /** The document for {@code keys} as generation {@code generation}. */
    byte[] encode(List<ManagedKey> keys, List<String> usedKeyIds, Map<String, PrivateKey> softwareKeys, long generation)
            throws IOException {
        char[] pw = password.reveal().toCharArray();
        try {
            // the PKCS#12 last read or written keeps the entries that are still wanted, encrypted as they are
            KeyStore p12 = lastPkcs12;
            lastPkcs12 = null;
            if (p12 == null) {
                p12 = Jca.keyStore("PKCS12");
                p12.load(null, null);
            }
            Map<String, ManagedKey> software = new LinkedHashMap<>();
            List<Object> entries = new ArrayList<>();
            for (ManagedKey key : keys) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("kid", key.keyId());
                entry.put("state", key.state().name());
                entry.put("alg", key.algorithm().joseName());
                entry.put("created", key.createdAt().toString());
                key.activatesAt().ifPresent(t -> entry.put("activates", t.toString()));
                key.removeAt().ifPresent(t -> entry.put("remove", t.toString()));
                entry.put("certificate", Base64.getEncoder().encodeToString(key.certificate().getEncoded()));
                if (key.hsmAlias().isPresent()) {
                    entry.put("hsmAlias", key.hsmAlias().get());
                } else {
                    software.put(key.keyId(), key);
                }
                entries.add(entry);
            }
            for (String alias : Collections.list(p12.aliases())) {
                ManagedKey key = software.get(alias);
                if (key == null || !p12.isKeyEntry(alias) || !key.certificate().equals(p12.getCertificate(alias))) {
                    p12.deleteEntry(alias);
                }
            }
            KeyStore.PasswordProtection protection = null;
            for (ManagedKey key : software.values()) {
                if (!p12.isKeyEntry(key.keyId())) {
                    if (protection == null) {
                        protection = new KeyStore.PasswordProtection(pw, ENTRY_PROTECTION,
                                new PBEParameterSpec(random(16), kdfIterations));
                    }
                    setEntry(p12, key.keyId(), softwareKeys.get(key.keyId()), key.certificate(), protection, pw);
                }
            }
            ByteArrayOutputStream p12Bytes = new ByteArrayOutputStream();
            p12.store(p12Bytes, pw);
            lastPkcs12 = p12;
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("version", FORMAT);
            document.put("generation", generation);
            document.put("usedKeyIds", new ArrayList<Object>(usedKeyIds));
            document.put("keys", entries);
            MacKey mac = macKey(null);
            document.put("macSalt", mac.salt());
            document.put("mac", mac(mac, generation, usedKeyIds, entries));
            document.put("pkcs12", Base64.getEncoder().encodeToString(seal(mac, p12Bytes.toByteArray())));
            return JSONObjectUtils.toJSONString(document).getBytes(StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            lastPkcs12 = null;
            throw new IOException("cannot encode the key set", e);
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    private void setEntry(KeyStore p12, String alias, PrivateKey privateKey, X509Certificate certificate,
            KeyStore.PasswordProtection protection, char[] pw) throws GeneralSecurityException {
        if (privateKey == null) {
            throw new java.security.KeyStoreException("no private key for " + alias);
        }
        KeyStore.PrivateKeyEntry entry = new KeyStore.PrivateKeyEntry(privateKey, new Certificate[] {certificate});
        try {
            p12.setEntry(alias, entry, protection);
        } catch (java.security.KeyStoreException unsupported) {
            if (Jca.pinned().isEmpty()) {
                throw unsupported;
            }
            // a pinned provider whose PKCS#12 does not take explicit parameters protects with its own
            p12.setKeyEntry(alias, privateKey, pw, entry.getCertificateChain());
        }
    }

    /**
     * Decodes a document read from {@code where}; a software key for which {@code known} gives a
     * private key (one already held and proven) is not decrypted again.
     */
    Content decode(byte[] content, String where, Function<StoredKey, PrivateKey> known) throws KeySetCorruptException {
        char[] pw = password.reveal().toCharArray();
        try {
            Map<String, Object> document = JSONObjectUtils.parse(new String(content, StandardCharsets.UTF_8));
            if (!Objects.equals(JSONObjectUtils.getInt(document, "version"), FORMAT)) {
                throw new KeySetCorruptException("key set " + where + " has an unknown version");
            }
            long generation = JSONObjectUtils.getLong(document, "generation");
            MacKey mac = macKey(JSONObjectUtils.getString(document, "macSalt"));
            List<Object> rawEntries = JSONObjectUtils.getJSONArray(document, "keys");
            List<String> usedIds = new ArrayList<>();
            for (Object kid : JSONObjectUtils.getJSONArray(document, "usedKeyIds")) {
                usedIds.add((String) kid);
            }
            byte[] expected = Base64.getDecoder().decode(mac(mac, generation, usedIds, rawEntries));
            byte[] stored = Base64.getDecoder().decode(String.valueOf(JSONObjectUtils.getString(document, "mac")));
            if (!MessageDigest.isEqual(expected, stored)) {
                throw new KeySetCorruptException("the metadata of key set " + where + " does not verify under the key set "
                        + "password: it was changed by someone without the password (or the password is wrong)");
            }
            KeyStore p12 = Jca.keyStore("PKCS12");
            try {
                p12.load(new ByteArrayInputStream(unseal(mac, Base64.getDecoder().decode(
                        JSONObjectUtils.getString(document, "pkcs12")))), pw);
            } catch (IOException e) {
                throw new KeySetCorruptException("cannot open the keys of " + where + " (wrong password or damaged)", e);
            }
            CertificateFactory certificates = Jca.certificateFactory();
            List<StoredKey> keys = new ArrayList<>();
            for (Object item : rawEntries) {
                @SuppressWarnings("unchecked")
                Map<String, Object> entry = (Map<String, Object>) item;
                String kid = JSONObjectUtils.getString(entry, "kid");
                String hsmAlias = JSONObjectUtils.getString(entry, "hsmAlias");
                X509Certificate certificate = (X509Certificate) certificates.generateCertificate(
                        new ByteArrayInputStream(Base64.getDecoder().decode(JSONObjectUtils.getString(entry, "certificate"))));
                StoredKey key = new StoredKey(kid, KeyState.valueOf(JSONObjectUtils.getString(entry, "state")),
                        JSONObjectUtils.getString(entry, "alg"), instant(entry, "created"), instant(entry, "activates"),
                        instant(entry, "remove"), certificate, hsmAlias, null);
                if (hsmAlias == null) {
                    if (!p12.isKeyEntry(kid)) {
                        throw new KeySetCorruptException("key set " + where + " lists key " + kid + " but does not hold it");
                    }
                    PrivateKey softwareKey = known.apply(key);
                    if (softwareKey == null) {
                        softwareKey = (PrivateKey) p12.getKey(kid, pw);
                    }
                    if (softwareKey == null) {
                        throw new KeySetCorruptException("key set " + where + " lists key " + kid + " but does not hold it");
                    }
                    key = new StoredKey(kid, key.state, key.alg, key.created, key.activates, key.remove, certificate, null,
                            softwareKey);
                }
                keys.add(key);
            }
            lastPkcs12 = p12;
            return new Content(keys, usedIds, generation);
        } catch (KeySetCorruptException e) {
            throw e;
        } catch (java.text.ParseException | RuntimeException | GeneralSecurityException e) {
            throw new KeySetCorruptException("key set " + where + " is corrupt: " + e.getClass().getSimpleName(), e);
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    /** The PKCS#12 inside a document, unsealed (to check how its entries are protected). */
    byte[] unsealedPkcs12(byte[] content) throws IOException, GeneralSecurityException {
        try {
            Map<String, Object> document = JSONObjectUtils.parse(new String(content, StandardCharsets.UTF_8));
            return unseal(macKey(JSONObjectUtils.getString(document, "macSalt")),
                    Base64.getDecoder().decode(JSONObjectUtils.getString(document, "pkcs12")));
        } catch (java.text.ParseException e) {
            throw new IOException(e);
        }
    }

    /** The MAC key for {@code salt} (a new salt when null, or the one already derived). */
    private MacKey macKey(String salt) throws GeneralSecurityException {
        MacKey current = macKey;
        if (current != null && (salt == null || salt.equals(current.salt()))) {
            return current;
        }
        String chosen = salt != null ? salt : Base64.getEncoder().encodeToString(random(16));
        char[] pw = password.reveal().toCharArray();
        try {
            SecretKeyFactory factory = Jca.secretKeyFactory("PBKDF2WithHmacSHA256");
            byte[] derivedBytes = factory.generateSecret(new PBEKeySpec(pw, Base64.getDecoder().decode(chosen), kdfIterations,
                    512)).getEncoded();
            MacKey derived = new MacKey(chosen, Arrays.copyOfRange(derivedBytes, 0, 32), Arrays.copyOfRange(derivedBytes, 32, 64));
            Arrays.fill(derivedBytes, (byte) 0);
            macKey = derived;
            return derived;
        } finally {
            Arrays.fill(pw, '\0');
        }
    }

    /** AES-256-GCM with a random 96-bit nonce: nonce || ciphertext. */
    private static byte[] seal(MacKey key, byte[] plain) throws GeneralSecurityException {
        byte[] nonce = random(12);
        Cipher cipher = Jca.cipher("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.sealing(), "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(SEALING_CONTEXT);
        byte[] sealed = cipher.doFinal(plain);
        byte[] out = Arrays.copyOf(nonce, nonce.length + sealed.length);
        System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
        return out;
    }

    private static byte[] unseal(MacKey key, byte[] sealed) throws IOException {
        try {
            Cipher cipher = Jca.cipher("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key.sealing(), "AES"), new GCMParameterSpec(128, sealed, 0, 12));
            cipher.updateAAD(SEALING_CONTEXT);
            return cipher.doFinal(sealed, 12, sealed.length - 12);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("the keys do not decrypt", e);
        }
    }

    /** HMAC-SHA256 over the generation, the used kids and the key entries, as canonical JSON. */
    private static String mac(MacKey key, long generation, List<String> usedKeyIds, List<Object> entries)
            throws GeneralSecurityException {
        Map<String, Object> covered = new LinkedHashMap<>();
        covered.put("generation", generation);
        covered.put("usedKeyIds", new ArrayList<Object>(usedKeyIds));
        List<Object> canonical = new ArrayList<>();
        for (Object entry : entries) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) entry;
            canonical.add(new TreeMap<>(map));
        }
        covered.put("keys", canonical);
        Mac mac = Jca.mac("HmacSHA256");
        mac.init(new SecretKeySpec(key.key(), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(JSONObjectUtils.toJSONString(covered)
                .getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] random(int bytes) {
        byte[] out = new byte[bytes];
        RANDOM.nextBytes(out);
        return out;
    }

    private static Instant instant(Map<String, Object> entry, String name) throws java.text.ParseException {
        String value = JSONObjectUtils.getString(entry, name);
        return value == null ? null : Instant.parse(value);
    }
}
