package dev.clientauth.core;

import java.util.Objects;

/**
 * A token endpoint client authentication method, by its registered name (RFC 7591 §2,
 * IANA "OAuth Token Endpoint Authentication Methods"). An open set: any registered or
 * extension name can be represented.
 *
 * <p>Specifications: RFC 6749 §2.3.1; RFC 7523 §2.2; RFC 8705 §2.1, §2.2; OpenID Connect Core §9.
 */
public final class ClientAuthenticationMethod {
    public static final ClientAuthenticationMethod CLIENT_SECRET_BASIC = new ClientAuthenticationMethod("client_secret_basic");
    public static final ClientAuthenticationMethod CLIENT_SECRET_POST = new ClientAuthenticationMethod("client_secret_post");
    public static final ClientAuthenticationMethod CLIENT_SECRET_JWT = new ClientAuthenticationMethod("client_secret_jwt");
    public static final ClientAuthenticationMethod PRIVATE_KEY_JWT = new ClientAuthenticationMethod("private_key_jwt");
    public static final ClientAuthenticationMethod TLS_CLIENT_AUTH = new ClientAuthenticationMethod("tls_client_auth");
    public static final ClientAuthenticationMethod SELF_SIGNED_TLS_CLIENT_AUTH =
            new ClientAuthenticationMethod("self_signed_tls_client_auth");
    public static final ClientAuthenticationMethod NONE = new ClientAuthenticationMethod("none");

    private final String value;

    private ClientAuthenticationMethod(String value) {
        this.value = value;
    }

    /** The method of this name; the constants above for registered names. */
    public static ClientAuthenticationMethod of(String value) {
        Objects.requireNonNull(value, "method");
        if (value.isEmpty() || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("not a valid authentication method name: '" + value + "'");
        }
        for (ClientAuthenticationMethod known : new ClientAuthenticationMethod[] {CLIENT_SECRET_BASIC,
                CLIENT_SECRET_POST, CLIENT_SECRET_JWT, PRIVATE_KEY_JWT, TLS_CLIENT_AUTH,
                SELF_SIGNED_TLS_CLIENT_AUTH, NONE}) {
            if (known.value.equals(value)) {
                return known;
            }
        }
        return new ClientAuthenticationMethod(value);
    }

    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientAuthenticationMethod && ((ClientAuthenticationMethod) o).value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
