package dev.clientauth.keys;

import dev.clientauth.core.Secret;
import dev.clientauth.core.internal.Jca;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.ECParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import javax.crypto.KeyAgreement;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bouncycastle.jcajce.interfaces.EdDSAPrivateKey;

/**
 * Reading PEM files (with Bouncy Castle's PEM parser): certificates, and private keys in every common form (PKCS#8, encrypted
 * PKCS#8, PKCS#1 RSA, SEC1 EC, legacy OpenSSL encryption). Errors name the file and the
 * problem, never key material or the password.
 */
public final class PemFiles {
    private PemFiles() {
    }

    private static PublicKey ecPublicKey(ECPrivateKey key) throws GeneralSecurityException {
        ECParameterSpec params = key.getParams();
        KeyFactory factory = Jca.keyFactory("EC");
        KeyAgreement agreement = Jca.keyAgreement("ECDH");
        agreement.init(key);
        agreement.doPhase(factory.generatePublic(new ECPublicKeySpec(params.getGenerator(), params)), true);
        byte[] x = agreement.generateSecret();
        byte[] challenge = "clientauth public key derivation".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Signature signer = Jca.signature("SHA256withECDSA", false);
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        for (byte prefix : new byte[] {0x02, 0x03}) {
            byte[] compressed = new byte[x.length + 1];
            compressed[0] = prefix;
            System.arraycopy(x, 0, compressed, 1, x.length);
            PublicKey candidate = compressedPoint(params, compressed);
            Signature verifier = Jca.signature("SHA256withECDSA", false);
            verifier.initVerify(candidate);
            verifier.update(challenge);
            if (verifier.verify(signature)) {
                return candidate;
            }
        }
        throw new GeneralSecurityException("no point on the curve matches the key");
    }

    /** SubjectPublicKeyInfo prefixes of the named curves, for a compressed point (RFC 5480). */
    private static final Map<Integer, String> COMPRESSED_SPKI_PREFIXES = Map.of(
            256, "3039301306072a8648ce3d020106082a8648ce3d030107032200",
            384, "3046301006072a8648ce3d020106052b81040022033200",
            521, "3058301006072a8648ce3d020106052b81040023034400");

    /**
     * The public key of a compressed point, decoded by Bouncy Castle's (or the pinned) provider,
     * which reads compressed points in a SubjectPublicKeyInfo; then re-made as a key of the usual
     * provider.
     */
    private static PublicKey compressedPoint(ECParameterSpec params, byte[] compressed) throws GeneralSecurityException {
        String prefix = COMPRESSED_SPKI_PREFIXES.get(params.getCurve().getField().getFieldSize());
        if (prefix == null) {
            throw new GeneralSecurityException("unsupported curve of " + params.getCurve().getField().getFieldSize() + " bits");
        }
        byte[] spki = HexFormat.of().parseHex(prefix);
        byte[] full = Arrays.copyOf(spki, spki.length + compressed.length);
        System.arraycopy(compressed, 0, full, spki.length, compressed.length);
        Provider decoder = Jca.pinned().or(Jca::bouncyCastle).orElseThrow(() ->
                new GeneralSecurityException("decoding a compressed EC point needs Bouncy Castle's provider"));
        java.security.interfaces.ECPublicKey decoded = (java.security.interfaces.ECPublicKey)
                KeyFactory.getInstance("EC", decoder).generatePublic(new X509EncodedKeySpec(full));
        return Jca.keyFactory("EC").generatePublic(new ECPublicKeySpec(decoded.getW(), params));
    }

    /** The certificates of a PEM file, in file order. */
    public static List<X509Certificate> readCertificates(Path file) throws KeyMaterialException {
        return PemReader.certificates(file);
    }

    /** The private key of a PEM file; {@code password} for an encrypted key, else null. */
    public static PrivateKey readPrivateKey(Path file, Secret password) throws KeyMaterialException {
        return PemReader.privateKey(file, password);
    }

    /**
     * The key pair of a PEM private key, so that a signer can name its key ({@code kid} is the
     * RFC 7638 thumbprint of the public key); {@code password} for an encrypted key, else null.
     */
    public static KeyPair readKeyPair(Path file, Secret password) throws KeyMaterialException {
        PrivateKey key = readPrivateKey(file, password);
        try {
            return new KeyPair(publicKeyOf(key), key);
        } catch (IllegalArgumentException e) {
            throw new KeyMaterialException("cannot derive the public key of the private key in " + file, e);
        }
    }

    /**
     * The public key of an RSA (CRT), EC or Ed25519 private key held in memory, derived through
     * JCA providers only: RSA from its CRT parameters; EC by an ECDH agreement with the curve's
     * generator (which yields the x coordinate of d·G) and the one of the two points with that x
     * under which a test signature verifies; Ed25519 through Bouncy Castle's provider.
     */
    public static PublicKey publicKeyOf(PrivateKey key) {
        try {
            if (key instanceof RSAPrivateCrtKey rsa) {
                return Jca.keyFactory("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            }
            if (key instanceof ECPrivateKey ec) {
                return ecPublicKey(ec);
            }
            String algorithm = key.getAlgorithm();
            byte[] encoded = key.getEncoded();
            if ((algorithm.equals("Ed25519") || algorithm.equals("EdDSA")) && encoded != null) {
                Provider provider = Jca.pinned().or(Jca::bouncyCastle).orElseThrow(() ->
                        new GeneralSecurityException("deriving an Ed25519 public key needs Bouncy Castle's provider"));
                PrivateKey bc = KeyFactory.getInstance("Ed25519", provider).generatePrivate(new PKCS8EncodedKeySpec(encoded));
                if (bc instanceof EdDSAPrivateKey eddsa) {
                    return Jca.keyFactory("Ed25519").generatePublic(
                            new X509EncodedKeySpec(eddsa.getPublicKey().getEncoded()));
                }
            }
            throw new IllegalArgumentException("cannot derive the public key of a " + algorithm + " key");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot derive the public key of a " + key.getAlgorithm() + " key", e);
        }
    }
}
