//! The kernel list: every kernel of a [`Kernels`](super::Kernels) table, named once with its
//! signature. Everything per kernel is generated from it: the table's fields, the scalar and
//! portable tables, and the `#[target_feature]` entry points of the AVX2, AVX-512 and NEON
//! tables (`crate::arch::target_feature_table`). `.ci/steps/50-codegen.sh` reads the names
//! from this file to know which entry points must be in the machine code.
//!
//! An entry `fn name = body(args) -> ret;` is the table field `name`; every backend runs it
//! as `crate::kernels::generic::body(token, args)`, except the scalar one, which runs
//! `crate::kernels::scalar::body(args)`. Adding a kernel is one entry here and one body in each
//! of those two modules (see `docs/ARCHITECTURE.md`).

/// Invokes `$callback! { $($head)* ; <the list> }`, each entry written
/// `$(#[$attr])* fn $name = $body($($arg: $ty),*) $(-> $ret)?;`.
macro_rules! kernel_list {
    ($callback:ident! { $($head:tt)* }) => {
        $callback! { $($head)* ;
            /// Widens `out.len()` samples, `step` apart, to f32.
            fn load_u8 = load(src: &[u8], step: usize, out: &mut [f32]);
            /// Widens `out.len()` samples, `step` apart, to f32.
            #[cfg(feature = "u16")]
            fn load_u16 = load(src: &[u16], step: usize, out: &mut [f32]);
            /// The rows of the fused 8-bit box path: `u = x + y` and `d = x - y` of `u.len()`
            /// samples of each image (`x_step`, `y_step` apart), as f32 (exact).
            fn load_u8_ud = load_ud(
                x: &[u8],
                x_step: usize,
                y: &[u8],
                y_step: usize,
                u: &mut [f32],
                d: &mut [f32]
            );
            /// As `load_u8_ud`, for 16-bit samples (the Gaussian path; exact, `|u| < 2^17`).
            #[cfg(feature = "u16")]
            fn load_u16_ud = load_ud(
                x: &[u16],
                x_step: usize,
                y: &[u16],
                y_step: usize,
                u: &mut [f32],
                d: &mut [f32]
            );
            /// Like `load_u8`; returns the index of the first non-finite sample, if any.
            fn load_f32 = load_f32(src: &[f32], step: usize, out: &mut [f32]) -> Option<usize>;
            /// Centred horizontal moments. `x`, `y`: padded rows of `n + 2r` values, overwritten
            /// with `u = x + y`, `d = x - y`; `w`: `r + 1` half-weights (centre first); `out`:
            /// the `UD_MOMENTS` rows `mu, md, vu, vd` of `n`; `ahead`: the bytes of the next
            /// input rows (or empty), which the vector kernels prefetch while they work.
            fn horizontal = horizontal(
                x: &mut [f32],
                y: &mut [f32],
                w: &[f32],
                n: usize,
                out: &mut [f32],
                ahead: [&[u8]; 2]
            );
            /// `horizontal` of rows already holding `u = x + y`, `d = x - y` (`load_u8_ud`'s,
            /// padded): the same bits for integer samples, without the pass that makes them.
            fn horizontal_ud = horizontal_ud(
                u: &[f32],
                d: &[f32],
                w: &[f32],
                n: usize,
                out: &mut [f32],
                ahead: [&[u8]; 2]
            );
            /// The centred vertical combination (law of total variance) of `slots.len() - 2r`
            /// consecutive map rows fused with the formula. `ring`: slots of `UD_MOMENTS` rows
            /// of `n`; `slots`: the slot indices of the window rows, top to bottom (map row `k`
            /// of the pass uses `slots[k..k + 2r + 1]`); `centre`: the index in `slots` of the
            /// ring row whose means centre every map row of the pass (in each one's window);
            /// map row `k` gets its SSIM row in `out[2k n..][..n]` and its cs row in
            /// `out[(2k + 1) n..][..n]`.
            fn vertical_formula = vertical_formula(
                ring: &[f32],
                slots: &[usize],
                centre: usize,
                w: &[f32],
                n: usize,
                k: &FormulaConsts,
                out: &mut [f32]
            );
            /// Exact box window sums of `x, y, x^2, y^2, xy` along a padded row
            /// (integer-valued f32 in, f64 out, `MOMENTS` rows of `n`), `size` taps.
            fn box_horizontal = box_horizontal(
                x: &[f32],
                y: &[f32],
                size: usize,
                n: usize,
                out: &mut [f64]
            );
            /// Adds the window rows of the f64 ring into `out` for `slots.len() - size + 1`
            /// consecutive map rows (map row `k` uses `slots[k..k + size]`; `MOMENTS` rows of
            /// `n` each).
            fn box_vertical = box_vertical(
                ring: &[f64],
                slots: &[usize],
                size: usize,
                n: usize,
                out: &mut [f64]
            );
            /// SSIM and cs from exact box sums (evaluated in f64); returns the f64 sums over
            /// `pool`. Overwrites the first two rows of `sums` with the f64 SSIM and cs values.
            fn box_formula = box_formula(
                sums: &mut [f64],
                n: usize,
                k: &FormulaConsts,
                pool: (usize, usize),
                ssim: &mut [f32],
                cs: &mut [f32]
            ) -> (f64, f64);
            /// The exact 8-bit box sums: from `u, d` (the padded rows of `load_u8_ud`, `n +
            /// size - 1` values) `out` gets the `UD_MOMENTS` window sums `Su, Sd, Suu, Sdd` of
            /// `u`, `d` and their squares for `n` columns, as i32: the same integers on every
            /// backend, laid out as four rows of `n` by the vector backends and column by
            /// column by the scalar one (only the same table's `box_narrow_formula` reads them).
            fn box_horizontal_narrow = box_horizontal_narrow(
                u: &[f32],
                d: &[f32],
                size: usize,
                n: usize,
                out: &mut [i32]
            );
            /// The vertical window sums of `box_horizontal_narrow`'s rows fused with the
            /// formula, evaluated from exact i32 numerators in f32
            /// (`kernels::scalar::box_pixel_narrow`). Output rows as `vertical_formula`.
            ///
            /// Window sums carry from one pass to the next: `carry_in`, if given, holds the
            /// exact sums of the rows `slots[..size - 1]` (`UD_MOMENTS` rows of `n`), so the
            /// first map row only adds `slots[size - 1]`; `carry_out` receives the sums of
            /// `slots[rows..rows + size - 1]` (the last window without its top row) for the
            /// next pass. The sums are exact integers, so carrying them gives the same bits as
            /// summing each window afresh.
            fn box_narrow_formula = box_narrow_formula(
                ring: &[i32],
                slots: &[usize],
                size: usize,
                n: usize,
                k: &FormulaConsts,
                carry_in: Option<&[i32]>,
                carry_out: &mut [i32],
                out: &mut [f32]
            );
            /// The column path of 8-bit box windows: input row `x`, `y` (`width` samples,
            /// `x_step`, `y_step` apart) into the column sums `sums` (three rows of
            /// `ring.len()`, the squares' sums times `taps`), replacing the ring row `ring`
            /// (subtracted first with `slide`; the sums are set instead of updated when
            /// `first`). See `kernels::scalar::box_columns`. The same integers on every
            /// backend.
            #[cfg(feature = "box-columns")]
            fn box_columns_u8 = box_columns(
                x: &[u8],
                x_step: usize,
                y: &[u8],
                y_step: usize,
                width: usize,
                taps: i32,
                first: bool,
                slide: bool,
                ring: &mut [i32],
                sums: &mut [i32]
            );
            /// One map row of the column path: SSIM into `out[..n]`, cs into `out[n..2n]`
            /// from the column sums of `box_columns_u8` (three rows of `sums.len() / 3`),
            /// `size` taps; the bits of `box_narrow_formula`.
            #[cfg(feature = "box-columns")]
            fn box_columns_formula = box_columns_formula(
                sums: &[i32],
                size: usize,
                n: usize,
                k: &FormulaConsts,
                out: &mut [f32]
            );
            /// The f64 sums of SSIM and cs over `pool` in the fixed order of
            /// `kernels::scalar::row_sums`.
            fn row_sums = row_sums(ssim: &[f32], cs: &[f32], pool: (usize, usize)) -> (f64, f64);
            /// The gradient's FIR: `out[p] = sum_k g[k] src[p + k]` in f64.
            #[cfg(feature = "gradient")]
            fn fir_f64 = fir_f64(src: &[f64], g: &[f64], out: &mut [f64]);
            /// The gradient's vertical passes: `out[q] = sum_t w[t] ring[starts[t] + q]`.
            #[cfg(feature = "gradient")]
            fn weighted_rows_f64 = weighted_rows_f64(
                ring: &[f64],
                starts: &[usize],
                w: &[f64],
                out: &mut [f64]
            );
            /// The gradient's vertical moments: rows `t` of `x` at `ring[starts[t]..][..n]`
            /// and of `y` just after; `out` gets the four rows of `n` of the `w`-weighted sums
            /// of `u, d, u^2, d^2` (`u = x + y`, `d = x - y`), for each of
            /// `starts.len() + 1 - w.len()` consecutive windows.
            #[cfg(feature = "gradient")]
            fn weighted_moments_f64 = weighted_moments_f64(
                ring: &[f64],
                starts: &[usize],
                w: &[f64],
                n: usize,
                out: &mut [f64]
            );
            /// The gradient's output rows: `out[q] = (A + y[q] B) + x[q] C` with `A, B, C`
            /// the `w`-weighted sums of the row triples at `ring[starts[t]..]` and `x`, `y`
            /// the row pair at `samples[sample_starts[r]..]`, for each of
            /// `starts.len() + 1 - w.len()` consecutive windows.
            #[cfg(feature = "gradient")]
            fn weighted_combine_f64 = weighted_combine_f64(
                ring: &[f64],
                starts: &[usize],
                w: &[f64],
                samples: &[f64],
                sample_starts: &[usize],
                out: &mut [f64]
            );
            /// The gradient's coefficient rows `a, b, c` (`out`, 3 rows of `n`) from the
            /// window statistics `mu_u, mu_d, E[u^2], E[d^2]` (`stats`, 4 rows of `n`).
            #[cfg(feature = "gradient")]
            fn adjoint_coefficients = adjoint_coefficients(
                stats: &[f64],
                k: &CoefficientConsts,
                out: &mut [f64]
            );
            /// The gradient's input rows: `out[i] = src[i]` as f64 (exact).
            #[cfg(feature = "gradient")]
            fn widen_u8_f64 = widen_u8_f64(src: &[u8], out: &mut [f64]);
            /// As `widen_u8_f64`.
            #[cfg(feature = "gradient")]
            fn widen_f32_f64 = widen_f32_f64(src: &[f32], out: &mut [f64]);
            /// The gradient's output rows: `out[i] = src[i]` rounded to f32 as `as` does.
            #[cfg(feature = "gradient")]
            fn narrow_f32 = narrow_f32(src: &[f64], out: &mut [f32]);
            /// One step of the pyramid's 2x2 mean (`kernels::downsample`): pair sums of
            /// `2 * out.len()` samples `step` apart, or with the upper row's contribution the
            /// block means. The same bits on every backend.
            fn downsample_u8 = downsample(
                src: &[u8],
                step: usize,
                upper: Upper<'_, u8>,
                out: &mut [f32]
            );
            /// As `downsample_u8`.
            #[cfg(feature = "u16")]
            fn downsample_u16 = downsample(
                src: &[u16],
                step: usize,
                upper: Upper<'_, u16>,
                out: &mut [f32]
            );
            /// As `downsample_u8`.
            fn downsample_f32 = downsample(
                src: &[f32],
                step: usize,
                upper: Upper<'_, f32>,
                out: &mut [f32]
            );
            /// The block-mean stage's column sums (`kernels::block_means`): `acc[i] +=
            /// src[i * step]` in f32, exact for the integer sums it is used for. The same bits
            /// on every backend.
            #[cfg(feature = "block-means")]
            fn block_add_u8 = block_add(src: &[u8], step: usize, acc: &mut [f32]);
            /// As `block_add_u8`.
            #[cfg(all(feature = "u16", feature = "block-means"))]
            fn block_add_u16 = block_add(src: &[u16], step: usize, acc: &mut [f32]);
            /// As `block_add_u8`, f32 samples summed in f64.
            #[cfg(feature = "block-means")]
            fn block_add_f32 = block_add_f32(src: &[f32], step: usize, acc: &mut [f64]);
            /// The block means of exact integer column sums for `f = 2^levels`: `out[k]` is
            /// the sum of `acc[k f..][..f]` over `f^2`. The same bits on every backend.
            #[cfg(feature = "block-means")]
            fn block_sums = block_sums(acc: &[f32], levels: u32, out: &mut [f32]);
            /// FFmpeg's 8-bit SSIM (`kernels::x264`): the 4x4 block sums of blocks `0..nb`
            /// (at most `STRIP + 1`) of the block rows `a`, `b` from pixel `x0`. Exact.
            fn x264_blocks_u8 = x264_blocks_u8(
                a: &Rows4<'_>,
                b: &Rows4<'_>,
                x0: usize,
                nb: usize,
                out: &mut BlockRowU8
            );
            /// `x264_blocks_u8` of 16-bit samples of at most 12 bits (FFmpeg's 10- and
            /// 12-bit formats). Exact.
            #[cfg(feature = "u16")]
            fn x264_blocks_u16 = x264_blocks_u16(
                a: &Rows4<'_, u16>,
                b: &Rows4<'_, u16>,
                x0: usize,
                nb: usize,
                out: &mut BlockRowU8
            );
            /// The sum of windows `0..n` (at most `STRIP`) of one strip row from the block rows
            /// above and below, with FFmpeg's rounding points and lane order; `k` is
            /// `(c1, c2)`. The same bits on every backend.
            fn x264_windows_u8 = x264_windows_u8(
                p: &BlockRowU8,
                c: &BlockRowU8,
                n: usize,
                k: (i32, i32)
            ) -> f64;
        }
    };
}

pub(crate) use kernel_list;
