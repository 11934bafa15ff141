package dev.clientauth.core;

import dev.clientauth.core.internal.Printable;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.clientauth.core.http.TransportResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Parses token endpoint responses into a {@link TokenResponse} or the right exception. */
final class ResponseParser {
    private ResponseParser() {
    }

    static TokenResponse parse(TransportResponse response, Clock clock) throws TokenRequestException {
        return parse(response, clock, List.of());
    }

    /**
     * @param sensitive values the request carried that must never come back in a message (a
     *     secret, Basic credentials, an assertion): a server that echoes them has them replaced
     */
    static TokenResponse parse(TransportResponse response, Clock clock, List<String> sensitive) throws TokenRequestException {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return parseSuccess(response, clock);
        }
        throw errorFor(response, clock, sensitive);
    }

    /** {@code text} with every sensitive value (at least 4 characters long) replaced by {@code [redacted]}. */
    static String redact(String text, List<String> sensitive) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (String value : sensitive) {
            if (value != null && value.length() >= 4) {
                result = result.replace(value, "[redacted]");
            }
        }
        return result;
    }

    static TokenRequestException errorFor(TransportResponse response, Clock clock, List<String> sensitive) {
        int status = response.statusCode();
        String contentType = redact(response.header("Content-Type").orElse(null), sensitive);
        Duration retryAfter = retryAfter(response, clock).orElse(null);
        if (status >= 300 && status < 400) {
            return new UnexpectedStatusException("token endpoint answered with a redirect (HTTP " + status
                    + "); redirects are not followed", status, contentType, retryAfter);
        }
        if (isJson(contentType) || contentType == null) {
            Map<String, Object> json = tryParse(response.bodyAsString());
            if (json != null && json.get("error") instanceof String && OAuthErrorCode.isValid((String) json.get("error"))) {
                String description = json.get("error_description") instanceof String
                        ? printable(redact((String) json.get("error_description"), sensitive), 300) : null;
                URI uri = null;
                if (json.get("error_uri") instanceof String) {
                    try {
                        uri = new URI((String) json.get("error_uri"));
                    } catch (URISyntaxException ignored) {
                        // an invalid error_uri is dropped, the error itself is kept
                    }
                }
                return new OAuthErrorResponseException(OAuthErrorCode.of((String) json.get("error")), description, uri,
                        status, redact(response.header("WWW-Authenticate").orElse(null), sensitive), retryAfter);
            }
        }
        return new UnexpectedStatusException("token endpoint answered HTTP " + status
                + (contentType == null ? "" : " with " + printable(contentType, 80))
                + ", not an OAuth error response", status, contentType, retryAfter);
    }

    private static TokenResponse parseSuccess(TransportResponse response, Clock clock) throws MalformedTokenResponseException {
        int status = response.statusCode();
        String contentType = response.header("Content-Type").orElse(null);
        if (!isJson(contentType)) {
            throw new MalformedTokenResponseException("token response has content type "
                    + (contentType == null ? "(none)" : "'" + printable(contentType, 80) + "'")
                    + ", expected application/json", status);
        }
        Map<String, Object> json;
        String body = response.bodyAsString().strip();
        if (!body.startsWith("{")) {
            throw new MalformedTokenResponseException("token response is not a JSON object", status);
        }
        try {
            json = JSONObjectUtils.parse(body);
        } catch (java.text.ParseException | RuntimeException e) {
            throw new MalformedTokenResponseException("token response is not a JSON object", status);
        }
        if (json == null) {
            throw new MalformedTokenResponseException("token response is not a JSON object", status);
        }
        Object accessToken = json.get("access_token");
        if (!(accessToken instanceof String) || ((String) accessToken).isEmpty()) {
            throw new MalformedTokenResponseException("token response has no access_token string", status);
        }
        Object tokenTypeValue = json.get("token_type");
        if (!(tokenTypeValue instanceof String)) {
            throw new MalformedTokenResponseException("token response has no token_type string", status);
        }
        TokenType tokenType = TokenType.lookup((String) tokenTypeValue).orElseThrow(() ->
                new MalformedTokenResponseException("token response has unsupported token_type '"
                        + printable((String) tokenTypeValue, 40) + "'", status));
        Duration expiresIn = expiresIn(json.get("expires_in"), status);
        Set<String> scopes = new LinkedHashSet<>();
        Object scope = json.get("scope");
        if (scope != null) {
            if (!(scope instanceof String)) {
                throw new MalformedTokenResponseException("token response scope is not a string", status);
            }
            Arrays.stream(((String) scope).split(" ")).filter(s -> !s.isEmpty()).forEach(scopes::add);
        }
        Secret refreshToken = null;
        Object refresh = json.get("refresh_token");
        if (refresh instanceof String && !((String) refresh).isEmpty()) {
            refreshToken = Secret.of((String) refresh);
        }
        Map<String, Object> others = new LinkedHashMap<>(json);
        others.remove("access_token");
        others.remove("refresh_token");
        others.values().removeIf(v -> v == null);
        Instant now = clock.instant();
        AccessToken token = new AccessToken((String) accessToken, tokenType, now,
                expiresIn == null ? null : now.plus(expiresIn), scopes, null);
        return new TokenResponse(token, expiresIn, refreshToken, others);
    }

    private static Duration expiresIn(Object value, int status) throws MalformedTokenResponseException {
        if (value == null) {
            return null;
        }
        if (value instanceof Double || value instanceof Float || value instanceof java.math.BigDecimal) {
            throw new MalformedTokenResponseException("token response expires_in is not an integer", status);
        }
        if (!(value instanceof Number)) {
            throw new MalformedTokenResponseException("token response expires_in is not a number", status);
        }
        if (value instanceof java.math.BigInteger) {
            throw new MalformedTokenResponseException("token response expires_in is out of range", status);
        }
        long seconds = ((Number) value).longValue();
        if (seconds <= 0) {
            throw new MalformedTokenResponseException("token response expires_in must be positive, got " + seconds, status);
        }
        if (seconds > TokenResponse.MAX_EXPIRES_IN.getSeconds()) {
            throw new MalformedTokenResponseException("token response expires_in " + seconds
                    + " exceeds the maximum of " + TokenResponse.MAX_EXPIRES_IN.getSeconds() + " seconds", status);
        }
        return Duration.ofSeconds(seconds);
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return mediaType.equals("application/json") || (mediaType.startsWith("application/") && mediaType.endsWith("+json"));
    }

    static Map<String, Object> tryParse(String body) {
        if (!body.strip().startsWith("{")) {
            return null;
        }
        try {
            return JSONObjectUtils.parse(body);
        } catch (java.text.ParseException | RuntimeException e) {
            return null;
        }
    }

    /** {@code Retry-After} as delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
    static Optional<Duration> retryAfter(TransportResponse response, Clock clock) {
        Optional<String> header = response.header("Retry-After");
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get().trim();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(clock.instant(), at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }

    static String printable(String text, int max) {
        return Printable.of(text, max);
    }
}
