//! The scalar backend: each kernel written out plainly, in the operation order every other
//! backend follows, but for one: [`horizontal`] centres four columns of the common windows on
//! one shared sample, where the SIMD kernels centre each column on its own (a different
//! rounding, within the backend tests' bounds). It is the oracle the SIMD backends are tested
//! against.

use super::{ud_slot, FormulaConsts, MOMENTS, ROWS_PER_PASS, UD_GROUP, UD_MOMENTS};
use crate::params::MAX_RADIUS;

#[cfg(feature = "gradient")]
mod adjoint;
#[cfg(feature = "block-means")]
pub(crate) use super::block_means::{
    scalar_add as block_add, scalar_add_f32 as block_add_f32, scalar_sums as block_sums,
};
pub(crate) use super::downsample::scalar as downsample;
#[cfg(feature = "u16")]
pub(crate) use super::x264::scalar::blocks as x264_blocks_u16;
pub(crate) use super::x264::scalar::{blocks as x264_blocks_u8, windows as x264_windows_u8};
#[cfg(feature = "gradient")]
pub(crate) use adjoint::{
    adjoint_coefficients, fir_f64, narrow_f32, rows_of, symmetric, weighted_combine_f64,
    weighted_moments_f64, weighted_rows_f64, widen_f32_f64, widen_u8_f64,
};

/// `f(0); f(1); f(2); f(3)`, written out: at opt-level "s" a loop of four is not unrolled,
/// and the fixed lane indices become fixed load offsets.
macro_rules! lanes4 {
    ($l:ident => $body:block) => {{
        {
            let $l = 0;
            $body
        }
        {
            let $l = 1;
            $body
        }
        {
            let $l = 2;
            $body
        }
        {
            let $l = 3;
            $body
        }
    }};
}

/// `a * b + c`, rounded twice: core has no FMA without `std` or a target feature, and the
/// scalar path must give the same bits on every target.
#[inline(always)]
fn ma(a: f32, b: f32, c: f32) -> f32 {
    a * b + c
}

pub(crate) fn load<T: crate::Sample>(src: &[T], step: usize, out: &mut [f32]) {
    // Packed rows without `step_by`'s bookkeeping, four samples per step with fixed offsets:
    // on a microcontroller, where this is the loading kernel, each halved the cost of a sample.
    if step == 1 {
        let n = out.len().min(src.len());
        let (o4, o1) = out[..n].as_chunks_mut::<4>();
        let (s4, s1) = src[..n].as_chunks::<4>();
        for (o, s) in o4.iter_mut().zip(s4) {
            lanes4!(l => {
                o[l] = s[l].to_f32();
            });
        }
        for (o, s) in o1.iter_mut().zip(s1) {
            *o = s.to_f32();
        }
        return;
    }
    for (o, s) in out.iter_mut().zip(src.iter().step_by(step)) {
        *o = s.to_f32();
    }
}

/// `u = x + y` and `d = x - y` of `u.len()` 8- or 16-bit samples (`xs`, `ys` apart) as f32
/// (exact: `|u| < 2^17`): the rows of the fused box path and of the Gaussian path for integer
/// samples, loaded and transformed in one walk (on a microcontroller the load and the
/// transform as two walks over f32 rows cost twice as many instructions).
pub(crate) fn load_ud<T: crate::Sample>(
    x: &[T],
    xs: usize,
    y: &[T],
    ys: usize,
    u: &mut [f32],
    d: &mut [f32],
) {
    let n = u.len();
    let d = &mut d[..n];
    let ud = |p: T, q: T| {
        let (p, q) = (p.to_f32(), q.to_f32());
        (p + q, p - q)
    };
    if xs == 1 && ys == 1 {
        let (x, y) = (&x[..n], &y[..n]);
        // Two per step (four spilled registers on a Cortex-M).
        let (u4, u1) = u.as_chunks_mut::<2>();
        let (d4, d1) = d.as_chunks_mut::<2>();
        let (x4, x1) = x.as_chunks::<2>();
        let (y4, y1) = y.as_chunks::<2>();
        for ((u, d), (x, y)) in u4.iter_mut().zip(d4).zip(x4.iter().zip(y4)) {
            (u[0], d[0]) = ud(x[0], y[0]);
            (u[1], d[1]) = ud(x[1], y[1]);
        }
        for ((u, d), (&x, &y)) in u1.iter_mut().zip(d1).zip(x1.iter().zip(y1)) {
            (*u, *d) = ud(x, y);
        }
        return;
    }
    let samples = x.iter().step_by(xs).zip(y.iter().step_by(ys));
    for ((u, d), (&x, &y)) in u.iter_mut().zip(d).zip(samples) {
        (*u, *d) = ud(x, y);
    }
}

pub(crate) fn load_f32(src: &[f32], step: usize, out: &mut [f32]) -> Option<usize> {
    let mut bad = None;
    for (i, (o, &s)) in out.iter_mut().zip(src.iter().step_by(step)).enumerate() {
        if !s.is_finite() && bad.is_none() {
            bad = Some(i);
        }
        *o = s;
    }
    bad
}

/// Centred horizontal moments of `u = x + y` and `d = x - y` (`x`, `y` are overwritten with
/// them): per output column the local means `mu, md` and variances `vu, vd`, each accumulated
/// relative to a sample inside the window so that f32 never subtracts two large, nearly equal
/// numbers: for radius 5 and 3 one sample shared by four columns ([`horizontal_quads`]; not
/// in peaked windows), otherwise the column's centre sample. The SIMD kernels centre every
/// column on its own sample, so their values differ from these in the last bits.
///
/// Four moments instead of the usual five (`mx, my, vx, vy, cxy`): SSIM needs the variances
/// only as `vx + vy = (vu + vd) / 2` and `cxy = (vu - vd) / 4`, and the means as
/// `mx my = (mu^2 - md^2) / 4`, `mx^2 + my^2 = (mu^2 + md^2) / 2`.
///
/// `ahead` is the vector kernels' prefetch hint; these kernels have nothing to hide it behind.
pub(crate) fn horizontal(
    x: &mut [f32],
    y: &mut [f32],
    w: &[f32],
    n: usize,
    out: &mut [f32],
    ahead: [&[u8]; 2],
) {
    let r = w.len() - 1;
    sum_difference(&mut x[..n + 2 * r], &mut y[..n + 2 * r]);
    horizontal_ud(x, y, w, n, out, ahead);
}

/// [`horizontal`] of rows already transformed: `u = x + y`, `d = x - y` (integer samples,
/// loaded so by [`load_ud`]; the same values, so the same bits). `_ahead`: as in [`horizontal`].
pub(crate) fn horizontal_ud(
    u: &[f32],
    d: &[f32],
    w: &[f32],
    n: usize,
    out: &mut [f32],
    _ahead: [&[u8]; 2],
) {
    let r = w.len() - 1;
    let (u, d) = (&u[..n + 2 * r], &d[..n + 2 * r]);
    // A slot is a sequence of 16-column groups, each with its four moment rows ([`ud_at`]).
    // Four columns may share one centre (see [`horizontal_quads`]) when the sample two taps
    // from a window's centre weighs at least 1/32 in it (not in peaked windows).
    let shared = w.get(2).is_some_and(|&w2| w2 >= 1.0 / 32.0);
    let groups = out[..ud_slot(n)].chunks_mut(UD_GROUP * UD_MOMENTS);
    for (g, group) in groups.enumerate() {
        let o0 = g * UD_GROUP;
        let len = UD_GROUP.min(n - o0);
        let (u, d) = (&u[o0..o0 + len + 2 * r], &d[o0..o0 + len + 2 * r]);
        let (mu, rest) = group.split_at_mut(UD_GROUP);
        let (md, rest) = rest.split_at_mut(UD_GROUP);
        let (vu, vd) = rest.split_at_mut(UD_GROUP);
        // The radius of the common windows (Gaussian 11 and 7) as a constant: the taps are
        // written out with fixed offsets and the weights stay in registers (at opt-level "s"
        // nothing unrolls a loop of taps on its own).
        match r {
            5 if shared => {
                horizontal_quads::<11, 14>(u, w, &mut mu[..len], &mut vu[..len]);
                horizontal_quads::<11, 14>(d, w, &mut md[..len], &mut vd[..len]);
            }
            3 if shared => {
                horizontal_quads::<7, 10>(u, w, &mut mu[..len], &mut vu[..len]);
                horizontal_quads::<7, 10>(d, w, &mut md[..len], &mut vd[..len]);
            }
            _ => {
                let outs = mu.iter_mut().zip(md).zip(vu.iter_mut().zip(vd));
                let mut outs = outs.map(|((mu, md), (vu, vd))| [mu, md, vu, vd]);
                let windows = u.windows(2 * r + 1).zip(d.windows(2 * r + 1));
                for (out, (uw, dw)) in (&mut outs).zip(windows) {
                    let (su, sd) = (uw[r], dw[r]);
                    let mut m = [0.0f32; 4];
                    // Tap `k` pairs the samples `k` left and right of the centre: iterators
                    // walking out from it, so that no index is checked per tap.
                    let us = uw[..r].iter().rev().zip(&uw[r + 1..]);
                    let ds = dw[..r].iter().rev().zip(&dw[r + 1..]);
                    for ((&wk, (&u1, &u2)), (&d1, &d2)) in w[1..].iter().zip(us).zip(ds) {
                        horizontal_tap(&mut m, wk, [u1 - su, u2 - su, d1 - sd, d2 - sd]);
                    }
                    horizontal_store(out, su, sd, m);
                }
            }
        }
    }
}

/// [`horizontal`]'s mean and variance of one of `u`, `d` (`s`) for windows of
/// `S = 2r + 1 <= 11` taps (`S3 = S + 3`), four columns per step centred on one sample: the
/// second column's own, which lies in all four windows (at most two taps from their centres),
/// so that each sample's `e = s - c` and `e^2` are made once for the four columns and every
/// tap is two multiply-adds. Per column, left to right over its window (weight `w_t`):
/// `a = sum w_t e_t`, `q = sum w_t e_t^2` (starting from the first product), then the mean
/// `c + a` and the variance `q - a^2`. The cancellation in `q - a^2` is relative to the
/// window's contrast around `c`, which is inside the window and weighs at least 1/32 in it (the
/// caller's condition). Columns past the last four take their own centres
/// ([`horizontal_col`]).
#[inline(always)]
fn horizontal_quads<const S: usize, const S3: usize>(
    s: &[f32],
    w: &[f32],
    mean: &mut [f32],
    var: &mut [f32],
) {
    let r = S / 2;
    let w = &w[..=r];
    let n = mean.len().min(var.len());
    let (m4, m1) = mean[..n].as_chunks_mut::<4>();
    let (v4, v1) = var[..n].as_chunks_mut::<4>();
    for (k, (m, v)) in m4.iter_mut().zip(v4.iter_mut()).enumerate() {
        let Some(sw) = s.get(4 * k..).and_then(|s| s.first_chunk::<S3>()) else {
            return;
        };
        let c = sw[r + 1];
        let (mut a0, mut a1, mut a2, mut a3) = (0f32, 0f32, 0f32, 0f32);
        let (mut q0, mut q1, mut q2, mut q3) = (0f32, 0f32, 0f32, 0f32);
        // Sample `t` of the step into column `j` (window samples `j..j + S`), weight
        // `w[|t - j - r|]`; all constants once `S` is.
        macro_rules! tap {
            ($t:literal, $e:ident, $z:ident; $($j:literal $a:ident $q:ident),*) => {$(
                if $t >= $j && $t < $j + S {
                    let wk = w[usize::abs_diff($t, $j + r)];
                    if $t == $j {
                        ($a, $q) = (wk * $e, wk * $z);
                    } else {
                        ($a, $q) = (ma(wk, $e, $a), ma(wk, $z, $q));
                    }
                }
            )*};
        }
        macro_rules! samples {
            ($($t:literal)*) => {$(
                if $t < S3 {
                    let e = sw[$t] - c;
                    let z = e * e;
                    tap!($t, e, z; 0 a0 q0, 1 a1 q1, 2 a2 q2, 3 a3 q3);
                }
            )*};
        }
        samples!(0 1 2 3 4 5 6 7 8 9 10 11 12 13);
        *m = [c + a0, c + a1, c + a2, c + a3];
        *v = [
            ma(-a0, a0, q0),
            ma(-a1, a1, q1),
            ma(-a2, a2, q2),
            ma(-a3, a3, q3),
        ];
    }
    let o = 4 * m4.len();
    for (i, (m, v)) in m1.iter_mut().zip(v1.iter_mut()).enumerate() {
        let Some(sw) = s.get(o + i..).and_then(|s| s.first_chunk::<S>()) else {
            return;
        };
        (*m, *v) = horizontal_col(sw, w);
    }
}

/// One column of [`horizontal_quads`] centred on its own sample, from its `S` samples: `a = sum w_k (e1 + e2)`,
/// `q = sum w_k (e1^2 + e2^2)` over the tap pairs, relative to the centre sample.
#[inline(always)]
fn horizontal_col<const S: usize>(sw: &[f32; S], w: &[f32]) -> (f32, f32) {
    let r = S / 2;
    let w = &w[..=r];
    let c = sw[r];
    // Tap 1 starts the sums (not `+0.0 + w e`: the same values but for the sign of a zero
    // `a`, which the mean `c + a` and the variance `q - a^2` do not show unless `c` is -0.0,
    // and then only as the sign of a zero mean, squared away by the formula).
    let (e1, e2) = (sw[r - 1] - c, sw[r + 1] - c);
    let (mut a, mut q) = (w[1] * (e1 + e2), w[1] * ma(e1, e1, e2 * e2));
    // Taps 2..=r written out (`r` is a constant, so the tests fold away).
    macro_rules! taps {
        ($($k:literal)*) => {$(
            if $k <= r {
                let (e1, e2) = (sw[r.saturating_sub($k)] - c, sw[r + $k] - c);
                a = ma(w[$k], e1 + e2, a);
                q = ma(w[$k], ma(e1, e1, e2 * e2), q);
            }
        )*};
    }
    taps!(2 3 4 5);
    (c + a, ma(-a, a, q))
}

/// One tap of [`horizontal`]: `m = [a, b, qu, qd]`, `du = [du1, du2, dd1, dd2]`.
#[inline(always)]
fn horizontal_tap(m: &mut [f32; 4], wk: f32, du: [f32; 4]) {
    let [du1, du2, dd1, dd2] = du;
    m[0] = ma(wk, du1 + du2, m[0]);
    m[1] = ma(wk, dd1 + dd2, m[1]);
    m[2] = ma(wk, ma(du1, du1, du2 * du2), m[2]);
    m[3] = ma(wk, ma(dd1, dd1, dd2 * dd2), m[3]);
}

/// The moments of one output column from its centre samples and accumulators.
#[inline(always)]
fn horizontal_store(out: [&mut f32; 4], su: f32, sd: f32, m: [f32; 4]) {
    let [a, b, qu, qd] = m;
    let [mu, md, vu, vd] = out;
    *mu = su + a;
    *md = sd + b;
    *vu = ma(-a, a, qu);
    *vd = ma(-b, b, qd);
}

/// The vertical combination and the formula ([`formula_pixel`]) of the map rows of one pass:
/// map row `j` of the pass gets its SSIM row in `out[2j n..]` and its cs row in
/// `out[(2j + 1) n..]`.
///
/// Every map row of the pass is centred on the same means `cu, cd`: those of ring row
/// `slots[centre]`, which lies in each of their windows. Per pixel, with `t` running over
/// the window rows top to bottom (weight `w_t`): `eu_t = mu(t) - cu`,
/// `zu_t = eu_t^2 + vu(t)`, `a = sum w_t eu_t`, `zu = sum w_t zu_t` (from +0.0, in that
/// order), the same for `d` into `b, zd`; then `mu = cu + a`, `md = cd + b`,
/// `vu = zu - a^2`, `vd = zd - b^2` (the law of total variance, centred). `eu_t, zu_t`
/// depend on the ring row only, so they are made once per ring row (not once per tap) and
/// added into the accumulators of every map row whose window holds it. The cancellation in
/// `zu - a^2` is relative to `(mu - cu)^2`, which with a centre inside the window stays of the
/// order of the local contrast, not of the brightness. The engine picks the centre from
/// absolute map rows (`Geometry::centre_row`), so the bits do not depend on the band split.
///
/// One column at a time, down the ring rows, with the sixteen accumulators of a full pass
/// as locals: a Cortex-M keeps them in its 32 single-precision registers and makes each ring
/// row's `e, z` once for the four map rows. The values, and so the bits, are those of adding
/// in that order per pixel.
pub(crate) fn vertical_formula(
    ring: &[f32],
    slots: &[usize],
    centre: usize,
    w: &[f32],
    n: usize,
    k: &FormulaConsts,
    out: &mut [f32],
) {
    // The pass's ring rows and weights in arrays of the caller's frame: small ones for the
    // common radii (up to 5; on a microcontroller the large ones would cost a kilobyte of
    // stack), and one copy of the code for both.
    const SMALL: usize = 2 * 5 + ROWS_PER_PASS;
    if w.len() + w.len() + 2 <= SMALL {
        vertical_in::<SMALL>(ring, slots, centre, w, n, k, out);
    } else {
        vertical_in::<{ 2 * MAX_RADIUS + ROWS_PER_PASS }>(ring, slots, centre, w, n, k, out);
    }
}

/// [`vertical_groups`] with arrays of `CAP` entries in this frame (not inlined, so that the
/// small ones' caller does not carry the large ones' stack).
#[inline(never)]
fn vertical_in<const CAP: usize>(
    ring: &[f32],
    slots: &[usize],
    centre: usize,
    w: &[f32],
    n: usize,
    k: &FormulaConsts,
    out: &mut [f32],
) {
    let Some(g0) = ring.first_chunk::<GROUP>() else {
        return;
    };
    let (mut g, mut wf) = ([g0; CAP], [0f32; CAP]);
    vertical_groups(&mut g, &mut wf, ring, slots, centre, w, n, k, out);
}

/// Floats of one 16-column group of a ring slot (its `mu, md, vu, vd` rows, [`ud_at`](super::ud_at)).
const GROUP: usize = UD_GROUP * UD_MOMENTS;

/// [`vertical_formula`] with room for the pass's ring rows' groups in `g` and the window's
/// weights in `wf` (each at least `2r + 4` long).
///
/// Group by group: the pass's ring rows' groups are looked up once per group (one checked
/// slice each), so that the walk down a column reads each row with fixed offsets from one
/// pointer and no index checks. A pass of fewer than four map rows reads its last ring row in
/// place of the rows it does not have and stores only its own map rows.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn vertical_groups<'r>(
    g: &mut [&'r [f32; GROUP]],
    wf: &mut [f32],
    ring: &'r [f32],
    slots: &[usize],
    centre: usize,
    w: &[f32],
    n: usize,
    k: &FormulaConsts,
    out: &mut [f32],
) {
    let r = w.len() - 1;
    let span = 2 * r + 1;
    let rows = (slots.len() + 1).saturating_sub(span).min(ROWS_PER_PASS);
    let all = span + ROWS_PER_PASS - 1;
    if rows == 0 || all > g.len() || all > wf.len() {
        return;
    }
    let used = span + rows - 1;
    let slot = ud_slot(n);
    // The window's weights top to bottom: ring row `t` weighs `wf[t - j]` in map row `j`.
    let wf = &mut wf[..all];
    for (t, v) in wf.iter_mut().enumerate() {
        *v = w.get(t.abs_diff(r)).copied().unwrap_or(0.0);
    }
    let wf = &*wf;
    let (w1, w2, w3) = (wf[span - 1], wf[span - 2], wf[span - 3]);
    let mut orows: [&mut [f32]; 2 * ROWS_PER_PASS] = Default::default();
    for (o, row) in orows
        .iter_mut()
        .zip(out.chunks_mut(n.max(1)).take(2 * rows))
    {
        *o = row;
    }
    let group = |t: usize, gi: usize| -> Option<&[f32; GROUP]> {
        let s = *slots.get(t)?;
        ring.get(s.checked_mul(slot)? + gi * GROUP..)?
            .first_chunk::<GROUP>()
    };
    let g = &mut g[..all];
    for gi in 0..n.div_ceil(UD_GROUP) {
        let Some(cg) = group(centre, gi) else { return };
        for (t, gt) in g[..all].iter_mut().enumerate() {
            let Some(v) = group(t.min(used - 1), gi) else {
                return;
            };
            *gt = v;
        }
        let g = &g[..all];
        for lane in 0..UD_GROUP.min(n - gi * UD_GROUP) {
            let l = lane % UD_GROUP;
            // `mu, md, vu, vd` of this column in a ring row's group: fixed offsets from one
            // address (`l < 16`, so the chunk is always there).
            let at = |g: &[f32; GROUP]| match g[l..].first_chunk::<{ GROUP - UD_GROUP + 1 }>() {
                Some(c) => [c[0], c[UD_GROUP], c[2 * UD_GROUP], c[3 * UD_GROUP]],
                None => [0.0; 4],
            };
            let [cu, cd, _, _] = at(cg);
            // A ring row's `[eu, ed, zu, zd]`.
            let ez = |g: &[f32; GROUP]| {
                let [mu, md, vu, vd] = at(g);
                let (eu, ed) = (mu - cu, md - cd);
                [eu, ed, ma(eu, eu, vu), ma(ed, ed, vd)]
            };
            // Per map row of the pass: `[a, b, zu, zd]`, four separate locals (an array of
            // them stays in memory at opt-level "s").
            let (mut a0, mut a1, mut a2, mut a3) = ([0f32; 4], [0f32; 4], [0f32; 4], [0f32; 4]);
            macro_rules! into {
                ($v:ident; $($a:ident => $w:expr),*) => {$({
                    let wk = $w;
                    $a = [
                        ma(wk, $v[0], $a[0]),
                        ma(wk, $v[1], $a[1]),
                        ma(wk, $v[2], $a[2]),
                        ma(wk, $v[3], $a[3]),
                    ];
                })*};
            }
            // Entering the windows, in all four, leaving them: constant map rows per step.
            const _: () = assert!(ROWS_PER_PASS == 4);
            let v = ez(g[0]);
            into!(v; a0 => wf[0]);
            let v = ez(g[1]);
            into!(v; a0 => wf[1], a1 => wf[0]);
            let v = ez(g[2]);
            into!(v; a0 => wf[2], a1 => wf[1], a2 => wf[0]);
            for (gt, w4) in g[3..span].iter().zip(wf.windows(4)) {
                let v = ez(gt);
                into!(v; a0 => w4[3], a1 => w4[2], a2 => w4[1], a3 => w4[0]);
            }
            let v = ez(g[span]);
            into!(v; a1 => w1, a2 => w2, a3 => w3);
            let v = ez(g[span + 1]);
            into!(v; a2 => w1, a3 => w2);
            let v = ez(g[span + 2]);
            into!(v; a3 => w1);
            let i = gi * UD_GROUP + lane;
            for (j, [a, b, zu, zd]) in [a0, a1, a2, a3].into_iter().enumerate() {
                let m = [cu + a, cd + b, ma(-a, a, zu), ma(-b, b, zd)];
                let (v, c) = formula_pixel(m, k);
                if let Some(s) = orows[2 * j].get_mut(i) {
                    *s = v;
                }
                if let Some(s) = orows[2 * j + 1].get_mut(i) {
                    *s = c;
                }
            }
        }
    }
}

/// SSIM and cs of one pixel from its statistics `mu, md, vu, vd` (see [`horizontal`]):
///
/// ```text
/// l  = ((mu^2 - md^2) + 2 C1) / ((mu^2 + md^2) + 2 C1)
/// cs = (cov (vu - vd) + 2 C2) / (cov (vu + vd) + 2 C2)
/// ```
///
/// Unfused and in this order on every backend (only `cov * v + 2 C2` may fuse): with
/// `x == y`, `d = 0`, so `md = vd = 0` and numerator and denominator round identically:
/// SSIM(x, x) is exactly 1.
#[inline(always)]
fn formula_pixel(m: [f32; UD_MOMENTS], k: &FormulaConsts) -> (f32, f32) {
    let [mu, md, vu, vd] = m;
    let (c1, c2, cov) = (2.0 * (k.c1 as f32), 2.0 * (k.c2 as f32), k.cov as f32);
    let (pu, pd) = (mu * mu, md * md);
    let l = ((pu - pd) + c1) / ((pu + pd) + c1);
    let c = ma(cov, vu - vd, c2) / ma(cov, vu + vd, c2);
    (l * c, c)
}

/// Columns per block of the f32 partial sums of [`row_sums`]: eight per accumulator.
pub(crate) const SUM_BLOCK: usize = 128;

/// Sums over `pool` in a fixed order every backend follows, with no per-pixel double
/// precision (software on single-precision FPUs such as the Cortex-M4F's): within each block
/// of [`SUM_BLOCK`] columns from `pool.0`, column `j` of the block goes to f32 accumulator
/// `j mod 16`, each adding its columns left to right; at the end of the block [`widen16`]
/// adds the sixteen by a fixed tree in f32 and adds that, in f64, to the row's sum (the engine
/// calls this once per segment of [`crate::ROW_SUM_SEGMENT`] columns). Sixteen
/// lanes are one AVX-512 vector, two AVX2 ones, four NEON ones, so each backend reproduces
/// these bits. Worst-case rounding per block of 128 values of magnitude <= 1: 2^-14 in the
/// lanes (at most eight values each) and 2^-15 in the tree, a mean error below 7.2e-7 (far
/// less in practice; the accuracy tests hold the 1e-6 bound). One f64 addition per block and
/// row, where sixteen per block cost a Cortex-M4F a fifth of its instructions on a 160-pixel
/// wide image.
pub(crate) fn row_sums(ssim: &[f32], cs: &[f32], pool: (usize, usize)) -> (f64, f64) {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    if pool.0 < pool.1 {
        let (ssim, cs) = (&ssim[pool.0..pool.1], &cs[pool.0..pool.1]);
        for (bs, bc) in ssim.chunks(SUM_BLOCK).zip(cs.chunks(SUM_BLOCK)) {
            widen16(&mut s, &lanes16(bs));
            widen16(&mut c, &lanes16(bc));
        }
    }
    (s, c)
}

/// The sixteen f32 partial sums of a block: value `j` goes to lane `j mod 16`, each lane
/// adding left to right. Sixteen at a time and written out (at opt-level "s" a loop of
/// sixteen is not unrolled), so that the lanes stay in registers on a Cortex-M (its FPU has
/// 32 single-precision registers).
#[inline(always)]
fn lanes16(v: &[f32]) -> [f32; 16] {
    let mut p = [0.0f32; 16];
    let (whole, rest) = v.as_chunks::<16>();
    for ch in whole {
        add16(&mut p, ch);
    }
    // The tail into its lanes; the lanes past it are left as they are, which is what adding
    // -0.0 to them (the SIMD kernels' padding) gives: x + -0 == x for every x, +0 included.
    for (p, &v) in p.iter_mut().zip(rest) {
        *p += v;
    }
    p
}

/// `p[l] += v[l]` for the sixteen lanes, written out.
#[inline(always)]
fn add16(p: &mut [f32; 16], v: &[f32; 16]) {
    p[0] += v[0];
    p[1] += v[1];
    p[2] += v[2];
    p[3] += v[3];
    p[4] += v[4];
    p[5] += v[5];
    p[6] += v[6];
    p[7] += v[7];
    p[8] += v[8];
    p[9] += v[9];
    p[10] += v[10];
    p[11] += v[11];
    p[12] += v[12];
    p[13] += v[13];
    p[14] += v[14];
    p[15] += v[15];
}

/// Adds sixteen f32 partial sums to an f64 sum: lane `l + 8` to lane `l`, then `l + 4`, `l +
/// 2` and `l + 1` (a fixed pairwise tree in f32), and lane 0 widened once.
#[inline(always)]
pub(crate) fn widen16(acc: &mut f64, p: &[f32; 16]) {
    // Written out: at opt-level "s" the loops of this tree stay loops, through memory.
    let t = |a: f32, b: f32| a + b;
    let h8 = [
        t(p[0], p[8]),
        t(p[1], p[9]),
        t(p[2], p[10]),
        t(p[3], p[11]),
        t(p[4], p[12]),
        t(p[5], p[13]),
        t(p[6], p[14]),
        t(p[7], p[15]),
    ];
    let h4 = [
        t(h8[0], h8[4]),
        t(h8[1], h8[5]),
        t(h8[2], h8[6]),
        t(h8[3], h8[7]),
    ];
    let h2 = [t(h4[0], h4[2]), t(h4[1], h4[3])];
    *acc += t(h2[0], h2[1]) as f64;
}

/// The sum of eight accumulators, as a fixed pairwise tree.
#[inline(always)]
pub(crate) fn combine8(a: &[f64; 8]) -> f64 {
    ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
}

pub(crate) fn box_horizontal(x: &[f32], y: &[f32], size: usize, n: usize, out: &mut [f64]) {
    let (sx, rest) = out.split_at_mut(n);
    let (sy, rest) = rest.split_at_mut(n);
    let (sxx, rest) = rest.split_at_mut(n);
    let (syy, sxy) = rest.split_at_mut(n);
    // Integer-valued f64 sums are exact below 2^53, so running sums never drift.
    let (mut a, mut b, mut aa, mut bb, mut ab) = (0.0f64, 0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for j in 0..size {
        let (p, q) = (x[j] as f64, y[j] as f64);
        a += p;
        b += q;
        aa += p * p;
        bb += q * q;
        ab += p * q;
    }
    for o in 0..n {
        sx[o] = a;
        sy[o] = b;
        sxx[o] = aa;
        syy[o] = bb;
        sxy[o] = ab;
        if o + 1 < n {
            let (p, q) = (x[o] as f64, y[o] as f64);
            let (pn, qn) = (x[o + size] as f64, y[o + size] as f64);
            a += pn - p;
            b += qn - q;
            aa += pn * pn - p * p;
            bb += qn * qn - q * q;
            ab += pn * qn - p * q;
        }
    }
}

/// The exact 8-bit box sums of the fused path, in sum/difference form: from the rows
/// `u = x + y` and `d = x - y` of [`load_ud`] (`n + size - 1` values each), the window sums
/// `Su, Sd, Suu, Sdd` ([`UD_MOMENTS`](super::UD_MOMENTS)) of `n` columns, as i32, column by
/// column: column `o` at `out[4 o..4 o + 4]` (the vector kernels store four rows of `n`
/// instead; each backend's formula reads its own layout).
///
/// Four moments instead of five: SSIM needs `Sxx` and `Syy` only through their sum, and
/// `Sxx + Syy = (Suu + Sdd) / 2`, `Sxy = (Suu - Sdd) / 4`, `Sx Sy = (Su^2 - Sd^2) / 4`.
/// The sums are integers below 2^24 for boxes up to [`NARROW_BOX_MAX`](super::NARROW_BOX_MAX)
/// taps, so f32 holds them exactly, every order of summation gives the same integers, and
/// every backend stores the same i32 (which the formula then reads without converting).
pub(crate) fn box_horizontal_narrow(u: &[f32], d: &[f32], size: usize, n: usize, out: &mut [i32]) {
    let out = &mut out[..UD_MOMENTS * n];
    // The running sums in f32 (exact): on a Cortex-M they stay in FPU registers and leave
    // the core registers to the row pointers; each is converted once, at its store.
    let (mut a, mut b, mut aa, mut bb) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    for j in 0..size {
        let (p, q) = (u[j], d[j]);
        a += p;
        b += q;
        aa += p * p;
        bb += q * q;
    }
    // Output column `o` gets the window sums, then the window moves one column right (the
    // samples leaving at `o`, entering at `o + size`). Four columns per step while four moves
    // are left, with fixed offsets (one address update per row and step on a Cortex-M); then
    // one at a time: no index checks in either loop.
    let quads = n.saturating_sub(1) / 4 * 4;
    let (outs, outs1) = out.split_at_mut(UD_MOMENTS * quads);
    let leave = u[..quads]
        .as_chunks::<4>()
        .0
        .iter()
        .zip(d[..quads].as_chunks::<4>().0);
    let enter = u[size..size + quads].as_chunks::<4>().0.iter();
    let enter = enter.zip(d[size..size + quads].as_chunks::<4>().0);
    let int = |v: f32| v as i32;
    let outs = outs.as_chunks_mut::<16>().0.iter_mut();
    for (o, ((p, q), (pn, qn))) in outs.zip(leave.zip(enter)) {
        lanes4!(l => {
            o[4 * l] = int(a);
            o[4 * l + 1] = int(b);
            o[4 * l + 2] = int(aa);
            o[4 * l + 3] = int(bb);
            let (p, q, pn, qn) = (p[l], q[l], pn[l], qn[l]);
            a += pn - p;
            b += qn - q;
            aa += pn * pn - p * p;
            bb += qn * qn - q * q;
        });
    }
    let mut outs = outs1.as_chunks_mut::<4>().0.iter_mut();
    let (u, d) = (&u[quads..], &d[quads..]);
    let moves = u.iter().zip(d).zip(u[size..].iter().zip(&d[size..]));
    // `moves` first: when its `n - 1` moves run out, the last output is still in `outs`.
    for (((&p, &q), (&pn, &qn)), o) in moves.zip(&mut outs) {
        *o = [int(a), int(b), int(aa), int(bb)];
        a += pn - p;
        b += qn - q;
        aa += pn * pn - p * p;
        bb += qn * qn - q * q;
    }
    if let Some(o) = outs.next() {
        *o = [int(a), int(b), int(aa), int(bb)];
    }
}

/// `x, y <- x + y, x - y`, lane by lane (exact for integer samples below 2^23).
#[inline(always)]
pub(crate) fn sum_difference(x: &mut [f32], y: &mut [f32]) {
    for (p, q) in x.iter_mut().zip(y) {
        (*p, *q) = (*p + *q, *p - *q);
    }
}

/// The first map row of the pass adds its `size` window rows; each next one adds the row
/// entering the window and subtracts the one leaving it. The sums are integers below 2^53, so
/// both ways are exact and give the same bits.
pub(crate) fn box_vertical(ring: &[f64], slots: &[usize], size: usize, n: usize, out: &mut [f64]) {
    let row = |s: usize, m: usize| &ring[(s * MOMENTS + m) * n..][..n];
    for m in 0..MOMENTS {
        let o = &mut out[m * n..][..n];
        for (acc, &v) in o.iter_mut().zip(row(slots[0], m)) {
            *acc = v;
        }
        for &s in &slots[1..size] {
            for (acc, &v) in o.iter_mut().zip(row(s, m)) {
                *acc += v;
            }
        }
    }
    for k in 1..=slots.len() - size {
        let (done, rest) = out.split_at_mut(k * MOMENTS * n);
        let prev = &done[(k - 1) * MOMENTS * n..];
        for m in 0..MOMENTS {
            let (enter, leave) = (row(slots[k + size - 1], m), row(slots[k - 1], m));
            let o = &mut rest[m * n..][..n];
            for (i, acc) in o.iter_mut().enumerate() {
                *acc = prev[m * n + i] + enter[i] - leave[i];
            }
        }
    }
}

/// The vertical window sums of [`box_horizontal_narrow`]'s rows and the formula in one pass
/// (8-bit samples, boxes up to [`NARROW_BOX_MAX`](super::NARROW_BOX_MAX) taps): map row `k`
/// of the pass gets its SSIM row in `out[2k n..]` and its cs row in `out[(2k + 1) n..]` (see
/// [`box_pixel_narrow`]). The ring rows and the carried sums are in the column-by-column
/// layout of [`box_horizontal_narrow`].
#[allow(clippy::too_many_arguments)]
pub(crate) fn box_narrow_formula(
    ring: &[i32],
    slots: &[usize],
    size: usize,
    n: usize,
    k: &FormulaConsts,
    carry_in: Option<&[i32]>,
    carry_out: &mut [i32],
    out: &mut [f32],
) {
    let nf = NarrowConsts::new(k);
    let row = |s: usize| &ring[s * UD_MOMENTS * n..][..UD_MOMENTS * n];
    // `carry_out` holds the running window sums, row after row; they are exact integers,
    // so adding and subtracting whole rows gives the same values as summing each window.
    let acc = &mut carry_out[..UD_MOMENTS * n];
    match carry_in {
        Some(c) => {
            for ((a, c), v) in acc.iter_mut().zip(c).zip(row(slots[size - 1])) {
                *a = c + v;
            }
        }
        None => {
            acc.copy_from_slice(row(slots[0]));
            for &s in &slots[1..size] {
                for (a, v) in acc.iter_mut().zip(row(s)) {
                    *a += v;
                }
            }
        }
    }
    let rows = slots.len() + 1 - size;
    for r in 0..rows {
        if r > 0 {
            let (enter, leave) = (row(slots[r + size - 1]), row(slots[r - 1]));
            // Two at a time: one double-word load or store per row instead of two single
            // ones on a Cortex-M, and with three row pointers and six sums everything stays
            // in core registers (four at a time, or this update in the formula's walk,
            // spilled). The row length `UD_MOMENTS n` is even.
            let pairs = acc.as_chunks_mut::<2>().0.iter_mut();
            let pairs = pairs.zip(enter.as_chunks::<2>().0);
            for ((a, e), l) in pairs.zip(leave.as_chunks::<2>().0) {
                a[0] = a[0] + e[0] - l[0];
                a[1] = a[1] + e[1] - l[1];
            }
        }
        let (ssim, cs) = out[2 * r * n..][..2 * n].split_at_mut(n);
        let outs = ssim.iter_mut().zip(cs.iter_mut());
        // The four sums of a column side by side: one pointer, one multiple load.
        for (w, (s, c)) in acc.as_chunks::<UD_MOMENTS>().0.iter().zip(outs) {
            (*s, *c) = box_pixel_narrow(*w, &nf);
        }
    }
    // What the next pass carries: the last window without its top row.
    for (a, v) in acc.iter_mut().zip(row(slots[rows - 1])) {
        *a -= v;
    }
}

/// The f32 constants of [`box_pixel_narrow`].
#[derive(Clone, Copy)]
pub(crate) struct NarrowConsts {
    /// Taps `t` of the window.
    pub taps: i32,
    /// `2 C1 t^2` and `2 C2 t^2 / cov` (`cov` the covariance factor), rounded once to f32.
    pub c1: f32,
    pub c2: f32,
}

impl NarrowConsts {
    pub(crate) fn new(k: &FormulaConsts) -> NarrowConsts {
        let t2 = k.taps * k.taps;
        NarrowConsts {
            taps: k.taps as i32,
            c1: (2.0 * k.c1 * t2) as f32,
            c2: (2.0 * k.c2 * t2 / k.cov) as f32,
        }
    }
}

/// SSIM and cs of one pixel from its exact 8-bit window sums `Su, Sd, Suu, Sdd` (see
/// [`box_horizontal_narrow`]).
///
/// With `A = Su^2`, `B = Sd^2`, `U = t Suu - A` and `D = t Sdd - B` (`t` taps), the formula
/// scaled by `4 t^2` is
///
/// ```text
/// l  = ((A - B) + 2 C1 t^2) / ((A + B) + 2 C1 t^2)
/// cs = ((U - D) + 2 C2 t^2 / cov) / ((U + D) + 2 C2 t^2 / cov)
/// ```
///
/// (`cov` the covariance factor, divided out of `cs`: one multiplication fewer per term),
/// since `A - B = 4 Sx Sy`, `A + B = 2 (Sx^2 + Sy^2)`, `U - D = 4 (t Sxy - Sx Sy)` and
/// `U + D = 2 (t Sxx - Sx^2 + t Syy - Sy^2)`. For 8-bit samples in boxes up to 7x7 these
/// four integers are below 2^31: they are computed exactly in i32 and each rounded once to
/// f32. The rest runs in f32, unfused, in this order on every backend, so the bits are the
/// same everywhere. With `x == y`, `d = 0`, so `B = D = 0` and the numerators equal the
/// denominators bit for bit: SSIM(x, x) is exactly 1.
#[inline(always)]
pub(crate) fn box_pixel_narrow(m: [i32; UD_MOMENTS], k: &NarrowConsts) -> (f32, f32) {
    // In i32, as the SIMD kernels: the sums are exact integers, every product and sum below
    // 2^31, so the wrapping operations never wrap. (f64 would hold them exactly too, but is
    // software on single-precision FPUs such as the Cortex-M4F's.)
    let [su, sd, suu, sdd] = m;
    let t = k.taps;
    let a = su.wrapping_mul(su);
    let (ld, ln) = (a + sd.wrapping_mul(sd), a - sd.wrapping_mul(sd));
    // `-(U + D) = (A + B) - t (Suu + Sdd)` and `-(U - D)`: one multiply-subtract each on a
    // Cortex-M. Negation is exact, in i32 and in the rounding to f32, so `-(-x)` below gives
    // the bits of `x`: the values of the vector kernels, which compute `U + D` directly.
    let ncd = ld - t.wrapping_mul(suu + sdd);
    let ncn = ln - t.wrapping_mul(suu - sdd);
    let (ln, ld) = (ln as f32, ld as f32);
    let (cn, cd) = (-(ncn as f32), -(ncd as f32));
    let l = (ln + k.c1) / (ld + k.c1);
    let c = (cn + k.c2) / (cd + k.c2);
    (l * c, c)
}

/// Whether the column path of the vector backends ([`box_columns`], [`box_columns_formula`])
/// gives the bits of [`box_pixel_narrow`] for these constants: it evaluates the formula on
/// halves, `(a / 2 + c / 2) / (b / 2 + c / 2)`, which equals `(a + c) / (b + c)` bit for bit
/// when halving `c` is exact and nothing overflows (scaling by 2 commutes with rounding).
#[cfg(feature = "box-columns")]
pub(crate) fn columns_fit(k: &FormulaConsts) -> bool {
    let nk = NarrowConsts::new(k);
    let fits = |c: f32| c == 0.0 || (2.0 * f32::MIN_POSITIVE..=1e30).contains(&c);
    fits(nk.c1) && fits(nk.c2)
}

/// The low and high 16-bit halves of a "pair" lane (see [`box_columns`]).
#[cfg(feature = "box-columns")]
#[inline(always)]
fn halves(v: i32) -> (i32, i32) {
    (v as i16 as i32, (v >> 16) as i16 as i32)
}

/// Two values in i16 range as the halves of one lane, low first.
#[cfg(feature = "box-columns")]
#[inline(always)]
fn pair(lo: i32, hi: i32) -> i32 {
    (lo as u16 as u32 | (hi as u32) << 16) as i32
}

/// One input row into the column sums of the column path (8-bit samples, `Extent::Valid`
/// boxes up to [`NARROW_BOX_MAX`](super::NARROW_BOX_MAX) taps, in builds with the
/// `box-columns` feature; the firmware build keeps [`box_horizontal_narrow`], fewer
/// instructions on a Cortex-M). Columns `0..m`, `m = ring.len()` (a
/// multiple of 16), samples past `width` read as 0.
///
/// `ring` is the ring row the new row replaces: with `slide`, it holds the row leaving the
/// window, whose contributions are subtracted. It receives the new row as pairs
/// `x | y << 16`. `sums` holds three rows of `m`: the pairs `(Sx, Sy)` of the column sums of
/// `x` and `y`, then the column sums of `x^2 + y^2` and of `2xy` times `taps` (the formula's
/// `t`, at most 49: multiplied here per input row instead of per map row), set from this
/// row when `first`, else updated. With `n = x + x'`-style pair sums `s` and differences `d` of the
/// new and leaving samples, `x^2 - x'^2 + y^2 - y'^2 = d_x s_x + d_y s_y` and
/// `2 (x y - x' y') = d_x s_y + d_y s_x`: one `pmaddwd` each on the vector backends. The
/// sums are exact integers (below 2^15 in the halves, 2^31 in the rest).
#[cfg(feature = "box-columns")]
#[allow(clippy::too_many_arguments)]
pub(crate) fn box_columns(
    x: &[u8],
    xs: usize,
    y: &[u8],
    ys: usize,
    width: usize,
    taps: i32,
    first: bool,
    slide: bool,
    ring: &mut [i32],
    sums: &mut [i32],
) {
    let m = ring.len();
    let (c, rest) = sums[..3 * m].split_at_mut(m);
    let (q, r) = rest.split_at_mut(m);
    for i in 0..m {
        let (px, py) = if i < width {
            (x[i * xs] as i32, y[i * ys] as i32)
        } else {
            (0, 0)
        };
        let (ox, oy) = if slide { halves(ring[i]) } else { (0, 0) };
        let (dx, dy, sx, sy) = (px - ox, py - oy, px + ox, py + oy);
        let (cx, cy, cq, cr) = if first {
            (0, 0, 0, 0)
        } else {
            let (cx, cy) = halves(c[i]);
            (cx, cy, q[i], r[i])
        };
        c[i] = pair(cx + dx, cy + dy);
        q[i] = cq + dx * (taps * sx) + dy * (taps * sy);
        r[i] = cr + dx * (taps * sy) + dy * (taps * sx);
        ring[i] = pair(px, py);
    }
}

/// One map row of the column path from the column sums of [`box_columns`] (three rows of
/// `sums.len() / 3`): the `size`-tap sums along the row, then SSIM into `out[..n]` and cs into `out[n..2 n]`, the
/// bits of [`box_pixel_narrow`] (given [`columns_fit`]).
///
/// In terms of the window sums, `A + B = 2 (Sx^2 + Sy^2)`, `A - B = 4 Sx Sy`,
/// `U + D = 2 (t Sq - (Sx^2 + Sy^2))` and `U - D = 2 (t Sr - 2 Sx Sy)` (`Sq`, `Sr` the sums of
/// `x^2 + y^2` and `2xy`): every term is twice an exact integer, so the formula runs on the
/// halves with the constants halved.
#[cfg(feature = "box-columns")]
pub(crate) fn box_columns_formula(
    sums: &[i32],
    size: usize,
    n: usize,
    k: &FormulaConsts,
    out: &mut [f32],
) {
    let m = sums.len() / 3;
    let (c, q, r) = (&sums[..m], &sums[m..2 * m], &sums[2 * m..3 * m]);
    let nk = NarrowConsts::new(k);
    let (c1, c2) = (nk.c1 * 0.5, nk.c2 * 0.5);
    let (ssim, cs) = out[..2 * n].split_at_mut(n);
    for i in 0..n {
        let (mut sx, mut sy, mut sq, mut sr) = (0i32, 0i32, 0i32, 0i32);
        for j in i..i + size {
            let (a, b) = halves(c[j]);
            (sx, sy, sq, sr) = (sx + a, sy + b, sq + q[j], sr + r[j]);
        }
        let (ld, ln) = (sx * sx + sy * sy, 2 * sx * sy);
        // `sq` and `sr` come multiplied by `t` (see `box_columns`).
        let (cd, cn) = (sq - ld, sr - ln);
        let l = (ln as f32 + c1) / (ld as f32 + c1);
        let v = (cn as f32 + c2) / (cd as f32 + c2);
        ssim[i] = l * v;
        cs[i] = v;
    }
}

/// SSIM and cs of one pixel from its exact box sums, in f64. Every backend evaluates these
/// operations in this order without fusing, so the bits are the same everywhere.
#[inline(always)]
pub(crate) fn box_pixel(
    a: f64,
    b: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
    k: &FormulaConsts,
) -> (f64, f64) {
    let t = k.taps;
    // Moments as exact-integer numerators over t^2: var = (t*Sxx - Sx^2) / t^2. The
    // numerators are exact in f64 for u8 and u16 with windows up to 7x7 (below 2^53).
    let inv_t2 = 1.0 / (t * t);
    let cov = k.cov * inv_t2;
    let vx = t * sxx - a * a;
    let vy = t * syy - b * b;
    let vxy = t * sxy - a * b;
    let l = (2.0 * a * b * inv_t2 + k.c1) / ((a * a + b * b) * inv_t2 + k.c1);
    let c = (2.0 * cov * vxy + k.c2) / (cov * (vx + vy) + k.c2);
    (l * c, c)
}

/// Overwrites the first two rows of `sums` with the f64 SSIM and cs values, whose pooled
/// columns are then summed as in [`row_sums`].
pub(crate) fn box_formula(
    sums: &mut [f64],
    n: usize,
    k: &FormulaConsts,
    pool: (usize, usize),
    ssim: &mut [f32],
    cs: &mut [f32],
) -> (f64, f64) {
    for i in 0..n {
        let m = |j: usize| sums[j * n + i];
        let (s, c) = box_pixel(m(0), m(1), m(2), m(3), m(4), k);
        sums[i] = s;
        sums[n + i] = c;
        ssim[i] = s as f32;
        cs[i] = c as f32;
    }
    let (mut s, mut c) = ([0.0f64; 8], [0.0f64; 8]);
    for (j, i) in (pool.0..pool.1).enumerate() {
        s[j % 8] += sums[i];
        c[j % 8] += sums[n + i];
    }
    (combine8(&s), combine8(&c))
}
