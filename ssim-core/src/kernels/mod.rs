//! The kernels the engine is built from, and the backend that runs them.
//!
//! The engine only ever calls kernels through a [`Kernels`] table of function pointers, chosen
//! once per image; each backend fills the table with its own implementations. The pieces are
//! the ones of `DESIGN.md` section 2:
//!
//! 1. **load**: one row of u8/u16/f32 samples (with a pixel step) widened to f32.
//! 2. **horizontal**: four *centred* moment rows from two padded f32 rows, which are first
//!    replaced by their sum `u = x + y` and difference `d = x - y`. For output column `o`
//!    (centre `c = o + r`) with shifts `su = u[c]`, `sd = d[c]`: `a = sum w (u - su)`,
//!    `qu = sum w (u - su)^2`, the same for `d`; stored as the local means `mu = su + a`,
//!    `md = sd + b` and the central moments `vu = qu - a^2`, `vd = qd - b^2`. Shifting by the
//!    centre sample makes every square relative to the local contrast, so f32 never
//!    subtracts two large, nearly equal numbers (the `E[x^2] - mu^2` trap). Four moments
//!    instead of the usual five (`mx, my, vx, vy, cxy`): SSIM uses the two variances only
//!    through their sum, `vx + vy = (vu + vd) / 2`, and `cxy = (vu - vd) / 4`; likewise
//!    `4 mx my = mu^2 - md^2` and `2 (mx^2 + my^2) = mu^2 + md^2`. One moment fewer is a
//!    fifth less filtering, ring memory and ring traffic.
//! 3. **vertical**: the same combination down the ring of moment rows (law of total variance:
//!    variance = mean of row variances + variance of row means), centred on the middle row.
//! 4. **formula**: SSIM and cs per pixel, and f64 sums over the pooled columns:
//!    `l = ((mu^2 - md^2) + 2 C1) / ((mu^2 + md^2) + 2 C1)` and
//!    `cs = (cov (vu - vd) + 2 C2) / (cov (vu + vd) + 2 C2)`, unfused except `cov v + 2 C2`.
//!    With `x == y`, `d` is exactly 0, so `md = vd = 0` and numerator == denominator bit for
//!    bit: SSIM(x, x) is exactly 1 on every backend.
//!    The engine runs 3 and 4 as one kernel (`vertical_formula`, the same bits as the two).
//! 5. **box (u8/u16)**: exact integer window sums (held in f64, exact below 2^53) by running
//!    sums, and the formula evaluated in f64 from them: identical on every backend. 8-bit
//!    samples in boxes up to [`NARROW_BOX_MAX`] take a faster exact path: the sums of
//!    `u = x + y` and `d = x - y` and of their squares (four moments instead of five: SSIM
//!    needs `Sxx + Syy`, never the two apart) held in f32 (exact below 2^24), vertical sums
//!    carried from pass to pass, and the formula evaluated in f32 from exact i32 numerators
//!    (`scalar::box_pixel_narrow`), unfused and in one order everywhere: identical on every
//!    backend too.

pub(crate) mod downsample;
pub(crate) mod generic;
pub(crate) mod lanes;
mod portable;
pub(crate) mod scalar;
#[cfg(test)]
mod tests;

use crate::error::{Error, Result};

/// Moment rows per ring slot of the f64 box path (`Sx, Sy, Sxx, Syy, Sxy`).
pub(crate) const MOMENTS: usize = 5;

/// Map rows computed by one vertical pass (the ring holds `2r + ROWS_PER_PASS` rows).
pub(crate) const ROWS_PER_PASS: usize = 4;

/// A set of kernels that computes SSIM. Forcing one the CPU cannot run is an error.
///
/// Every backend runs the same algorithm; they differ in vector width and in whether
/// `a * b + c` is fused. u8/u16 samples in a box window give the same bits on every backend;
/// Gaussian windows and f32 samples agree with [`Backend::Scalar`] within the bound stated in
/// `BENCHMARKS.md` (the tests require 1e-6 on means).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// Plain Rust, one value at a time: the reference every other backend is tested against.
    Scalar,
    /// The `wide` crate's fixed-width vectors, compiled for the build's baseline target
    /// (SSE2 on x86-64, NEON on aarch64, simd128 on wasm32 with that feature). Every target.
    Portable,
    /// aarch64 Advanced SIMD (NEON), 4 f32 lanes with fused multiply-add.
    Neon,
    /// x86-64 AVX2 with FMA, 8 f32 lanes; needs the OS to save ymm registers.
    Avx2,
    /// x86-64 AVX-512 (F), 16 f32 lanes; needs the OS to save zmm and mask registers.
    Avx512,
}

impl Backend {
    /// Every backend this crate knows, slowest first.
    pub const ALL: &'static [Backend] = &[
        Backend::Scalar,
        Backend::Portable,
        Backend::Neon,
        Backend::Avx2,
        Backend::Avx512,
    ];

    /// The name used by `SSIM_BACKEND`, the CLI and the C API.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Scalar => "scalar",
            Backend::Portable => "portable",
            Backend::Neon => "neon",
            Backend::Avx2 => "avx2",
            Backend::Avx512 => "avx512",
        }
    }

    /// Parses a name as printed by [`Backend::name`].
    pub fn from_name(name: &str) -> Option<Backend> {
        Backend::ALL
            .iter()
            .copied()
            .find(|b| b.name().eq_ignore_ascii_case(name))
    }

    /// Whether this CPU (and this build) can run the backend. On x86-64 this checks CPUID and
    /// that the OS saves the wider registers (XGETBV); the answer is cached.
    pub fn is_supported(self) -> bool {
        self.table().is_some()
    }

    /// The fastest supported backend.
    pub fn detect() -> Backend {
        Backend::ALL
            .iter()
            .rev()
            .copied()
            .find(|b| b.is_supported())
            .unwrap_or(Backend::Scalar)
    }

    /// Iterator over the supported backends, slowest first.
    pub fn available() -> impl Iterator<Item = Backend> {
        Backend::ALL.iter().copied().filter(|b| b.is_supported())
    }

    /// The kernel table, if this CPU runs it: the only way to reach an ISA's kernels.
    fn table(self) -> Option<&'static Kernels> {
        match self {
            Backend::Scalar => Some(&scalar::KERNELS),
            Backend::Portable => Some(&portable::KERNELS),
            #[cfg(target_arch = "aarch64")]
            Backend::Neon => crate::arch::aarch64::neon::kernels(),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2 => crate::arch::x86_64::avx2::kernels(),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512 => crate::arch::x86_64::avx512::kernels(),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    pub(crate) fn kernels(self) -> Result<&'static Kernels> {
        self.table().ok_or(Error::BackendUnsupported {
            backend: self.name(),
        })
    }
}

impl core::fmt::Display for Backend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Widens `out.len()` samples, `step` apart, to f32.
pub(crate) type LoadFn<T> = fn(src: &[T], step: usize, out: &mut [f32]);
/// Like [`LoadFn`] for f32; returns the index of the first non-finite sample, if any.
pub(crate) type LoadF32Fn = fn(src: &[f32], step: usize, out: &mut [f32]) -> Option<usize>;
/// Centred horizontal moments. `x`, `y`: padded rows of `n + 2r` values, overwritten with
/// `u = x + y`, `d = x - y`; `w`: `r + 1` half-weights (centre first); `out`: the
/// [`UD_MOMENTS`] rows `mu, md, vu, vd` of `n`.
pub(crate) type HorizontalFn =
    fn(x: &mut [f32], y: &mut [f32], w: &[f32], n: usize, out: &mut [f32]);
/// Centred vertical combination for `slots.len() - 2r` consecutive map rows. `ring`: slots of
/// [`UD_MOMENTS`] rows of `n`; `slots`: the slot indices of the window rows, top to bottom
/// (map row `k` of the pass uses `slots[k..k + 2r + 1]`); `out`: per map row, the
/// `mu, md, vu, vd` rows of `n`.
pub(crate) type VerticalFn =
    fn(ring: &[f32], slots: &[usize], w: &[f32], n: usize, out: &mut [f32]);
/// SSIM and cs per pixel from a statistics row; returns the f64 sums of both over `pool`.
pub(crate) type FormulaFn = fn(
    stats: &[f32],
    n: usize,
    k: &FormulaConsts,
    pool: (usize, usize),
    ssim: &mut [f32],
    cs: &mut [f32],
) -> (f64, f64);
/// Exact box window sums of `x, y, x^2, y^2, xy` along a padded row (integer-valued f32 in,
/// f64 out, five rows of `n`), `size` taps.
pub(crate) type BoxHorizontalFn = fn(x: &[f32], y: &[f32], size: usize, n: usize, out: &mut [f64]);
/// The exact 8-bit box sums of the fused path: `x, y` (padded rows of `n + size - 1`
/// integer-valued f32) are overwritten with `u = x + y`, `d = x - y`, and `out` gets the
/// [`UD_MOMENTS`] rows `Su, Sd, Suu, Sdd` of `n` window sums, held in f32 (exact for
/// boxes up to [`NARROW_BOX_MAX`] taps: every sum is below 2^24).
pub(crate) type BoxHorizontalNarrowFn =
    fn(x: &mut [f32], y: &mut [f32], size: usize, n: usize, out: &mut [f32]);
/// Largest box the fused 8-bit path serves: its window sums `Suu <= 49 * 510^2` stay below
/// 2^24 and its numerators `t Suu <= 49^2 * 510^2` below 2^31 (9x9 would break both).
pub(crate) const NARROW_BOX_MAX: usize = 7;
/// Moment rows per ring slot of the f32 paths, in sum/difference form: `mu, md, vu, vd`
/// (Gaussian and f32 samples) or `Su, Sd, Suu, Sdd` (8-bit box).
pub(crate) const UD_MOMENTS: usize = 4;
/// Adds the window rows of the integer ring into `out` for `slots.len() - size + 1`
/// consecutive map rows (map row `k` uses `slots[k..k + size]`; five rows of `n` f64 each).
pub(crate) type BoxVerticalFn =
    fn(ring: &[f64], slots: &[usize], size: usize, n: usize, out: &mut [f64]);
/// SSIM and cs from exact box sums (evaluated in f64); returns the f64 sums over `pool`.
/// Overwrites the first two rows of `sums` with the f64 SSIM and cs values.
pub(crate) type BoxFormulaFn = fn(
    sums: &mut [f64],
    n: usize,
    k: &FormulaConsts,
    pool: (usize, usize),
    ssim: &mut [f32],
    cs: &mut [f32],
) -> (f64, f64);

/// [`VerticalFn`] fused with [`FormulaFn`] (the same values, without the statistics rows):
/// map row `k` of the pass gets its SSIM row in `out[2k n..][..n]` and its cs row in
/// `out[(2k + 1) n..][..n]`.
pub(crate) type VerticalFormulaFn =
    fn(ring: &[f32], slots: &[usize], w: &[f32], n: usize, k: &FormulaConsts, out: &mut [f32]);
/// The vertical window sums of [`BoxHorizontalNarrowFn`]'s rows fused with the formula,
/// evaluated from exact i32 numerators in f32 (`scalar::box_pixel_narrow`). Output rows as
/// [`VerticalFormulaFn`].
///
/// Window sums carry from one pass to the next: `carry_in`, if given, holds the exact sums of
/// the rows `slots[..size - 1]` ([`UD_MOMENTS`] rows of `n`), so the first map row only
/// adds `slots[size - 1]`; `carry_out` receives the sums of `slots[rows..rows + size - 1]`
/// (the last window without its top row) for the next pass. The sums are exact integers, so
/// carrying them gives the same bits as summing each window afresh.
pub(crate) type BoxNarrowFormulaFn = fn(
    ring: &[f32],
    slots: &[usize],
    size: usize,
    n: usize,
    k: &FormulaConsts,
    carry_in: Option<&[f32]>,
    carry_out: &mut [f32],
    out: &mut [f32],
);
/// The f64 sums of SSIM and cs over `pool` in the fixed order of `scalar::row_sums`.
pub(crate) type RowSumsFn = fn(ssim: &[f32], cs: &[f32], pool: (usize, usize)) -> (f64, f64);
/// One step of the pyramid's 2x2 mean (`downsample` module): pair sums of `2 * out.len()`
/// samples `step` apart, `out[k] = src[2k step] + src[(2k + 1) step]` in f32, or with the
/// upper row's pair sums `acc` (or the upper row, whose pair sums are taken the same way)
/// `out[k] = (acc[k] + that) * 0.25`. The same bits on every backend.
pub(crate) type DownsampleFn<T> =
    fn(src: &[T], step: usize, upper: downsample::Upper<'_, T>, out: &mut [f32]);

/// Constants of the formula, in both precisions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FormulaConsts {
    pub c1: f64,
    pub c2: f64,
    /// Covariance factor (1 or N/(N-1)).
    pub cov: f64,
    /// Taps in the 2-D window (box: `size^2`).
    pub taps: f64,
}

/// One backend's kernels.
pub(crate) struct Kernels {
    pub backend: Backend,
    pub load_u8: LoadFn<u8>,
    pub load_u16: LoadFn<u16>,
    pub load_f32: LoadF32Fn,
    pub horizontal: HorizontalFn,
    /// The unfused halves of `vertical_formula`: the engine runs the fused pass, the tests
    /// check it against these (and these against the scalar kernels).
    #[cfg_attr(not(test), allow(dead_code))]
    pub vertical: VerticalFn,
    #[cfg_attr(not(test), allow(dead_code))]
    pub formula: FormulaFn,
    pub box_horizontal: BoxHorizontalFn,
    pub box_vertical: BoxVerticalFn,
    pub box_horizontal_narrow: BoxHorizontalNarrowFn,
    pub box_formula: BoxFormulaFn,
    pub vertical_formula: VerticalFormulaFn,
    pub box_narrow_formula: BoxNarrowFormulaFn,
    pub row_sums: RowSumsFn,
    pub downsample_u8: DownsampleFn<u8>,
    pub downsample_u16: DownsampleFn<u16>,
    pub downsample_f32: DownsampleFn<f32>,
}
