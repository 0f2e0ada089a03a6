//! The f32 moment kernels of Gaussian windows and f32 samples: centred horizontal moments,
//! then the centred vertical combination fused with the formula.

use super::{chunks, pass_rows, MAX_PASS_ROWS};
use crate::kernels::{scalar, ud_at, FormulaConsts, ROWS_PER_PASS, UD_GROUP, UD_MOMENTS};
use crate::lanes::{Lanes, Rows};

#[inline(always)]
pub(crate) fn horizontal<S: Lanes>(
    s: S,
    x: &mut [f32],
    y: &mut [f32],
    w: &[f32],
    n: usize,
    out: &mut [f32],
) {
    // Whole groups only: the vectors then never straddle two (the engine's rows always are).
    if n < S::F || !n.is_multiple_of(UD_GROUP) {
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
pub(super) fn sum_difference<'a, S: Lanes>(
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
    let out = &mut out[..UD_MOMENTS * n];
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
        // The four moments of these columns, side by side in their group.
        let g = &mut out[ud_at(0, o)..][..UD_MOMENTS * UD_GROUP - o % UD_GROUP];
        s.store(s.add(su, a), g, 0);
        s.store(s.add(sd, b), g, UD_GROUP);
        s.store(s.mul_add(na, a, qu), g, 2 * UD_GROUP);
        s.store(s.mul_add(nb, b, qd), g, 3 * UD_GROUP);
    }
}

/// The four statistics (`mu, md, vu, vd`) of the map row centred on ring row `mid`, columns
/// `i..i + F`: the centred vertical combination (law of total variance), in the operation
/// order of the scalar kernel's `vertical_pixel`.
#[inline(always)]
fn window_stats<S: Lanes, const CAP: usize>(
    s: S,
    ring: &Rows<'_, CAP>,
    w: &[f32],
    mid: usize,
    i: usize,
) -> [S::V; UD_MOMENTS] {
    let zero = s.splat(0.0);
    let g = ud_at(0, i);
    let at = |t: usize, m: usize| s.load_at(ring, t, g + m * UD_GROUP);
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

/// [`scalar::vertical_formula`] with vectors: the vertical combination and the formula in one
/// pass, the statistics kept in registers instead of going through a row in memory.
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
    if n < S::F || !n.is_multiple_of(UD_GROUP) {
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
    let mut st = [[zero; UD_MOMENTS]; ROWS_PER_PASS];
    for i in chunks(n, S::F) {
        for (row, m) in st.iter_mut().enumerate().take(rows) {
            let mid = row + r;
            *m = window_stats(s, &ring, w, mid, i);
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
