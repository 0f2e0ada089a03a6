//! # ssim-core
//!
//! SSIM (Wang, Bovik, Sheikh & Simoncelli 2004) as a stream of rows, with no heap: the caller
//! hands in scratch memory sized by [`scratch_len`], which depends on the image width and the
//! window, never on the height.
//!
//! Every choice that changes the number (window, covariance normalisation, constants, data
//! range, pooled region, padding) is a field of [`Params`]; the presets
//! ([`Params::wang2004`], [`Params::scikit_image`], [`Params::scikit_image_gaussian`],
//! [`Params::matlab`]) name the bundles that reproduce other libraries.
//!
//! ```
//! use ssim_core::{compute, scratch_len, Params, Plane, ScratchBlock};
//! let (w, h) = (32, 24);
//! let x: Vec<u8> = (0..w * h).map(|i| ((i * 37) % 251) as u8).collect();
//! let y: Vec<u8> = x.iter().map(|&v| v / 2 + 60).collect();
//! let params = Params::wang2004(255.0);
//! let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, w, false)?];
//! let r = compute(&params, &Plane::new(&x, w, h)?, &Plane::new(&y, w, h)?, &mut scratch)?;
//! assert!(r.ssim < 1.0);
//! # Ok::<(), ssim_core::Error>(())
//! ```
//!
//! ## Design
//!
//! `docs/ARCHITECTURE.md` in the repository describes the data flow (rows, moments, the ring,
//! the vertical pass and formula, sinks), where each piece lives, and how to add a kernel, a
//! backend or a preset. In short: [`Ssim`] pushes rows through a ring of window statistics;
//! every kernel is named once in a list from which each [`Backend`]'s table is generated.
//!
//! ## Accuracy
//!
//! The Gaussian and f32 paths compute in f32 with every second moment *centred* on the sample at
//! the window centre (`docs/ARCHITECTURE.md` in the repository explains the kernels), so the
//! classic cancellation of `E[x^2] - mu^2` in bright, flat regions does not occur; each row of the
//! map is summed in f32 partial sums of at most eight values, added in f32 and widened to f64 once
//! per 128 columns (no per-pixel double precision, which is software on single-precision FPUs), and rows are added
//! in f64 in row order. Measured against float64 references (scikit-image, MATLAB's definition) on
//! the bundled vectors, the mean differs by at most the bound stated in the README. Box windows on
//! u8/u16 samples are computed from exact integer sums and agree with float64 references to
//! rounding.
//!
//! ## Non-finite samples
//!
//! f32 samples that are NaN or infinite are rejected with [`Error::NonFiniteSample`] naming the
//! first such sample; they never propagate into a result. The one exception is
//! [`Ssim::push_rows_in_place`], for rows the caller made itself (MS-SSIM levels): it leaves
//! that check to the caller.
#![no_std]
#![deny(missing_docs)]
#![forbid(unsafe_op_in_unsafe_fn)]

#[cfg(feature = "gradient")]
mod adjoint;
mod arch;
mod backend;
#[cfg(feature = "block-means")]
mod block_means;
mod downsample;
mod engine;
mod error;
mod kernels;
#[cfg_attr(
    not(any(feature = "portable", target_arch = "x86_64", target_arch = "aarch64")),
    allow(dead_code)
)]
mod lanes;
mod params;
mod plane;
mod scratch;
pub mod x264;

#[cfg(feature = "gradient")]
pub use adjoint::{AdjointKernels, CoefficientConsts};
#[doc(hidden)]
pub use backend::roofline;
pub use backend::Backend;
#[cfg(feature = "block-means")]
pub use block_means::{BlockMeanKernels, ColumnSums};
pub use downsample::{Downsample, DownsampleKernels, RowRole};
pub use engine::{
    compute, compute_with, map_size, scratch_len, MapWriter, Options, OutputRow, RowSink, Ssim,
    SsimResult,
};
pub use error::{Error, Image, Result};
pub use params::{
    data_range_for_bits, AutoDownsample, Covariance, Padding, Params, Pooling, Preset, Window,
    MAX_RADIUS,
};
pub use plane::{Plane, Sample, SampleKind, SampleSlice};
pub use scratch::ScratchBlock;

/// Columns per segment of the row sums behind every mean. Each map row's pooled values are
/// summed in segments of this many columns from its first pooled column, and the segments'
/// f64 sums are added left to right; so an image cut into vertical strips of this many map
/// columns, each computed alone, gives the same bits when the strips' row sums are added in
/// order, row by row (how ssim-std computes the channels of a wide colour image).
///
/// ```
/// assert_eq!(ssim_core::ROW_SUM_SEGMENT % 16, 0);
/// ```
pub const ROW_SUM_SEGMENT: usize = 1024;
