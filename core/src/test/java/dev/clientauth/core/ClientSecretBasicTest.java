package dev.clientauth.core;

import dev.clientauth.core.internal.FormEncoding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ClientSecretBasicTest {
    private static final AuthenticationContext CONTEXT =
            new AuthenticationContext(null, URI.create("https://as.example/token"), Clock.systemUTC());

    private static String decodedCredentials(TokenRequestMessage message) {
        String header = message.header("Authorization");
        return new String(Base64.getDecoder().decode(header.substring("Basic ".length())), StandardCharsets.UTF_8);
    }

    @Test
    void formEncoding_rfc6749AppendixBVector() {
        assertEquals("+%25%26%2B%C2%A3%E2%82%AC", FormEncoding.encode(" %&+£€"));
    }

    @Test
    void authenticate_specialCharacters_eachPartFormEncodedBeforeBase64() {
        TokenRequestMessage message = new TokenRequestMessage(CONTEXT.tokenEndpoint());
        ClientSecretBasic.of(ClientId.of("client: %&+£€"), Secret.of(" %&+£€")).authenticate(message, CONTEXT);
        assertEquals("client%3A+%25%26%2B%C2%A3%E2%82%AC:+%25%26%2B%C2%A3%E2%82%AC", decodedCredentials(message));
        assertFalse(message.hasFormParameter("client_secret"));
    }

    @Test
    void withoutFormEncoding_sendsRawValues() {
        TokenRequestMessage message = new TokenRequestMessage(CONTEXT.tokenEndpoint());
        ClientSecretBasic.of(ClientId.of("client £"), Secret.of("s+cr%t")).withoutFormEncoding()
                .authenticate(message, CONTEXT);
        assertEquals("client £:s+cr%t", decodedCredentials(message));
    }

    @Test
    void withoutFormEncoding_clientIdWithColon_refused() {
        ClientSecretBasic basic = ClientSecretBasic.of(ClientId.of("a:b"), Secret.of("x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, basic::withoutFormEncoding);
        assertEquals(true, e.getMessage().contains("a:b"));
    }

    @Test
    void toString_showsClientIdNotSecret() {
        String text = ClientSecretBasic.of(ClientId.of("my-client"), Secret.of("hunter2-secret")).toString();
        assertEquals("ClientSecretBasic[clientId=my-client]", text);
        assertFalse(ClientSecretPost.of(ClientId.of("c"), Secret.of("hunter2-secret")).toString().contains("hunter2"));
    }

    @Test
    void post_putsClientIdAndSecretInForm() {
        TokenRequestMessage message = new TokenRequestMessage(CONTEXT.tokenEndpoint());
        ClientSecretPost.of(ClientId.of("c 1"), Secret.of("s&1")).authenticate(message, CONTEXT);
        assertEquals("client_id=c+1&client_secret=s%261", message.encodedForm());
        assertFalse(message.toString().contains("s&1"));
        assertEquals(null, message.header("Authorization"));
    }

    @Test
    void secret_hasNoPrintableFormAndComparesByValue() {
        Secret secret = Secret.of("top-secret-value");
        assertEquals("Secret[redacted]", secret.toString());
        assertEquals(Secret.of("top-secret-value"), secret);
        assertFalse(Secret.of("top-secret-valuf").equals(secret));
        assertThrows(IllegalArgumentException.class, () -> Secret.of(""));
    }

    @Test
    void clientId_controlCharacter_refused() {
        assertThrows(IllegalArgumentException.class, () -> ClientId.of("a\nb"));
        assertThrows(IllegalArgumentException.class, () -> ClientId.of(""));
    }

    @Test
    void destroyedSecret_revealFails_andNothingIsSent() {
        Secret secret = Secret.of("s3cr3t-value");
        secret.destroy();
        assertTrue(secret.isDestroyed());
        assertThrows(IllegalStateException.class, secret::reveal);
        assertThrows(IllegalStateException.class, secret::revealBytes);
        TokenClient client = TokenClient.builder(java.net.URI.create("https://as.example/token"),
                ClientSecretPost.of(ClientId.of("c"), secret)).transport(request -> {
                    throw new AssertionError("nothing may be sent");
                }).build();
        ClientAuthenticationException e = assertThrows(ClientAuthenticationException.class,
                () -> client.requestToken(TokenRequest.clientCredentials()));
        assertTrue(e.getMessage().contains("destroyed"), e.getMessage());
    }
}
