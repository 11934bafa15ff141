package dev.clientauth.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.JWTAuthentication;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.auth.verifier.ClientAuthenticationVerifier;
import com.nimbusds.oauth2.sdk.auth.verifier.ClientCredentialsSelector;
import com.nimbusds.oauth2.sdk.auth.verifier.Context;
import com.nimbusds.oauth2.sdk.auth.verifier.ExpendedJTIChecker;
import com.nimbusds.oauth2.sdk.auth.verifier.JWTAudienceCheck;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.JWTID;
import com.nimbusds.jose.JWSHeader;
import dev.clientauth.jwt.internal.EcdsaSignatures;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Independent verification of assertions: Nimbus JOSE signatures and the Nimbus OAuth 2.0 SDK verifier. */
final class Verification {
    private Verification() {
    }

    /** Verifies the signature with Nimbus JOSE (RSA, EC) or the JDK (Ed25519, which Nimbus needs Tink for). */
    static SignedJWT verifySignature(String compact, PublicKey publicKey) throws Exception {
        SignedJWT jwt = SignedJWT.parse(compact);
        boolean valid;
        if (publicKey instanceof RSAPublicKey) {
            JWSVerifier verifier = new RSASSAVerifier((RSAPublicKey) publicKey);
            valid = jwt.verify(verifier);
        } else if (publicKey instanceof ECPublicKey) {
            valid = jwt.verify(new ECDSAVerifier((ECPublicKey) publicKey));
        } else {
            assertEquals("EdDSA", jwt.getHeader().getAlgorithm().getName());
            Signature ed = Signature.getInstance("Ed25519");
            ed.initVerify(publicKey);
            ed.update(jwt.getSigningInput());
            byte[] signature = jwt.getSignature().decode();
            assertEquals(64, signature.length);
            valid = ed.verify(signature);
        }
        assertTrue(valid, "signature of " + jwt.getHeader().getAlgorithm() + " assertion does not verify");
        return jwt;
    }

    /** A JCA DER verification of an ECDSA JOSE signature, independent of Nimbus. */
    static boolean jcaVerifyEcdsa(String jcaName, PublicKey key, byte[] input, byte[] jose) throws Exception {
        Signature signature = Signature.getInstance(jcaName);
        signature.initVerify(key);
        signature.update(input);
        return signature.verify(EcdsaSignatures.joseToDer(jose));
    }

    /** The Nimbus OAuth 2.0 SDK server-side verifier with a strict audience check and a jti replay cache. */
    static final class SdkVerifier {
        private final Map<String, Date> expended = new ConcurrentHashMap<>();
        private final ClientAuthenticationVerifier<Object> verifier;

        SdkVerifier(String issuer, List<? extends PublicKey> keys, String secret) {
            ClientCredentialsSelector<Object> selector = new ClientCredentialsSelector<>() {
                @Override
                public List<Secret> selectClientSecrets(ClientID id, ClientAuthenticationMethod method, Context<Object> c) {
                    return secret == null ? List.of() : List.of(new Secret(secret));
                }

                @Override
                public List<? extends PublicKey> selectPublicKeys(ClientID id, ClientAuthenticationMethod method,
                        JWSHeader header, boolean forceRefresh, Context<Object> c) {
                    return keys;
                }
            };
            ExpendedJTIChecker<Object> jtis = new ExpendedJTIChecker<>() {
                @Override
                public boolean isExpended(JWTID jti, ClientID id, ClientAuthenticationMethod m, Context<Object> c) {
                    return expended.containsKey(jti.getValue());
                }

                @Override
                public void markExpended(JWTID jti, Date exp, ClientID id, ClientAuthenticationMethod m, Context<Object> c) {
                    expended.put(jti.getValue(), exp);
                }
            };
            this.verifier = new ClientAuthenticationVerifier<>(selector, Set.of(new Audience(issuer)),
                    JWTAudienceCheck.STRICT, jtis);
        }

        void verify(String clientId, String assertion, boolean hmac) throws Exception {
            Map<String, List<String>> form = Map.of(
                    "client_assertion_type", List.of("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                    "client_assertion", List.of(assertion),
                    "client_id", List.of(clientId));
            JWTAuthentication auth = hmac ? com.nimbusds.oauth2.sdk.auth.ClientSecretJWT.parse(form) : PrivateKeyJWT.parse(form);
            verifier.verify(auth, null, new Context<>());
        }
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
