package dev.clientauth.jwt.keys;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.clientauth.core.Secret;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a {@link RotatingKeySet} lives on disk: one JSON file with the keys' states and times,
 * software private keys in an embedded password-protected PKCS#12, and HSM keys by alias.
 *
 * <p>Writes are atomic: the new content goes to a temporary file in the same directory, is
 * flushed to disk, and replaces the file with an atomic rename (the directory is then flushed
 * too). A crash at any point leaves either the old or the new file, so no key is lost.
 */
public final class KeySetStore {
    private static final int VERSION = 1;
    private final Path file;
    private final Secret password;
    final Writer writer;

    /** How bytes reach the file; replaced in tests to simulate a crash. */
    interface Writer {
        void write(Path file, byte[] content) throws IOException;
    }

    private KeySetStore(Path file, Secret password, Writer writer) {
        this.file = file;
        this.password = password;
        this.writer = writer;
    }

    public static KeySetStore at(Path file, Secret password) {
        return new KeySetStore(Objects.requireNonNull(file, "file").toAbsolutePath(),
                Objects.requireNonNull(password, "password"), KeySetStore::atomicWrite);
    }

    KeySetStore withWriter(Writer writer) {
        return new KeySetStore(file, password, writer);
    }

    public Path file() {
        return file;
    }

    boolean exists() {
        return Files.exists(file);
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

    /** What is stored: the keys, and every kid ever used (kids are never reused). */
    static final class Content {
        final List<StoredKey> keys;
        final List<String> usedKeyIds;

        Content(List<StoredKey> keys, List<String> usedKeyIds) {
            this.keys = keys;
            this.usedKeyIds = usedKeyIds;
        }
    }

    void save(List<ManagedKey> keys, List<String> usedKeyIds, Map<String, PrivateKey> softwareKeys) throws IOException {
        char[] pw = password.reveal().toCharArray();
        try {
            KeyStore p12 = KeyStore.getInstance("PKCS12");
            p12.load(null, null);
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
                    p12.setKeyEntry(key.keyId(), softwareKeys.get(key.keyId()), pw, new Certificate[] {key.certificate()});
                }
                entries.add(entry);
            }
            ByteArrayOutputStream p12Bytes = new ByteArrayOutputStream();
            p12.store(p12Bytes, pw);
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("version", VERSION);
            document.put("usedKeyIds", new ArrayList<Object>(usedKeyIds));
            document.put("keys", entries);
            document.put("pkcs12", Base64.getEncoder().encodeToString(p12Bytes.toByteArray()));
            writer.write(file, JSONObjectUtils.toJSONString(document).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encode the key set", e);
        } finally {
            java.util.Arrays.fill(pw, '\0');
        }
    }

    Content load() throws KeySetCorruptException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KeySetCorruptException("cannot read key set " + file + ": " + e.getClass().getSimpleName(), e);
        }
        char[] pw = password.reveal().toCharArray();
        try {
            Map<String, Object> document = JSONObjectUtils.parse(text);
            if (!Objects.equals(JSONObjectUtils.getInt(document, "version"), VERSION)) {
                throw new KeySetCorruptException("key set " + file + " has an unknown version");
            }
            KeyStore p12 = KeyStore.getInstance("PKCS12");
            try {
                p12.load(new ByteArrayInputStream(Base64.getDecoder().decode(JSONObjectUtils.getString(document, "pkcs12"))), pw);
            } catch (IOException e) {
                throw new KeySetCorruptException("cannot open the keys of " + file + " (wrong password or damaged)", e);
            }
            CertificateFactory certificates = CertificateFactory.getInstance("X.509");
            List<StoredKey> keys = new ArrayList<>();
            for (Object item : JSONObjectUtils.getJSONArray(document, "keys")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> entry = (Map<String, Object>) item;
                String kid = JSONObjectUtils.getString(entry, "kid");
                String hsmAlias = JSONObjectUtils.getString(entry, "hsmAlias");
                X509Certificate certificate = (X509Certificate) certificates.generateCertificate(
                        new ByteArrayInputStream(Base64.getDecoder().decode(JSONObjectUtils.getString(entry, "certificate"))));
                PrivateKey softwareKey = null;
                if (hsmAlias == null) {
                    softwareKey = (PrivateKey) p12.getKey(kid, pw);
                    if (softwareKey == null) {
                        throw new KeySetCorruptException("key set " + file + " lists key " + kid + " but does not hold it");
                    }
                }
                keys.add(new StoredKey(kid, KeyState.valueOf(JSONObjectUtils.getString(entry, "state")),
                        JSONObjectUtils.getString(entry, "alg"), instant(entry, "created"), instant(entry, "activates"),
                        instant(entry, "remove"), certificate, hsmAlias, softwareKey));
            }
            List<String> used = new ArrayList<>();
            for (Object kid : JSONObjectUtils.getJSONArray(document, "usedKeyIds")) {
                used.add((String) kid);
            }
            return new Content(keys, used);
        } catch (KeySetCorruptException e) {
            throw e;
        } catch (java.text.ParseException | RuntimeException | GeneralSecurityException e) {
            throw new KeySetCorruptException("key set " + file + " is corrupt: " + e.getClass().getSimpleName(), e);
        } finally {
            java.util.Arrays.fill(pw, '\0');
        }
    }

    private static Instant instant(Map<String, Object> entry, String name) throws java.text.ParseException {
        String value = JSONObjectUtils.getString(entry, name);
        return value == null ? null : Instant.parse(value);
    }

    /** Temp file, fsync, atomic rename, fsync of the directory. */
    static void atomicWrite(Path file, byte[] content) throws IOException {
        Path directory = file.getParent();
        Files.createDirectories(directory);
        Path temporary = directory.resolve(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UncheckedIOException ignored) {
            // some file systems cannot flush a directory; the rename itself is atomic
        }
    }

    @Override
    public String toString() {
        return "KeySetStore[" + file + "]";
    }
}
