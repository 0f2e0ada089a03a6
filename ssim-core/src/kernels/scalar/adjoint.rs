//! The scalar kernels of the gradient's backward pass (feature `gradient`): f64 rows, in the
//! order every other backend follows.

use crate::adjoint::CoefficientConsts;

/// Whether the weights read the same both ways (`w[t] == w[len - 1 - t]`): the gradient's
/// kernels then add the two samples of a pair before the one multiply, in pair order `t`,
/// `len - 1 - t` from the outside in, the odd centre last. Every backend makes the same test,
/// so the bits stay those of the scalar kernel.
#[inline(always)]
pub(crate) fn symmetric(w: &[f64]) -> bool {
    w.iter().zip(w.iter().rev()).all(|(a, b)| a == b)
}

/// `out[p] = sum_k g[k] src[p + k]` (the gradient's FIR), taps in order from 0.0, or paired
/// if `g` is [`symmetric`].
pub(crate) fn fir_f64(src: &[f64], g: &[f64], out: &mut [f64]) {
    let t = g.len();
    let sym = symmetric(g);
    for (p, o) in out.iter_mut().enumerate() {
        let mut acc = 0.0;
        if sym {
            for k in 0..t / 2 {
                acc += g[k] * (src[p + k] + src[p + t - 1 - k]);
            }
            if t % 2 == 1 {
                acc += g[t / 2] * src[p + t / 2];
            }
        } else {
            for (k, &gk) in g.iter().enumerate() {
                acc += gk * src[p + k];
            }
        }
        *o = acc;
    }
}

/// `out[q] = sum_t w[t] ring[starts[t] + q]` (the gradient's vertical passes), rows in order
/// from 0.0, or paired if `w` is [`symmetric`].
pub(crate) fn weighted_rows_f64(ring: &[f64], starts: &[usize], w: &[f64], out: &mut [f64]) {
    let t = w.len().min(starts.len());
    let sym = symmetric(&w[..t]);
    for (q, o) in out.iter_mut().enumerate() {
        let mut acc = 0.0;
        if sym {
            for k in 0..t / 2 {
                acc += w[k] * (ring[starts[k] + q] + ring[starts[t - 1 - k] + q]);
            }
            if t % 2 == 1 {
                acc += w[t / 2] * ring[starts[t / 2] + q];
            }
        } else {
            for (&st, &wt) in starts.iter().zip(w) {
                acc += wt * ring[st + q];
            }
        }
        *o = acc;
    }
}

/// The gradient's coefficients `(a, b, c)` of one map pixel from its window statistics in
/// sum and difference form (`u = x + y`, `d = x - y`): the means `mu_u, mu_d` and second
/// moments `E[u^2], E[d^2]`. The formula only reads `s_xx + s_yy = (s_uu + s_dd) / 2` and
/// `s_xy = (s_uu - s_dd) / 4`, so four statistics carry all it needs. The generic kernel
/// repeats these operations lane by lane (negation as `0.0 - v`), so every backend gives
/// these bits.
#[inline(always)]
pub(crate) fn adjoint_coefficient(
    k: &CoefficientConsts,
    mu: f64,
    md: f64,
    euu: f64,
    edd: f64,
) -> (f64, f64, f64) {
    let (vu, vd) = (euu - mu * mu, edd - md * md);
    let (mx, my) = ((mu + md) * 0.5, (mu - md) * 0.5);
    // `cov (s_xx + s_yy)` and `cov s_xy`.
    let vs = k.cov * ((vu + vd) * 0.5);
    let vxy = k.cov * ((vu - vd) * 0.25);
    let a2 = 2.0 * vxy + k.c2;
    let b2 = vs + k.c2;
    let (d_my, d_vxy, d_vyy) = if k.cs {
        let inv = 1.0 / b2;
        (0.0, 2.0 * inv, 0.0 - (a2 * inv) * inv)
    } else {
        let a1 = (2.0 * mx) * my + k.c1;
        let b1 = (mx * mx + my * my) + k.c1;
        // 1 / b1 = b2 / d and 1 / b2 = b1 / d: one division.
        let inv = 1.0 / (b1 * b2);
        let s = (a1 * a2) * inv;
        (
            (2.0 * inv) * (mx * a2 - (my * s) * b2),
            (2.0 * a1) * inv,
            0.0 - (s * b1) * inv,
        )
    };
    let f = k.dcov;
    let pi = k.weight;
    (
        pi * ((d_my - ((2.0 * f) * my) * d_vyy) - (f * mx) * d_vxy),
        ((pi * 2.0) * f) * d_vyy,
        (pi * f) * d_vxy,
    )
}

/// The coefficient rows `a, b, c` (`out`: 3 rows of `n`) from the statistics rows
/// `mu_u, mu_d, E[u^2], E[d^2]` (`stats`: 4 rows of `n`).
pub(crate) fn adjoint_coefficients(stats: &[f64], k: &CoefficientConsts, out: &mut [f64]) {
    let n = out.len() / 3;
    let st = &stats[..4 * n];
    let (oa, rest) = out.split_at_mut(n);
    let (ob, oc) = rest.split_at_mut(n);
    for q in 0..n {
        let (a, b, c) = adjoint_coefficient(k, st[q], st[n + q], st[2 * n + q], st[3 * n + q]);
        oa[q] = a;
        ob[q] = b;
        oc[q] = c;
    }
}

/// How many consecutive map rows a vertical pass computes: its `starts` hold the `w.len()`
/// rows of the first and one more row per further map row (0 if `starts` is short).
#[inline(always)]
pub(crate) fn rows_of(starts: &[usize], w: &[f64]) -> usize {
    (starts.len() + 1).saturating_sub(w.len())
}

/// The gradient's vertical moments: for every column `q < n`, with `x_t = ring[starts[t] + q]`,
/// `y_t = ring[starts[t] + n + q]`, `u_t = x_t + y_t` and `d_t = x_t - y_t`, the sums over
/// `t` (in order from 0.0) of `w[t] u_t`, `w[t] d_t`, `w[t] (u_t u_t)`, `w[t] (d_t d_t)` into
/// the four rows of `out` (paired if `w` is [`symmetric`]: `w[t] (u_t + u_s)`,
/// `w[t] (u_t u_t + u_s u_s)`, ...). Map row `r` of [`rows_of`] reads
/// `starts[r..r + w.len()]` into `out[4 n r..4 n (r + 1)]`.
pub(crate) fn weighted_moments_f64(
    ring: &[f64],
    starts: &[usize],
    w: &[f64],
    n: usize,
    out: &mut [f64],
) {
    let (t, rows) = (w.len(), rows_of(starts, w));
    if n == 0 {
        return;
    }
    for (r, out) in out[..rows * 4 * n].chunks_exact_mut(4 * n).enumerate() {
        moments_row(ring, &starts[r..r + t], w, n, out);
    }
}

/// One map row of [`weighted_moments_f64`].
fn moments_row(ring: &[f64], starts: &[usize], w: &[f64], n: usize, out: &mut [f64]) {
    let t = w.len().min(starts.len());
    let sym = symmetric(&w[..t]);
    let ud = |st: usize, q: usize| {
        let (x, y) = (ring[st + q], ring[st + n + q]);
        (x + y, x - y)
    };
    for q in 0..n {
        let mut acc = [0.0f64; 4];
        if sym {
            for k in 0..t / 2 {
                let ((ua, da), (ub, db)) = (ud(starts[k], q), ud(starts[t - 1 - k], q));
                let wt = w[k];
                acc[0] += wt * (ua + ub);
                acc[1] += wt * (da + db);
                acc[2] += wt * ((ua * ua) + (ub * ub));
                acc[3] += wt * ((da * da) + (db * db));
            }
        }
        let single = if sym { t / 2..t - t / 2 } else { 0..t };
        for k in single {
            let wt = w[k];
            let (u, d) = ud(starts[k], q);
            acc[0] += wt * u;
            acc[1] += wt * d;
            acc[2] += wt * (u * u);
            acc[3] += wt * (d * d);
        }
        for (m, a) in acc.iter().enumerate() {
            out[m * n + q] = *a;
        }
    }
}

/// The gradient's output rows: with `a_t, b_t, c_t` the three rows of `n` at
/// `ring[starts[t]..]` (one after the other), `out[q] = (A + y[q] B) + x[q] C` where `A, B, C`
/// are the `w`-weighted sums of the rows, each as in [`weighted_rows_f64`]. Output row `r` of
/// [`rows_of`] (`n = out.len() / rows`) reads `starts[r..r + w.len()]` and the samples
/// `x = samples[sample_starts[r]..][..n]`, `y = samples[sample_starts[r] + n..][..n]`.
pub(crate) fn weighted_combine_f64(
    ring: &[f64],
    starts: &[usize],
    w: &[f64],
    samples: &[f64],
    sample_starts: &[usize],
    out: &mut [f64],
) {
    let (t, rows) = (w.len(), rows_of(starts, w));
    let n = out.len() / rows.max(1);
    if n == 0 {
        return;
    }
    for (r, out) in out.chunks_exact_mut(n).take(rows).enumerate() {
        let xy = &samples[sample_starts[r]..][..2 * n];
        combine_row(ring, &starts[r..r + t], w, &xy[..n], &xy[n..], out);
    }
}

/// One output row of [`weighted_combine_f64`].
fn combine_row(ring: &[f64], starts: &[usize], w: &[f64], x: &[f64], y: &[f64], out: &mut [f64]) {
    let n = out.len();
    let t = w.len().min(starts.len());
    let sym = symmetric(&w[..t]);
    for q in 0..n {
        let mut acc = [0.0f64; 3];
        for (m, a) in acc.iter_mut().enumerate() {
            let at = |k: usize| ring[starts[k] + m * n + q];
            if sym {
                for (k, &wk) in w[..t / 2].iter().enumerate() {
                    *a += wk * (at(k) + at(t - 1 - k));
                }
                if t % 2 == 1 {
                    *a += w[t / 2] * at(t / 2);
                }
            } else {
                for (k, &wt) in w[..t].iter().enumerate() {
                    *a += wt * at(k);
                }
            }
        }
        out[q] = (acc[0] + y[q] * acc[1]) + x[q] * acc[2];
    }
}

/// `out[i] = src[i]` as f64 (exact): the gradient's 8-bit input rows.
pub(crate) fn widen_u8_f64(src: &[u8], out: &mut [f64]) {
    for (o, &v) in out.iter_mut().zip(src) {
        *o = v as f64;
    }
}

/// `out[i] = src[i]` as f64 (exact): the gradient's float input rows and f32 pyramid levels.
pub(crate) fn widen_f32_f64(src: &[f32], out: &mut [f64]) {
    for (o, &v) in out.iter_mut().zip(src) {
        *o = v as f64;
    }
}

/// `out[i] = src[i]` rounded to f32 (to nearest, ties to even): the gradient's output rows.
pub(crate) fn narrow_f32(src: &[f64], out: &mut [f32]) {
    for (o, &v) in out.iter_mut().zip(src) {
        *o = v as f32;
    }
}
