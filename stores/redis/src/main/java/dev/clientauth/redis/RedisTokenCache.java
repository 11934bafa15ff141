package dev.clientauth.redis;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.clientauth.core.AccessToken;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.core.SharedTokenCache;
import dev.clientauth.core.TokenType;
import dev.clientauth.core.internal.Jca;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * A {@link SharedTokenCache} on Redis for {@code TokenSource.Builder.sharedTokenCache(..)}: the
 * replicas of one client share their tokens and take turns requesting new ones.
 *
 * <ul>
 *   <li>Tokens are sealed with AES-GCM (the chosen JCA provider's {@code AES/GCM/NoPadding}, a fresh
 *       96-bit nonce per token, the Redis key as associated data) under a 256-bit key the
 *       application supplies — every replica the same key; Redis never holds a token in the
 *       clear.</li>
 *   <li>Keys are namespaced hashes made by the token source; a stored token expires when it stops
 *       being usable.</li>
 *   <li>The lease is {@code SET lease NX PX}; the replica that gets it requests, the others wait
 *       for its token.</li>
 *   <li>Every call has a timeout (default 250 ms); when Redis cannot answer, {@link #get} finds
 *       nothing, {@link #tryLease} says "request yourself" and {@link #put} drops the token: each
 *       replica falls back to its own single flight, and token acquisition never fails because of
 *       Redis. One WARN when Redis goes away, one INFO when it is back.</li>
 * </ul>
 */
public final class RedisTokenCache implements SharedTokenCache, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisTokenCache.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final Connection connection;
    private final String namespace;
    private final SecretKey key;
    private final String replica = UUID.randomUUID().toString();

    private RedisTokenCache(RedisURI uri, RedisClient shared, SecretKey key, String namespace, Duration timeout) {
        if (!"AES".equalsIgnoreCase(key.getAlgorithm()) || key.getEncoded() == null || key.getEncoded().length != 32) {
            throw new IllegalArgumentException("the sealing key must be a 256-bit AES key");
        }
        this.connection = new Connection(uri, shared, timeout, LOG, "shared token cache " + namespace,
                "each replica requests its own tokens");
        this.key = key;
        this.namespace = namespace;
    }

    /**
     * A cache on the Redis at {@code uri}, sealing tokens with {@code sealingKey} (256-bit AES,
     * the same on every replica); keys start with {@code namespace}; each call may take {@code timeout}.
     */
    public static RedisTokenCache create(RedisURI uri, SecretKey sealingKey, String namespace, Duration timeout) {
        return new RedisTokenCache(Objects.requireNonNull(uri, "uri"), null, Objects.requireNonNull(sealingKey, "sealingKey"),
                Objects.requireNonNull(namespace, "namespace"), Objects.requireNonNull(timeout, "timeout"));
    }

    @Override
    public Optional<AccessToken> get(String cacheKey) {
        String redisKey = namespace + "token:" + cacheKey;
        try {
            String stored = connection.sync().get(redisKey);
            connection.up();
            return stored == null ? Optional.empty() : Optional.of(open(redisKey, stored));
        } catch (RedisException e) {
            connection.down(e);
            return Optional.empty();
        } catch (GeneralSecurityException | java.text.ParseException | RuntimeException e) {
            LOG.log(Level.WARNING, "shared token cache {0}: a stored token does not open with this key ({1}); ignored",
                    namespace, e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    @Override
    public void put(String cacheKey, AccessToken token, Instant storeUntil) {
        String redisKey = namespace + "token:" + cacheKey;
        long ttl = storeUntil.toEpochMilli() - System.currentTimeMillis();
        if (ttl <= 0) {
            return;
        }
        try {
            connection.sync().set(redisKey, seal(redisKey, token), SetArgs.Builder.px(ttl));
            connection.up();
        } catch (RedisException e) {
            connection.down(e);
        } catch (GeneralSecurityException e) {
            LOG.log(Level.WARNING, "shared token cache {0}: cannot seal a token ({1})", namespace, e.getClass().getSimpleName());
        }
    }

    @Override
    public boolean tryLease(String cacheKey, Duration lease) {
        try {
            String result = connection.sync().set(namespace + "lease:" + cacheKey, replica,
                    SetArgs.Builder.nx().px(Math.max(1, lease.toMillis())));
            connection.up();
            return "OK".equals(result);
        } catch (RedisException e) {
            connection.down(e);
            return true;
        }
    }

    private String seal(String redisKey, AccessToken token) throws GeneralSecurityException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("v", token.value());
        json.put("t", token.type().value());
        json.put("i", token.issuedAt().toEpochMilli());
        token.expiresAt().ifPresent(e -> json.put("e", e.toEpochMilli()));
        json.put("s", new ArrayList<>(token.scopes()));
        token.boundCertificate().ifPresent(c -> json.put("x5t", c.value()));
        token.boundKey().ifPresent(k -> json.put("jkt", k));
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        Cipher cipher = Jca.cipher("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        cipher.updateAAD(redisKey.getBytes(StandardCharsets.UTF_8));
        byte[] sealed = cipher.doFinal(JSONObjectUtils.toJSONString(json).getBytes(StandardCharsets.UTF_8));
        return B64.encodeToString(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
    }

    private AccessToken open(String redisKey, String stored) throws GeneralSecurityException, java.text.ParseException {
        byte[] bytes = B64D.decode(stored);
        if (bytes.length < 12 + 16) {
            throw new GeneralSecurityException("too short");
        }
        Cipher cipher = Jca.cipher("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, bytes, 0, 12));
        cipher.updateAAD(redisKey.getBytes(StandardCharsets.UTF_8));
        byte[] plain = cipher.doFinal(bytes, 12, bytes.length - 12);
        Map<String, Object> json = JSONObjectUtils.parse(new String(plain, StandardCharsets.UTF_8));
        Set<String> scopes = new HashSet<>();
        for (Object scope : (List<?>) json.get("s")) {
            scopes.add((String) scope);
        }
        TokenType type = TokenType.lookup((String) json.get("t")).orElse(TokenType.BEARER);
        Object expires = json.get("e");
        Object x5t = json.get("x5t");
        AccessToken token = new AccessToken((String) json.get("v"), type, Instant.ofEpochMilli(((Number) json.get("i")).longValue()),
                expires == null ? null : Instant.ofEpochMilli(((Number) expires).longValue()), scopes,
                x5t == null ? null : CertificateThumbprint.parse((String) x5t));
        Object jkt = json.get("jkt");
        return jkt == null ? token : token.withBoundKey((String) jkt);
    }

    @Override
    public void close() {
        connection.close();
    }

    @Override
    public String toString() {
        return "RedisTokenCache[" + namespace + "]";
    }
}
