//! f64 row kernels of the gradient (ssim-std's backward pass): a FIR, weighted sums of ring
//! rows (plain, the four window moments, the combined output row) and the coefficient maps.
//! Separate multiply and add in the scalar order (symmetric weights paired the same way), so
//! every backend gives the scalar kernel's bits.

use super::scalar;
use crate::adjoint::CoefficientConsts;
use crate::lanes::{Lanes, Rows};
use crate::params::MAX_RADIUS;

/// The rows a two-row vertical pass reads: the largest window and one more.
const PAIR_ROWS: usize = 2 * MAX_RADIUS + 2;

/// Vectors kept in flight: independent sums hide the add latency.
const UNROLL: usize = 8;

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
    if n < S::D || stats.len() < 4 * n {
        return scalar::adjoint_coefficients(stats, k, out);
    }
    let (mu, rest) = stats.split_at(n);
    let (md, rest) = rest.split_at(n);
    let (euu, rest) = rest.split_at(n);
    let edd = &rest[..n];
    let (oa, rest) = out.split_at_mut(n);
    let (ob, oc) = rest.split_at_mut(n);
    let (zero, one, two) = (s.splat_d(0.0), s.splat_d(1.0), s.splat_d(2.0));
    let (half, quarter) = (s.splat_d(0.5), s.splat_d(0.25));
    let (cov, c1, c2) = (s.splat_d(k.cov), s.splat_d(k.c1), s.splat_d(k.c2));
    let f2 = s.splat_d(2.0 * k.dcov);
    let fd = s.splat_d(k.dcov);
    let pf2 = s.splat_d((k.weight * 2.0) * k.dcov);
    let pf = s.splat_d(k.weight * k.dcov);
    let pi = s.splat_d(k.weight);
    for q in tail(0, n, S::D) {
        let (u, d) = (s.load_d(mu, q), s.load_d(md, q));
        let vu = s.sub_d(s.load_d(euu, q), s.mul_d(u, u));
        let vd = s.sub_d(s.load_d(edd, q), s.mul_d(d, d));
        let (x, y) = (s.mul_d(s.add_d(u, d), half), s.mul_d(s.sub_d(u, d), half));
        let vs = s.mul_d(cov, s.mul_d(s.add_d(vu, vd), half));
        let vxy = s.mul_d(cov, s.mul_d(s.sub_d(vu, vd), quarter));
        let a2 = s.add_d(s.mul_d(two, vxy), c2);
        let b2 = s.add_d(vs, c2);
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

/// The vertical moments of `scalar::weighted_moments_f64`: one map row two column vectors at
/// a time, or, for a symmetric window, two map rows one column vector at a time (eight sums
/// in flight either way; `u`, `d` and their squares are formed per tap, as in the scalar
/// kernel). Two map rows load each of their window rows once: a 1080p ring of image rows is
/// in L2, whose bandwidth bounds this pass.
#[inline(always)]
pub(crate) fn weighted_moments_f64<S: Lanes>(
    s: S,
    ring: &[f64],
    starts: &[usize],
    w: &[f64],
    n: usize,
    out: &mut [f64],
) {
    let rows = scalar::rows_of(starts, w);
    let fits = starts
        .iter()
        .all(|&st| st.checked_add(2 * n).is_some_and(|e| e <= ring.len()));
    if n < S::D || !fits || rows == 0 || out.len() < rows * 4 * n {
        return scalar::weighted_moments_f64(ring, starts, w, n, out);
    }
    let sym = scalar::symmetric(w);
    let t = w.len();
    let mut r = 0;
    while r < rows {
        let (starts, out) = (&starts[r..], &mut out[r * 4 * n..]);
        if sym && r + 2 <= rows {
            let window = Rows::<PAIR_ROWS, f64>::new(ring, 2 * n, starts[..t + 1].iter().copied());
            for at in tail(0, n, S::D) {
                moments_pair(s, &window, w, n, at, out);
            }
            r += 2;
        } else {
            let mut i = 0;
            let block = MOMENT_UNROLL * S::D;
            while i + block <= n {
                moments_block::<S, MOMENT_UNROLL>(s, ring, starts, w, sym, n, i, out);
                i += block;
            }
            // The last vectors may overlap the block before (the same values).
            for at in tail(i, n, S::D) {
                moments_block::<S, 1>(s, ring, starts, w, sym, n, at, out);
            }
            r += 1;
        }
    }
}

/// Column vectors per block of the moments: two keep eight sums in flight.
const MOMENT_UNROLL: usize = 2;

/// `u, d, u^2, d^2` of one window row from its `x` and `y` (`u = x + y`, `d = x - y`).
#[inline(always)]
fn ud_row<S: Lanes>(s: S, x: S::W, y: S::W) -> [S::W; 4] {
    let (u, d) = (s.add_d(x, y), s.sub_d(x, y));
    [u, d, s.mul_d(u, u), s.mul_d(d, d)]
}

/// [`ud_row`] of window row `j` (`x` then `y`, `n` each) at column `at`.
#[inline(always)]
fn load_ud<S: Lanes>(
    s: S,
    window: &Rows<'_, PAIR_ROWS, f64>,
    n: usize,
    j: usize,
    at: usize,
) -> [S::W; 4] {
    ud_row(s, s.load_d_at(window, j, at), s.load_d_at(window, j, at + n))
}

/// `acc += w (a + b)` for each of the four values of the pair of rows `a`, `b`.
#[inline(always)]
fn add_pair<S: Lanes>(s: S, acc: &mut [S::W; 4], wv: S::W, a: [S::W; 4], b: [S::W; 4]) {
    for m in 0..4 {
        acc[m] = s.add_d(acc[m], s.mul_d(wv, s.add_d(a[m], b[m])));
    }
}

/// `acc += w v` for each of the four values of the single (centre) row `v`.
#[inline(always)]
fn add_single<S: Lanes>(s: S, acc: &mut [S::W; 4], wv: S::W, v: [S::W; 4]) {
    for m in 0..4 {
        acc[m] = s.add_d(acc[m], s.mul_d(wv, v[m]));
    }
}

/// Two map rows of the moments of a symmetric window (`window`: `w.len() + 1` rows) at the
/// column vector `at`, each window row loaded once. At pair `k` the first map row adds rows
/// `k, t - 1 - k` and the second rows `k + 1, t - k`; the next pair reuses rows `k + 1` and
/// `t - 1 - k`, so each step loads two rows.
#[inline(always)]
fn moments_pair<S: Lanes>(
    s: S,
    window: &Rows<'_, PAIR_ROWS, f64>,
    w: &[f64],
    n: usize,
    at: usize,
    out: &mut [f64],
) {
    let t = w.len();
    let mut acc = [[s.splat_d(0.0); 4]; 2];
    let (mut lo, mut hi) = (
        load_ud(s, window, n, 0, at),
        load_ud(s, window, n, t, at),
    );
    for (k, &wk) in w[..t / 2].iter().enumerate() {
        let wv = s.splat_d(wk);
        let (lo1, hi0) = (
            load_ud(s, window, n, k + 1, at),
            load_ud(s, window, n, t - 1 - k, at),
        );
        add_pair(s, &mut acc[0], wv, lo, hi0);
        add_pair(s, &mut acc[1], wv, lo1, hi);
        (lo, hi) = (lo1, hi0);
    }
    if t % 2 == 1 {
        // `lo` is now row `t / 2` and `hi` row `t / 2 + 1`: the two centres.
        let wv = s.splat_d(w[t / 2]);
        add_single(s, &mut acc[0], wv, lo);
        add_single(s, &mut acc[1], wv, hi);
    }
    for (r, acc) in acc.iter().enumerate() {
        for (m, a) in acc.iter().enumerate() {
            s.store_d(*a, out, r * 4 * n + m * n + at);
        }
    }
}

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
    let mut acc = [[s.splat_d(0.0); 4]; U];
    let xy = |st: usize| (&ring[st..st + len], &ring[st + n..st + n + len]);
    if sym {
        for k in 0..t / 2 {
            let wv = s.splat_d(w[k]);
            let ((xar, yar), (xbr, ybr)) = (xy(starts[k] + at), xy(starts[t - 1 - k] + at));
            for (u, acc) in acc.iter_mut().enumerate() {
                let o = u * S::D;
                let a = ud_row(s, s.load_d(xar, o), s.load_d(yar, o));
                let b = ud_row(s, s.load_d(xbr, o), s.load_d(ybr, o));
                add_pair(s, acc, wv, a, b);
            }
        }
    }
    for k in single {
        let wv = s.splat_d(w[k]);
        let (xr, yr) = xy(starts[k] + at);
        for (u, acc) in acc.iter_mut().enumerate() {
            add_single(s, acc, wv, ud_row(s, s.load_d(xr, u * S::D), s.load_d(yr, u * S::D)));
        }
    }
    for (u, acc) in acc.iter().enumerate() {
        for (m, a) in acc.iter().enumerate() {
            s.store_d(*a, out, m * n + at + u * S::D);
        }
    }
}

/// `scalar::weighted_combine_f64`: one output row two column vectors (six sums) at a time,
/// or, for a symmetric window, two output rows one column vector at a time (each window row
/// loaded once, as in the moments).
#[inline(always)]
pub(crate) fn weighted_combine_f64<S: Lanes>(
    s: S,
    ring: &[f64],
    starts: &[usize],
    w: &[f64],
    samples: &[f64],
    sample_starts: &[usize],
    out: &mut [f64],
) {
    let rows = scalar::rows_of(starts, w);
    let n = out.len() / rows.max(1);
    let fits = starts
        .iter()
        .all(|&st| st.checked_add(3 * n).is_some_and(|e| e <= ring.len()));
    let pairs_fit = sample_starts.len() >= rows
        && sample_starts[..rows.min(sample_starts.len())]
            .iter()
            .all(|&st| st.checked_add(2 * n).is_some_and(|e| e <= samples.len()));
    if n < S::D || !fits || rows == 0 || !pairs_fit {
        return scalar::weighted_combine_f64(ring, starts, w, samples, sample_starts, out);
    }
    let sym = scalar::symmetric(w);
    let t = w.len();
    let xy = |r: usize| {
        let st = sample_starts[r];
        (&samples[st..st + n], &samples[st + n..st + 2 * n])
    };
    let mut r = 0;
    while r < rows {
        let starts = &starts[r..];
        let out = &mut out[r * n..];
        if sym && r + 2 <= rows {
            let (xs, ys) = ([xy(r).0, xy(r + 1).0], [xy(r).1, xy(r + 1).1]);
            let window = Rows::<PAIR_ROWS, f64>::new(ring, 3 * n, starts[..t + 1].iter().copied());
            for at in tail(0, n, S::D) {
                combine_pair(s, &window, w, xs, ys, n, at, out);
            }
            r += 2;
        } else {
            let (x, y) = xy(r);
            let mut i = 0;
            let block = MOMENT_UNROLL * S::D;
            while i + block <= n {
                combine_block::<S, MOMENT_UNROLL>(s, ring, starts, w, sym, x, y, n, i, out);
                i += block;
            }
            for at in tail(i, n, S::D) {
                combine_block::<S, 1>(s, ring, starts, w, sym, x, y, n, at, out);
            }
            r += 1;
        }
    }
}

/// The three coefficient values of window row `j` (`a, b, c`, `n` each) at column `at`.
#[inline(always)]
fn load_abc<S: Lanes>(
    s: S,
    window: &Rows<'_, PAIR_ROWS, f64>,
    n: usize,
    j: usize,
    at: usize,
) -> [S::W; 3] {
    [
        s.load_d_at(window, j, at),
        s.load_d_at(window, j, at + n),
        s.load_d_at(window, j, at + 2 * n),
    ]
}

/// `(A + y B) + x C` of one column vector into `out` at `q`.
#[inline(always)]
fn combine_store<S: Lanes>(s: S, acc: [S::W; 3], x: &[f64], y: &[f64], q: usize, out: &mut [f64]) {
    let (xv, yv) = (s.load_d(x, q), s.load_d(y, q));
    let v = s.add_d(s.add_d(acc[0], s.mul_d(yv, acc[1])), s.mul_d(xv, acc[2]));
    s.store_d(v, out, q);
}

/// Two output rows of a symmetric window (`window`: `w.len() + 1` rows; the samples of row
/// `r` in `x[r]`, `y[r]`) at the column vector `at`, each window row loaded once (the order of
/// `moments_pair`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn combine_pair<S: Lanes>(
    s: S,
    window: &Rows<'_, PAIR_ROWS, f64>,
    w: &[f64],
    x: [&[f64]; 2],
    y: [&[f64]; 2],
    n: usize,
    at: usize,
    out: &mut [f64],
) {
    let t = w.len();
    let mut acc = [[s.splat_d(0.0); 3]; 2];
    let (mut lo, mut hi) = (load_abc(s, window, n, 0, at), load_abc(s, window, n, t, at));
    for (k, &wk) in w[..t / 2].iter().enumerate() {
        let wv = s.splat_d(wk);
        let (lo1, hi0) = (
            load_abc(s, window, n, k + 1, at),
            load_abc(s, window, n, t - 1 - k, at),
        );
        for m in 0..3 {
            acc[0][m] = s.add_d(acc[0][m], s.mul_d(wv, s.add_d(lo[m], hi0[m])));
            acc[1][m] = s.add_d(acc[1][m], s.mul_d(wv, s.add_d(lo1[m], hi[m])));
        }
        (lo, hi) = (lo1, hi0);
    }
    if t % 2 == 1 {
        let wv = s.splat_d(w[t / 2]);
        for m in 0..3 {
            acc[0][m] = s.add_d(acc[0][m], s.mul_d(wv, lo[m]));
            acc[1][m] = s.add_d(acc[1][m], s.mul_d(wv, hi[m]));
        }
    }
    combine_store(s, acc[0], x[0], y[0], at, &mut out[..n]);
    combine_store(s, acc[1], x[1], y[1], at, &mut out[n..]);
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
    n: usize,
    at: usize,
    out: &mut [f64],
) {
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
        combine_store(s, *acc, x, y, at + u * S::D, out);
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
