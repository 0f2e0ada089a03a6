//! f64 row kernels of the gradient (ssim-std's backward pass): a FIR, weighted sums of ring
//! rows (plain, the five window moments, the combined output row) and the coefficient maps.
//! Separate multiply and add in the scalar order (symmetric weights paired the same way), so
//! every backend gives the scalar kernel's bits.

use super::scalar;
use crate::adjoint::CoefficientConsts;
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
    // A FIR is a weighted sum of the rows that start one sample apart.
    weighted_sum(s, src, |k| k, g, out);
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
    weighted_sum(s, ring, |k| starts[k], w, out);
}

/// `out[q] = sum_t w[t] data[start(t) + q]` in the scalar kernels' order (symmetric weights
/// paired first, the unpaired middle after). The callers have checked that every row
/// `start(t)..start(t) + out.len()` lies in `data` and that `out.len() >= S::D`.
#[inline(always)]
fn weighted_sum<S: Lanes>(
    s: S,
    data: &[f64],
    start: impl Fn(usize) -> usize,
    w: &[f64],
    out: &mut [f64],
) {
    let n = out.len();
    let t = w.len();
    let sym = scalar::symmetric(w);
    let single = if sym { t / 2..t - t / 2 } else { 0..t };
    let block = UNROLL * S::D;
    let mut i = 0;
    while i + block <= n {
        let mut acc = [s.splat_d(0.0); UNROLL];
        if sym {
            for (k, &wk) in w[..t / 2].iter().enumerate() {
                let wv = s.splat_d(wk);
                // One bounds check per tap: the loads below index slices of constant length.
                let (ra, rb) = (start(k) + i, start(t - 1 - k) + i);
                let (lo, hi) = (&data[ra..ra + block], &data[rb..rb + block]);
                for (u, a) in acc.iter_mut().enumerate() {
                    let pair = s.add_d(s.load_d(lo, u * S::D), s.load_d(hi, u * S::D));
                    *a = s.add_d(*a, s.mul_d(wv, pair));
                }
            }
        }
        for k in single.clone() {
            let wv = s.splat_d(w[k]);
            let row = &data[start(k) + i..start(k) + i + block];
            for (u, a) in acc.iter_mut().enumerate() {
                *a = s.add_d(*a, s.mul_d(wv, s.load_d(row, u * S::D)));
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
            if sym {
                for (k, &wk) in w[..t / 2].iter().enumerate() {
                    let pair = s.add_d(
                        s.load_d(data, start(k) + at),
                        s.load_d(data, start(t - 1 - k) + at),
                    );
                    acc = s.add_d(acc, s.mul_d(s.splat_d(wk), pair));
                }
            }
            for k in single.clone() {
                acc = s.add_d(acc, s.mul_d(s.splat_d(w[k]), s.load_d(data, start(k) + at)));
            }
            s.store_d(acc, out, at);
        }
    }
}

/// The coefficient rows `a, b, c` from the statistics rows, lane by lane in the operations
/// of `scalar::adjoint_coefficient`.
#[inline(always)]
pub(crate) fn adjoint_coefficients<S: Lanes>(
    s: S,
    stats: &[f64],
    k: &CoefficientConsts,
    out: &mut [f64],
) {
    let n = out.len() / 3;
    if n < S::D || stats.len() < 5 * n {
        return scalar::adjoint_coefficients(stats, k, out);
    }
    let (mx, rest) = stats.split_at(n);
    let (my, rest) = rest.split_at(n);
    let (exx, rest) = rest.split_at(n);
    let (eyy, rest) = rest.split_at(n);
    let exy = &rest[..n];
    let (oa, rest) = out.split_at_mut(n);
    let (ob, oc) = rest.split_at_mut(n);
    let (zero, one, two) = (s.splat_d(0.0), s.splat_d(1.0), s.splat_d(2.0));
    let (cov, c1, c2) = (s.splat_d(k.cov), s.splat_d(k.c1), s.splat_d(k.c2));
    let f2 = s.splat_d(2.0 * k.dcov);
    let fd = s.splat_d(k.dcov);
    let pf2 = s.splat_d((k.weight * 2.0) * k.dcov);
    let pf = s.splat_d(k.weight * k.dcov);
    let pi = s.splat_d(k.weight);
    for q in tail(0, n, S::D) {
        let (x, y) = (s.load_d(mx, q), s.load_d(my, q));
        let vx = s.mul_d(cov, s.sub_d(s.load_d(exx, q), s.mul_d(x, x)));
        let vy = s.mul_d(cov, s.sub_d(s.load_d(eyy, q), s.mul_d(y, y)));
        let vxy = s.mul_d(cov, s.sub_d(s.load_d(exy, q), s.mul_d(x, y)));
        let a2 = s.add_d(s.mul_d(two, vxy), c2);
        let b2 = s.add_d(s.add_d(vx, vy), c2);
        let (d_my, d_vxy, d_vyy) = if k.cs {
            let inv = s.div_d(one, b2);
            (
                zero,
                s.mul_d(two, inv),
                s.sub_d(zero, s.mul_d(s.mul_d(a2, inv), inv)),
            )
        } else {
            let a1 = s.add_d(s.mul_d(s.mul_d(two, x), y), c1);
            let b1 = s.add_d(s.add_d(s.mul_d(x, x), s.mul_d(y, y)), c1);
            let inv = s.div_d(one, s.mul_d(b1, b2));
            let sv = s.mul_d(s.mul_d(a1, a2), inv);
            (
                s.mul_d(
                    s.mul_d(two, inv),
                    s.sub_d(s.mul_d(x, a2), s.mul_d(s.mul_d(y, sv), b2)),
                ),
                s.mul_d(s.mul_d(two, a1), inv),
                s.sub_d(zero, s.mul_d(s.mul_d(sv, b1), inv)),
            )
        };
        let a = s.mul_d(
            pi,
            s.sub_d(
                s.sub_d(d_my, s.mul_d(s.mul_d(f2, y), d_vyy)),
                s.mul_d(s.mul_d(fd, x), d_vxy),
            ),
        );
        s.store_d(a, oa, q);
        s.store_d(s.mul_d(pf2, d_vyy), ob, q);
        s.store_d(s.mul_d(pf, d_vxy), oc, q);
    }
}

/// The vertical moments of `scalar::weighted_moments_f64`, one vector of columns at a time
/// (five sums in flight; the products are formed per tap, as in the scalar kernel).
#[inline(always)]
pub(crate) fn weighted_moments_f64<S: Lanes>(
    s: S,
    ring: &[f64],
    starts: &[usize],
    w: &[f64],
    n: usize,
    out: &mut [f64],
) {
    let fits = starts
        .iter()
        .all(|&st| st.checked_add(2 * n).is_some_and(|e| e <= ring.len()));
    if n < S::D || !fits || starts.len() != w.len() || out.len() < 5 * n {
        return scalar::weighted_moments_f64(ring, starts, w, n, out);
    }
    let sym = scalar::symmetric(w);
    let block = MOMENT_UNROLL * S::D;
    let mut i = 0;
    while i + block <= n {
        moments_block::<S, MOMENT_UNROLL>(s, ring, starts, w, sym, n, i, out);
        i += block;
    }
    if i < n {
        // The last vectors may overlap the block before (the same values).
        for at in tail(i, n, S::D) {
            moments_block::<S, 1>(s, ring, starts, w, sym, n, at, out);
        }
    }
}

/// Column vectors per block of the moments: two keep ten sums in flight.
const MOMENT_UNROLL: usize = 2;

/// The moments of the `U` column vectors from `at`; one bounds check per window row.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn moments_block<S: Lanes, const U: usize>(
    s: S,
    ring: &[f64],
    starts: &[usize],
    w: &[f64],
    sym: bool,
    n: usize,
    at: usize,
    out: &mut [f64],
) {
    let len = U * S::D;
    let t = w.len();
    let single = if sym { t / 2..t - t / 2 } else { 0..t };
    let mut acc = [[s.splat_d(0.0); 5]; U];
    if sym {
        for k in 0..t / 2 {
            let wv = s.splat_d(w[k]);
            let (a, b) = (starts[k] + at, starts[t - 1 - k] + at);
            let (xar, yar) = (&ring[a..a + len], &ring[a + n..a + n + len]);
            let (xbr, ybr) = (&ring[b..b + len], &ring[b + n..b + n + len]);
            for (u, acc) in acc.iter_mut().enumerate() {
                let o = u * S::D;
                let (xa, ya) = (s.load_d(xar, o), s.load_d(yar, o));
                let (xb, yb) = (s.load_d(xbr, o), s.load_d(ybr, o));
                acc[0] = s.add_d(acc[0], s.mul_d(wv, s.add_d(xa, xb)));
                acc[1] = s.add_d(acc[1], s.mul_d(wv, s.add_d(ya, yb)));
                let xx = s.add_d(s.mul_d(xa, xa), s.mul_d(xb, xb));
                acc[2] = s.add_d(acc[2], s.mul_d(wv, xx));
                let yy = s.add_d(s.mul_d(ya, ya), s.mul_d(yb, yb));
                acc[3] = s.add_d(acc[3], s.mul_d(wv, yy));
                let xy = s.add_d(s.mul_d(xa, ya), s.mul_d(xb, yb));
                acc[4] = s.add_d(acc[4], s.mul_d(wv, xy));
            }
        }
    }
    for k in single {
        let wv = s.splat_d(w[k]);
        let st = starts[k] + at;
        let (xr, yr) = (&ring[st..st + len], &ring[st + n..st + n + len]);
        for (u, acc) in acc.iter_mut().enumerate() {
            let (x, y) = (s.load_d(xr, u * S::D), s.load_d(yr, u * S::D));
            acc[0] = s.add_d(acc[0], s.mul_d(wv, x));
            acc[1] = s.add_d(acc[1], s.mul_d(wv, y));
            acc[2] = s.add_d(acc[2], s.mul_d(wv, s.mul_d(x, x)));
            acc[3] = s.add_d(acc[3], s.mul_d(wv, s.mul_d(y, y)));
            acc[4] = s.add_d(acc[4], s.mul_d(wv, s.mul_d(x, y)));
        }
    }
    for (u, acc) in acc.iter().enumerate() {
        for (m, a) in acc.iter().enumerate() {
            s.store_d(*a, out, m * n + at + u * S::D);
        }
    }
}

/// `scalar::weighted_combine_f64`, two column vectors (six sums) at a time.
#[inline(always)]
pub(crate) fn weighted_combine_f64<S: Lanes>(
    s: S,
    ring: &[f64],
    starts: &[usize],
    w: &[f64],
    x: &[f64],
    y: &[f64],
    out: &mut [f64],
) {
    let n = out.len();
    let fits = starts
        .iter()
        .all(|&st| st.checked_add(3 * n).is_some_and(|e| e <= ring.len()));
    if n < S::D || !fits || starts.len() != w.len() || x.len() < n || y.len() < n {
        return scalar::weighted_combine_f64(ring, starts, w, x, y, out);
    }
    let sym = scalar::symmetric(w);
    let block = MOMENT_UNROLL * S::D;
    let mut i = 0;
    while i + block <= n {
        combine_block::<S, MOMENT_UNROLL>(s, ring, starts, w, sym, x, y, i, out);
        i += block;
    }
    if i < n {
        for at in tail(i, n, S::D) {
            combine_block::<S, 1>(s, ring, starts, w, sym, x, y, at, out);
        }
    }
}

/// The output of the `U` column vectors from `at`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn combine_block<S: Lanes, const U: usize>(
    s: S,
    ring: &[f64],
    starts: &[usize],
    w: &[f64],
    sym: bool,
    x: &[f64],
    y: &[f64],
    at: usize,
    out: &mut [f64],
) {
    let n = out.len();
    let len = U * S::D;
    let t = w.len();
    let single = if sym { t / 2..t - t / 2 } else { 0..t };
    let mut acc = [[s.splat_d(0.0); 3]; U];
    if sym {
        for k in 0..t / 2 {
            let wv = s.splat_d(w[k]);
            let (a, b) = (starts[k] + at, starts[t - 1 - k] + at);
            for m in 0..3 {
                let (ra, rb) = (&ring[a + m * n..][..len], &ring[b + m * n..][..len]);
                for (u, acc) in acc.iter_mut().enumerate() {
                    let pair = s.add_d(s.load_d(ra, u * S::D), s.load_d(rb, u * S::D));
                    acc[m] = s.add_d(acc[m], s.mul_d(wv, pair));
                }
            }
        }
    }
    for k in single {
        let wv = s.splat_d(w[k]);
        for m in 0..3 {
            let r = &ring[starts[k] + at + m * n..][..len];
            for (u, acc) in acc.iter_mut().enumerate() {
                acc[m] = s.add_d(acc[m], s.mul_d(wv, s.load_d(r, u * S::D)));
            }
        }
    }
    for (u, acc) in acc.iter().enumerate() {
        let q = at + u * S::D;
        let (xv, yv) = (s.load_d(x, q), s.load_d(y, q));
        let v = s.add_d(s.add_d(acc[0], s.mul_d(yv, acc[1])), s.mul_d(xv, acc[2]));
        s.store_d(v, out, q);
    }
}

/// `scalar::widen_u8_f64`: `S::F` samples to f32 (exact), then to f64 `S::D` at a time.
#[inline(always)]
pub(crate) fn widen_u8_f64<S: Lanes>(s: S, src: &[u8], out: &mut [f64]) {
    let n = out.len().min(src.len());
    // The f32 lanes of one load pass through a stack row (a store the two widening loads
    // read back at once).
    const CAP: usize = 64;
    if n < S::F || S::F > CAP {
        return scalar::widen_u8_f64(src, out);
    }
    let mut tmp = [0.0f32; CAP];
    for at in tail(0, n, S::F) {
        s.store(s.load_u8(src, at), &mut tmp, 0);
        for j in (0..S::F).step_by(S::D) {
            s.store_d(s.widen_d(&tmp, j), out, at + j);
        }
    }
}

/// `scalar::widen_f32_f64`, `S::D` values at a time.
#[inline(always)]
pub(crate) fn widen_f32_f64<S: Lanes>(s: S, src: &[f32], out: &mut [f64]) {
    let n = out.len().min(src.len());
    if n < S::D {
        return scalar::widen_f32_f64(src, out);
    }
    for at in tail(0, n, S::D) {
        s.store_d(s.widen_d(src, at), out, at);
    }
}

/// `scalar::narrow_f32`, `S::D` values at a time (the conversion rounds to nearest, as `as`).
#[inline(always)]
pub(crate) fn narrow_f32<S: Lanes>(s: S, src: &[f64], out: &mut [f32]) {
    let n = out.len().min(src.len());
    if n < S::D {
        return scalar::narrow_f32(src, out);
    }
    for at in tail(0, n, S::D) {
        s.store_narrow_d(s.load_d(src, at), out, at);
    }
}
