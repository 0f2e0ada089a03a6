//! The 2x2 mean of the MS-SSIM pyramid ([`crate::Downsample`]), the part that touches every
//! sample: horizontal pair sums of one source row, and, for the lower row of a block, the
//! output value.
//!
//! ```text
//! pairs(k) = src[2k] + src[2k + 1]                      (in f32)
//! out[k]   = pairs(k)                                    upper row (Upper::None)
//! out[k]   = (acc[k] + pairs(k)) * 0.25                  lower row, acc = the upper row's pairs
//! out[k]   = (pairs_of(upper)(k) + pairs(k)) * 0.25      lower row, with the upper row itself
//! ```
//!
//! which is the `(a0 + a1) + (b0 + b1)` then `* 0.25` of the rule either way. The last form
//! serves callers that still hold the upper row (a whole image in memory): one pass per
//! block row, with no pair sums stored and loaded back. For u8 and u16 samples
//! every sum is an integer below 2^18 and the product by 1/4 is exact, so any order gives the
//! same bits; for f32 samples the SIMD kernels do the same IEEE additions in the same order
//! (no fused operation), so every backend gives the scalar bits for every sample type.
//!
//! The rule-specific blocks at the ends of an odd row (a repeated or a zero sample) stay in
//! `crate::downsample`; these kernels see only whole pairs.
//!
//! Why kernels: the pyramid runs on the backend it was given, and the u8 pair sums come from
//! one `maddubs` (x86) / `vpaddl` (NEON) per vector of pairs, straight to f32 (no u16 pass and
//! conversion pass); BENCHMARKS.md has the measured shares.

use crate::lanes::Lanes;
use crate::plane::Sample;

/// What the upper row of the 2x2 blocks contributes to a kernel call.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Upper<'a, T> {
    /// `src` is the upper row: `out` gets its pair sums.
    None,
    /// The upper row's pair sums, from an earlier call (at least `out.len()`).
    Sums(&'a [f32]),
    /// The upper row itself, laid out as `src` (same step, at least as long).
    Row(&'a [T]),
}

/// The scalar kernel, and the oracle: `out.len()` pairs of samples `step` apart from
/// `src[0]`; `out[k]` as in the module doc.
pub(crate) fn scalar<T: Sample>(src: &[T], step: usize, upper: Upper<'_, T>, out: &mut [f32]) {
    let pair = |r: &[T], k: usize| r[2 * k * step].to_f32() + r[(2 * k + 1) * step].to_f32();
    match upper {
        Upper::None => {
            for (k, o) in out.iter_mut().enumerate() {
                *o = pair(src, k);
            }
        }
        Upper::Sums(acc) => {
            let acc = &acc[..out.len()];
            for (k, (o, a)) in out.iter_mut().zip(acc).enumerate() {
                *o = (*a + pair(src, k)) * 0.25;
            }
        }
        Upper::Row(u) => {
            for (k, o) in out.iter_mut().enumerate() {
                *o = (pair(u, k) + pair(src, k)) * 0.25;
            }
        }
    }
}

/// Whole rows of samples that give one vector of pair sums at a time. A trait rather than a
/// closure: a closure is a function of its own, compiled without the entry point's target
/// features, and the intrinsics in it would not be inlined.
pub(crate) trait Pairs<S: Lanes> {
    /// The sums of pairs `o..o + F`.
    fn pairs(&self, s: S, o: usize) -> S::V;
}

impl<S: Lanes> Pairs<S> for &[u8] {
    #[inline(always)]
    fn pairs(&self, s: S, o: usize) -> S::V {
        s.load_u8_pairs(self, 2 * o)
    }
}

impl<S: Lanes> Pairs<S> for &[u16] {
    #[inline(always)]
    fn pairs(&self, s: S, o: usize) -> S::V {
        s.pair_add(s.load_u16(self, 2 * o), s.load_u16(self, 2 * o + S::F))
    }
}

impl<S: Lanes> Pairs<S> for &[f32] {
    #[inline(always)]
    fn pairs(&self, s: S, o: usize) -> S::V {
        s.pair_add(s.load(self, 2 * o), s.load(self, 2 * o + S::F))
    }
}

/// The vector kernel: `out.len()` pairs of contiguous samples (`step == 1`), at least one
/// vector of them. The last vector may overlap the previous one (a pure function of the
/// inputs, so the overlapped outputs get the same values again).
#[inline(always)]
fn rows<'a, S: Lanes, T>(s: S, src: &'a [T], upper: Upper<'a, T>, out: &mut [f32])
where
    &'a [T]: Pairs<S>,
{
    let n = out.len();
    let last = n - S::F;
    let quarter = s.splat(0.25);
    match upper {
        Upper::None => {
            for o in (0..n).step_by(S::F).map(|o| o.min(last)) {
                s.store(src.pairs(s, o), out, o);
            }
        }
        Upper::Sums(acc) => {
            let acc = &acc[..n];
            for o in (0..n).step_by(S::F).map(|o| o.min(last)) {
                let v = s.mul(s.add(s.load(acc, o), src.pairs(s, o)), quarter);
                s.store(v, out, o);
            }
        }
        Upper::Row(u) => {
            let u = &u[..2 * n];
            for o in (0..n).step_by(S::F).map(|o| o.min(last)) {
                let v = s.mul(s.add(u.pairs(s, o), src.pairs(s, o)), quarter);
                s.store(v, out, o);
            }
        }
    }
}

/// The kernel for one sample type: the vector kernel on contiguous rows of at least one
/// vector, else the scalar one.
#[inline(always)]
pub(crate) fn downsample<'a, S: Lanes, T: Sample>(
    s: S,
    src: &'a [T],
    step: usize,
    upper: Upper<'a, T>,
    out: &mut [f32],
) where
    &'a [T]: Pairs<S>,
{
    let n = out.len();
    if step != 1 || n < S::F {
        return scalar(src, step, upper, out);
    }
    // No prefetch of the next row here (unlike the engine's `load`): with the pyramid's 2x2
    // mean running before the engine's load, fetching the next row from here made the u8
    // kernel slower (BENCHMARKS.md), and the f32 levels' rows are in cache already.
    rows(s, &src[..2 * n], upper, out);
}
