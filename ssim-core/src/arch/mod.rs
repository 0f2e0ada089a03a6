//! Instruction-set specific code: CPU detection and the `#[target_feature]` entry points of
//! the AVX2, AVX-512 and NEON backends. This is the only place with `unsafe`.
//!
//! Each backend is a zero-sized token type implementing [`Lanes`](crate::kernels::lanes::Lanes)
//! with `core::arch` intrinsics, plus a private [`Kernels`](crate::kernels::Kernels) table
//! whose functions enter a `#[target_feature]` frame and run the generic kernels there, so the
//! intrinsics compile to that instruction set's registers. The table is only handed out by
//! the backend's `kernels()` function after detection, which is what makes the entry points
//! sound to call; `Backend::kernels` is the only caller.

#[cfg(target_arch = "aarch64")]
pub(crate) mod aarch64;
#[cfg(target_arch = "x86_64")]
pub(crate) mod x86_64;

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
pub(crate) struct Rows<'a, const CAP: usize> {
    data: &'a [f32],
    /// Invariant: `offsets[t] + len <= data.len()` for every `t < count`.
    offsets: [usize; CAP],
    count: usize,
    len: usize,
}

impl<'a, const CAP: usize> Rows<'a, CAP> {
    /// The rows `data[off..off + len]`, in order. Panics if one does not fit in `data` or if
    /// there are more than `CAP`.
    #[inline(always)]
    pub(crate) fn new(
        data: &'a [f32],
        len: usize,
        offsets: impl IntoIterator<Item = usize>,
    ) -> Self {
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
    pub(crate) fn row(&self, t: usize) -> &'a [f32] {
        assert!(t < self.count);
        &self.data[self.offsets[t]..][..self.len]
    }

    /// A pointer to `row(t)[i..]`, valid for reading `lanes` f32. Panics otherwise.
    #[inline(always)]
    #[cfg_attr(
        not(any(target_arch = "x86_64", target_arch = "aarch64")),
        allow(dead_code) // only the core::arch backends load through raw pointers
    )]
    pub(crate) fn at(&self, t: usize, i: usize, lanes: usize) -> *const f32 {
        assert!(t < self.count && i <= self.len && lanes <= self.len - i);
        // In bounds: `offsets[t] + i + lanes <= offsets[t] + len <= data.len()`.
        self.data.as_ptr().wrapping_add(self.offsets[t] + i)
    }
}

/// Defines `static KERNELS`, a table of entry points that run each generic kernel with the
/// token `$token` inside a `#[target_feature(enable = $features)]` frame.
///
/// The caller must hand `KERNELS` out only when the CPU and OS support `$features` (and the
/// token's own requirements): every entry point relies on that.
#[allow(unused_macros)]
macro_rules! target_feature_kernels {
    ($backend:expr, $features:literal, $token:ident) => {
        static KERNELS: $crate::kernels::Kernels = $crate::kernels::Kernels {
            backend: $backend,
            load_u8: entry::load_u8,
            load_u16: entry::load_u16,
            load_f32: entry::load_f32,
            horizontal: entry::horizontal,
            vertical: entry::vertical,
            formula: entry::formula,
            box_horizontal: entry::box_horizontal,
            box_vertical: entry::box_vertical,
            box_horizontal_narrow: entry::box_horizontal_narrow,
            box_formula: entry::box_formula,
            vertical_formula: entry::vertical_formula,
            box_narrow_formula: entry::box_narrow_formula,
            row_sums: entry::row_sums,
            downsample_u8: entry::downsample_u8,
            downsample_u16: entry::downsample_u16,
            downsample_f32: entry::downsample_f32,
        };

        mod entry {
            use super::$token;
            use $crate::arch::entry_point;
            use $crate::kernels::FormulaConsts;

            entry_point!($features, $token, load_u8, load_u8_tf, (src: &[u8], step: usize, out: &mut [f32]));
            entry_point!($features, $token, load_u16, load_u16_tf, (src: &[u16], step: usize, out: &mut [f32]));
            entry_point!(
                $features,
                $token,
                load_f32,
                load_f32_tf,
                (src: &[f32], step: usize, out: &mut [f32]) -> Option<usize>
            );
            entry_point!(
                $features,
                $token,
                horizontal,
                horizontal_tf,
                (x: &mut [f32], y: &mut [f32], w: &[f32], n: usize, out: &mut [f32])
            );
            entry_point!(
                $features,
                $token,
                vertical,
                vertical_tf,
                (ring: &[f32], slots: &[usize], w: &[f32], n: usize, out: &mut [f32])
            );
            entry_point!(
                $features,
                $token,
                formula,
                formula_tf,
                (
                    stats: &[f32],
                    n: usize,
                    k: &FormulaConsts,
                    pool: (usize, usize),
                    ssim: &mut [f32],
                    cs: &mut [f32]
                ) -> (f64, f64)
            );
            entry_point!(
                $features,
                $token,
                box_horizontal,
                box_horizontal_tf,
                (x: &[f32], y: &[f32], size: usize, n: usize, out: &mut [f64])
            );
            entry_point!(
                $features,
                $token,
                box_vertical,
                box_vertical_tf,
                (ring: &[f64], slots: &[usize], size: usize, n: usize, out: &mut [f64])
            );
            entry_point!(
                $features,
                $token,
                box_horizontal_narrow,
                box_horizontal_narrow_tf,
                (x: &mut [f32], y: &mut [f32], size: usize, n: usize, out: &mut [f32])
            );
            entry_point!(
                $features,
                $token,
                box_formula,
                box_formula_tf,
                (
                    sums: &mut [f64],
                    n: usize,
                    k: &FormulaConsts,
                    pool: (usize, usize),
                    ssim: &mut [f32],
                    cs: &mut [f32]
                ) -> (f64, f64)
            );
            entry_point!(
                $features,
                $token,
                vertical_formula,
                vertical_formula_tf,
                (
                    ring: &[f32],
                    slots: &[usize],
                    w: &[f32],
                    n: usize,
                    k: &FormulaConsts,
                    out: &mut [f32]
                )
            );
            entry_point!(
                $features,
                $token,
                box_narrow_formula,
                box_narrow_formula_tf,
                (
                    ring: &[f32],
                    slots: &[usize],
                    size: usize,
                    n: usize,
                    k: &FormulaConsts,
                    carry_in: Option<&[f32]>,
                    carry_out: &mut [f32],
                    out: &mut [f32]
                )
            );
            entry_point!(
                $features,
                $token,
                row_sums,
                row_sums_tf,
                (ssim: &[f32], cs: &[f32], pool: (usize, usize)) -> (f64, f64)
            );
            entry_point!(
                $features,
                $token,
                downsample::downsample_u8,
                downsample_u8_tf,
                (src: &[u8], step: usize, upper: $crate::kernels::downsample::Upper<'_, u8>, out: &mut [f32])
            );
            entry_point!(
                $features,
                $token,
                downsample::downsample_u16,
                downsample_u16_tf,
                (src: &[u16], step: usize, upper: $crate::kernels::downsample::Upper<'_, u16>, out: &mut [f32])
            );
            entry_point!(
                $features,
                $token,
                downsample::downsample_f32,
                downsample_f32_tf,
                (src: &[f32], step: usize, upper: $crate::kernels::downsample::Upper<'_, f32>, out: &mut [f32])
            );
        }
    };
}

/// One entry point of [`target_feature_kernels`]: `$tf` runs `generic::$name` (or
/// `$module::$name`, a module of `crate::kernels`) with the token inside the
/// `#[target_feature]` frame, `$name` is the plain `fn` the table stores.
#[allow(unused_macros)]
macro_rules! entry_point {
    ($features:literal, $token:ident, $name:ident, $tf:ident,
     ($($arg:ident: $ty:ty),*) $(-> $ret:ty)?) => {
        $crate::arch::entry_point!(
            $features, $token, generic::$name, $tf, ($($arg: $ty),*) $(-> $ret)?
        );
    };
    ($features:literal, $token:ident, $module:ident::$name:ident, $tf:ident,
     ($($arg:ident: $ty:ty),*) $(-> $ret:ty)?) => {
        #[target_feature(enable = $features)]
        #[allow(clippy::too_many_arguments)]
        fn $tf($($arg: $ty),*) $(-> $ret)? {
            // SAFETY: this frame is only entered through `KERNELS`, which is handed out after
            // detection confirmed the token's requirements.
            let s = unsafe { $token::new_unchecked() };
            $crate::kernels::$module::$name(s, $($arg),*)
        }

        #[allow(clippy::too_many_arguments)]
        pub(super) fn $name($($arg: $ty),*) $(-> $ret)? {
            // SAFETY: reachable only through `KERNELS`, which `kernels()` returns only when
            // the CPU and OS support the features `$tf` is compiled for.
            unsafe { $tf($($arg),*) }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use {entry_point, target_feature_kernels};
