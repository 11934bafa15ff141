package dev.clientauth.jwt;

import dev.clientauth.core.ClientId;
import dev.clientauth.core.CertificateThumbprint;
import dev.clientauth.jwt.internal.Json;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Writes and signs client assertions. The header is encoded once per signing key; claims are
 * written directly as JSON. Thread-safe.
 */
final class AssertionWriter {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String issuerJson;
    private final Duration lifetime;
    private final boolean notBefore;
    private final boolean typ;
    private final boolean x5t;
    private volatile HeaderCache header;

    private static final class HeaderCache {
        final SigningKey key;
        final String encoded;

        HeaderCache(SigningKey key, String encoded) {
            this.key = key;
            this.encoded = encoded;
        }
    }

    AssertionWriter(ClientId clientId, Duration lifetime, boolean notBefore, boolean typ, boolean x5t) {
        StringBuilder prefix = new StringBuilder("{\"iss\":");
        Json.appendString(prefix, clientId.value()).append(",\"sub\":");
        Json.appendString(prefix, clientId.value());
        this.issuerJson = prefix.toString();
        this.lifetime = lifetime;
        this.notBefore = notBefore;
        this.typ = typ;
        this.x5t = x5t;
    }

    SignedClientAssertion write(SigningKey key, List<String> audience, Instant now) throws SigningException {
        String encodedHeader = header(key);
        long iat = now.getEpochSecond();
        long exp = iat + lifetime.getSeconds();
        byte[] jtiBytes = new byte[16];
        RANDOM.nextBytes(jtiBytes);
        String jti = B64.encodeToString(jtiBytes);
        StringBuilder claims = new StringBuilder(160 + 64 * audience.size()).append(issuerJson).append(",\"aud\":");
        if (audience.size() == 1) {
            Json.appendString(claims, audience.get(0));
        } else {
            claims.append('[');
            for (int i = 0; i < audience.size(); i++) {
                if (i > 0) {
                    claims.append(',');
                }
                Json.appendString(claims, audience.get(i));
            }
            claims.append(']');
        }
        claims.append(",\"iat\":").append(iat).append(",\"exp\":").append(exp);
        if (notBefore) {
            claims.append(",\"nbf\":").append(iat);
        }
        claims.append(",\"jti\":\"").append(jti).append("\"}");
        String signingInput = encodedHeader + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        byte[] signature = key.sign(signingInput.getBytes(StandardCharsets.US_ASCII));
        checkLength(key, signature);
        String compact = signingInput + '.' + B64.encodeToString(signature);
        return new SignedClientAssertion(compact, jti, Instant.ofEpochSecond(exp), key.keyId().orElse(null), key.algorithm());
    }

    private static void checkLength(SigningKey key, byte[] signature) throws SigningException {
        int expected = key.algorithm().joseSignatureLength();
        if (signature == null || signature.length == 0 || (expected > 0 && signature.length != expected)) {
            throw new SigningException("signer for key " + key.keyId().orElse("(no kid)") + " returned "
                    + (signature == null ? "no signature" : signature.length + " bytes") + " for "
                    + key.algorithm() + (expected > 0 ? ", expected " + expected : ""));
        }
    }

    /** {@code BASE64URL(header) + "."}, cached for the last key used. */
    private String header(SigningKey key) throws SigningException {
        HeaderCache cached = header;
        if (cached != null && cached.key == key) {
            return cached.encoded;
        }
        StringBuilder json = new StringBuilder("{\"alg\":\"").append(key.algorithm().joseName()).append('"');
        if (typ) {
            json.append(",\"typ\":\"client-authentication+jwt\"");
        }
        if (key.keyId().isPresent()) {
            json.append(",\"kid\":");
            Json.appendString(json, key.keyId().get());
        }
        if (x5t) {
            CertificateThumbprint thumbprint = key.certificateThumbprint().orElseThrow(() -> new SigningException(
                    "x5t#S256 header requested, but key " + key.keyId().orElse("(no kid)") + " has no certificate"));
            json.append(",\"x5t#S256\":\"").append(thumbprint.value()).append('"');
        }
        json.append('}');
        String encoded = B64.encodeToString(json.toString().getBytes(StandardCharsets.UTF_8)) + ".";
        header = new HeaderCache(key, encoded);
        return encoded;
    }
}
