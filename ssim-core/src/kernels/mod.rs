//! The kernels the engine is built from, each written once: plainly in [`scalar`] (the
//! oracle) and generically over [`Lanes`](crate::lanes::Lanes) in [`generic`]. The engine
//! reaches them only through a `crate::backend::Kernels` table, which `crate::backend`
//! generates from its kernel list; this module depends on `crate::lanes` only.
//! `docs/ARCHITECTURE.md` shows where each piece sits in the data flow. The pieces:
//!
//! 1. **load**: one row of u8/u16/f32 samples (with a pixel step) widened to f32.
//! 2. **horizontal**: four *centred* moments (in 16-column groups, [`ud_at`]) from two padded f32 rows, which are first
//!    replaced by their sum `u = x + y` and difference `d = x - y` (integer samples load
//!    as `u`, `d` already, `load_ud`, and take `horizontal_ud`). For output column `o`
//!    (centre `c = o + r`) with shifts `su = u[c]`, `sd = d[c]`: `a = sum w (u - su)`,
//!    `qu = sum w (u - su)^2`, the same for `d`; stored as the local means `mu = su + a`,
//!    `md = sd + b` and the central moments `vu = qu - a^2`, `vd = qd - b^2`. Shifting by the
//!    centre sample makes every square relative to the local contrast, so f32 never
//!    subtracts two large, nearly equal numbers (the `E[x^2] - mu^2` trap). (The scalar
//!    kernel shares one centre, a sample inside all four windows, among four neighbouring
//!    columns for 7- and 11-tap windows that are not peaked: each sample's centred value and
//!    square are then made once, not once per tap, which a Cortex-M needs.) Four moments
//!    instead of the usual five (`mx, my, vx, vy, cxy`): SSIM uses the two variances only
//!    through their sum, `vx + vy = (vu + vd) / 2`, and `cxy = (vu - vd) / 4`; likewise
//!    `4 mx my = mu^2 - md^2` and `2 (mx^2 + my^2) = mu^2 + md^2`. One moment fewer is a
//!    fifth less filtering, ring memory and ring traffic.
//! 3. **vertical**: the same combination down the ring of moment rows (law of total variance:
//!    variance = mean of row variances + variance of row means), centred on one ring row's
//!    means per pass (a row in every window of the pass): the centred squares are then made
//!    once per ring row, not once per tap.
//! 4. **formula**: SSIM and cs per pixel, and f64 sums over the pooled columns:
//!    `l = ((mu^2 - md^2) + 2 C1) / ((mu^2 + md^2) + 2 C1)` and
//!    `cs = (cov (vu - vd) + 2 C2) / (cov (vu + vd) + 2 C2)`, unfused except `cov v + 2 C2`.
//!    With `x == y`, `d` is exactly 0, so `md = vd = 0` and numerator == denominator bit for
//!    bit: SSIM(x, x) is exactly 1 on every backend.
//!    3 and 4 run as one kernel (`vertical_formula`): the statistics stay in registers.
//! 5. **box (u8/u16)**: exact integer window sums (held in f64, exact below 2^53) by running
//!    sums, and the formula evaluated in f64 from them: identical on every backend. 8-bit
//!    samples in boxes up to [`NARROW_BOX_MAX`] take a faster exact path: the sums of
//!    `u = x + y` and `d = x - y` and of their squares (four moments instead of five: SSIM
//!    needs `Sxx + Syy`, never the two apart) summed in f32 (exact below 2^24) and held as
//!    i32, vertical sums carried from pass to pass, and the formula evaluated in f32 from
//!    exact i32 numerators
//!    ([`scalar::box_pixel_narrow`]), unfused and in one order everywhere: identical on every
//!    backend too.

// A build with no vector backend (no `portable` feature, no x86-64 or aarch64 tables: a
// Cortex-M firmware) compiles the generic kernels but never instantiates them.
macro_rules! vector_only {
    ($($module:ident),*) => {
        $(
            #[cfg_attr(
                not(any(feature = "portable", target_arch = "x86_64", target_arch = "aarch64")),
                allow(dead_code, unused_imports)
            )]
            pub(crate) mod $module;
        )*
    };
}
vector_only!(downsample, generic, roofline, x264);
#[cfg(feature = "block-means")]
vector_only!(block_means);
pub(crate) mod scalar;

/// Moment rows per ring slot of the f64 box path (`Sx, Sy, Sxx, Syy, Sxy`).
pub(crate) const MOMENTS: usize = 5;

/// Map rows computed by one vertical pass (the ring holds `2r + ROWS_PER_PASS` rows).
pub(crate) const ROWS_PER_PASS: usize = 4;

/// Largest box the fused 8-bit path serves: its window sums `Suu <= 49 * 510^2` stay below
/// 2^24 and its numerators `t Suu <= 49^2 * 510^2` below 2^31 (9x9 would break both).
pub(crate) const NARROW_BOX_MAX: usize = 7;

/// Moment rows per ring slot of the f32 paths, in sum/difference form: `mu, md, vu, vd`
/// (Gaussian and f32 samples) or `Su, Sd, Suu, Sdd` (8-bit box).
pub(crate) const UD_MOMENTS: usize = 4;

/// Columns per group of a Gaussian ring slot (`horizontal` writes it, `vertical_formula`
/// reads it; [`ud_at`]).
pub(crate) const UD_GROUP: usize = 16;

/// Where moment `m` of column `o` lies in a slot of the Gaussian moment ring: the slot is a
/// sequence of 16-column groups, each holding its `mu, md, vu, vd` side by side (256 bytes).
/// A vertical pass then reads one stream of memory per ring row instead of four (14 instead
/// of 56 from L2; `BENCHMARKS.md` has the measurement). Every lane count divides 16, so a
/// vector never straddles two groups.
#[inline(always)]
pub(crate) const fn ud_at(m: usize, o: usize) -> usize {
    (o / UD_GROUP) * UD_GROUP * UD_MOMENTS + m * UD_GROUP + o % UD_GROUP
}

/// Length of a Gaussian ring slot of `n` columns (whole groups; the engine's column count is
/// a multiple of 16, so this is `UD_MOMENTS n` there).
pub(crate) const fn ud_slot(n: usize) -> usize {
    UD_MOMENTS * n.div_ceil(UD_GROUP) * UD_GROUP
}

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
