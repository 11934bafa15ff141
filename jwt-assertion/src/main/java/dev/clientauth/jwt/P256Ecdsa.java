package dev.clientauth.jwt;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.util.Objects;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.signers.DSAKCalculator;
import org.bouncycastle.crypto.signers.RandomDSAKCalculator;
import org.bouncycastle.math.ec.ECLookupTable;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointPreCompInfo;
import org.bouncycastle.math.ec.FixedPointUtil;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Field;
import org.bouncycastle.math.raw.Nat;
import org.bouncycastle.math.raw.Nat256;
import org.bouncycastle.util.BigIntegers;

/**
 * ES256 (ECDSA on P-256 with SHA-256, JOSE {@code r || s} output) for a key held in memory.
 *
 * <p>The same computation as Bouncy Castle's {@code ECDSASigner}, on Bouncy Castle's own parts —
 * its P-256 field arithmetic ({@link SecP256R1Field}), its fixed-point comb table for the
 * generator with the same width, digit extraction and final offset, its uniform random {@code k}
 * ({@link RandomDSAKCalculator}) and its constant-time inverse modulo the order — with one
 * difference: the point arithmetic works in place on preallocated limbs, where Bouncy Castle
 * allocates new point and field-element objects for every doubling and addition (about 57 KB per
 * signature). The table entry of each comb step is read in constant time (every entry is touched,
 * selected with a mask), as Bouncy Castle's cache-safe table does. The result point is checked to
 * be on the curve before it is used, so a computation fault does not produce a signature.
 *
 * <p>Tests check it against Bouncy Castle's {@code ECDSASigner} with the same deterministic
 * {@code k} (identical signatures), against the RFC 6979 P-256 vectors, and with the JDK's verifier.
 */
final class P256Ecdsa {
    private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
    private static final BigInteger N = P256.getN();
    private static final int[] B = SecP256R1Field.fromBigInteger(P256.getCurve().getB().toBigInteger());
    /** Comb: {@code WIDTH} teeth {@code SPACING} bits apart; {@code 1 << WIDTH} table entries. */
    private static final int WIDTH;
    private static final int SPACING;
    private static final int COMB_BITS;
    private static final int ENTRIES;
    /** Affine entries, 8 longs each: x then y, two 32-bit limbs per long (low limb first). */
    private static final long[] TABLE;
    private static final int[] OFFSET_X;
    private static final int[] OFFSET_Y;

    static {
        ECPoint generator = P256.getG();
        FixedPointPreCompInfo info = FixedPointUtil.precompute(generator);
        ECLookupTable lookup = info.getLookupTable();
        WIDTH = info.getWidth();
        int combSize = FixedPointUtil.getCombSize(generator.getCurve());
        SPACING = (combSize + WIDTH - 1) / WIDTH;
        COMB_BITS = SPACING * WIDTH;
        ENTRIES = lookup.getSize();
        if (ENTRIES != 1 << WIDTH) {
            throw new IllegalStateException("unexpected comb table: " + ENTRIES + " entries for width " + WIDTH);
        }
        TABLE = new long[ENTRIES * 8];
        for (int i = 0; i < ENTRIES; i++) {
            ECPoint entry = lookup.lookupVar(i).normalize();
            int[] x = SecP256R1Field.fromBigInteger(entry.getAffineXCoord().toBigInteger());
            int[] y = SecP256R1Field.fromBigInteger(entry.getAffineYCoord().toBigInteger());
            for (int j = 0; j < 4; j++) {
                TABLE[i * 8 + j] = (x[2 * j] & 0xFFFFFFFFL) | ((long) x[2 * j + 1] << 32);
                TABLE[i * 8 + 4 + j] = (y[2 * j] & 0xFFFFFFFFL) | ((long) y[2 * j + 1] << 32);
            }
        }
        ECPoint offset = info.getOffset().normalize();
        OFFSET_X = SecP256R1Field.fromBigInteger(offset.getAffineXCoord().toBigInteger());
        OFFSET_Y = SecP256R1Field.fromBigInteger(offset.getAffineYCoord().toBigInteger());
    }

    private final BigInteger d;
    private final SecureRandom random;
    private final KCalculatorFactory kCalculators;

    /** Makes the {@code k} source for one signature; tests plug in RFC 6979 to compare outputs. */
    @FunctionalInterface
    interface KCalculatorFactory {
        DSAKCalculator create();
    }

    private P256Ecdsa(BigInteger d, SecureRandom random, KCalculatorFactory kCalculators) {
        if (d.signum() <= 0 || d.compareTo(N) >= 0) {
            throw new IllegalArgumentException("not a P-256 private key");
        }
        this.d = d;
        this.random = random;
        this.kCalculators = kCalculators;
    }

    /** For a P-256 key in memory, with uniformly random {@code k}. */
    static P256Ecdsa of(ECPrivateKey key) {
        return new P256Ecdsa(key.getS(), new SecureRandom(), RandomDSAKCalculator::new);
    }

    /** With another {@code k} source (tests: RFC 6979 deterministic {@code k}). */
    static P256Ecdsa of(BigInteger d, KCalculatorFactory kCalculators) {
        return new P256Ecdsa(d, null, Objects.requireNonNull(kCalculators));
    }

    /** Whether a key is on P-256 (the curve this class signs on). */
    static boolean isP256(ECPrivateKey key) {
        java.security.spec.ECParameterSpec spec = key.getParams();
        return spec != null && spec.getOrder().equals(N)
                && spec.getCurve().getB().equals(P256.getCurve().getB().toBigInteger())
                && spec.getGenerator().getAffineX().equals(P256.getG().getAffineXCoord().toBigInteger());
    }

    /** SHA-256 of the input, signed: 64 bytes, {@code r || s}. */
    byte[] sign(byte[] input) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        BigInteger e = new BigInteger(1, hash);
        DSAKCalculator kCalculator = kCalculators.create();
        if (kCalculator.isDeterministic()) {
            kCalculator.init(N, d, hash);
        } else {
            kCalculator.init(N, random);
        }
        Scratch s = new Scratch();
        BigInteger r;
        BigInteger sig;
        do {
            BigInteger k;
            do {
                k = kCalculator.nextK();
                r = Nat256.toBigInteger(baseMultiplyX(k, s)).mod(N);
            } while (r.signum() == 0);
            sig = BigIntegers.modOddInverse(N, k).multiply(e.add(d.multiply(r))).mod(N);
        } while (sig.signum() == 0);
        byte[] out = new byte[64];
        BigIntegers.asUnsignedByteArray(r, out, 0, 32);
        BigIntegers.asUnsignedByteArray(sig, out, 32, 32);
        return out;
    }

    /** Working limbs of one signature. */
    private static final class Scratch {
        final int[] x = new int[8];
        final int[] y = new int[8];
        final int[] z = new int[8];
        final int[] px = new int[8];
        final int[] py = new int[8];
        final int[] t1 = new int[8];
        final int[] t2 = new int[8];
        final int[] t3 = new int[8];
        final int[] t4 = new int[8];
        final int[] t5 = new int[8];
        final int[] t6 = new int[8];
        final int[] t7 = new int[8];
        final int[] tt = new int[16];
        final long[] packed = new long[8];
    }

    /** The affine x of k·G, for tests. */
    static BigInteger baseMultiplyX(BigInteger k) {
        return Nat256.toBigInteger(baseMultiplyX(k, new Scratch()));
    }

    /** The affine x of k·G (k in [1, n-1]), with the result checked to be on the curve. */
    private static int[] baseMultiplyX(BigInteger k, Scratch s) {
        if (k.signum() <= 0 || k.compareTo(N) >= 0) {
            throw new IllegalArgumentException("k out of range");
        }
        int[] scalar = Nat.fromBigInteger(COMB_BITS, k);
        int top = COMB_BITS - 1;
        for (int i = 0; i < SPACING; i++) {
            int index = 0;
            for (int j = top - i; j >= 0; j -= SPACING) {
                int bits = scalar[j >>> 5] >>> (j & 0x1F);
                index ^= bits >>> 1; // with the next two lines: appends the lowest bit of 'bits' without a branch
                index <<= 1;
                index ^= bits;
            }
            lookup(index, s.packed, s.px, s.py);
            if (i == 0) {
                // the accumulator starts at infinity: 2·∞ + T = T
                Nat256.copy(s.px, s.x);
                Nat256.copy(s.py, s.y);
                one(s.z);
            } else {
                twice(s);
                addAffine(s, s.px, s.py);
            }
        }
        addAffine(s, OFFSET_X, OFFSET_Y);
        java.util.Arrays.fill(scalar, 0);
        return toAffineCheckedX(s);
    }

    /**
     * Reads entry {@code index} into {@code x} and {@code y}, touching every entry (no
     * secret-dependent memory access or branch).
     */
    private static void lookup(int index, long[] packed, int[] x, int[] y) {
        java.util.Arrays.fill(packed, 0L);
        for (int i = 0, pos = 0; i < ENTRIES; i++, pos += 8) {
            long mask = ((i ^ index) - 1) >> 31;
            for (int j = 0; j < 8; j++) {
                packed[j] |= TABLE[pos + j] & mask;
            }
        }
        for (int j = 0; j < 4; j++) {
            x[2 * j] = (int) packed[j];
            x[2 * j + 1] = (int) (packed[j] >>> 32);
            y[2 * j] = (int) packed[4 + j];
            y[2 * j + 1] = (int) (packed[4 + j] >>> 32);
        }
    }

    private static void one(int[] z) {
        java.util.Arrays.fill(z, 0);
        z[0] = 1;
    }

    /**
     * (x, y, z) ← 2·(x, y, z) in Jacobian coordinates for a = −3 ("dbl-2001-b"). Infinity (z = 0)
     * stays infinity.
     */
    private static void twice(Scratch s) {
        int[] x = s.x, y = s.y, z = s.z, tt = s.tt;
        int[] delta = s.t1, gamma = s.t2, beta = s.t3, alpha = s.t4, t = s.t5, u = s.t6;
        SecP256R1Field.square(z, delta, tt);
        SecP256R1Field.square(y, gamma, tt);
        SecP256R1Field.multiply(x, gamma, beta, tt);
        SecP256R1Field.subtract(x, delta, alpha);
        SecP256R1Field.add(x, delta, t);
        SecP256R1Field.multiply(alpha, t, alpha, tt);
        SecP256R1Field.twice(alpha, t);
        SecP256R1Field.add(alpha, t, alpha);               // alpha = 3(x − δ)(x + δ)
        SecP256R1Field.add(y, z, t);
        SecP256R1Field.square(t, t, tt);
        SecP256R1Field.subtract(t, gamma, t);
        SecP256R1Field.subtract(t, delta, z);              // z3 = (y + z)² − γ − δ
        SecP256R1Field.twice(beta, beta);
        SecP256R1Field.twice(beta, beta);                  // beta = 4β
        SecP256R1Field.square(alpha, t, tt);
        SecP256R1Field.twice(beta, u);
        SecP256R1Field.subtract(t, u, x);                  // x3 = α² − 8β
        SecP256R1Field.subtract(beta, x, t);
        SecP256R1Field.multiply(alpha, t, t, tt);
        SecP256R1Field.square(gamma, gamma, tt);
        SecP256R1Field.twice(gamma, gamma);
        SecP256R1Field.twice(gamma, gamma);
        SecP256R1Field.twice(gamma, gamma);
        SecP256R1Field.subtract(t, gamma, y);              // y3 = α(4β − x3) − 8γ²
    }

    /**
     * (x, y, z) ← (x, y, z) + (x2, y2) with an affine second point ("madd-2007-bl"). The equal and
     * opposite cases, and an accumulator at infinity, are handled; for a random k they do not
     * occur (probability about 2⁻²⁵⁶ per step).
     */
    private static void addAffine(Scratch s, int[] x2, int[] y2) {
        int[] x = s.x, y = s.y, z = s.z, tt = s.tt;
        if (Nat256.isZero(z)) {
            Nat256.copy(x2, x);
            Nat256.copy(y2, y);
            one(z);
            return;
        }
        int[] zz = s.t1, h = s.t2, r = s.t3, hh = s.t4, v = s.t5, j = s.t6, t = s.t7;
        SecP256R1Field.square(z, zz, tt);
        SecP256R1Field.multiply(x2, zz, h, tt);            // u2
        SecP256R1Field.multiply(y2, z, r, tt);
        SecP256R1Field.multiply(r, zz, r, tt);             // s2
        SecP256R1Field.subtract(h, x, h);                  // h = u2 − x1
        SecP256R1Field.subtract(r, y, r);
        SecP256R1Field.twice(r, r);                        // r = 2(s2 − y1)
        if (Nat256.isZero(h)) {
            if (Nat256.isZero(r)) {
                twice(s);                                  // the same point
            } else {
                java.util.Arrays.fill(z, 0);               // opposite points: infinity
            }
            return;
        }
        SecP256R1Field.square(h, hh, tt);
        SecP256R1Field.twice(hh, v);
        SecP256R1Field.twice(v, v);                        // i = 4·hh (in v)
        SecP256R1Field.multiply(h, v, j, tt);              // j = h·i
        SecP256R1Field.multiply(x, v, v, tt);              // v = x1·i
        SecP256R1Field.square(r, t, tt);
        SecP256R1Field.subtract(t, j, t);
        SecP256R1Field.subtract(t, v, t);
        SecP256R1Field.subtract(t, v, x);                  // x3 = r² − j − 2v
        SecP256R1Field.subtract(v, x, v);
        SecP256R1Field.multiply(r, v, v, tt);
        SecP256R1Field.multiply(y, j, j, tt);
        SecP256R1Field.twice(j, j);
        SecP256R1Field.subtract(v, j, y);                  // y3 = r(v − x3) − 2·y1·j
        SecP256R1Field.add(z, h, t);
        SecP256R1Field.square(t, t, tt);
        SecP256R1Field.subtract(t, zz, t);
        SecP256R1Field.subtract(t, hh, z);                 // z3 = (z1 + h)² − zz − hh
    }

    /** Affine x of the accumulator after checking y² = x³ − 3x + b; fails on infinity or off-curve. */
    private static int[] toAffineCheckedX(Scratch s) {
        if (Nat256.isZero(s.z)) {
            throw new IllegalStateException("P-256 multiplication gave the point at infinity");
        }
        int[] zInv = s.t1, zInv2 = s.t2, ax = s.t3, ay = s.t4, lhs = s.t5, rhs = s.t6, t = s.t7, tt = s.tt;
        SecP256R1Field.inv(s.z, zInv);
        SecP256R1Field.square(zInv, zInv2, tt);
        SecP256R1Field.multiply(s.x, zInv2, ax, tt);
        SecP256R1Field.multiply(zInv2, zInv, zInv2, tt);
        SecP256R1Field.multiply(s.y, zInv2, ay, tt);
        SecP256R1Field.square(ay, lhs, tt);
        SecP256R1Field.square(ax, rhs, tt);
        SecP256R1Field.multiply(rhs, ax, rhs, tt);         // x³
        SecP256R1Field.twice(ax, t);
        SecP256R1Field.add(t, ax, t);                      // 3x
        SecP256R1Field.subtract(rhs, t, rhs);
        SecP256R1Field.add(rhs, B, rhs);
        if (!Nat256.eq(lhs, rhs)) {
            throw new IllegalStateException("P-256 multiplication result is not on the curve");
        }
        return ax;
    }
}
