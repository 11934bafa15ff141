package dev.clientauth.dpop;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.clientauth.core.internal.Jca;
import dev.clientauth.core.internal.Printable;
import dev.clientauth.jwt.JcaSigner;
import dev.clientauth.jwt.Jwks;
import dev.clientauth.jwt.SignatureAlgorithm;
import dev.clientauth.jwt.SigningException;
import dev.clientauth.jwt.SigningKey;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A DPoP key (RFC 9449) and the proofs it signs: one proof for every request, never reused.
 *
 * <p>A proof is a JWS with header {@code typ: dpop+jwt}, {@code alg} and {@code jwk} (the public
 * key, public members only), and claims {@code jti} (128 random bits), {@code htm}, {@code htu}
 * (the target URI without query and fragment, normalised as RFC 9449 §4.3 requires),
 * {@code iat}, and when given, {@code nonce} and {@code ath} (the base64url SHA-256 of the access
 * token, for requests to a resource server).
 *
 * <p>{@link #generate()} makes a new ES256 key in memory for this process; {@link #of(SigningKey,
 * PublicKey)} uses a key held elsewhere: PEM or PKCS#12 through {@link JcaSigner}, an HSM through
 * its JCA provider, or a remote signer (then every API request makes one remote call). Tokens are
 * bound to the key's {@link #thumbprint() thumbprint}: replacing the key makes every token bound to
 * the old one useless.
 *
 * <p>Thread-safe. {@code toString} shows the algorithm and thumbprint only.
 */
public final class DPoPKey {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    /** One digest per thread: a provider lookup per proof costs about as much as the hash. */
    private static final ThreadLocal<MessageDigest> SHA256 = new ThreadLocal<>();
    private final SigningKey signer;
    private final SignatureAlgorithm algorithm;
    private final JWK publicJwk;
    private final String thumbprint;
    private final String encodedHeader;
    private final Clock clock;

    private DPoPKey(SigningKey signer, PublicKey publicKey, Clock clock) {
        this.signer = Objects.requireNonNull(signer, "signer");
        this.algorithm = signer.algorithm();
        if (algorithm.isHmac()) {
            throw new IllegalArgumentException("a DPoP key signs with an asymmetric algorithm, not " + algorithm.joseName());
        }
        this.publicJwk = Jwks.publicJwk(Objects.requireNonNull(publicKey, "publicKey"), null, null, null);
        this.thumbprint = Jwks.thumbprint(publicKey);
        this.clock = Objects.requireNonNull(clock, "clock");
        Map<String, Object> jwk = new LinkedHashMap<>(publicJwk.toPublicJWK().toJSONObject());
        jwk.remove("use");
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "dpop+jwt");
        header.put("alg", algorithm.joseName());
        header.put("jwk", jwk);
        this.encodedHeader = Base64URL.encode(JSONObjectUtils.toJSONString(header).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** A new ES256 (P-256) key in memory. */
    public static DPoPKey generate() {
        return generate(SignatureAlgorithm.ES256);
    }

    /** A new key in memory for ES256, EdDSA (Ed25519) or PS256 (RSA 3072). */
    public static DPoPKey generate(SignatureAlgorithm algorithm) {
        return generate(algorithm, Clock.systemUTC());
    }

    /** As {@link #generate(SignatureAlgorithm)}, with the clock that sets {@code iat}. */
    public static DPoPKey generate(SignatureAlgorithm algorithm, Clock clock) {
        Objects.requireNonNull(algorithm, "algorithm");
        KeyPair pair;
        try {
            switch (algorithm) {
                case ES256: {
                    KeyPairGenerator generator = Jca.keyPairGenerator("EC");
                    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                    pair = generator.generateKeyPair();
                    break;
                }
                case EdDSA:
                    pair = Jca.keyPairGenerator("Ed25519").generateKeyPair();
                    break;
                case PS256: {
                    KeyPairGenerator generator = Jca.keyPairGenerator("RSA");
                    generator.initialize(3072, RANDOM);
                    pair = generator.generateKeyPair();
                    break;
                }
                default:
                    throw new IllegalArgumentException("generated DPoP keys are ES256, EdDSA or PS256, not "
                            + algorithm.joseName() + "; use of(..) for another key");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + algorithm.joseName() + " DPoP key with the chosen provider", e);
        }
        SigningKey signer = JcaSigner.builder(pair.getPrivate()).publicKey(pair.getPublic()).algorithm(algorithm).build();
        return new DPoPKey(signer, pair.getPublic(), clock);
    }

    /** A key held elsewhere: {@code signer} signs, {@code publicKey} is its public half. */
    public static DPoPKey of(SigningKey signer, PublicKey publicKey) {
        return new DPoPKey(signer, publicKey, Clock.systemUTC());
    }

    /**
     * A key from a {@link JcaSigner} that knows its public key: PEM or PKCS#12 through
     * {@code PemFiles}/{@code KeyStoreSigners}, or an HSM key with its certificate.
     *
     * @throws IllegalArgumentException the signer has no public key
     */
    public static DPoPKey of(JcaSigner signer) {
        Objects.requireNonNull(signer, "signer");
        return new DPoPKey(signer, signer.publicKey().orElseThrow(() -> new IllegalArgumentException(
                "a DPoP key needs its public key: build the JcaSigner with publicKey(..) or certificate(..)")), Clock.systemUTC());
    }

    /** As {@link #of(SigningKey, PublicKey)}, with the clock that sets {@code iat}. */
    public static DPoPKey of(SigningKey signer, PublicKey publicKey, Clock clock) {
        return new DPoPKey(signer, publicKey, clock);
    }

    public SignatureAlgorithm algorithm() {
        return algorithm;
    }

    /** The public JWK sent in every proof. */
    public JWK publicJwk() {
        return publicJwk;
    }

    /** The RFC 7638 SHA-256 thumbprint of the public key: the {@code jkt} tokens are bound to. */
    public String thumbprint() {
        return thumbprint;
    }

    /** A proof for a token request: no access token, no nonce. */
    public String proof(String method, URI uri) throws SigningException {
        return proof(method, uri, null, null);
    }

    /**
     * A new proof for one request.
     *
     * @param method the HTTP method, as sent
     * @param uri the request's URI; query and fragment are left out of {@code htu}
     * @param nonce the server's latest {@code DPoP-Nonce} for this origin, or null
     * @param accessToken the access token the request carries (sets {@code ath}), or null
     * @throws SigningException the key could not sign (an HSM gone, a remote signer failing)
     */
    public String proof(String method, URI uri, String nonce, String accessToken) throws SigningException {
        byte[] jti = new byte[16];
        RANDOM.nextBytes(jti);
        // the claims are a handful of checked strings and one number: written directly, in one buffer
        StringBuilder claims = new StringBuilder(256);
        claims.append("{\"jti\":\"").append(B64.encodeToString(jti))
                .append("\",\"htm\":\"").append(checkMethod(method))
                .append("\",\"htu\":");
        jsonString(claims, htu(uri));
        claims.append(",\"iat\":").append(clock.instant().getEpochSecond());
        if (nonce != null) {
            claims.append(",\"nonce\":");
            jsonString(claims, DPoPNonces.check(nonce));
        }
        if (accessToken != null) {
            claims.append(",\"ath\":\"").append(accessTokenHash(accessToken)).append('"');
        }
        claims.append('}');
        String signingInput = encodedHeader + "." + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        byte[] signature = signer.sign(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + B64.encodeToString(signature);
    }

    /** Appends {@code value} as a JSON string (RFC 8259 §7): quotes, backslashes and control characters escaped. */
    private static void jsonString(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    /** {@code ath}: the base64url SHA-256 of the access token's ASCII form. */
    public static String accessTokenHash(String accessToken) {
        Objects.requireNonNull(accessToken, "accessToken");
        try {
            MessageDigest sha256 = SHA256.get();
            if (sha256 == null) {
                sha256 = Jca.messageDigest("SHA-256");
                SHA256.set(sha256);
            }
            return B64.encodeToString(sha256.digest(accessToken.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available from the chosen provider", e);
        }
    }

    /**
     * {@code htu} for a request URI: scheme and host in lower case, the scheme's default port
     * left out, dot segments removed, an empty path as {@code /}, percent-encodings in upper case
     * with unreserved characters decoded (RFC 3986 §6.2.2–6.2.3), and no query or fragment.
     */
    public static String htu(URI uri) {
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"https".equals(scheme) && !"http".equals(scheme) || uri.getRawAuthority() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("a DPoP proof is for an absolute http(s) URI with a host: " + Printable.of(String.valueOf(uri)));
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("a DPoP target URI carries no user information");
        }
        int port = uri.getPort();
        boolean defaultPort = port == -1 || port == 443 && scheme.equals("https") || port == 80 && scheme.equals("http");
        String path = uri.normalize().getRawPath();
        path = path == null || path.isEmpty() ? "/" : path;
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port) + normalisePercent(path);
    }

    private static String normalisePercent(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' && i + 2 < path.length()) { // java.net.URI has checked that two hex digits follow
                int value = Integer.parseInt(path.substring(i + 1, i + 3), 16);
                if (value < 0x80 && (Character.isLetterOrDigit(value) || "-._~".indexOf(value) >= 0)) {
                    out.append((char) value);
                } else {
                    out.append('%').append(path.substring(i + 1, i + 3).toUpperCase(Locale.ROOT));
                }
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String checkMethod(String method) {
        Objects.requireNonNull(method, "method");
        if (method.isEmpty() || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-')) {
            throw new IllegalArgumentException("not an HTTP method: " + Printable.of(method));
        }
        return method;
    }

    @Override
    public String toString() {
        return "DPoPKey[" + algorithm.joseName() + ", jkt=" + thumbprint + "]";
    }
}
