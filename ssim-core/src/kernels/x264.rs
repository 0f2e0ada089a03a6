//! The two kernels of FFmpeg's 8-bit SSIM path (`crate::x264`, FFmpeg's `ssim_4x4x2_core`
//! and `ssim_end4`): the 4x4 block sums of one block row of a strip, and the values of one
//! row of 8x8 windows from two block rows with their sum in FFmpeg's lane order.
//!
//! Both are exact integer arithmetic up to the window formula, whose four factors are
//! rounded once to f32 and combined by unfused f32 products and a quotient, as FFmpeg does;
//! so every backend gives the scalar bits. The block sums use 16-bit lanes for the column
//! sums (at most 4 * 255) and `i16 x i16 -> i32` pair products for the squares (x86
//! `vpmaddwd`, NEON `smull` + `addp`): twice the pixels per instruction of f32 lanes.

use crate::lanes::Lanes;

/// Windows per column strip; a strip's block row holds `STRIP + 1` blocks.
pub(crate) const STRIP: usize = 128;

/// One block row of a strip, structure of arrays (so the window kernel loads lanes).
#[derive(Clone, Copy)]
pub(crate) struct BlockRowU8 {
    pub s1: [i32; STRIP + 1],
    pub s2: [i32; STRIP + 1],
    pub ss: [i32; STRIP + 1],
    pub s12: [i32; STRIP + 1],
}

impl BlockRowU8 {
    pub(crate) const ZERO: BlockRowU8 = BlockRowU8 {
        s1: [0; STRIP + 1],
        s2: [0; STRIP + 1],
        ss: [0; STRIP + 1],
        s12: [0; STRIP + 1],
    };
}

/// The four rows of one block row of a plane (8-bit, or 16-bit holding at most 12 bits).
pub(crate) type Rows4<'a, T = u8> = [&'a [T]; 4];

/// The samples the block kernel takes: 8-bit, and 16-bit of at most 12 significant bits
/// (FFmpeg's 10- and 12-bit formats), whose column sums of four (at most 16,380) still fit
/// the 16-bit lanes and whose block sums (at most `32 x 4095^2`) fit i32.
pub(crate) trait BlockSample: Copy {
    fn int(self) -> i32;
    /// `row[i..i + 2F]` as i16 lanes.
    fn load_h<S: Lanes>(s: S, row: &[Self], i: usize) -> S::H;
}

impl BlockSample for u8 {
    #[inline(always)]
    fn int(self) -> i32 {
        self as i32
    }
    #[inline(always)]
    fn load_h<S: Lanes>(s: S, row: &[u8], i: usize) -> S::H {
        s.load_u8_h(row, i)
    }
}

#[cfg(feature = "u16")]
impl BlockSample for u16 {
    #[inline(always)]
    fn int(self) -> i32 {
        self as i32
    }
    #[inline(always)]
    fn load_h<S: Lanes>(s: S, row: &[u16], i: usize) -> S::H {
        s.load_u16_h(row, i)
    }
}

/// Sums `(s1, s2, ss, s12)` of the 4x4 block whose left column is pixel `p`.
#[inline(always)]
fn block<T: BlockSample>(a: &Rows4<'_, T>, b: &Rows4<'_, T>, p: usize) -> [i32; 4] {
    let (mut s1, mut s2, mut ss, mut s12) = (0i32, 0i32, 0i32, 0i32);
    for r in 0..4 {
        for (&u, &v) in a[r][p..p + 4].iter().zip(&b[r][p..p + 4]) {
            let (u, v) = (u.int(), v.int());
            s1 += u;
            s2 += v;
            ss += u * u + v * v;
            s12 += u * v;
        }
    }
    [s1, s2, ss, s12]
}

#[inline(always)]
fn put(out: &mut BlockRowU8, i: usize, [s1, s2, ss, s12]: [i32; 4]) {
    out.s1[i] = s1;
    out.s2[i] = s2;
    out.ss[i] = ss;
    out.s12[i] = s12;
}

/// The value of window `i` from the block rows above (`p`) and below (`c`): FFmpeg's
/// `ssim_end1` in i32 (every term is below 2^31 for 8-bit samples).
#[inline(always)]
fn window(p: &BlockRowU8, c: &BlockRowU8, i: usize, (c1, c2): (i32, i32)) -> f32 {
    let s1 = p.s1[i] + p.s1[i + 1] + c.s1[i] + c.s1[i + 1];
    let s2 = p.s2[i] + p.s2[i + 1] + c.s2[i] + c.s2[i + 1];
    let ss = p.ss[i] + p.ss[i + 1] + c.ss[i] + c.ss[i + 1];
    let s12 = p.s12[i] + p.s12[i + 1] + c.s12[i] + c.s12[i + 1];
    let vars = ss * 64 - s1 * s1 - s2 * s2;
    let covar = s12 * 64 - s1 * s2;
    let num = (2 * s1 * s2 + c1) as f32 * (2 * covar + c2) as f32;
    let den = (s1 * s1 + s2 * s2 + c1) as f32 * (vars + c2) as f32;
    num / den
}

/// The row sum in FFmpeg's order: window `i` into f64 lane `i % 4` (its SSE4
/// `ssim_end_line`), the lanes added as `(l0 + l1) + (l2 + l3)` at the end.
#[inline(always)]
fn lane_sum(vals: &[f32]) -> f64 {
    let (mut l0, mut l1, mut l2, mut l3) = (0f64, 0f64, 0f64, 0f64);
    let quads = vals.chunks_exact(4);
    let rest = quads.remainder();
    for q in quads {
        l0 += q[0] as f64;
        l1 += q[1] as f64;
        l2 += q[2] as f64;
        l3 += q[3] as f64;
    }
    for (k, v) in rest.iter().enumerate() {
        match k {
            0 => l0 += *v as f64,
            1 => l1 += *v as f64,
            _ => l2 += *v as f64,
        }
    }
    (l0 + l1) + (l2 + l3)
}

/// The scalar kernels, and the oracle of the vector ones.
pub(crate) mod scalar {
    use super::*;

    /// Block sums of blocks `0..nb` (at most `STRIP + 1`) of the rows `a`, `b` from pixel
    /// `x0`, into `out`.
    pub(crate) fn blocks<T: BlockSample>(
        a: &Rows4<'_, T>,
        b: &Rows4<'_, T>,
        x0: usize,
        nb: usize,
        out: &mut BlockRowU8,
    ) {
        for i in 0..nb {
            put(out, i, block(a, b, x0 + 4 * i));
        }
    }

    /// The sum of windows `0..n` (at most `STRIP`) of one strip row, in FFmpeg's order.
    pub(crate) fn windows(p: &BlockRowU8, c: &BlockRowU8, n: usize, k: (i32, i32)) -> f64 {
        let mut vals = [0f32; STRIP];
        for (i, v) in vals[..n].iter_mut().enumerate() {
            *v = window(p, c, i, k);
        }
        lane_sum(&vals[..n])
    }
}

/// [`scalar::blocks`] over lanes: `S::F` blocks (`4 S::F` pixels) per step, in two vectors
/// of `2 S::F` 16-bit columns per row; the blocks past the last whole step one by one.
#[inline(always)]
pub(crate) fn blocks<S: Lanes, T: BlockSample>(
    s: S,
    a: &Rows4<'_, T>,
    b: &Rows4<'_, T>,
    x0: usize,
    nb: usize,
    out: &mut BlockRowU8,
) {
    let f = S::F;
    let a: Rows4<'_, T> = core::array::from_fn(|r| &a[r][x0..x0 + 4 * nb]);
    let b: Rows4<'_, T> = core::array::from_fn(|r| &b[r][x0..x0 + 4 * nb]);
    let mut i = 0;
    while i + f <= nb {
        let p = 4 * i;
        // Two halves of 2F columns: 16-bit column sums of s1 and s2, and the i32 pair sums
        // of the squares and products (each pair of columns in one lane).
        let mut half = [[s.splat_int(0); 4]; 2];
        for (h, sums) in half.iter_mut().enumerate() {
            let q = p + 2 * f * h;
            let (wa, wb) = (T::load_h(s, a[0], q), T::load_h(s, b[0], q));
            let (mut sa, mut sb) = (wa, wb);
            let mut ss = s.add_int(s.madd_h(wa, wa), s.madd_h(wb, wb));
            let mut s12 = s.madd_h(wa, wb);
            for r in 1..4 {
                let (wa, wb) = (T::load_h(s, a[r], q), T::load_h(s, b[r], q));
                sa = s.add_h(sa, wa);
                sb = s.add_h(sb, wb);
                ss = s.add_int(ss, s.add_int(s.madd_h(wa, wa), s.madd_h(wb, wb)));
                s12 = s.add_int(s12, s.madd_h(wa, wb));
            }
            *sums = [s.pair_sums_h(sa), s.pair_sums_h(sb), ss, s12];
        }
        // Pair sums of the two halves -> block sums, in column order. (No closures here or
        // below: a closure does not inherit the entry point's target features, so the
        // intrinsics in it would become calls.)
        let [h0, h1] = half;
        s.store_int(s.pair_add_int(h0[0], h1[0]), &mut out.s1, i);
        s.store_int(s.pair_add_int(h0[1], h1[1]), &mut out.s2, i);
        s.store_int(s.pair_add_int(h0[2], h1[2]), &mut out.ss, i);
        s.store_int(s.pair_add_int(h0[3], h1[3]), &mut out.s12, i);
        i += f;
    }
    for i in i..nb {
        put(out, i, block(&a, &b, 4 * i));
    }
}

/// The sums of window lanes `i..i + F` of one quantity: blocks `i` and `i + 1` of both rows.
#[inline(always)]
fn four<S: Lanes>(s: S, r: &[i32; STRIP + 1], q: &[i32; STRIP + 1], i: usize) -> S::I {
    s.add_int(
        s.add_int(s.load_int(r, i), s.load_int(r, i + 1)),
        s.add_int(s.load_int(q, i), s.load_int(q, i + 1)),
    )
}

/// [`scalar::windows`] over lanes: `S::F` windows per step in i32 and f32 lanes (the same
/// operations as the scalar `window`), the rest one by one, then the same lane sum.
#[inline(always)]
pub(crate) fn windows<S: Lanes>(
    s: S,
    p: &BlockRowU8,
    c: &BlockRowU8,
    n: usize,
    k: (i32, i32),
) -> f64 {
    let f = S::F;
    let mut vals = [0f32; STRIP];
    let (c1, c2, k64) = (s.splat_int(k.0), s.splat_int(k.1), s.splat_int(64));
    let mut i = 0;
    while i + f <= n {
        let s1 = four(s, &p.s1, &c.s1, i);
        let s2 = four(s, &p.s2, &c.s2, i);
        let ss = four(s, &p.ss, &c.ss, i);
        let s12 = four(s, &p.s12, &c.s12, i);
        let (q1, q2, p12) = (s.mul_int(s1, s1), s.mul_int(s2, s2), s.mul_int(s1, s2));
        let vars = s.sub_int(s.sub_int(s.mul_int(ss, k64), q1), q2);
        let covar = s.sub_int(s.mul_int(s12, k64), p12);
        let num = s.mul(
            s.to_float(s.add_int(s.add_int(p12, p12), c1)),
            s.to_float(s.add_int(s.add_int(covar, covar), c2)),
        );
        let den = s.mul(
            s.to_float(s.add_int(s.add_int(q1, q2), c1)),
            s.to_float(s.add_int(vars, c2)),
        );
        s.store(s.div(num, den), &mut vals, i);
        i += f;
    }
    for (j, v) in vals[..n].iter_mut().enumerate().skip(i) {
        *v = window(p, c, j, k);
    }
    lane_sum(&vals[..n])
}
