//! Every SIMD kernel, written once over [`Lanes`] and instantiated per instruction set by the
//! tables of `crate::backend` (one per backend, generated from its kernel list).
//!
//! They follow the operation order of [`super::scalar`] lane by lane; the differences are
//! that `mul_add` may be fused (Gaussian and f32 paths), that rows shorter than one vector are
//! handed to the scalar kernel, and that the scalar `horizontal` centres four neighbouring
//! columns on one shared sample where these kernels centre each column on its own (a
//! Cortex-M saving; both keep the cancellation relative to the local contrast). The exact integer box path uses no fused operation, so it
//! gives the scalar bits on every backend.
//!
//! Rows are processed one vector of columns at a time. A row whose length is not a multiple
//! of the lane count ends with one vector that overlaps the previous one: the kernels that
//! write to a separate buffer are pure functions of their inputs, so computing a column twice
//! stores the same value twice. The one in-place kernel, [`box_formula`], finishes its tail
//! with the scalar per-pixel function instead.
//!
//! `gaussian.rs` holds the f32 moment kernels (Gaussian windows and f32 samples), `boxes.rs`
//! the exact box-sum kernels, this file what they share plus the loads and row sums.

#[cfg(feature = "gradient")]
mod adjoint;
mod boxes;
mod gaussian;

#[cfg(feature = "block-means")]
pub(crate) use super::block_means::{
    add as block_add, add_f32 as block_add_f32, sums as block_sums,
};
pub(crate) use super::downsample::downsample;
#[cfg(feature = "u16")]
pub(crate) use super::x264::blocks as x264_blocks_u16;
pub(crate) use super::x264::{blocks as x264_blocks_u8, windows as x264_windows_u8};
#[cfg(feature = "gradient")]
pub(crate) use adjoint::{
    adjoint_coefficients, fir_f64, narrow_f32, weighted_combine_f64, weighted_moments_f64,
    weighted_rows_f64, widen_f32_f64, widen_u8_f64,
};
#[cfg(feature = "box-columns")]
pub(crate) use boxes::{box_columns, box_columns_formula};
pub(crate) use boxes::{
    box_formula, box_horizontal, box_horizontal_narrow, box_narrow_formula, box_vertical, load_ud,
};
pub(crate) use gaussian::{horizontal, horizontal_ud, vertical_formula};

use super::scalar;
use crate::lanes::Lanes;
use crate::params::MAX_RADIUS;

/// Start columns of the vectors covering `0..n` (`n >= f`); the last one may overlap.
#[inline(always)]
pub(super) fn chunks(n: usize, f: usize) -> impl Iterator<Item = usize> {
    let last = n - f;
    (0..n).step_by(f).map(move |o| o.min(last))
}

/// Sample types whose vectors the kernels load widened to f32 (exact).
pub(crate) trait Widen: crate::Sample {
    /// `src[i..i + F]` as f32 lanes.
    fn widen<S: Lanes>(s: S, src: &[Self], i: usize) -> S::V;
    /// `src[K j]` for `j` in `0..F` as f32 lanes, if the backend has a load for it.
    fn widen_every<S: Lanes, const K: usize>(s: S, src: &[Self]) -> Option<S::V>;
}

impl Widen for u8 {
    #[inline(always)]
    fn widen<S: Lanes>(s: S, src: &[u8], i: usize) -> S::V {
        s.load_u8(src, i)
    }
    #[inline(always)]
    fn widen_every<S: Lanes, const K: usize>(s: S, src: &[u8]) -> Option<S::V> {
        s.load_u8_every::<K>(src)
    }
}

impl Widen for u16 {
    #[inline(always)]
    fn widen<S: Lanes>(s: S, src: &[u16], i: usize) -> S::V {
        s.load_u16(src, i)
    }
    #[inline(always)]
    fn widen_every<S: Lanes, const K: usize>(s: S, src: &[u16]) -> Option<S::V> {
        s.load_u16_every::<K>(src)
    }
}

#[inline(always)]
pub(crate) fn load<S: Lanes, T: Widen>(s: S, src: &[T], step: usize, out: &mut [f32]) {
    let n = out.len();
    if n < S::F {
        return scalar::load(src, step, out);
    }
    // One channel of interleaved pixels: with the step a constant the compiler turns the
    // strided reads into vector loads and shuffles of this frame's instruction set (the
    // scalar loop cost a third of a colour channel's time).
    match step {
        1 => {}
        2 => return load_every::<S, T, 2>(s, src, out),
        3 => return load_every::<S, T, 3>(s, src, out),
        4 => return load_every::<S, T, 4>(s, src, out),
        _ => return scalar::load(src, step, out),
    }
    let src = &src[..n];
    // The input streams from memory; on a packed plane the next row starts right after
    // this one, so fetch it a row ahead (a hint only: a wrong guess costs nothing).
    let ahead = src.as_ptr().wrapping_add(n);
    for o in chunks(n, S::F) {
        s.prefetch(ahead.wrapping_add(o).cast());
        s.store(T::widen(s, src, o), out, o);
    }
}

/// `out[i] = src[K i]` widened (exact), as `scalar::load` with step `K`.
#[inline(always)]
fn load_every<S: Lanes, T: Widen, const K: usize>(s: S, src: &[T], out: &mut [f32]) {
    let n = out.len();
    if n == 0 {
        return;
    }
    let src = &src[..(n - 1) * K + 1];
    // The backend's own load where it has one (vector permutes: the compiler's code for
    // the loop below is bound by byte shuffles on one port), the loop for the rest.
    let mut done = 0;
    while done + S::F <= n {
        match T::widen_every::<S, K>(s, &src[done * K..]) {
            Some(v) => s.store(v, out, done),
            None => break,
        }
        done += S::F;
    }
    if done == n {
        return;
    }
    let (src, out) = (&src[done * K..], &mut out[done..]);
    let last = out.len() - 1;
    // The last pixel may lack its trailing channels: whole groups of K for the others.
    for (o, g) in out.iter_mut().zip(src.chunks_exact(K)) {
        *o = g[0].to_f32();
    }
    out[last] = src[last * K].to_f32();
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

/// Rows a vertical pass reads with a window of `taps` rows: its
/// [`ROWS_PER_PASS`](super::ROWS_PER_PASS) map rows share `taps - 1` of them. The capacity of
/// the pass's [`Rows`](crate::lanes::Rows).
pub(super) const fn pass_rows(taps: usize) -> usize {
    taps - 1 + super::ROWS_PER_PASS
}

/// [`pass_rows`] of the largest window, for the sizes without an arm of their own.
pub(super) const MAX_PASS_ROWS: usize = pass_rows(2 * MAX_RADIUS + 1);

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
    let (mut a, mut b) = (0.0f64, 0.0f64);
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
        if whole == end {
            if let (Some(ts), Some(tc)) = (s.tree16(&vs[..per]), s.tree16(&vc[..per])) {
                a += ts as f64;
                b += tc as f64;
                i = end;
                continue;
            }
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
    (a, b)
}

/// [`row_sums`] over f64 rows.
#[inline(always)]
pub(super) fn row_sums_d<S: Lanes>(
    s: S,
    ssim: &[f64],
    cs: &[f64],
    pool: (usize, usize),
) -> (f64, f64) {
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
