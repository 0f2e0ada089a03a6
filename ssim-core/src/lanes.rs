//! The crate-private vector abstraction every SIMD kernel is written against, and [`Rows`],
//! the bounds-checked view of ring rows the vertical kernels load through. This module depends
//! on nothing else in the crate: `arch` implements [`Lanes`], `kernels` is written against it.
//!
//! A [`Lanes`] value is a zero-sized *token*: holding one proves that the CPU runs the
//! instruction set behind it (the x86 tokens are only created inside `#[target_feature]` entry
//! points, after detection). The kernels in `crate::kernels::generic` are generic over the
//! token and `#[inline(always)]`, so each entry point compiles them with its own target
//! features and the intrinsics really become ymm/zmm/NEON instructions (the trap `wide` falls
//! into under run-time dispatch, see `docs/ARCHITECTURE.md`, does not apply).
//!
//! Loads and stores take a slice and an index and check the bounds: a kernel bug panics, it
//! never reads out of bounds.

/// One instruction set's f32 and f64 vectors. `mul_add` may fuse (one rounding); everything
/// else is the IEEE operation of the same name, lane by lane.
pub(crate) trait Lanes: Copy {
    /// f32 lanes per vector.
    const F: usize;
    /// f64 lanes per vector (`F / 2`); divides 8.
    const D: usize;
    /// Vector registers the instruction set has (decides how much a kernel keeps live).
    const REGISTERS: usize;
    /// A vector of `F` f32.
    type V: Copy;
    /// A vector of `D` f64.
    type W: Copy;
    /// A vector of `F` i32.
    type I: Copy;
    /// A vector of `2F` i16 (the integer block sums of `crate::kernels::x264`).
    type H: Copy;

    fn splat(self, v: f32) -> Self::V;
    /// `s[i..i + F]`.
    fn load(self, s: &[f32], i: usize) -> Self::V;
    /// `rows.row(t)[i..i + F]`, checked by [`Rows::at`] (cheaper than [`Lanes::load`] in
    /// loops over many rows).
    fn load_at<const CAP: usize>(self, rows: &Rows<'_, CAP>, t: usize, i: usize) -> Self::V;
    /// Into `d[i..i + F]`.
    fn store(self, v: Self::V, d: &mut [f32], i: usize);
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    fn sub(self, a: Self::V, b: Self::V) -> Self::V;
    fn mul(self, a: Self::V, b: Self::V) -> Self::V;
    fn div(self, a: Self::V, b: Self::V) -> Self::V;
    /// Lane maximum (operands are never NaN where it is used).
    fn max(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a * b + c`, fused where the instruction set has FMA.
    fn mul_add(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// [`crate::kernels::scalar::widen16`]'s f32 tree over sixteen lanes held as `16 / F`
    /// vectors (lane `l + 8` to lane `l`, then `l + 4`, `l + 2`, `l + 1`), where the backend
    /// has it in registers; `None`: the caller stores the lanes and adds them one by one.
    #[inline(always)]
    fn tree16(self, _v: &[Self::V]) -> Option<f32> {
        None
    }
    /// `c - a * b`: the value of `mul_add(0 - a, b, c)` (the same bits wherever `c` is not
    /// -0), in one instruction where the instruction set has it.
    #[inline(always)]
    fn neg_mul_add(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V {
        self.mul_add(self.sub(self.splat(0.0), a), b, c)
    }
    /// `s[i..i + F]` widened to f32 (exact).
    fn load_u8(self, s: &[u8], i: usize) -> Self::V;
    /// `s[i..i + F]` widened to f32 (exact).
    fn load_u16(self, s: &[u16], i: usize) -> Self::V;
    /// `s[K j]` for `j` in `0..F` widened to f32 (exact): the channel of `F` pixels of `K`
    /// interleaved channels; `s` holds at least `K (F - 1) + 1` samples. `None` where the
    /// instruction set has nothing better than the compiler's code for the strided loop.
    #[inline(always)]
    fn load_u8_every<const K: usize>(self, _s: &[u8]) -> Option<Self::V> {
        None
    }
    /// As [`load_u8_every`](Self::load_u8_every), for 16-bit samples.
    #[inline(always)]
    fn load_u16_every<const K: usize>(self, _s: &[u16]) -> Option<Self::V> {
        None
    }
    /// Sums of adjacent lanes: `[a0 + a1, a2 + a3, .., b0 + b1, b2 + b3, ..]` (the IEEE sums
    /// of the pairs of `a` then of `b`).
    fn pair_add(self, a: Self::V, b: Self::V) -> Self::V;
    /// Sums of adjacent samples of `s[i..i + 2F]`: lane `k` is `s[i + 2k] + s[i + 2k + 1]`
    /// (exact, below 2^9).
    fn load_u8_pairs(self, s: &[u8], i: usize) -> Self::V;

    /// Hints that the byte at `p` will be read soon. Never faults: `p` may point anywhere.
    fn prefetch(self, p: *const u8);
    /// Integer-valued lanes of magnitude below 2^31 to i32 (exact).
    fn to_int(self, v: Self::V) -> Self::I;
    /// Lane product, wrapping (the callers keep it below 2^31, where it is exact).
    fn mul_int(self, a: Self::I, b: Self::I) -> Self::I;
    /// Lane difference, wrapping (the callers keep it below 2^31).
    fn sub_int(self, a: Self::I, b: Self::I) -> Self::I;
    /// Lane sum, wrapping (the callers keep it below 2^31).
    fn add_int(self, a: Self::I, b: Self::I) -> Self::I;
    /// i32 lanes to f32, rounded to nearest even (as `i32 as f32`).
    fn to_float(self, v: Self::I) -> Self::V;
    fn splat_int(self, v: i32) -> Self::I;
    /// `s[i..i + F]`.
    fn load_int(self, s: &[i32], i: usize) -> Self::I;
    /// Into `d[i..i + F]`.
    fn store_int(self, v: Self::I, d: &mut [i32], i: usize);
    /// Sums of adjacent lanes, `[a0 + a1, a2 + a3, .., b0 + b1, b2 + b3, ..]`, wrapping.
    fn pair_add_int(self, a: Self::I, b: Self::I) -> Self::I;
    /// `s[i..i + 2F]` zero-extended to i16.
    fn load_u8_h(self, s: &[u8], i: usize) -> Self::H;
    /// `s[i..i + 2F]` as i16 (the callers' samples are below 2^15).
    #[cfg(feature = "u16")]
    fn load_u16_h(self, s: &[u16], i: usize) -> Self::H;
    /// Lane sum, wrapping (the callers keep it below 2^15).
    fn add_h(self, a: Self::H, b: Self::H) -> Self::H;
    /// Products of adjacent lane pairs: lane `k` is `a[2k] b[2k] + a[2k + 1] b[2k + 1]`
    /// (i16 times i16 to i32, exact; x86 `pmaddwd`).
    fn madd_h(self, a: Self::H, b: Self::H) -> Self::I;
    /// Sums of adjacent lane pairs widened to i32: lane `k` is `a[2k] + a[2k + 1]`.
    fn pair_sums_h(self, a: Self::H) -> Self::I;

    #[cfg(feature = "box-columns")]
    /// Lane `k` is `x[i + k] | y[i + k] << 16`: the samples of both images as the two
    /// 16-bit halves of one 32-bit lane (the "pairs" the `*_pairs` operations read).
    fn load_u8_xy(self, x: &[u8], y: &[u8], i: usize) -> Self::I;
    #[cfg(feature = "box-columns")]
    /// Each 32-bit lane as two i16 halves: the halves' sums, wrapping (x86 `paddw`).
    fn add_pairs(self, a: Self::I, b: Self::I) -> Self::I;
    #[cfg(feature = "box-columns")]
    /// As [`add_pairs`](Self::add_pairs), the halves' differences.
    fn sub_pairs(self, a: Self::I, b: Self::I) -> Self::I;
    #[cfg(feature = "box-columns")]
    /// Each 32-bit lane as two i16 halves: `lo(a) lo(b) + hi(a) hi(b)` in i32, wrapping
    /// (x86 `pmaddwd`).
    fn madd_pairs(self, a: Self::I, b: Self::I) -> Self::I;
    #[cfg(feature = "box-columns")]
    /// The two 16-bit halves of each lane exchanged.
    fn swap_pairs(self, a: Self::I) -> Self::I;

    fn splat_d(self, v: f64) -> Self::W;
    /// `s[i..i + D]`.
    fn load_d(self, s: &[f64], i: usize) -> Self::W;
    /// `rows.row(t)[i..i + D]`, as [`load_at`](Self::load_at) for f64 rows (the core::arch
    /// backends check only the column against the common row length).
    #[inline(always)]
    #[cfg_attr(not(feature = "gradient"), allow(dead_code))] // the gradient's kernels only
    fn load_d_at<const CAP: usize>(self, rows: &Rows<'_, CAP, f64>, t: usize, i: usize) -> Self::W {
        self.load_d(rows.row(t), i)
    }
    /// Into `d[i..i + D]`.
    fn store_d(self, v: Self::W, d: &mut [f64], i: usize);
    /// `s[i..i + D]` (f32) widened to f64 (exact).
    fn widen_d(self, s: &[f32], i: usize) -> Self::W;
    /// `v` rounded to f32, into `d[i..i + D]`.
    fn store_narrow_d(self, v: Self::W, d: &mut [f32], i: usize);
    fn add_d(self, a: Self::W, b: Self::W) -> Self::W;
    fn sub_d(self, a: Self::W, b: Self::W) -> Self::W;
    fn mul_d(self, a: Self::W, b: Self::W) -> Self::W;
    fn div_d(self, a: Self::W, b: Self::W) -> Self::W;
}

/// Equal-length rows at fixed offsets of one buffer, each checked once to lie inside it.
///
/// A vector load from row `t` at column `i` then only checks `t < count` and
/// `i + lanes <= len`; the second check does not change down a column of rows, so the compiler
/// moves it out of the loop over window rows. Bounds-checking each load against the whole
/// buffer instead costs six instructions per load, and the vertical pass does 55 loads per
/// vector of pixels.
///
/// `CAP` is the most rows it holds. The kernels build one per vertical pass, so it is sized
/// for the pass's window (`2r + ROWS_PER_PASS` rows for the common radii) rather than for the
/// largest one: zeroing 130 offsets per pass showed up as a `memset` in profiles.
pub(crate) struct Rows<'a, const CAP: usize, E = f32> {
    data: &'a [E],
    /// Invariant: `offsets[t] + len <= data.len()` for every `t < count`.
    offsets: [usize; CAP],
    count: usize,
    len: usize,
}

impl<'a, const CAP: usize, E> Rows<'a, CAP, E> {
    /// The rows `data[off..off + len]`, in order. Panics if one does not fit in `data` or if
    /// there are more than `CAP`.
    #[inline(always)]
    pub(crate) fn new(data: &'a [E], len: usize, offsets: impl IntoIterator<Item = usize>) -> Self {
        let mut rows = Rows {
            data,
            offsets: [0; CAP],
            count: 0,
            len,
        };
        for off in offsets {
            assert!(
                off <= data.len() && len <= data.len() - off,
                "row outside its buffer"
            );
            assert!(rows.count < CAP, "more rows than the pass holds");
            rows.offsets[rows.count] = off;
            rows.count += 1;
        }
        rows
    }

    /// Row `t` as a slice.
    #[inline(always)]
    #[cfg_attr(not(feature = "portable"), allow(dead_code))] // the portable token's loads
    pub(crate) fn row(&self, t: usize) -> &'a [E] {
        assert!(t < self.count);
        &self.data[self.offsets[t]..][..self.len]
    }

    /// A pointer to `row(t)[i..]`, valid for reading `lanes` values. Panics otherwise.
    #[inline(always)]
    #[cfg_attr(
        not(any(target_arch = "x86_64", target_arch = "aarch64")),
        allow(dead_code) // only the core::arch backends load through raw pointers
    )]
    pub(crate) fn at(&self, t: usize, i: usize, lanes: usize) -> *const E {
        assert!(t < self.count && i <= self.len && lanes <= self.len - i);
        // In bounds: `offsets[t] + i + lanes <= offsets[t] + len <= data.len()`.
        self.data.as_ptr().wrapping_add(self.offsets[t] + i)
    }
}
