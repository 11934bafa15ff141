package dev.clientauth.jwt;

import dev.clientauth.core.internal.Jca;
import dev.clientauth.core.internal.Ed25519Der;
import com.nimbusds.jose.Algorithm;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Public JWKs for public keys. Only public members are ever written. */
public final class Jwks {
    private Jwks() {
    }

    /**
     * The public JWK of a key, with {@code use: sig}, and when given, {@code kid}, {@code alg}
     * and {@code x5c}.
     */
    public static JWK publicJwk(PublicKey publicKey, String keyId, SignatureAlgorithm algorithm, List<X509Certificate> chain) {
        Algorithm alg = algorithm == null ? null : new Algorithm(algorithm.joseName());
        List<Base64> x5c = null;
        if (chain != null && !chain.isEmpty()) {
            x5c = new ArrayList<>();
            for (X509Certificate certificate : chain) {
                try {
                    x5c.add(Base64.encode(certificate.getEncoded()));
                } catch (CertificateEncodingException e) {
                    throw new IllegalArgumentException("cannot encode certificate", e);
                }
            }
        }
        if (publicKey instanceof RSAPublicKey) {
            return new RSAKey.Builder((RSAPublicKey) publicKey).keyID(keyId).algorithm(alg).keyUse(KeyUse.SIGNATURE)
                    .x509CertChain(x5c).build();
        }
        if (publicKey instanceof ECPublicKey) {
            ECPublicKey ec = (ECPublicKey) publicKey;
            return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).keyID(keyId).algorithm(alg)
                    .keyUse(KeyUse.SIGNATURE).x509CertChain(x5c).build();
        }
        if (KeyPolicy.keyType(publicKey).equals("Ed25519")) {
            byte[] spki = publicKey.getEncoded();
            byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
            return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).keyID(keyId).algorithm(alg)
                    .keyUse(KeyUse.SIGNATURE).x509CertChain(x5c).build();
        }
        throw new IllegalArgumentException("unsupported public key type " + publicKey.getAlgorithm());
    }

    /** The JCA public key of an RSA, EC or Ed25519 (OKP) JWK; empty for other types. */
    public static java.util.Optional<PublicKey> toPublicKey(JWK jwk) {
        try {
            if (jwk instanceof RSAKey) {
                return java.util.Optional.of(((RSAKey) jwk).toRSAPublicKey());
            }
            if (jwk instanceof ECKey) {
                return java.util.Optional.of(((ECKey) jwk).toECPublicKey());
            }
            if (jwk instanceof OctetKeyPair && Curve.Ed25519.equals(((OctetKeyPair) jwk).getCurve())) {
                byte[] x = ((OctetKeyPair) jwk).getDecodedX();
                byte[] spki = Ed25519Der.spki(x);
                return java.util.Optional.of(Jca.keyFactory("Ed25519")
                        .generatePublic(new java.security.spec.X509EncodedKeySpec(spki)));
            }
            return java.util.Optional.empty();
        } catch (JOSEException | java.security.GeneralSecurityException e) {
            return java.util.Optional.empty();
        }
    }

    /** The RFC 7638 SHA-256 thumbprint of a public key, base64url. */
    public static String thumbprint(PublicKey publicKey) {
        try {
            return publicJwk(publicKey, null, null, null).computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot compute the JWK thumbprint", e);
        }
    }
}
