package dev.clientauth.jwt.verifier;

import dev.clientauth.jwt.internal.JcaSignatures;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.clientauth.jwt.SignatureAlgorithm;
import dev.clientauth.jwt.verifier.InvalidClientAssertionException.Check;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Verifies {@code private_key_jwt} client assertions, for authorization servers and gateways.
 *
 * <p>Checks, each failing with its own {@link Check}:
 * <ul>
 *   <li>a compact JWS with an allowed asymmetric algorithm (never {@code none} or HMAC) whose key
 *       type fits; {@code typ}, when present, is {@code client-authentication+jwt} or {@code JWT};</li>
 *   <li>the signature, with the client's key found by {@code kid};</li>
 *   <li>{@code iss} = {@code sub} = the client id (and = the {@code client_id} parameter when sent);</li>
 *   <li>{@code aud} is the issuer identifier as a single string (a named lenient mode also accepts
 *       the token endpoint, or an array holding either);</li>
 *   <li>{@code exp} present and not passed; lifetime at most 5 minutes (configurable);
 *       {@code iat}/{@code nbf} at most 10 s in the future (configurable, never more than 60 s);</li>
 *   <li>{@code jti} present and used once, through a {@link ReplayCache}.</li>
 * </ul>
 * ECDSA and Ed25519 signatures are verified with Bouncy Castle (faster than the JDK 17
 * providers), RSA with the JDK. Thread-safe.
 *
 * <p>Specifications: RFC 7523 §3; draft-ietf-oauth-rfc7523bis; FAPI 2.0 Security Profile §5.3.2.1.
 */
public final class ClientAssertionVerifier {
    private static final Base64.Decoder B64 = Base64.getUrlDecoder();

    private final String issuer;
    private final String tokenEndpoint;
    private final boolean lenientAudience;
    private final ClientKeyResolver keys;
    private final ReplayCache replayCache;
    private final Set<SignatureAlgorithm> algorithms;
    private final long maxLifetimeSeconds;
    private final long futureSkewSeconds;
    private final Clock clock;
    private final ConcurrentHashMap<VerifierKey, ThreadLocal<JcaSignatures.JoseVerifier>> verifiers = new ConcurrentHashMap<>();

    /** A successfully verified assertion. */
    public static final class VerifiedClientAssertion {
        private final String clientId;
        private final String jwtId;
        private final String keyId;
        private final SignatureAlgorithm algorithm;
        private final Instant expiresAt;

        VerifiedClientAssertion(String clientId, String jwtId, String keyId, SignatureAlgorithm algorithm, Instant expiresAt) {
            this.clientId = clientId;
            this.jwtId = jwtId;
            this.keyId = keyId;
            this.algorithm = algorithm;
            this.expiresAt = expiresAt;
        }

        public String clientId() {
            return clientId;
        }

        public String jwtId() {
            return jwtId;
        }

        public String keyId() {
            return keyId;
        }

        public SignatureAlgorithm algorithm() {
            return algorithm;
        }

        public Instant expiresAt() {
            return expiresAt;
        }

        @Override
        public String toString() {
            return "VerifiedClientAssertion[client=" + clientId + ", kid=" + keyId + ", alg=" + algorithm + "]";
        }
    }

    /** A public key with the algorithm it verifies. */
    private record VerifierKey(PublicKey key, SignatureAlgorithm algorithm) {
    }

    /** How many keys keep a ready {@link Signature} per thread; beyond it an entry is dropped first. */
    static final int MAX_CACHED_VERIFIERS = 1024;

    /** How many keys have a cached verifier (for tests of the bound). */
    int cachedVerifiers() {
        return verifiers.size();
    }

    private ClientAssertionVerifier(Builder b) {
        this.issuer = b.issuer.toString();
        this.tokenEndpoint = b.tokenEndpoint == null ? null : b.tokenEndpoint.toString();
        this.lenientAudience = b.lenientAudience;
        this.keys = b.keys;
        this.replayCache = b.replayCache;
        this.algorithms = EnumSet.copyOf(b.algorithms);
        this.maxLifetimeSeconds = b.maxLifetime.getSeconds();
        this.futureSkewSeconds = b.futureSkew.getSeconds();
        this.clock = b.clock;
    }

    /** A verifier for assertions addressed to this issuer, with client keys from {@code keys}. */
    public static Builder builder(URI issuer, ClientKeyResolver keys) {
        return new Builder(issuer, keys);
    }

    /**
     * Verifies an assertion.
     *
     * @param clientIdParameter the {@code client_id} form parameter, or null when not sent
     * @throws InvalidClientAssertionException naming the failed check
     */
    public VerifiedClientAssertion verify(String assertion, String clientIdParameter) throws InvalidClientAssertionException {
        try {
            return check(assertion, clientIdParameter);
        } catch (RuntimeException e) { // nothing unchecked escapes: whatever an attacker sent is a refusal
            throw new InvalidClientAssertionException(Check.MALFORMED, "assertion cannot be processed: "
                    + e.getClass().getSimpleName());
        }
    }

    private VerifiedClientAssertion check(String assertion, String clientIdParameter) throws InvalidClientAssertionException {
        if (assertion == null || assertion.length() > 16 * 1024) {
            throw new InvalidClientAssertionException(Check.MALFORMED, "assertion missing or longer than 16 KiB");
        }
        int first = assertion.indexOf('.');
        int second = first < 0 ? -1 : assertion.indexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || second == assertion.length() - 1 || assertion.indexOf('.', second + 1) >= 0) {
            throw new InvalidClientAssertionException(Check.MALFORMED, "not a compact JWS");
        }
        Map<String, Object> header = json(assertion, 0, first, "header");
        Object algValue = header.get("alg");
        if (!(algValue instanceof String)) {
            throw new InvalidClientAssertionException(Check.ALGORITHM, "no alg");
        }
        SignatureAlgorithm algorithm;
        try {
            algorithm = SignatureAlgorithm.of((String) algValue);
        } catch (IllegalArgumentException e) {
            throw new InvalidClientAssertionException(Check.ALGORITHM, "alg '" + printable((String) algValue) + "' is not allowed");
        }
        if (algorithm.isHmac() || !algorithms.contains(algorithm)) {
            throw new InvalidClientAssertionException(Check.ALGORITHM, "alg " + algorithm + " is not allowed");
        }
        Object typ = header.get("typ");
        if (typ != null && !"client-authentication+jwt".equals(typ) && !"JWT".equalsIgnoreCase(String.valueOf(typ))) {
            throw new InvalidClientAssertionException(Check.TYPE, "typ '" + printable(String.valueOf(typ)) + "' is not a client assertion");
        }
        if (header.containsKey("crit")) {
            throw new InvalidClientAssertionException(Check.MALFORMED, "crit header parameters are not supported");
        }
        Map<String, Object> claims = json(assertion, first + 1, second, "payload");
        String iss = string(claims, "iss", Check.ISSUER);
        // the signature first: nothing else is judged on content an attacker could have written
        Object kid = header.get("kid");
        PublicKey key = keys.publicKey(iss, kid instanceof String ? (String) kid : null, algorithm).orElseThrow(() ->
                new InvalidClientAssertionException(Check.KEY, "no key " + (kid == null ? "(no kid)" : "'" + printable(String.valueOf(kid)) + "'")
                        + " for client " + printable(iss)));
        verifySignature(assertion, second, key, algorithm);
        String sub = string(claims, "sub", Check.SUBJECT);
        if (!iss.equals(sub)) {
            throw new InvalidClientAssertionException(Check.SUBJECT, "sub differs from iss");
        }
        if (clientIdParameter != null && !clientIdParameter.equals(iss)) {
            throw new InvalidClientAssertionException(Check.CLIENT_ID, "client_id parameter differs from iss");
        }
        checkAudience(claims.get("aud"));
        Instant now = clock.instant();
        long nowSeconds = now.getEpochSecond();
        long exp = seconds(claims, "exp", Check.EXPIRATION, true);
        if (exp <= nowSeconds) {
            throw new InvalidClientAssertionException(Check.EXPIRATION, "assertion expired");
        }
        long iat = seconds(claims, "iat", Check.ISSUED_IN_FUTURE, false);
        long nbf = seconds(claims, "nbf", Check.NOT_YET_VALID, false);
        if (iat != Long.MIN_VALUE && iat > nowSeconds + futureSkewSeconds) {
            throw new InvalidClientAssertionException(Check.ISSUED_IN_FUTURE, "iat is " + (iat - nowSeconds) + " s in the future");
        }
        if (nbf != Long.MIN_VALUE && nbf > nowSeconds + futureSkewSeconds) {
            throw new InvalidClientAssertionException(Check.NOT_YET_VALID, "nbf is " + (nbf - nowSeconds) + " s in the future");
        }
        // bounded against now, not only against iat: an assertion cannot outlive the cap, whatever iat says
        if (exp > nowSeconds + maxLifetimeSeconds + futureSkewSeconds) {
            throw new InvalidClientAssertionException(Check.LIFETIME, "exp is more than " + maxLifetimeSeconds
                    + " s in the future");
        }
        if (iat != Long.MIN_VALUE && iat < nowSeconds - maxLifetimeSeconds - futureSkewSeconds) {
            throw new InvalidClientAssertionException(Check.LIFETIME, "iat is more than " + maxLifetimeSeconds
                    + " s in the past");
        }
        long start = iat != Long.MIN_VALUE ? iat : nowSeconds;
        long lifetime;
        try {
            lifetime = Math.subtractExact(exp, start);
        } catch (ArithmeticException e) {
            throw new InvalidClientAssertionException(Check.LIFETIME, "lifetime out of range");
        }
        if (lifetime <= 0 || lifetime > maxLifetimeSeconds) {
            throw new InvalidClientAssertionException(Check.LIFETIME, "lifetime " + lifetime + " s is not in (0, "
                    + maxLifetimeSeconds + "] s");
        }
        Object jti = claims.get("jti");
        if (!(jti instanceof String) || ((String) jti).isEmpty() || ((String) jti).length() > 256) {
            throw new InvalidClientAssertionException(Check.JTI, "jti missing or invalid");
        }
        if (!replayCache.firstUse(iss, (String) jti, Instant.ofEpochSecond(exp), now)) { // exp is bounded above
            throw new InvalidClientAssertionException(Check.REPLAY, "jti was used before (or the replay cache is full)");
        }
        return new VerifiedClientAssertion(iss, (String) jti, kid == null ? null : String.valueOf(kid), algorithm,
                Instant.ofEpochSecond(exp));
    }

    private void checkAudience(Object aud) throws InvalidClientAssertionException {
        if (aud instanceof String) {
            if (aud.equals(issuer) || (lenientAudience && aud.equals(tokenEndpoint))) {
                return;
            }
            throw new InvalidClientAssertionException(Check.AUDIENCE, "aud is not the issuer " + issuer);
        }
        if (aud instanceof List && lenientAudience) {
            for (Object value : (List<?>) aud) {
                if (issuer.equals(value) || (tokenEndpoint != null && tokenEndpoint.equals(value))) {
                    return;
                }
            }
            throw new InvalidClientAssertionException(Check.AUDIENCE, "aud does not contain the issuer " + issuer);
        }
        throw new InvalidClientAssertionException(Check.AUDIENCE, aud == null ? "no aud"
                : "aud must be the issuer as a single string");
    }

    private void verifySignature(String assertion, int second, PublicKey key, SignatureAlgorithm algorithm)
            throws InvalidClientAssertionException {
        String keyType = key.getAlgorithm();
        boolean fits = algorithm.isRsa() ? keyType.equals("RSA") || keyType.equals("RSASSA-PSS")
                : algorithm.isEcdsa() ? keyType.equals("EC") : keyType.equals("Ed25519") || keyType.equals("EdDSA");
        if (!fits) {
            throw new InvalidClientAssertionException(Check.ALGORITHM, "alg " + algorithm + " does not fit the client's "
                    + keyType + " key");
        }
        if (key instanceof java.security.interfaces.RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
            throw new InvalidClientAssertionException(Check.KEY, "the client's RSA key has "
                    + rsa.getModulus().bitLength() + " bits; at least 2048 are required");
        }
        if (key instanceof java.security.interfaces.ECPublicKey ec) {
            int fieldSize = ec.getParams().getCurve().getField().getFieldSize();
            int expected = algorithm == SignatureAlgorithm.ES256 ? 256 : algorithm == SignatureAlgorithm.ES384 ? 384 : 521;
            if (fieldSize != expected) {
                throw new InvalidClientAssertionException(Check.ALGORITHM, "alg " + algorithm + " needs a P-" + expected
                        + " key, the client's key is on a " + fieldSize + "-bit curve (RFC 7518 §3.4)");
            }
        }
        byte[] signature;
        try {
            signature = B64.decode(assertion.substring(second + 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidClientAssertionException(Check.MALFORMED, "signature is not base64url");
        }
        // a key gets a cached verifier only once it has verified a signature, and the cache is bounded:
        // a client serving many keys, or bad signatures, cannot grow it
        VerifierKey cacheKey = new VerifierKey(key, algorithm);
        ThreadLocal<JcaSignatures.JoseVerifier> local = verifiers.get(cacheKey);
        JcaSignatures.JoseVerifier verifier = local == null ? null : local.get();
        boolean fresh = verifier == null;
        boolean valid;
        try {
            if (fresh) {
                verifier = JcaSignatures.verifier(key, algorithm);
            }
            valid = verifier.verify(assertion.substring(0, second).getBytes(StandardCharsets.US_ASCII), signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            if (local != null) {
                local.remove();
            }
            throw new InvalidClientAssertionException(Check.SIGNATURE, "signature does not verify");
        }
        if (!valid) {
            throw new InvalidClientAssertionException(Check.SIGNATURE, "signature does not verify");
        }
        if (fresh) {
            if (local == null) {
                if (verifiers.size() >= MAX_CACHED_VERIFIERS) {
                    verifiers.keySet().stream().findAny().ifPresent(verifiers::remove);
                }
                local = verifiers.computeIfAbsent(cacheKey, k -> new ThreadLocal<>());
            }
            local.set(verifier);
        }
    }

    private static Map<String, Object> json(String assertion, int from, int to, String part) throws InvalidClientAssertionException {
        try {
            String decoded = new String(B64.decode(assertion.substring(from, to)), StandardCharsets.UTF_8);
            if (!decoded.startsWith("{")) {
                throw new InvalidClientAssertionException(Check.MALFORMED, part + " is not a JSON object");
            }
            return JSONObjectUtils.parse(decoded);
        } catch (IllegalArgumentException | java.text.ParseException e) {
            throw new InvalidClientAssertionException(Check.MALFORMED, part + " is not base64url JSON");
        }
    }

    private static String string(Map<String, Object> claims, String name, Check check) throws InvalidClientAssertionException {
        Object value = claims.get(name);
        if (!(value instanceof String) || ((String) value).isEmpty()) {
            throw new InvalidClientAssertionException(check, name + " missing");
        }
        return (String) value;
    }

    private static long seconds(Map<String, Object> claims, String name, Check check, boolean required)
            throws InvalidClientAssertionException {
        Object value = claims.get(name);
        if (value == null) {
            if (required) {
                throw new InvalidClientAssertionException(check, name + " missing");
            }
            return Long.MIN_VALUE;
        }
        if (!(value instanceof Long || value instanceof Integer)) {
            throw new InvalidClientAssertionException(check, name + " is not an integral NumericDate");
        }
        long seconds = ((Number) value).longValue();
        if (Math.abs(seconds) > MAX_NUMERIC_DATE) {
            throw new InvalidClientAssertionException(check, name + " is out of range");
        }
        return seconds;
    }

    /** 2^53: the largest integer every JSON implementation reads exactly. */
    private static final long MAX_NUMERIC_DATE = 1L << 53;

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < 64; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }

    /** Builds a {@link ClientAssertionVerifier}. Not thread-safe. */
    public static final class Builder {
        private final URI issuer;
        private final ClientKeyResolver keys;
        private URI tokenEndpoint;
        private boolean lenientAudience;
        private ReplayCache replayCache;
        private Set<SignatureAlgorithm> algorithms = EnumSet.of(SignatureAlgorithm.RS256, SignatureAlgorithm.RS384,
                SignatureAlgorithm.RS512, SignatureAlgorithm.PS256, SignatureAlgorithm.PS384, SignatureAlgorithm.PS512,
                SignatureAlgorithm.ES256, SignatureAlgorithm.ES384, SignatureAlgorithm.ES512, SignatureAlgorithm.EdDSA);
        private Duration maxLifetime = Duration.ofMinutes(5);
        private Duration futureSkew = Duration.ofSeconds(10);
        private Clock clock = Clock.systemUTC();

        private Builder(URI issuer, ClientKeyResolver keys) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            this.keys = Objects.requireNonNull(keys, "keys");
        }

        /**
         * A weakening for legacy clients: also accept the token endpoint as {@code aud}, and an
         * array holding the issuer or the token endpoint.
         */
        public Builder lenientAudience(URI tokenEndpoint) {
            this.tokenEndpoint = Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
            this.lenientAudience = true;
            System.getLogger(ClientAssertionVerifier.class.getName()).log(System.Logger.Level.WARNING,
                    "client assertions for {0} are accepted with the token endpoint or an audience array as aud", issuer);
            return this;
        }

        /** Default: an {@link InMemoryReplayCache} for 1,000,000 live assertions. */
        public Builder replayCache(ReplayCache replayCache) {
            this.replayCache = Objects.requireNonNull(replayCache, "replayCache");
            return this;
        }

        /** The accepted algorithms (asymmetric only); default: every RSA, RSA-PSS, ECDSA and EdDSA one. */
        public Builder algorithms(Set<SignatureAlgorithm> allowed) {
            for (SignatureAlgorithm a : allowed) {
                if (a.isHmac()) {
                    throw new IllegalArgumentException(a + " is never allowed for private_key_jwt");
                }
            }
            if (allowed.isEmpty()) {
                throw new IllegalArgumentException("at least one algorithm is needed");
            }
            this.algorithms = EnumSet.copyOf(allowed);
            return this;
        }

        /** Maximum {@code exp - iat}; default 5 minutes. */
        public Builder maxLifetime(Duration maxLifetime) {
            if (maxLifetime.getSeconds() < 1) {
                throw new IllegalArgumentException("maxLifetime must be at least 1 s: " + maxLifetime);
            }
            this.maxLifetime = maxLifetime;
            return this;
        }

        /** How far {@code iat}/{@code nbf} may be in the future; default 10 s, at most 60 s (FAPI 2.0). */
        public Builder futureSkew(Duration skew) {
            if (skew.isNegative() || skew.compareTo(Duration.ofSeconds(60)) > 0) {
                throw new IllegalArgumentException("futureSkew must be between 0 and 60 s: " + skew);
            }
            this.futureSkew = skew;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public ClientAssertionVerifier build() {
            if (replayCache == null) {
                replayCache = InMemoryReplayCache.create();
            }
            return new ClientAssertionVerifier(this);
        }
    }
}
