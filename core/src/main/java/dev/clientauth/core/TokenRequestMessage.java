package dev.clientauth.core;

import dev.clientauth.core.internal.FormEncoding;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A token request on its way to the wire: the endpoint, headers and
 * {@code application/x-www-form-urlencoded} parameters. {@link ClientAuthentication}
 * strategies add their credentials here.
 *
 * <p>Its {@code toString} prints only the endpoint and the parameter names, never values.
 * Not thread-safe; one instance per request.
 */
public final class TokenRequestMessage {
    private final URI endpoint;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, List<String>> form = new LinkedHashMap<>();

    public TokenRequestMessage(URI endpoint) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Sets a header, replacing any earlier value of the same name (names are case-insensitive). */
    public TokenRequestMessage setHeader(String name, String value) {
        Objects.requireNonNull(value, "value");
        headers.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
        headers.put(name, value);
        return this;
    }

    /** Adds a form parameter value; a name may repeat (for example {@code resource}). */
    public TokenRequestMessage addFormParameter(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        form.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        return this;
    }

    /** Sets a form parameter to a single value, replacing earlier values. */
    public TokenRequestMessage setFormParameter(String name, String value) {
        Objects.requireNonNull(value, "value");
        List<String> values = new ArrayList<>();
        values.add(value);
        form.put(name, values);
        return this;
    }

    public boolean hasFormParameter(String name) {
        return form.containsKey(name);
    }

    /** The header value, case-insensitive name; null when absent. */
    public String header(String name) {
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    public Map<String, String> headers() {
        return Collections.unmodifiableMap(headers);
    }

    public Map<String, List<String>> formParameters() {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        form.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(copy);
    }

    /** The form body, {@code application/x-www-form-urlencoded} in UTF-8. */
    public String encodedForm() {
        StringBuilder body = new StringBuilder();
        form.forEach((name, values) -> {
            for (String value : values) {
                if (body.length() > 0) {
                    body.append('&');
                }
                body.append(FormEncoding.encode(name)).append('=').append(FormEncoding.encode(value));
            }
        });
        return body.toString();
    }

    @Override
    public String toString() {
        return "TokenRequestMessage[" + endpoint + ", parameters=" + form.keySet()
                + ", headers=" + headers.keySet().stream().map(h -> h.toLowerCase(Locale.ROOT)).toList() + "]";
    }
}
