package dev.clientauth.core;

import com.nimbusds.jwt.JWTParser;
import java.util.Map;
import java.util.Optional;

/** Reads the RFC 8705 {@code cnf.x5t#S256} and RFC 9449 {@code cnf.jkt} bindings of a token response. */
final class CertificateBinding {
    private CertificateBinding() {
    }

    /**
     * The binding from the response's own {@code cnf} member, else from a JWT access token's
     * {@code cnf} claim (read without verifying the token's signature: the client only checks the
     * binding it was given). Empty for an opaque token without a {@code cnf} member.
     */
    static Optional<CertificateThumbprint> boundThumbprint(TokenResponse response) throws MalformedTokenResponseException {
        Map<?, ?> cnf = confirmation(response);
        if (cnf == null) {
            return Optional.empty();
        }
        Object x5t = cnf.get("x5t#S256");
        if (x5t == null) {
            return Optional.empty();
        }
        if (!(x5t instanceof String)) {
            throw new MalformedTokenResponseException("cnf.x5t#S256 is not a string", 200);
        }
        try {
            return Optional.of(CertificateThumbprint.parse((String) x5t));
        } catch (IllegalArgumentException e) {
            throw new MalformedTokenResponseException("cnf.x5t#S256 is invalid: " + e.getMessage(), 200);
        }
    }

    /** The DPoP key binding ({@code cnf.jkt}, RFC 9449 §6) from the response or a JWT access token. */
    static Optional<String> boundKey(TokenResponse response) throws MalformedTokenResponseException {
        Map<?, ?> cnf = confirmation(response);
        Object jkt = cnf == null ? null : cnf.get("jkt");
        if (jkt == null) {
            return Optional.empty();
        }
        if (!(jkt instanceof String)) {
            throw new MalformedTokenResponseException("cnf.jkt is not a string", 200);
        }
        return Optional.of((String) jkt);
    }

    /**
     * The response's own {@code cnf} member, else a JWT access token's {@code cnf} claim (read
     * without verifying the token's signature: the client only checks the binding it was given);
     * null when there is none.
     */
    private static Map<?, ?> confirmation(TokenResponse response) throws MalformedTokenResponseException {
        Object cnf = response.parameters().get("cnf");
        if (cnf == null) {
            String token = response.accessToken().value();
            if (token.chars().filter(c -> c == '.').count() == 2) {
                try {
                    cnf = JWTParser.parse(token).getJWTClaimsSet().getClaim("cnf");
                } catch (java.text.ParseException | RuntimeException notAJwt) {
                    return null;
                }
            }
        }
        if (cnf == null) {
            return null;
        }
        if (!(cnf instanceof Map)) {
            throw new MalformedTokenResponseException("cnf is not a JSON object", 200);
        }
        return (Map<?, ?>) cnf;
    }
}
