package dev.clientauth.core;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import java.util.Map;
import java.util.Optional;

/** Reads an RFC 8705 {@code cnf.x5t#S256} certificate binding from a token response. */
final class CertificateBinding {
    private CertificateBinding() {
    }

    /**
     * The binding from the response's own {@code cnf} member, else from a JWT access token's
     * {@code cnf} claim (read without verifying the token's signature: the client only checks the
     * binding it was given). Empty for an opaque token without a {@code cnf} member.
     */
    static Optional<CertificateThumbprint> boundThumbprint(TokenResponse response) throws MalformedTokenResponseException {
        Object cnf = response.parameters().get("cnf");
        if (cnf == null) {
            String token = response.accessToken().value();
            if (token.chars().filter(c -> c == '.').count() == 2) {
                try {
                    JWTClaimsSet claims = JWTParser.parse(token).getJWTClaimsSet();
                    cnf = claims.getClaim("cnf");
                } catch (java.text.ParseException | RuntimeException notAJwt) {
                    return Optional.empty();
                }
            }
        }
        if (cnf == null) {
            return Optional.empty();
        }
        if (!(cnf instanceof Map)) {
            throw new MalformedTokenResponseException("cnf is not a JSON object", 200);
        }
        Object x5t = ((Map<?, ?>) cnf).get("x5t#S256");
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
}
