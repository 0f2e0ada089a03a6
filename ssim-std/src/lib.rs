//! # ssim-std
//!
//! SSIM and MS-SSIM with the conveniences of `std`: memory allocated for you, maps as `Vec`s,
//! colour images, and bands of rows on the caller's rayon pool whose results are bitwise
//! identical for any number of threads.
//!
//! One family of functions, all `(parameters, reference, distorted, ...)`:
//!
//! | grayscale | with a [`Config`] | colour |
//! | --- | --- | --- |
//! | [`ssim()`] | [`ssim_with`] | [`ssim_image`], [`ssim_planes`] |
//! | [`ssim_map`] | [`ssim_map_with`] | |
//! | [`msssim()`] | [`msssim_with`] | [`msssim_image`], [`msssim_planes`] |
//!
//! [`Config`] picks the backend and the number of threads; it never changes a value beyond
//! the rounding of the backend. The colour functions always take one.
//!
//! ```
//! use ssim_std::{ssim, Params, Plane};
//! let (w, h) = (24, 16);
//! let x: Vec<u8> = (0..w * h).map(|i| (i % 200) as u8).collect();
//! let y: Vec<u8> = x.iter().map(|&v| v.saturating_add(5)).collect();
//! let r = ssim(&Params::wang2004(255.0), &Plane::new(&x, w, h)?, &Plane::new(&y, w, h)?)?;
//! assert!(r.ssim > 0.9);
//! # Ok::<(), ssim_std::Error>(())
//! ```
//!
//! MS-SSIM has named pyramid rules ([`MsSsimParams::wang2003`],
//! [`MsSsimParams::pytorch_msssim`]). The parameter and image types come from `ssim-core`,
//! re-exported here; the allocation-free streaming engine (`ssim_core::Ssim`,
//! `ssim_core::compute_with`) is used from `ssim-core` directly. docs/ARCHITECTURE.md in the
//! repository describes how the pieces fit.

#![forbid(unsafe_code)]

/// The README's Rust examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

mod backend;
mod color;
mod data_range;
mod gradient;
mod msssim;
mod parallel;
mod single_scale;

pub use backend::{backend_from_env, BACKEND_ENV};
pub use color::{
    msssim_image, msssim_planes, ssim_image, ssim_planes, ChannelMode, ChannelsResult, Interleaved,
    MsChannelsResult, PixelLayout,
};
pub use data_range::DataRangeRule;
pub use gradient::{
    msssim_gradient, msssim_gradient_into, msssim_gradient_with, ssim_gradient, ssim_gradient_into,
    ssim_gradient_with, ssim_image_gradient, Convention, ImageGradient, MsSsimGradient,
    SsimGradient,
};
pub use msssim::{
    msssim, msssim_with, ChannelPooling, Level, LevelWindow, LibraryMinimum, MsSsimParams,
    MsSsimPreset, MsSsimResult, NegativeMeans, WANG_WEIGHTS, WANG_WEIGHTS_F32,
};
pub use parallel::{band_scratch_bytes, Config};
pub use single_scale::{ssim, ssim_map, ssim_map_with, ssim_with, SsimMap, SsimMapRows};
/// FFmpeg's `ssim` filter (x264's 8x8 windows on a 4-pixel grid), from ssim-core.
pub use ssim_core::x264;
pub use ssim_core::{
    data_range_for_bits, map_size, AutoDownsample, Backend, Covariance, Downsample, Error, Image,
    Padding, Params, Plane, Pooling, Preset, Result, Sample, SampleKind, SsimResult, Window,
    MAX_RADIUS, ROW_SUM_SEGMENT,
};
