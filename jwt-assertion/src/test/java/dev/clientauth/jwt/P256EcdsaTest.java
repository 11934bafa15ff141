package dev.clientauth.jwt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.util.BigIntegers;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;

class P256EcdsaTest {
    private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
    private static final BigInteger N = P256.getN();

    /** Bouncy Castle's ECDSASigner with RFC 6979 k: the reference the lean path must equal. */
    private static byte[] bouncyCastleDeterministic(BigInteger d, byte[] message) throws Exception {
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(d, new ECDomainParameters(P256)));
        BigInteger[] rs = signer.generateSignature(MessageDigest.getInstance("SHA-256").digest(message));
        byte[] out = new byte[64];
        BigIntegers.asUnsignedByteArray(rs[0], out, 0, 32);
        BigIntegers.asUnsignedByteArray(rs[1], out, 32, 32);
        return out;
    }

    private static P256Ecdsa deterministic(BigInteger d) {
        return P256Ecdsa.of(d, () -> new HMacDSAKCalculator(new SHA256Digest()));
    }

    @Test
    void rfc6979_p256Sha256Vectors() {
        BigInteger d = new BigInteger("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721", 16);
        assertEquals("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
                        + "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
                Hex.toHexString(deterministic(d).sign("sample".getBytes(StandardCharsets.US_ASCII))).toUpperCase());
        assertEquals("F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367"
                        + "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083",
                Hex.toHexString(deterministic(d).sign("test".getBytes(StandardCharsets.US_ASCII))).toUpperCase());
    }

    @Test
    void sameSignaturesAsBouncyCastle_forManyKeysAndMessages() throws Exception {
        Random random = new Random(7523);
        for (int i = 0; i < 300; i++) {
            BigInteger d = new BigInteger(256, random).mod(N.subtract(BigInteger.ONE)).add(BigInteger.ONE);
            byte[] message = new byte[random.nextInt(600)];
            random.nextBytes(message);
            assertArrayEquals(bouncyCastleDeterministic(d, message), deterministic(d).sign(message), "key #" + i);
        }
    }

    @Test
    void baseMultiplication_matchesBouncyCastle_includingEdgeScalars() {
        List<BigInteger> scalars = new ArrayList<>(List.of(BigInteger.ONE, BigInteger.TWO, BigInteger.valueOf(3),
                BigInteger.valueOf(63), BigInteger.valueOf(64), N.subtract(BigInteger.ONE), N.subtract(BigInteger.TWO),
                BigInteger.ONE.shiftLeft(255), BigInteger.ONE.shiftLeft(128), BigInteger.ONE.shiftLeft(43),
                BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE).mod(N), N.shiftRight(1), N.shiftRight(1).add(BigInteger.ONE)));
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            scalars.add(new BigInteger(256, random).mod(N.subtract(BigInteger.ONE)).add(BigInteger.ONE));
        }
        for (int i = 0; i < 43 * 6; i++) {
            scalars.add(BigInteger.ONE.shiftLeft(i).mod(N)); // one tooth of the comb at a time
        }
        for (BigInteger k : scalars) {
            BigInteger expected = P256.getG().multiply(k).normalize().getAffineXCoord().toBigInteger();
            assertEquals(expected, P256Ecdsa.baseMultiplyX(k), "k = " + k.toString(16));
        }
    }

    @Test
    void scalarsOutsideOneToNMinusOne_refused() {
        assertThrows(IllegalArgumentException.class, () -> P256Ecdsa.baseMultiplyX(BigInteger.ZERO));
        assertThrows(IllegalArgumentException.class, () -> P256Ecdsa.baseMultiplyX(N));
        assertThrows(IllegalArgumentException.class, () -> P256Ecdsa.of(N, () -> new HMacDSAKCalculator(new SHA256Digest())));
    }

    @Test
    void randomK_signaturesVerifyWithTheJdkAndDiffer() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        assertTrue(P256Ecdsa.isP256((ECPrivateKey) keys.getPrivate()));
        P256Ecdsa signer = P256Ecdsa.of((ECPrivateKey) keys.getPrivate());
        byte[] message = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJjbGllbnQifQ".getBytes(StandardCharsets.US_ASCII);
        byte[] previous = null;
        for (int i = 0; i < 100; i++) {
            byte[] signature = signer.sign(message);
            Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format", "SunEC");
            verifier.initVerify(keys.getPublic());
            verifier.update(message);
            assertTrue(verifier.verify(signature), "signature #" + i);
            if (previous != null) {
                assertNotEquals(Hex.toHexString(previous), Hex.toHexString(signature), "k is random");
            }
            previous = signature;
        }
        Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format", "SunEC");
        verifier.initVerify(keys.getPublic());
        verifier.update("another message".getBytes(StandardCharsets.US_ASCII));
        assertFalse(verifier.verify(previous));
    }

    @Test
    void otherCurves_notP256() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp384r1"));
        assertFalse(P256Ecdsa.isP256((ECPrivateKey) generator.generateKeyPair().getPrivate()));
    }
}
