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
//! Why kernels: the pyramid now runs on the backend it was given, and the u8 pair sums come
//! from one `maddubs` (x86) / `vpaddl` (NEON) per vector of pairs, straight to f32 (no u16
//! pass and conversion pass). Measured share of an MS-SSIM 1080p u8 run (perf, AVX-512): the
//! autovectorised code took 2.2 % (u8 level) and 1.3 % (f32 levels), the kernels 1.9 % and
//! 0.8 %; what is left is mostly the stores of the level rows.

use super::lanes::Lanes;
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
trait Pairs<S: Lanes> {
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
fn downsample<'a, S: Lanes, T: Sample>(
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
    // No prefetch of the next row here (unlike `load_u8`): measured with the pyramid's 2x2
    // mean running before the engine's load, fetching the next row from here made the u8
    // kernel a third slower (perf, MS-SSIM 1080p: 424 -> 317 samples without), and the f32
    // levels' rows are in cache already.
    rows(s, &src[..2 * n], upper, out);
}

#[inline(always)]
pub(crate) fn downsample_u8<S: Lanes>(
    s: S,
    src: &[u8],
    step: usize,
    upper: Upper<'_, u8>,
    out: &mut [f32],
) {
    downsample(s, src, step, upper, out)
}

#[inline(always)]
pub(crate) fn downsample_u16<S: Lanes>(
    s: S,
    src: &[u16],
    step: usize,
    upper: Upper<'_, u16>,
    out: &mut [f32],
) {
    downsample(s, src, step, upper, out)
}

#[inline(always)]
pub(crate) fn downsample_f32<S: Lanes>(
    s: S,
    src: &[f32],
    step: usize,
    upper: Upper<'_, f32>,
    out: &mut [f32],
) {
    downsample(s, src, step, upper, out)
}

#[cfg(test)]
mod tests {
    //! Every backend's kernels against the scalar one, bitwise, on random rows: lengths around
    //! every lane count (tails), pixel steps 1 to 3, with and without the upper row's sums.

    extern crate std;

    use super::super::tests::{backends, scalar, Rng, LENGTHS};
    use super::super::DownsampleFn;
    use super::Upper;
    use std::vec::Vec;

    #[allow(clippy::too_many_arguments)]
    fn check<T: Copy + core::fmt::Debug>(
        name: &str,
        n: usize,
        step: usize,
        src: &[T],
        above: &[T],
        acc: &[f32],
        got: DownsampleFn<T>,
        want: DownsampleFn<T>,
    ) {
        for upper in [Upper::None, Upper::Sums(acc), Upper::Row(above)] {
            let (mut a, mut e) = (std::vec![f32::NAN; n + 1], std::vec![0f32; n + 1]);
            got(src, step, upper, &mut a[..n]);
            want(src, step, upper, &mut e[..n]);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&a[..n]),
                bits(&e[..n]),
                "{name} n={n} step={step} upper={upper:?}",
            );
            assert!(
                a[n].is_nan(),
                "{name} n={n} step={step}: wrote past the row"
            );
        }
    }

    #[test]
    fn downsample_kernels_are_identical() {
        let mut rng = Rng(7);
        let want = scalar();
        for (b, k) in backends() {
            for &n in LENGTHS.iter().chain(&[120, 475, 960]) {
                for step in 1..=3 {
                    let len = (2 * n - 1) * step + 1 + rng.below(3);
                    let u8s: Vec<u8> = (0..2 * len).map(|_| rng.next() as u8).collect();
                    let u16s: Vec<u16> = (0..2 * len).map(|_| rng.next() as u16).collect();
                    // Values of every magnitude and sign, so that rounding is exercised.
                    let f32s: Vec<f32> = (0..2 * len)
                        .map(|_| (rng.unit() - 0.3) * [1.0, 255.0, 7.0e5][rng.below(3)])
                        .collect();
                    let acc: Vec<f32> = (0..n).map(|_| rng.unit() * 2000.0 - 100.0).collect();
                    let name = |t: &str| std::format!("{b} downsample_{t}");
                    // The first half is the row, the second the upper row.
                    let (u8s, u8a) = u8s.split_at(len);
                    check(
                        &name("u8"),
                        n,
                        step,
                        u8s,
                        u8a,
                        &acc,
                        k.downsample_u8,
                        want.downsample_u8,
                    );
                    let (u16s, u16a) = u16s.split_at(len);
                    check(
                        &name("u16"),
                        n,
                        step,
                        u16s,
                        u16a,
                        &acc,
                        k.downsample_u16,
                        want.downsample_u16,
                    );
                    let (f32s, f32a) = f32s.split_at(len);
                    check(
                        &name("f32"),
                        n,
                        step,
                        f32s,
                        f32a,
                        &acc,
                        k.downsample_f32,
                        want.downsample_f32,
                    );
                }
            }
        }
    }

    #[test]
    fn scalar_kernel_is_the_definition() {
        // Independent of the kernel code: pairs summed by hand.
        let src: [u8; 7] = [1, 2, 250, 255, 7, 0, 9];
        let mut out = [0f32; 3];
        super::scalar(&src, 1, Upper::None, &mut out);
        assert_eq!(out, [3.0, 505.0, 7.0]);
        super::scalar(&src, 1, Upper::Sums(&[1.0, 3.0, 5.0]), &mut out);
        assert_eq!(out, [1.0, 127.0, 3.0]);
        let above: [u8; 6] = [5, 6, 0, 1, 255, 254];
        super::scalar(&src, 1, Upper::Row(&above), &mut out);
        assert_eq!(out, [3.5, 126.5, 129.0]);
        let mut out = [0f32; 1];
        super::scalar(&src, 3, Upper::None, &mut out);
        assert_eq!(out, [256.0]);
        let src: [f32; 4] = [0.1, 0.2, -3.0, 1.0e8];
        let mut out = [0f32; 2];
        super::scalar(&src, 1, Upper::Sums(&[0.5, 4.0]), &mut out);
        assert_eq!(
            out,
            [(0.5 + (0.1f32 + 0.2f32)) * 0.25, (4.0 + 1.0e8) * 0.25]
        );
    }
}
