//! f64 row kernels of the gradient (ssim-std's backward pass): a plain FIR and a weighted
//! sum of ring rows. Separate multiply and add in the scalar order, so every backend gives
//! the scalar kernel's bits.

use super::scalar;
use crate::lanes::Lanes;

/// Vectors kept in flight: independent sums hide the add latency.
const UNROLL: usize = 4;

/// Vector starts covering `from..n` (`n >= d`): steps of `d`, the last moved back to end at
/// `n` (it recomputes a few values with the same result).
#[inline(always)]
fn tail(from: usize, n: usize, d: usize) -> impl Iterator<Item = usize> {
    (from..n).step_by(d).map(move |j| j.min(n - d))
}

/// `out[p] = sum_k g[k] src[p + k]`, taps in order from 0.0.
#[inline(always)]
pub(crate) fn fir_f64<S: Lanes>(s: S, src: &[f64], g: &[f64], out: &mut [f64]) {
    let n = out.len();
    if n < S::D || src.len() + 1 < n + g.len() {
        return scalar::fir_f64(src, g, out);
    }
    let block = UNROLL * S::D;
    let mut i = 0;
    while i + block <= n {
        let mut acc = [s.splat_d(0.0); UNROLL];
        for (k, &gk) in g.iter().enumerate() {
            let w = s.splat_d(gk);
            for (u, a) in acc.iter_mut().enumerate() {
                *a = s.add_d(*a, s.mul_d(w, s.load_d(src, i + k + u * S::D)));
            }
        }
        for (u, a) in acc.iter().enumerate() {
            s.store_d(*a, out, i + u * S::D);
        }
        i += block;
    }
    if i < n {
        // The tail, one vector at a time; the last one may overlap (same values).
        for at in tail(i, n, S::D) {
            let mut acc = s.splat_d(0.0);
            for (k, &gk) in g.iter().enumerate() {
                acc = s.add_d(acc, s.mul_d(s.splat_d(gk), s.load_d(src, at + k)));
            }
            s.store_d(acc, out, at);
        }
    }
}

/// `out[q] = sum_t w[t] ring[starts[t] + q]`, rows in order from 0.0.
#[inline(always)]
pub(crate) fn weighted_rows_f64<S: Lanes>(
    s: S,
    ring: &[f64],
    starts: &[usize],
    w: &[f64],
    out: &mut [f64],
) {
    let n = out.len();
    let fits = starts
        .iter()
        .all(|&st| st.checked_add(n).is_some_and(|e| e <= ring.len()));
    if n < S::D || !fits || starts.len() != w.len() {
        return scalar::weighted_rows_f64(ring, starts, w, out);
    }
    let block = UNROLL * S::D;
    let mut i = 0;
    while i + block <= n {
        let mut acc = [s.splat_d(0.0); UNROLL];
        for (&st, &wt) in starts.iter().zip(w) {
            let wv = s.splat_d(wt);
            for (u, a) in acc.iter_mut().enumerate() {
                *a = s.add_d(*a, s.mul_d(wv, s.load_d(ring, st + i + u * S::D)));
            }
        }
        for (u, a) in acc.iter().enumerate() {
            s.store_d(*a, out, i + u * S::D);
        }
        i += block;
    }
    if i < n {
        for at in tail(i, n, S::D) {
            let mut acc = s.splat_d(0.0);
            for (&st, &wt) in starts.iter().zip(w) {
                acc = s.add_d(acc, s.mul_d(s.splat_d(wt), s.load_d(ring, st + at)));
            }
            s.store_d(acc, out, at);
        }
    }
}
