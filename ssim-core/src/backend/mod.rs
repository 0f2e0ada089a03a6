//! The backends: the public [`Backend`] choice, the [`Kernels`] table type, and one table per
//! backend, all generated from the kernel list in `list.rs`.
//!
//! Dependencies run one way: this module uses `crate::arch` (the instruction-set tokens,
//! detection, the entry-point macro) and `crate::kernels` (the kernel bodies); both of those
//! use only `crate::lanes`. The engine calls kernels only through a table, chosen once per
//! image by [`Backend::kernels`].

mod list;
#[cfg(test)]
mod tests;

#[allow(unused_imports)] // the entry points name them through `use super::*`
#[cfg(feature = "gradient")]
use crate::adjoint::CoefficientConsts;
#[cfg(feature = "portable")]
use crate::arch::portable::Portable;
use crate::error::{Error, Result};
#[allow(unused_imports)] // the entry points name them through `use super::*`
use crate::kernels::{
    downsample::Upper,
    generic, scalar,
    x264::{BlockRowU8, Rows4},
    FormulaConsts,
};
use list::kernel_list;

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
    /// x86-64 AVX-512 (F and BW), 16 f32 lanes; needs the OS to save zmm and mask registers.
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
    ///
    /// ```
    /// use ssim_core::Backend;
    /// assert_eq!(Backend::Avx2.name(), "avx2");
    /// ```
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
    ///
    /// ```
    /// use ssim_core::Backend;
    /// assert_eq!(Backend::from_name("AVX512"), Some(Backend::Avx512));
    /// assert_eq!(Backend::from_name("sse9"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Backend> {
        Backend::ALL
            .iter()
            .copied()
            .find(|b| b.name().eq_ignore_ascii_case(name))
    }

    /// Whether this CPU (and this build) can run the backend. On x86-64 this checks CPUID and
    /// that the OS saves the wider registers (XGETBV); the answer is cached.
    ///
    /// ```
    /// use ssim_core::Backend;
    /// assert!(Backend::Scalar.is_supported() && Backend::Portable.is_supported());
    /// ```
    pub fn is_supported(self) -> bool {
        self.table().is_some()
    }

    /// The fastest supported backend.
    ///
    /// ```
    /// use ssim_core::Backend;
    /// assert!(Backend::detect().is_supported());
    /// ```
    pub fn detect() -> Backend {
        Backend::ALL
            .iter()
            .rev()
            .copied()
            .find(|b| b.is_supported())
            .unwrap_or(Backend::Scalar)
    }

    /// Iterator over the supported backends, slowest first.
    ///
    /// ```
    /// use ssim_core::Backend;
    /// let all: Vec<Backend> = Backend::available().collect();
    /// assert_eq!(all[..2], [Backend::Scalar, Backend::Portable]);
    /// ```
    pub fn available() -> impl Iterator<Item = Backend> {
        Backend::ALL.iter().copied().filter(|b| b.is_supported())
    }

    /// The kernel table, if this CPU runs it: the only way to reach an ISA's kernels.
    fn table(self) -> Option<&'static Kernels> {
        match self {
            Backend::Scalar => Some(&SCALAR),
            #[cfg(feature = "portable")]
            Backend::Portable => Some(&PORTABLE),
            #[cfg(target_arch = "aarch64")]
            Backend::Neon => neon::kernels(),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2 => avx2::kernels(),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512 => avx512::kernels(),
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

/// Defines `Kernels`: one function pointer per entry of the list.
macro_rules! kernels_struct {
    (; $($(#[$attr:meta])* fn $name:ident = $body:ident
        ($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?;)*) => {
        /// One backend's kernels (see `list.rs` for what each does).
        pub(crate) struct Kernels {
            pub backend: Backend,
            $($(#[$attr])* pub $name: fn($($ty),*) $(-> $ret)?,)*
        }
    };
}

kernel_list!(kernels_struct! {});

impl Kernels {
    /// The pooled sums of one map row: [`Kernels::row_sums`] once per segment of
    /// [`crate::ROW_SUM_SEGMENT`] columns from `pool.0`, the segments' sums added left to
    /// right in f64 (the first taken as it is). A row cut into segment-wide strips, each
    /// strip's row summed alone and the strips' sums added in order, so gives the same bits
    /// (ssim-std's colour strips). Rows of one segment take one kernel call, as before.
    pub(crate) fn pooled_sums(
        &self,
        ssim: &[f32],
        cs: &[f32],
        (p0, p1): (usize, usize),
    ) -> (f64, f64) {
        let mut end = p1.min(p0.saturating_add(crate::ROW_SUM_SEGMENT));
        let mut sums = (self.row_sums)(ssim, cs, (p0, end));
        while end < p1 {
            let next = p1.min(end + crate::ROW_SUM_SEGMENT);
            let (s, c) = (self.row_sums)(ssim, cs, (end, next));
            sums = (sums.0 + s, sums.1 + c);
            end = next;
        }
        sums
    }
}

/// Defines `static $table`, whose entries run `scalar::$body(args)` (`scalar` arm) or
/// `generic::$body($token, args)`: safe code, for the backends that need no target feature
/// beyond the build's.
macro_rules! plain_table {
    ($table:ident, $backend:expr, scalar; $($entries:tt)*) => {
        plain_table!(@table $table, $backend, [], scalar; $($entries)*);
    };
    ($table:ident, $backend:expr, generic($token:ident); $($entries:tt)*) => {
        plain_table!(@table $table, $backend, [$token], generic; $($entries)*);
    };
    (@table $table:ident, $backend:expr, $token:tt, $module:ident;
     $($(#[$attr:meta])* fn $name:ident = $body:ident
        ($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?;)*) => {
        // The list's doc comments come along with its `cfg` attributes.
        #[allow(unused_doc_comments)]
        static $table: Kernels = Kernels {
            backend: $backend,
            $($(#[$attr])* $name: plain_table!(
                @entry $token $name = $module::$body($($arg: $ty),*) $(-> $ret)?
            ),)*
        };
    };
    (@entry [] $name:ident = $module:ident::$body:ident($($arg:ident: $ty:ty),*)
     $(-> $ret:ty)?) => {{
        #[allow(clippy::too_many_arguments)]
        fn $name($($arg: $ty),*) $(-> $ret)? {
            $module::$body($($arg),*)
        }
        $name
    }};
    (@entry [$token:ident] $name:ident = $module:ident::$body:ident($($arg:ident: $ty:ty),*)
     $(-> $ret:ty)?) => {{
        #[allow(clippy::too_many_arguments)]
        fn $name($($arg: $ty),*) $(-> $ret)? {
            $module::$body($token, $($arg),*)
        }
        $name
    }};
}

kernel_list!(plain_table! { SCALAR, Backend::Scalar, scalar });
#[cfg(feature = "portable")]
kernel_list!(plain_table! { PORTABLE, Backend::Portable, generic(Portable) });

/// The `#[target_feature]` tables of the vector backends, one module each, for the list
/// `$list` (the kernels here, the roofline probes in `roofline.rs`): each backend's feature
/// string, token and detection are written once for both.
macro_rules! vector_tables {
    ($list:ident) => {
        #[cfg(target_arch = "x86_64")]
        mod avx2 {
            use super::*;
            use crate::arch::x86_64::{avx2::Avx2, has_avx2_fma};
            $list!(target_feature_table! { Backend::Avx2, "avx2,fma", Avx2, has_avx2_fma() });
        }

        #[cfg(target_arch = "x86_64")]
        mod avx512 {
            use super::*;
            use crate::arch::x86_64::{avx512::Avx512, has_avx512};
            $list!(target_feature_table! {
                Backend::Avx512, "avx512f,avx512bw,avx2,fma", Avx512, has_avx512()
            });
        }

        #[cfg(target_arch = "aarch64")]
        mod neon {
            use super::*;
            use crate::arch::aarch64::neon::Neon;
            $list!(target_feature_table! {
                Backend::Neon, "neon", Neon, cfg!(target_feature = "neon")
            });
        }
    };
}

// After the table macros, which it reuses.
#[doc(hidden)]
pub mod roofline;

vector_tables!(kernel_list);

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
use crate::arch::target_feature_table;
