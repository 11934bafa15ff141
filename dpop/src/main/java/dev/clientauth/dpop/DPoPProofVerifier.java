package dev.clientauth.dpop;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.clientauth.jwt.Jwks;
import dev.clientauth.jwt.SignatureAlgorithm;
import dev.clientauth.jwt.internal.JcaSignatures;
import dev.clientauth.jwt.verifier.InMemoryReplayCache;
import dev.clientauth.jwt.verifier.ReplayCache;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks the DPoP proof of a request to a resource server (or a token endpoint), RFC 9449 §4.3:
 * exactly one {@code DPoP} header of bounded size; {@code typ: dpop+jwt}; an algorithm from the
 * allow-list (never {@code none} or HMAC); a public {@code jwk} of a fitting type and strength,
 * by which the signature verifies; {@code htm} and {@code htu} equal to the request (after
 * normalisation); an integral {@code iat} within the window; {@code jti} used once (through a
 * {@link ReplayCache}, with the proof key as the quota's client); {@code ath} equal to the hash of
 * the presented token; the token's {@code cnf.jkt} equal to the key's thumbprint; and, when a
 * {@link DPoPNonceSource} is set, a current server nonce. Hashes and thumbprints are compared in
 * constant time. Thread-safe.
 */
public final class DPoPProofVerifier {
    static final int MAX_CACHED_KEYS = 1024;
    private final java.util.concurrent.ConcurrentHashMap<VerifierKey, ThreadLocal<JcaSignatures.JoseVerifier>> verifiers =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Set<SignatureAlgorithm> algorithms;
    private final ReplayCache replayCache;
    private final DPoPNonceSource nonces;
    private final Clock clock;
    private final Duration maxAge;
    private final Duration maxClockSkew;
    private final int maxProofBytes;

    private DPoPProofVerifier(Builder builder) {
        this.algorithms = EnumSet.copyOf(builder.algorithms);
        this.replayCache = builder.replayCache != null ? builder.replayCache : InMemoryReplayCache.create();
        this.nonces = builder.nonces;
        this.clock = builder.clock;
        this.maxAge = builder.maxAge;
        this.maxClockSkew = builder.maxClockSkew;
        this.maxProofBytes = builder.maxProofBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What a verified proof established. */
    public record VerifiedProof(String thumbprint, SignatureAlgorithm algorithm, String jti, Instant issuedAt) {
    }

    /**
     * Verifies the proof of one request.
     *
     * @param method the request's HTTP method
     * @param uri the request's URI as the server received it (absolute)
     * @param dpopHeaders every value of the request's {@code DPoP} header
     * @param accessToken the token in {@code Authorization: DPoP}, or null at a token endpoint
     * @param boundThumbprint the token's {@code cnf.jkt}, or null at a token endpoint
     * @throws InvalidDPoPProofException the proof (or the token's binding) is refused
     */
    public VerifiedProof verify(String method, URI uri, List<String> dpopHeaders, String accessToken, String boundThumbprint)
            throws InvalidDPoPProofException {
        if (dpopHeaders == null || dpopHeaders.size() != 1) {
            throw InvalidDPoPProofException.invalid("a request carries exactly one DPoP header, this one "
                    + (dpopHeaders == null ? 0 : dpopHeaders.size()));
        }
        if (accessToken != null && boundThumbprint == null) {
            throw new InvalidDPoPProofException(InvalidDPoPProofException.INVALID_TOKEN,
                    "the access token is not bound to a DPoP key (no cnf.jkt)", null);
        }
        String proof = dpopHeaders.get(0);
        if (proof == null || proof.length() > maxProofBytes) {
            throw InvalidDPoPProofException.invalid("the DPoP proof is missing or longer than " + maxProofBytes + " bytes");
        }
        String[] parts = proof.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw InvalidDPoPProofException.invalid("the DPoP proof is not a compact JWS");
        }
        Map<String, Object> header = json(parts[0], "header");
        if (!"dpop+jwt".equals(header.get("typ"))) {
            throw InvalidDPoPProofException.invalid("the DPoP proof's typ is not dpop+jwt");
        }
        if (header.containsKey("crit")) {
            throw InvalidDPoPProofException.invalid("the DPoP proof has critical header parameters this verifier does not understand");
        }
        SignatureAlgorithm algorithm = algorithm(header.get("alg"));
        JWK jwk = jwk(header.get("jwk"), algorithm);
        String thumbprint;
        try {
            thumbprint = jwk.computeThumbprint().toString(); // RFC 7638: the required public members, already parsed
        } catch (com.nimbusds.jose.JOSEException e) {
            throw InvalidDPoPProofException.invalid("the DPoP proof's jwk has no thumbprint");
        }
        byte[] signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        verifySignature(thumbprint, algorithm, jwk, signingInput, new Base64URL(parts[2]).decode());
        Map<String, Object> claims = json(parts[1], "payload");
        Object jti = claims.get("jti");
        if (!(jti instanceof String) || ((String) jti).isEmpty() || ((String) jti).length() > 256) {
            throw InvalidDPoPProofException.invalid("the DPoP proof has no usable jti");
        }
        if (!(claims.get("htm") instanceof String) || !claims.get("htm").equals(method)) {
            throw InvalidDPoPProofException.invalid("the DPoP proof's htm is not the request's method " + method);
        }
        String requestHtu = DPoPKey.htu(uri);
        if (!(claims.get("htu") instanceof String) || !requestHtu.equals(normalisedOrNull((String) claims.get("htu")))) {
            throw InvalidDPoPProofException.invalid("the DPoP proof's htu is not the request's URI " + requestHtu);
        }
        Instant now = clock.instant();
        Instant issuedAt = issuedAt(claims.get("iat"));
        if (issuedAt.isAfter(now.plus(maxClockSkew)) || issuedAt.isBefore(now.minus(maxAge))) {
            throw InvalidDPoPProofException.invalid("the DPoP proof's iat is outside the accepted window");
        }
        if (nonces != null) {
            Object nonce = claims.get("nonce");
            if (!(nonce instanceof String) || !nonces.accepts((String) nonce)) {
                throw new InvalidDPoPProofException(InvalidDPoPProofException.USE_DPOP_NONCE,
                        nonce == null ? "the DPoP proof carries no nonce" : "the DPoP proof's nonce is not current", nonces.current());
            }
        }
        if (accessToken != null) {
            Object ath = claims.get("ath");
            if (!(ath instanceof String) || !MessageDigest.isEqual(((String) ath).getBytes(StandardCharsets.US_ASCII),
                    DPoPKey.accessTokenHash(accessToken).getBytes(StandardCharsets.US_ASCII))) {
                throw InvalidDPoPProofException.invalid("the DPoP proof's ath is not the hash of the presented access token");
            }
        }
        if (boundThumbprint != null && !MessageDigest.isEqual(boundThumbprint.getBytes(StandardCharsets.US_ASCII),
                thumbprint.getBytes(StandardCharsets.US_ASCII))) {
            throw new InvalidDPoPProofException(InvalidDPoPProofException.INVALID_TOKEN,
                    "the access token is bound to another key than the DPoP proof's (cnf.jkt mismatch)", null);
        }
        if (!replayCache.firstUse(thumbprint, (String) jti, issuedAt.plus(maxAge).plus(maxClockSkew), now)) {
            throw InvalidDPoPProofException.invalid("the DPoP proof's jti was used before (or cannot be recorded)");
        }
        return new VerifiedProof(thumbprint, algorithm, (String) jti, issuedAt);
    }

    /**
     * Checks the signature with the proof's {@code jwk}. A client signs every proof with the same
     * key, and preparing a verifier for a key (converting it, and for EC keys the provider's
     * precomputation) costs more than the check itself: once a key has verified a signature, its
     * verifier is kept per thread, found by the key's RFC 7638 thumbprint (a SHA-256 over exactly
     * the members that define the key, so equal thumbprints are equal keys) and the algorithm.
     * The map is bounded; bad signatures and unknown keys never enter it.
     */
    private void verifySignature(String thumbprint, SignatureAlgorithm algorithm, JWK jwk, byte[] input, byte[] signature)
            throws InvalidDPoPProofException {
        VerifierKey cacheKey = new VerifierKey(thumbprint, algorithm);
        ThreadLocal<JcaSignatures.JoseVerifier> local = verifiers.get(cacheKey);
        JcaSignatures.JoseVerifier verifier = local == null ? null : local.get();
        boolean fresh = verifier == null;
        boolean valid;
        try {
            if (fresh) {
                PublicKey key = Jwks.toPublicKey(jwk).orElseThrow(() -> InvalidDPoPProofException.invalid(
                        "the DPoP proof's jwk is unusable"));
                if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
                    throw InvalidDPoPProofException.invalid("the DPoP proof's RSA key is shorter than 2048 bits");
                }
                verifier = JcaSignatures.verifier(key, algorithm);
            }
            valid = verifier.verify(input, signature);
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            if (local != null) {
                local.remove();
            }
            valid = false;
        }
        if (!valid) {
            throw InvalidDPoPProofException.invalid("the DPoP proof's signature does not verify with its jwk");
        }
        if (fresh) {
            if (local == null) {
                if (verifiers.size() >= MAX_CACHED_KEYS) {
                    verifiers.clear(); // a bound, not a policy: the next proofs prepare their verifiers again
                }
                ThreadLocal<JcaSignatures.JoseVerifier> created = new ThreadLocal<>();
                ThreadLocal<JcaSignatures.JoseVerifier> existing = verifiers.putIfAbsent(cacheKey, created);
                local = existing != null ? existing : created;
            }
            local.set(verifier);
        }
    }

    private record VerifierKey(String thumbprint, SignatureAlgorithm algorithm) {
    }

    /**
     * The {@code cnf.jkt} of a token's claims (a JWT access token's payload or an introspection
     * response), or null when it has none.
     */
    public static String boundThumbprint(Map<String, Object> tokenClaims) {
        Object cnf = tokenClaims == null ? null : tokenClaims.get("cnf");
        if (cnf instanceof Map<?, ?> map && map.get("jkt") instanceof String jkt && !jkt.isEmpty()) {
            return jkt;
        }
        return null;
    }

    private static String normalisedOrNull(String htu) {
        try {
            return DPoPKey.htu(URI.create(htu));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Map<String, Object> json(String part, String what) throws InvalidDPoPProofException {
        try {
            Map<String, Object> object = JSONObjectUtils.parse(new Base64URL(part).decodeToString());
            if (object == null) {
                throw new java.text.ParseException("null", 0);
            }
            return object;
        } catch (java.text.ParseException | RuntimeException e) {
            throw InvalidDPoPProofException.invalid("the DPoP proof's " + what + " is not a JSON object");
        }
    }

    private SignatureAlgorithm algorithm(Object alg) throws InvalidDPoPProofException {
        SignatureAlgorithm algorithm;
        try {
            algorithm = alg instanceof String ? SignatureAlgorithm.of((String) alg) : null;
        } catch (IllegalArgumentException e) {
            algorithm = null;
        }
        if (algorithm == null || algorithm.isHmac() || !algorithms.contains(algorithm)) {
            throw InvalidDPoPProofException.invalid("the DPoP proof's alg is not one of " + algorithms);
        }
        return algorithm;
    }

    private static JWK jwk(Object value, SignatureAlgorithm algorithm) throws InvalidDPoPProofException {
        if (!(value instanceof Map)) {
            throw InvalidDPoPProofException.invalid("the DPoP proof has no jwk header");
        }
        JWK jwk;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) value;
            jwk = JWK.parse(map);
        } catch (java.text.ParseException | RuntimeException e) {
            throw InvalidDPoPProofException.invalid("the DPoP proof's jwk is not a valid JWK");
        }
        if (jwk.isPrivate()) {
            throw InvalidDPoPProofException.invalid("the DPoP proof's jwk contains private key members");
        }
        boolean fits;
        if (algorithm.isEcdsa()) {
            fits = jwk instanceof ECKey ec && Curve.forJWSAlgorithm(new com.nimbusds.jose.JWSAlgorithm(algorithm.joseName()))
                    .contains(ec.getCurve());
        } else if (algorithm == SignatureAlgorithm.EdDSA) {
            fits = jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve());
        } else {
            fits = jwk instanceof RSAKey;
        }
        if (!fits) {
            throw InvalidDPoPProofException.invalid("the DPoP proof's jwk does not fit its alg " + algorithm.joseName());
        }
        return jwk;
    }

    private static Instant issuedAt(Object iat) throws InvalidDPoPProofException {
        if (iat instanceof Long || iat instanceof Integer) {
            return Instant.ofEpochSecond(((Number) iat).longValue());
        }
        if (iat instanceof BigInteger) {
            throw InvalidDPoPProofException.invalid("the DPoP proof's iat is out of range");
        }
        throw InvalidDPoPProofException.invalid("the DPoP proof has no integral iat");
    }

    @Override
    public String toString() {
        return "DPoPProofVerifier[" + algorithms + ", max age " + maxAge + (nonces != null ? ", server nonces" : "") + "]";
    }

    /** Options of a {@link DPoPProofVerifier}. */
    public static final class Builder {
        private Set<SignatureAlgorithm> algorithms = EnumSet.of(SignatureAlgorithm.ES256, SignatureAlgorithm.ES384,
                SignatureAlgorithm.ES512, SignatureAlgorithm.PS256, SignatureAlgorithm.PS384, SignatureAlgorithm.PS512,
                SignatureAlgorithm.EdDSA, SignatureAlgorithm.RS256);
        private ReplayCache replayCache;
        private DPoPNonceSource nonces;
        private Clock clock = Clock.systemUTC();
        private Duration maxAge = Duration.ofMinutes(5);
        private Duration maxClockSkew = Duration.ofSeconds(5);
        private int maxProofBytes = 8 * 1024;

        private Builder() {
        }

        /** The algorithms accepted; HMAC is never accepted. Default: ES256/384/512, PS256/384/512, EdDSA, RS256. */
        public Builder algorithms(Set<SignatureAlgorithm> algorithms) {
            if (algorithms.isEmpty() || algorithms.stream().anyMatch(SignatureAlgorithm::isHmac)) {
                throw new IllegalArgumentException("DPoP algorithms are asymmetric, and at least one: " + algorithms);
            }
            this.algorithms = EnumSet.copyOf(algorithms);
            return this;
        }

        /** Where {@code jti}s are remembered; default: an {@link InMemoryReplayCache}. Share one across replicas. */
        public Builder replayCache(ReplayCache replayCache) {
            this.replayCache = Objects.requireNonNull(replayCache, "replayCache");
            return this;
        }

        /** Demand a current server nonce in every proof. */
        public Builder nonces(DPoPNonceSource nonces) {
            this.nonces = Objects.requireNonNull(nonces, "nonces");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How old a proof may be (default 5 minutes) and how far in the future its iat may be (default 5 s). */
        public Builder window(Duration maxAge, Duration maxClockSkew) {
            if (maxAge.isNegative() || maxAge.isZero() || maxClockSkew.isNegative()) {
                throw new IllegalArgumentException("need a positive max age and a non-negative skew");
            }
            this.maxAge = maxAge;
            this.maxClockSkew = maxClockSkew;
            return this;
        }

        public DPoPProofVerifier build() {
            return new DPoPProofVerifier(this);
        }
    }
}
