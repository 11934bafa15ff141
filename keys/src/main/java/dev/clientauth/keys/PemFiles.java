package dev.clientauth.keys;

import dev.clientauth.core.internal.Ed25519Der;
import dev.clientauth.core.Secret;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;

/**
 * Reading PEM files (with Bouncy Castle's PEM parser): certificates, and private keys in every common form (PKCS#8, encrypted
 * PKCS#8, PKCS#1 RSA, SEC1 EC, legacy OpenSSL encryption). Errors name the file and the
 * problem, never key material or the password.
 */
public final class PemFiles {
    private PemFiles() {
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

    /** The public key of an RSA (CRT), EC or Ed25519 private key held in memory. */
    public static PublicKey publicKeyOf(PrivateKey key) {
        try {
            if (key instanceof RSAPrivateCrtKey) {
                RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) key;
                return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            }
            if (key instanceof ECPrivateKey) {
                ECPrivateKey ec = (ECPrivateKey) key;
                org.bouncycastle.math.ec.ECPoint q = EC5Util.convertSpec(ec.getParams()).getG().multiply(ec.getS()).normalize();
                ECPoint point = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
                return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, ec.getParams()));
            }
            String algorithm = key.getAlgorithm();
            byte[] encoded = key.getEncoded();
            if ((algorithm.equals("Ed25519") || algorithm.equals("EdDSA")) && encoded != null) {
                byte[] seed = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
                byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
                byte[] full = Ed25519Der.spki(raw);
                Arrays.fill(seed, (byte) 0);
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(full));
            }
            throw new IllegalArgumentException("cannot derive the public key of a " + algorithm + " key");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot derive the public key of a " + key.getAlgorithm() + " key", e);
        }
    }
}
