//! The size-dependent block-mean stage ([`crate::AutoDownsample`]: piq's and Wang's 2009
//! `ssim.m`'s down-sampling). Column sums, the part that touches every input sample:
//! `acc[i] += src[i step]` for each of the `f` source rows of an output row; then, once per
//! output row, the block sums of `f` consecutive column sums over `f^2`
//! ([`crate::BlockMeanKernels`] handles the blocks that cross an edge).
//!
//! u8 and u16 samples are summed in f32: while `f^2 * 65535 < 2^24` (the caller checks it)
//! every partial sum is an integer below 2^24, so it is exact, any order gives the same bits,
//! and the block sums may be a tree of pair sums. f32 samples are summed in f64, in row order,
//! with the same IEEE additions lane by lane as the scalar kernel. So every backend gives the
//! scalar bits.
//!
//! Why kernels: the stage reads `f^2` input samples per output pixel; as scalar f64 code it
//! cost more than the SSIM of the smaller images (BENCHMARKS.md, "Presets round 2").

use super::generic::Widen;
use crate::lanes::Lanes;
use crate::plane::Sample;

/// The scalar kernel, and the oracle: `acc[i] += src[i step]` in f32.
pub(crate) fn scalar_add<T: Sample>(src: &[T], step: usize, acc: &mut [f32]) {
    for (i, a) in acc.iter_mut().enumerate() {
        *a += src[i * step].to_f32();
    }
}

/// The scalar kernel, and the oracle: `acc[i] += src[i step]` in f64.
pub(crate) fn scalar_add_f32(src: &[f32], step: usize, acc: &mut [f64]) {
    for (i, a) in acc.iter_mut().enumerate() {
        *a += src[i * step] as f64;
    }
}

/// The vector kernel for u8 and u16: whole vectors, then the scalar kernel on the tail (it
/// adds in place, so an overlapping last vector would add some columns twice).
#[inline(always)]
pub(crate) fn add<S: Lanes, T: Widen>(s: S, src: &[T], step: usize, acc: &mut [f32]) {
    let n = acc.len();
    if step != 1 || n < S::F {
        return scalar_add(src, step, acc);
    }
    let src = &src[..n];
    let whole = n - n % S::F;
    for o in (0..whole).step_by(S::F) {
        let v = s.add(s.load(acc, o), T::widen(s, src, o));
        s.store(v, acc, o);
    }
    scalar_add(&src[whole..], 1, &mut acc[whole..]);
}

/// The vector kernel for f32 samples (f64 sums), as [`add`].
#[inline(always)]
pub(crate) fn add_f32<S: Lanes>(s: S, src: &[f32], step: usize, acc: &mut [f64]) {
    let n = acc.len();
    if step != 1 || n < S::D {
        return scalar_add_f32(src, step, acc);
    }
    let src = &src[..n];
    let whole = n - n % S::D;
    for o in (0..whole).step_by(S::D) {
        let v = s.add_d(s.load_d(acc, o), s.widen_d(src, o));
        s.store_d(v, acc, o);
    }
    scalar_add_f32(&src[whole..], 1, &mut acc[whole..]);
}

/// The scalar kernel, and the oracle, of the block sums for `f = 2^levels`: `out[k]` is the
/// sum of `acc[k f..][..f]`, in order, times `1 / f^2`. Used on exact integer column sums
/// below 2^24, where every order gives the same bits and the power-of-two scale is exact.
pub(crate) fn scalar_sums(acc: &[f32], levels: u32, out: &mut [f32]) {
    let f = 1usize << levels;
    let acc = &acc[..out.len() * f];
    let scale = 1.0 / (f * f) as f32;
    for (o, block) in out.iter_mut().zip(acc.chunks_exact(f)) {
        *o = block.iter().sum::<f32>() * scale;
    }
}

/// Sums of `2^L` consecutive values of `acc[b..][..F 2^L]`, one per lane, as a tree of
/// [`Lanes::pair_add`] (no strided loads: each level halves the vectors). Functions, not
/// closures: a closure is compiled without the entry point's target features.
#[inline(always)]
fn tree1<S: Lanes>(s: S, acc: &[f32], b: usize) -> S::V {
    s.pair_add(s.load(acc, b), s.load(acc, b + S::F))
}

#[inline(always)]
fn tree2<S: Lanes>(s: S, acc: &[f32], b: usize) -> S::V {
    s.pair_add(tree1(s, acc, b), tree1(s, acc, b + 2 * S::F))
}

#[inline(always)]
fn tree3<S: Lanes>(s: S, acc: &[f32], b: usize) -> S::V {
    s.pair_add(tree2(s, acc, b), tree2(s, acc, b + 4 * S::F))
}

/// The vector kernel of the block sums for `f` = 2, 4 or 8 (else the scalar one). Out of
/// place, so the last vector may overlap the previous one.
#[inline(always)]
pub(crate) fn sums<S: Lanes>(s: S, acc: &[f32], levels: u32, out: &mut [f32]) {
    let n = out.len();
    if !(1..=3).contains(&levels) || n < S::F {
        return scalar_sums(acc, levels, out);
    }
    let f = 1usize << levels;
    let acc = &acc[..n * f];
    let scale = s.splat(1.0 / (f * f) as f32);
    // One loop per level, so that the level is not decided per vector.
    match levels {
        1 => {
            for o in super::generic::chunks(n, S::F) {
                s.store(s.mul(tree1(s, acc, o * f), scale), out, o);
            }
        }
        2 => {
            for o in super::generic::chunks(n, S::F) {
                s.store(s.mul(tree2(s, acc, o * f), scale), out, o);
            }
        }
        _ => {
            for o in super::generic::chunks(n, S::F) {
                s.store(s.mul(tree3(s, acc, o * f), scale), out, o);
            }
        }
    }
}
