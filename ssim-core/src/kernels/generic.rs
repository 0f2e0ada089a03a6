//! Every SIMD kernel, written once over [`Lanes`] and instantiated per instruction set by the
//! entry points in `crate::arch` and in [`super::portable`].
//!
//! They follow the operation order of [`super::scalar`] lane by lane; the only differences are
//! that `mul_add` may be fused (Gaussian and f32 paths) and that rows shorter than one vector
//! are handed to the scalar kernel. The exact integer box path uses no fused operation, so it
//! gives the scalar bits on every backend.
//!
//! Rows are processed one vector of columns at a time. A row whose length is not a multiple
//! of the lane count ends with one vector that overlaps the previous one: the kernels that
//! write to a separate buffer are pure functions of their inputs, so computing a column twice
//! stores the same value twice. The one in-place kernel, [`box_formula`], finishes its tail
//! with the scalar per-pixel function instead.

use super::lanes::Lanes;
use super::{scalar, FormulaConsts, MOMENTS, UD_MOMENTS};
use crate::arch::Rows;
use crate::params::MAX_RADIUS;

/// Start columns of the vectors covering `0..n` (`n >= f`); the last one may overlap.
#[inline(always)]
fn chunks(n: usize, f: usize) -> impl Iterator<Item = usize> {
    let last = n - f;
    (0..n).step_by(f).map(move |o| o.min(last))
}

#[inline(always)]
pub(crate) fn load_u8<S: Lanes>(s: S, src: &[u8], step: usize, out: &mut [f32]) {
    let n = out.len();
    if step != 1 || n < S::F {
        return scalar::load(src, step, out);
    }
    let src = &src[..n];
    // The input streams from memory; on a packed plane the next row starts right after
    // this one, so fetch it a row ahead (a hint only: a wrong guess costs nothing).
    let ahead = src.as_ptr().wrapping_add(n);
    for o in chunks(n, S::F) {
        s.prefetch(ahead.wrapping_add(o).cast());
        s.store(s.load_u8(src, o), out, o);
    }
}

#[inline(always)]
pub(crate) fn load_u16<S: Lanes>(s: S, src: &[u16], step: usize, out: &mut [f32]) {
    let n = out.len();
    if step != 1 || n < S::F {
        return scalar::load(src, step, out);
    }
    let src = &src[..n];
    // The input streams from memory; on a packed plane the next row starts right after
    // this one, so fetch it a row ahead (a hint only: a wrong guess costs nothing).
    let ahead = src.as_ptr().wrapping_add(n);
    for o in chunks(n, S::F) {
        s.prefetch(ahead.wrapping_add(o).cast());
        s.store(s.load_u16(src, o), out, o);
    }
}

#[inline(always)]
pub(crate) fn load_f32<S: Lanes>(s: S, src: &[f32], step: usize, out: &mut [f32]) -> Option<usize> {
    let n = out.len();
    if step != 1 || n < S::F {
        return scalar::load_f32(src, step, out);
    }
    let src = &src[..n];
    // `v * 0` is 0 for finite v and NaN otherwise; the sum stays 0 until a NaN or infinity.
    let zero = s.splat(0.0);
    let mut poison = zero;
    for o in chunks(n, S::F) {
        let v = s.load(src, o);
        poison = s.add(poison, s.mul(v, zero));
        s.store(v, out, o);
    }
    let mut lanes = [0f32; 16];
    s.store(poison, &mut lanes, 0);
    if lanes.iter().all(|v| *v == 0.0) {
        None
    } else {
        scalar::load_f32(src, step, out)
    }
}

#[inline(always)]
pub(crate) fn horizontal<S: Lanes>(
    s: S,
    x: &mut [f32],
    y: &mut [f32],
    w: &[f32],
    n: usize,
    out: &mut [f32],
) {
    if n < S::F {
        return scalar::horizontal(x, y, w, n, out);
    }
    let r = w.len() - 1;
    let (u, d) = sum_difference(s, &mut x[..n + 2 * r], &mut y[..n + 2 * r]);
    // The common radii as constants: the tap loop unrolls with fixed offsets.
    match r {
        5 => horizontal_sized(s, u, d, w, 5, n, out),
        3 => horizontal_sized(s, u, d, w, 3, n, out),
        r => horizontal_sized(s, u, d, w, r, n, out),
    }
}

/// [`scalar::sum_difference`] with vectors (the same operations, so the same bits); returns
/// the rows, now `u` and `d`.
#[inline(always)]
fn sum_difference<'a, S: Lanes>(
    s: S,
    x: &'a mut [f32],
    y: &'a mut [f32],
) -> (&'a [f32], &'a [f32]) {
    let len = x.len().min(y.len());
    // In place, so no overlapping last vector: the tail takes the scalar operations.
    let full = len / S::F * S::F;
    for i in (0..full).step_by(S::F) {
        let (p, q) = (s.load(x, i), s.load(y, i));
        s.store(s.add(p, q), x, i);
        s.store(s.sub(p, q), y, i);
    }
    scalar::sum_difference(&mut x[full..len], &mut y[full..len]);
    (x, y)
}

#[inline(always)]
fn horizontal_sized<S: Lanes>(
    s: S,
    u: &[f32],
    d: &[f32],
    w: &[f32],
    r: usize,
    n: usize,
    out: &mut [f32],
) {
    let (mu, rest) = out.split_at_mut(n);
    let (md, rest) = rest.split_at_mut(n);
    let (vu, rest) = rest.split_at_mut(n);
    let vd = &mut rest[..n];
    let w = &w[..=r];
    let zero = s.splat(0.0);
    for o in chunks(n, S::F) {
        // One bounds check per vector of columns: with `r` a constant the tap loads'
        // checks fold away.
        let (uw, dw) = (&u[o..o + S::F + 2 * r], &d[o..o + S::F + 2 * r]);
        let (su, sd) = (s.load(uw, r), s.load(dw, r));
        let (mut a, mut b, mut qu, mut qd) = (zero, zero, zero, zero);
        for (k, &wk) in w.iter().enumerate().skip(1) {
            // Splatted where used rather than from an array built per call: a broadcast load
            // costs the same as a vector load, and the array cost a 4 KB memset per row.
            let wk = s.splat(wk);
            let (du1, du2) = (s.sub(s.load(uw, r - k), su), s.sub(s.load(uw, r + k), su));
            let (dd1, dd2) = (s.sub(s.load(dw, r - k), sd), s.sub(s.load(dw, r + k), sd));
            a = s.mul_add(wk, s.add(du1, du2), a);
            b = s.mul_add(wk, s.add(dd1, dd2), b);
            qu = s.mul_add(wk, s.mul_add(du1, du1, s.mul(du2, du2)), qu);
            qd = s.mul_add(wk, s.mul_add(dd1, dd1, s.mul(dd2, dd2)), qd);
        }
        let (na, nb) = (s.sub(zero, a), s.sub(zero, b));
        s.store(s.add(su, a), mu, o);
        s.store(s.add(sd, b), md, o);
        s.store(s.mul_add(na, a, qu), vu, o);
        s.store(s.mul_add(nb, b, qd), vd, o);
    }
}

#[inline(always)]
pub(crate) fn vertical<S: Lanes>(
    s: S,
    ring: &[f32],
    slots: &[usize],
    w: &[f32],
    n: usize,
    out: &mut [f32],
) {
    if n < S::F {
        return scalar::vertical(ring, slots, w, n, out);
    }
    // The common radii as constants: the window loop unrolls, and the pass's rows fit a
    // small `Rows`.
    match w.len() - 1 {
        5 => vertical_sized::<S, { pass_rows(11) }>(s, ring, slots, w, 5, n, out),
        3 => vertical_sized::<S, { pass_rows(7) }>(s, ring, slots, w, 3, n, out),
        r => vertical_sized::<S, MAX_PASS_ROWS>(s, ring, slots, w, r, n, out),
    }
}

/// Rows a vertical pass reads with a window of `taps` rows: its
/// [`ROWS_PER_PASS`](super::ROWS_PER_PASS) map rows share `taps - 1` of them. The capacity of
/// the pass's [`Rows`].
const fn pass_rows(taps: usize) -> usize {
    taps - 1 + super::ROWS_PER_PASS
}

/// [`pass_rows`] of the largest window, for the sizes without an arm of their own.
const MAX_PASS_ROWS: usize = pass_rows(2 * MAX_RADIUS + 1);

#[inline(always)]
fn vertical_sized<S: Lanes, const CAP: usize>(
    s: S,
    ring: &[f32],
    slots: &[usize],
    w: &[f32],
    r: usize,
    n: usize,
    out: &mut [f32],
) {
    let w = &w[..=r];
    let rows = slots.len() - 2 * r;
    let out = &mut out[..rows * UD_MOMENTS * n];
    // One row per window row holding its moment rows, so that the column check of a load
    // depends only on the moment and the column, not on the window row.
    let offsets = slots.iter().map(|&slot| slot * UD_MOMENTS * n);
    let ring = Rows::<CAP>::new(ring, UD_MOMENTS * n, offsets);
    // Map rows inner, columns outer: the rows of a pass share 2r of their window rows, which
    // are then still in L1 when the next map row reads them.
    for i in chunks(n, S::F) {
        for row in 0..rows {
            let o = row * UD_MOMENTS * n + i;
            let m = window_stats(s, &ring, w, row + r, n, i);
            for (j, v) in m.into_iter().enumerate() {
                s.store(v, out, o + j * n);
            }
        }
    }
}

/// The four statistics (`mu, md, vu, vd`) of the map row centred on ring row `mid`, columns
/// `i..i + F`: the centred vertical combination (law of total variance) shared by
/// [`vertical`] and [`vertical_formula`], in the scalar kernel's operation order.
#[inline(always)]
fn window_stats<S: Lanes, const CAP: usize>(
    s: S,
    ring: &Rows<'_, CAP>,
    w: &[f32],
    mid: usize,
    n: usize,
    i: usize,
) -> [S::V; UD_MOMENTS] {
    let zero = s.splat(0.0);
    let at = |t: usize, m: usize| s.load_at(ring, t, m * n + i);
    let (cu, cd) = (at(mid, 0), at(mid, 1));
    let w0 = s.splat(w[0]);
    let mut vu = s.mul(w0, at(mid, 2));
    let mut vd = s.mul(w0, at(mid, 3));
    let (mut a, mut b, mut qu, mut qd) = (zero, zero, zero, zero);
    for (k, &wk) in w.iter().enumerate().skip(1) {
        // Splatted where used (a broadcast load costs a vector load), not kept in an array
        // built per pass.
        let wk = s.splat(wk);
        let (t1, t2) = (mid - k, mid + k);
        let (du1, du2) = (s.sub(at(t1, 0), cu), s.sub(at(t2, 0), cu));
        let (dd1, dd2) = (s.sub(at(t1, 1), cd), s.sub(at(t2, 1), cd));
        a = s.mul_add(wk, s.add(du1, du2), a);
        b = s.mul_add(wk, s.add(dd1, dd2), b);
        qu = s.mul_add(wk, s.mul_add(du1, du1, s.mul(du2, du2)), qu);
        qd = s.mul_add(wk, s.mul_add(dd1, dd1, s.mul(dd2, dd2)), qd);
        vu = s.mul_add(wk, s.add(at(t1, 2), at(t2, 2)), vu);
        vd = s.mul_add(wk, s.add(at(t1, 3), at(t2, 3)), vd);
    }
    let (na, nb) = (s.sub(zero, a), s.sub(zero, b));
    [
        s.add(cu, a),
        s.add(cd, b),
        s.add(vu, s.mul_add(na, a, qu)),
        s.add(vd, s.mul_add(nb, b, qd)),
    ]
}

#[inline(always)]
pub(crate) fn formula<S: Lanes>(
    s: S,
    stats: &[f32],
    n: usize,
    k: &FormulaConsts,
    pool: (usize, usize),
    ssim: &mut [f32],
    cs: &mut [f32],
) -> (f64, f64) {
    if n < S::F {
        return scalar::formula(stats, n, k, pool, ssim, cs);
    }
    let fc = FormulaVec::new(s, k);
    let stats = &stats[..UD_MOMENTS * n];
    let (ssim, cs) = (&mut ssim[..n], &mut cs[..n]);
    for i in chunks(n, S::F) {
        let m = [0, 1, 2, 3].map(|j| s.load(stats, j * n + i));
        let (v, c) = formula_vec(s, &fc, m);
        s.store(c, cs, i);
        s.store(v, ssim, i);
    }
    row_sums(s, ssim, cs, pool)
}

/// The formula's constants as vectors: `2 C1`, `2 C2` and the covariance factor.
#[derive(Clone, Copy)]
struct FormulaVec<V> {
    c1: V,
    c2: V,
    cov: V,
}

impl<V: Copy> FormulaVec<V> {
    #[inline(always)]
    fn new<S: Lanes<V = V>>(s: S, k: &FormulaConsts) -> Self {
        FormulaVec {
            c1: s.splat(2.0 * (k.c1 as f32)),
            c2: s.splat(2.0 * (k.c2 as f32)),
            cov: s.splat(k.cov as f32),
        }
    }
}

/// SSIM and cs of a vector of pixels from their statistics `mu, md, vu, vd`, in the order of
/// `scalar::formula_pixel`.
#[inline(always)]
fn formula_vec<S: Lanes>(s: S, k: &FormulaVec<S::V>, m: [S::V; UD_MOMENTS]) -> (S::V, S::V) {
    let [mu, md, vu, vd] = m;
    // Unfused, as in the scalar kernel: md == 0 must give numerator == denominator.
    let (pu, pd) = (s.mul(mu, mu), s.mul(md, md));
    let l = s.div(s.add(s.sub(pu, pd), k.c1), s.add(s.add(pu, pd), k.c1));
    let c = s.div(
        s.mul_add(k.cov, s.sub(vu, vd), k.c2),
        s.mul_add(k.cov, s.add(vu, vd), k.c2),
    );
    (s.mul(l, c), c)
}

/// [`vertical`] and [`formula`] in one pass (the same bits as the two): the statistics stay
/// in registers instead of going through a row in memory.
#[inline(always)]
pub(crate) fn vertical_formula<S: Lanes>(
    s: S,
    ring: &[f32],
    slots: &[usize],
    w: &[f32],
    n: usize,
    k: &FormulaConsts,
    out: &mut [f32],
) {
    if n < S::F {
        return scalar::vertical_formula(ring, slots, w, n, k, out);
    }
    // The common radii as constants: the window loop unrolls, and the pass's rows fit a
    // small `Rows`.
    match w.len() - 1 {
        5 => vertical_formula_sized::<S, { pass_rows(11) }>(s, ring, slots, w, 5, n, k, out),
        3 => vertical_formula_sized::<S, { pass_rows(7) }>(s, ring, slots, w, 3, n, k, out),
        r => vertical_formula_sized::<S, MAX_PASS_ROWS>(s, ring, slots, w, r, n, k, out),
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn vertical_formula_sized<S: Lanes, const CAP: usize>(
    s: S,
    ring: &[f32],
    slots: &[usize],
    w: &[f32],
    r: usize,
    n: usize,
    k: &FormulaConsts,
    out: &mut [f32],
) {
    let w = &w[..=r];
    let zero = s.splat(0.0);
    let fc = FormulaVec::new(s, k);
    let rows = slots.len() - 2 * r;
    let out = &mut out[..rows * 2 * n];
    let offsets = slots.iter().map(|&slot| slot * UD_MOMENTS * n);
    let ring = Rows::<CAP>::new(ring, UD_MOMENTS * n, offsets);
    // With 16 vector registers (AVX2, SSE2) the formula runs after the window loop, from
    // the statistics of the pass's rows, leaving the registers to the accumulators; with 32
    // (AVX-512, NEON) it runs right away. Same operations, same bits.
    let late = S::REGISTERS < 32;
    // Once per pass: built per vector of columns, it cost a `memset` call each time on the
    // portable backend.
    let mut st = [[zero; UD_MOMENTS]; super::ROWS_PER_PASS];
    for i in chunks(n, S::F) {
        for (row, m) in st.iter_mut().enumerate().take(rows) {
            let mid = row + r;
            *m = window_stats(s, &ring, w, mid, n, i);
            if !late {
                let (v, c) = formula_vec(s, &fc, *m);
                s.store(v, out, 2 * row * n + i);
                s.store(c, out, (2 * row + 1) * n + i);
            }
        }
        for (row, m) in st.iter().enumerate().take(if late { rows } else { 0 }) {
            let (v, c) = formula_vec(s, &fc, *m);
            s.store(v, out, 2 * row * n + i);
            s.store(c, out, (2 * row + 1) * n + i);
        }
    }
}

/// [`scalar::box_narrow_formula`] with vectors: exact f32 window sums (running down the rows
/// of the pass), exact i32 numerators, then the f32 formula in the scalar order without fused
/// operations, so every backend gives the scalar bits.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn box_narrow_formula<S: Lanes>(
    s: S,
    ring: &[f32],
    slots: &[usize],
    size: usize,
    n: usize,
    k: &FormulaConsts,
    carry_in: Option<&[f32]>,
    carry_out: &mut [f32],
    out: &mut [f32],
) {
    if n < S::F {
        return scalar::box_narrow_formula(ring, slots, size, n, k, carry_in, carry_out, out);
    }
    // The common sizes as constants: the window loops unroll, and the pass's rows fit a
    // small `Rows`.
    match size {
        7 => {
            let f = box_narrow_formula_sized::<S, { pass_rows(7) }>;
            f(s, ring, slots, 7, n, k, carry_in, carry_out, out)
        }
        3 => {
            let f = box_narrow_formula_sized::<S, { pass_rows(3) }>;
            f(s, ring, slots, 3, n, k, carry_in, carry_out, out)
        }
        _ => {
            let f = box_narrow_formula_sized::<S, MAX_PASS_ROWS>;
            f(s, ring, slots, size, n, k, carry_in, carry_out, out)
        }
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn box_narrow_formula_sized<S: Lanes, const CAP: usize>(
    s: S,
    ring: &[f32],
    slots: &[usize],
    size: usize,
    n: usize,
    k: &FormulaConsts,
    carry_in: Option<&[f32]>,
    carry_out: &mut [f32],
    out: &mut [f32],
) {
    let rows = slots.len() + 1 - size;
    let out = &mut out[..rows * 2 * n];
    let carry_out = &mut carry_out[..UD_MOMENTS * n];
    let carry_in = carry_in.map(|c| &c[..UD_MOMENTS * n]);
    let ring = Rows::<CAP>::new(
        ring,
        UD_MOMENTS * n,
        slots.iter().map(|&t| t * UD_MOMENTS * n),
    );
    let nk = scalar::NarrowConsts::new(k);
    let taps = s.to_int(s.splat(nk.taps as f32));
    let (c1, c2, cov) = (s.splat(nk.c1), s.splat(nk.c2), s.splat(nk.cov));
    for i in chunks(n, S::F) {
        let at = |t: usize, m: usize| s.load_at(&ring, t, m * n + i);
        let mut acc = [s.splat(0.0); UD_MOMENTS];
        match carry_in {
            Some(c) => {
                for (m, v) in acc.iter_mut().enumerate() {
                    *v = s.add(s.load(c, m * n + i), at(size - 1, m));
                }
            }
            None => {
                for (m, v) in acc.iter_mut().enumerate() {
                    *v = at(0, m);
                    for t in 1..size {
                        *v = s.add(*v, at(t, m));
                    }
                }
            }
        }
        for row in 0..rows {
            if row > 0 {
                for (m, v) in acc.iter_mut().enumerate() {
                    *v = s.sub(s.add(*v, at(row + size - 1, m)), at(row - 1, m));
                }
            }
            let [su, sd, suu, sdd] = acc.map(|v| s.to_int(v));
            let (a, b) = (s.mul_int(su, su), s.mul_int(sd, sd));
            let u = s.sub_int(s.mul_int(taps, suu), a);
            let d = s.sub_int(s.mul_int(taps, sdd), b);
            let (ln, ld) = (s.to_float(s.sub_int(a, b)), s.to_float(s.add_int(a, b)));
            let (cn, cd) = (s.to_float(s.sub_int(u, d)), s.to_float(s.add_int(u, d)));
            let l = s.div(s.add(ln, c1), s.add(ld, c1));
            let c = s.div(s.add(s.mul(cov, cn), c2), s.add(s.mul(cov, cd), c2));
            s.store(s.mul(l, c), out, 2 * row * n + i);
            s.store(c, out, (2 * row + 1) * n + i);
        }
        for (m, v) in acc.into_iter().enumerate() {
            s.store(s.sub(v, at(rows - 1, m)), carry_out, m * n + i);
        }
    }
}

/// [`scalar::row_sums`] with vectors: the same sixteen f32 lanes per block (16 / F vectors),
/// the same tail and the same widening, so the result has the scalar bits.
#[inline(always)]
pub(crate) fn row_sums<S: Lanes>(
    s: S,
    ssim: &[f32],
    cs: &[f32],
    (p0, p1): (usize, usize),
) -> (f64, f64) {
    if !16usize.is_multiple_of(S::F) || S::F > 16 {
        return scalar::row_sums(ssim, cs, (p0, p1));
    }
    let per = 16 / S::F;
    let (mut a, mut b) = ([0.0f64; 8], [0.0f64; 8]);
    let mut i = p0;
    while i < p1 {
        let end = (i + scalar::SUM_BLOCK).min(p1);
        let whole = i + (end - i) / 16 * 16;
        let zero = s.splat(0.0);
        let (mut vs, mut vc) = ([zero; 4], [zero; 4]);
        let mut k = i;
        while k < whole {
            for j in 0..per {
                vs[j] = s.add(vs[j], s.load(ssim, k + j * S::F));
                vc[j] = s.add(vc[j], s.load(cs, k + j * S::F));
            }
            k += 16;
        }
        let (mut ps, mut pc) = ([0.0f32; 16], [0.0f32; 16]);
        for j in 0..per {
            s.store(vs[j], &mut ps, j * S::F);
            s.store(vc[j], &mut pc, j * S::F);
        }
        for (l, k) in (whole..end).enumerate() {
            ps[l] += ssim[k];
            pc[l] += cs[k];
        }
        scalar::widen16(&mut a, &ps);
        scalar::widen16(&mut b, &pc);
        i = end;
    }
    (scalar::combine8(&a), scalar::combine8(&b))
}

/// [`row_sums`] over f64 rows.
#[inline(always)]
fn row_sums_d<S: Lanes>(s: S, ssim: &[f64], cs: &[f64], pool: (usize, usize)) -> (f64, f64) {
    sums8(
        s,
        pool,
        |i| (s.load_d(ssim, i), s.load_d(cs, i)),
        |i| (ssim[i], cs[i]),
    )
}

/// The eight-accumulator sums of [`scalar::row_sums`] over `pool`: `vec(i)` gives the f64
/// vectors of both rows at column `i`, `one(i)` the two values at a tail column.
#[inline(always)]
fn sums8<S: Lanes>(
    s: S,
    (p0, p1): (usize, usize),
    vec: impl Fn(usize) -> (S::W, S::W),
    one: impl Fn(usize) -> (f64, f64),
) -> (f64, f64) {
    let full = p1.saturating_sub(p0) / 8 * 8;
    let zero = s.splat_d(0.0);
    let (mut acc_s, mut acc_c) = ([zero; 8], [zero; 8]);
    let per = 8 / S::D;
    let mut i = p0;
    while i < p0 + full {
        for j in 0..per {
            let (vs, vc) = vec(i + j * S::D);
            acc_s[j] = s.add_d(acc_s[j], vs);
            acc_c[j] = s.add_d(acc_c[j], vc);
        }
        i += 8;
    }
    let (mut a, mut b) = ([0f64; 8], [0f64; 8]);
    for j in 0..per {
        s.store_d(acc_s[j], &mut a, j * S::D);
        s.store_d(acc_c[j], &mut b, j * S::D);
    }
    for (t, i) in (p0 + full..p1).enumerate() {
        let (vs, vc) = one(i);
        a[t] += vs;
        b[t] += vc;
    }
    (scalar::combine8(&a), scalar::combine8(&b))
}

/// Window sums computed directly (`size` taps per column) rather than by running sums: the
/// values are integers below 2^53, so every order gives the same, exact sums.
#[inline(always)]
pub(crate) fn box_horizontal<S: Lanes>(
    s: S,
    x: &[f32],
    y: &[f32],
    size: usize,
    n: usize,
    out: &mut [f64],
) {
    if n < S::F {
        return scalar::box_horizontal(x, y, size, n, out);
    }
    // Sums of squares below 2^24 are exact in f32, which has twice the lanes of f64: true
    // for 8-bit samples with any box up to 127 taps, and for 10-bit ones up to 7 taps.
    let top = row_max(s, x, y, n + size - 1) as f64;
    if size as f64 * top * top < (1u32 << 24) as f64 {
        return box_horizontal_f32(s, x, y, size, n, out);
    }
    let (x, y) = (&x[..n + size - 1], &y[..n + size - 1]);
    let (sx, rest) = out.split_at_mut(n);
    let (sy, rest) = rest.split_at_mut(n);
    let (sxx, rest) = rest.split_at_mut(n);
    let (syy, rest) = rest.split_at_mut(n);
    let sxy = &mut rest[..n];
    let zero = s.splat_d(0.0);
    for o in chunks(n, S::D) {
        let (mut a, mut b, mut aa, mut bb, mut ab) = (zero, zero, zero, zero, zero);
        for j in 0..size {
            let (p, q) = (s.widen_d(x, o + j), s.widen_d(y, o + j));
            a = s.add_d(a, p);
            b = s.add_d(b, q);
            aa = s.add_d(aa, s.mul_d(p, p));
            bb = s.add_d(bb, s.mul_d(q, q));
            ab = s.add_d(ab, s.mul_d(p, q));
        }
        s.store_d(a, sx, o);
        s.store_d(b, sy, o);
        s.store_d(aa, sxx, o);
        s.store_d(bb, syy, o);
        s.store_d(ab, sxy, o);
    }
}

/// The largest of the first `len` values of both rows (samples are >= 0).
#[inline(always)]
fn row_max<S: Lanes>(s: S, x: &[f32], y: &[f32], len: usize) -> f32 {
    let mut top = s.splat(0.0);
    for row in [&x[..len], &y[..len]] {
        for i in chunks(len, S::F) {
            top = s.max(top, s.load(row, i));
        }
    }
    let mut lanes = [0f32; 16];
    s.store(top, &mut lanes, 0);
    lanes.iter().fold(0.0, |m, &v| m.max(v))
}

/// [`box_horizontal`] in f32: every sum is an integer below 2^24 (checked by the caller), so
/// f32 holds it exactly, fused or not, and the f64 results are the same bits.
#[inline(always)]
fn box_horizontal_f32<S: Lanes>(
    s: S,
    x: &[f32],
    y: &[f32],
    size: usize,
    n: usize,
    out: &mut [f64],
) {
    let (x, y) = (&x[..n + size - 1], &y[..n + size - 1]);
    let zero = s.splat(0.0);
    let mut tmp = [0f32; 16];
    for o in chunks(n, S::F) {
        let (mut a, mut b, mut aa, mut bb, mut ab) = (zero, zero, zero, zero, zero);
        for j in 0..size {
            let (p, q) = (s.load(x, o + j), s.load(y, o + j));
            a = s.add(a, p);
            b = s.add(b, q);
            aa = s.mul_add(p, p, aa);
            bb = s.mul_add(q, q, bb);
            ab = s.mul_add(p, q, ab);
        }
        for (m, v) in [a, b, aa, bb, ab].into_iter().enumerate() {
            s.store(v, &mut tmp, 0);
            for h in 0..S::F / S::D {
                let d = s.widen_d(&tmp, h * S::D);
                s.store_d(d, out, m * n + o + h * S::D);
            }
        }
    }
}

/// [`scalar::box_vertical`] with vectors: exact integer sums, so the same bits.
#[inline(always)]
pub(crate) fn box_vertical<S: Lanes>(
    s: S,
    ring: &[f64],
    slots: &[usize],
    size: usize,
    n: usize,
    out: &mut [f64],
) {
    if n < S::D {
        return scalar::box_vertical(ring, slots, size, n, out);
    }
    // The common sizes as constants: the window loop unrolls, and the pass's row offsets
    // fit a small array.
    match size {
        7 => box_vertical_sized::<S, { pass_rows(7) }>(s, ring, slots, 7, n, out),
        3 => box_vertical_sized::<S, { pass_rows(3) }>(s, ring, slots, 3, n, out),
        _ => box_vertical_sized::<S, MAX_PASS_ROWS>(s, ring, slots, size, n, out),
    }
}

#[inline(always)]
fn box_vertical_sized<S: Lanes, const CAP: usize>(
    s: S,
    ring: &[f64],
    slots: &[usize],
    size: usize,
    n: usize,
    out: &mut [f64],
) {
    let rows = slots.len() + 1 - size;
    let out = &mut out[..rows * MOMENTS * n];
    // Offsets of each window row's slot; moment m of row t starts at `base[t] + m * n`.
    // Multiplying at each load instead costs more than this (small) array.
    let mut base = [0usize; CAP];
    for (b, &slot) in base.iter_mut().zip(slots) {
        *b = slot * MOMENTS * n;
    }
    let base = &base[..slots.len()];
    for m in 0..MOMENTS {
        for i in chunks(n, S::D) {
            let at = m * n + i;
            let mut acc = s.load_d(ring, base[0] + at);
            for &b in &base[1..size] {
                acc = s.add_d(acc, s.load_d(ring, b + at));
            }
            s.store_d(acc, out, at);
            for k in 1..rows {
                let enter = s.load_d(ring, base[k + size - 1] + at);
                let leave = s.load_d(ring, base[k - 1] + at);
                acc = s.sub_d(s.add_d(acc, enter), leave);
                s.store_d(acc, out, k * MOMENTS * n + at);
            }
        }
    }
}

/// [`scalar::box_horizontal_narrow`] with vectors (exact, so the same bits).
#[inline(always)]
pub(crate) fn box_horizontal_narrow<S: Lanes>(
    s: S,
    x: &mut [f32],
    y: &mut [f32],
    size: usize,
    n: usize,
    out: &mut [f32],
) {
    if n < S::F {
        return scalar::box_horizontal_narrow(x, y, size, n, out);
    }
    let len = n + size - 1;
    let (x, y) = sum_difference(s, &mut x[..len], &mut y[..len]);
    // The common sizes as constants: the tap loop unrolls and its checks fold away.
    match size {
        7 => box_horizontal_narrow_sized(s, x, y, 7, n, out),
        3 => box_horizontal_narrow_sized(s, x, y, 3, n, out),
        _ => box_horizontal_narrow_sized(s, x, y, size, n, out),
    }
}

/// The window sums of `u` and `d` (already transformed) and of their squares.
#[inline(always)]
fn box_horizontal_narrow_sized<S: Lanes>(
    s: S,
    u: &[f32],
    d: &[f32],
    size: usize,
    n: usize,
    out: &mut [f32],
) {
    let out = &mut out[..UD_MOMENTS * n];
    let zero = s.splat(0.0);
    for o in chunks(n, S::F) {
        // One bounds check per vector of columns: with `size` a constant the tap loads'
        // checks fold away.
        let (uw, dw) = (&u[o..o + S::F + size - 1], &d[o..o + S::F + size - 1]);
        let (mut a, mut b, mut aa, mut bb) = (zero, zero, zero, zero);
        for j in 0..size {
            let (p, q) = (s.load(uw, j), s.load(dw, j));
            a = s.add(a, p);
            b = s.add(b, q);
            aa = s.mul_add(p, p, aa);
            bb = s.mul_add(q, q, bb);
        }
        for (m, v) in [a, b, aa, bb].into_iter().enumerate() {
            s.store(v, out, m * n + o);
        }
    }
}

/// [`scalar::box_formula`] lane by lane, with the scalar operation sequence and no fused
/// operation, so every backend gives the scalar bits.
#[inline(always)]
pub(crate) fn box_formula<S: Lanes>(
    s: S,
    sums: &mut [f64],
    n: usize,
    k: &FormulaConsts,
    pool: (usize, usize),
    ssim: &mut [f32],
    cs: &mut [f32],
) -> (f64, f64) {
    let sums = &mut sums[..MOMENTS * n];
    let (ssim, cs) = (&mut ssim[..n], &mut cs[..n]);
    let t = k.taps;
    let inv_t2 = 1.0 / (t * t);
    let covs = k.cov * inv_t2;
    let (tv, inv, c1, c2) = (
        s.splat_d(t),
        s.splat_d(inv_t2),
        s.splat_d(k.c1),
        s.splat_d(k.c2),
    );
    let (cov, two, two_cov) = (s.splat_d(covs), s.splat_d(2.0), s.splat_d(2.0 * covs));
    let whole = n / S::D * S::D;
    for i in (0..whole).step_by(S::D) {
        let (a, b) = (s.load_d(sums, i), s.load_d(sums, n + i));
        let (sxx, syy, sxy) = (
            s.load_d(sums, 2 * n + i),
            s.load_d(sums, 3 * n + i),
            s.load_d(sums, 4 * n + i),
        );
        let vx = s.sub_d(s.mul_d(tv, sxx), s.mul_d(a, a));
        let vy = s.sub_d(s.mul_d(tv, syy), s.mul_d(b, b));
        let vxy = s.sub_d(s.mul_d(tv, sxy), s.mul_d(a, b));
        let l = s.div_d(
            s.add_d(s.mul_d(s.mul_d(s.mul_d(two, a), b), inv), c1),
            s.add_d(s.mul_d(s.add_d(s.mul_d(a, a), s.mul_d(b, b)), inv), c1),
        );
        let c = s.div_d(
            s.add_d(s.mul_d(two_cov, vxy), c2),
            s.add_d(s.mul_d(cov, s.add_d(vx, vy)), c2),
        );
        let v = s.mul_d(l, c);
        s.store_d(v, sums, i);
        s.store_d(c, sums, n + i);
        s.store_narrow_d(v, ssim, i);
        s.store_narrow_d(c, cs, i);
    }
    for i in whole..n {
        let m = |j: usize| sums[j * n + i];
        let (v, c) = scalar::box_pixel(m(0), m(1), m(2), m(3), m(4), k);
        sums[i] = v;
        sums[n + i] = c;
        ssim[i] = v as f32;
        cs[i] = c as f32;
    }
    let (sv, cv) = sums.split_at(n);
    row_sums_d(s, sv, &cv[..n], pool)
}
