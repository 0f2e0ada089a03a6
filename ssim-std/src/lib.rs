//! # ssim-std
//!
//! SSIM with the conveniences of `std`: scratch allocated for you, maps as `Vec`s,
//! multichannel images, and the literal f64 [`oracle`] everything is tested against. All of
//! [`ssim_core`] is re-exported.
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
//! Also here: MS-SSIM with named pyramid rules ([`msssim()`], [`MsSsimParams::wang2003`],
//! [`MsSsimParams::pytorch_msssim`]); colour images per channel or as luma computed on the fly
//! ([`ssim_image`], [`msssim_image`]); and row bands on the caller's rayon pool
//! ([`ssim_with_config`], [`Config`]), whose results are bitwise identical for any number of
//! threads.

/// The README's Rust examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

pub mod backend;
pub mod color;
pub mod msssim;
pub mod oracle;
pub mod parallel;
pub mod pnm;

pub use color::{
    msssim_image, msssim_planes, ssim_image, ssim_planes, ChannelMode, MsChannelsResult,
    PixelLayout,
};
pub use msssim::{
    msssim, msssim_with_config, MsSsimParams, MsSsimPreset, MsSsimResult, NegativeMeans, Scale,
    WANG_WEIGHTS,
};
pub use parallel::{band_scratch_bytes, ssim_map_with_config, ssim_with_config, Config};
pub use ssim_core::*;

/// Mean SSIM of two image channels (scratch allocated internally).
pub fn ssim<T: Sample>(params: &Params, x: &Plane<'_, T>, y: &Plane<'_, T>) -> Result<SsimResult> {
    ssim_with(params, x, y, Options::default())
}

/// Mean SSIM with explicit engine [`Options`] (backend, band of rows). With no backend in
/// `options`, `SSIM_BACKEND` picks one if set ([`backend::backend_from_env`]).
pub fn ssim_with<T: Sample>(
    params: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    mut options: Options,
) -> Result<SsimResult> {
    if options.backend.is_none() {
        options.backend = backend::backend_from_env()?;
    }
    if (x.width(), x.height()) != (y.width(), y.height()) {
        return Err(Error::SizeMismatch {
            reference: (x.width(), x.height()),
            distorted: (y.width(), y.height()),
        });
    }
    // Validate with the real height first: `scratch_len` only knows the width, and its errors
    // would name a placeholder height.
    map_size(params, x.width(), x.height(), options.map)?;
    let mut scratch = vec![ScratchBlock::ZERO; scratch_len(params, x.width(), options.map)?];
    compute_with(params, x, y, options, &mut scratch, &mut ())
}

/// An SSIM map with its mean.
#[derive(Clone, Debug)]
pub struct SsimMap {
    /// The mean over the pooled region.
    pub result: SsimResult,
    /// Map width.
    pub width: usize,
    /// Map height.
    pub height: usize,
    /// SSIM per map pixel, row-major, top to bottom.
    pub ssim: Vec<f32>,
    /// cs per map pixel.
    pub cs: Vec<f32>,
}

/// SSIM and cs maps. Their size follows the parameters: valid region for `Pooling::Valid`
/// (or full size with `map_padding`, as scikit-image), full size for `Pooling::Same`.
pub fn ssim_map<T: Sample>(params: &Params, x: &Plane<'_, T>, y: &Plane<'_, T>) -> Result<SsimMap> {
    let options = Options {
        map: true,
        backend: backend::backend_from_env()?,
        ..Options::default()
    };
    let (mw, mh) = map_size(params, x.width(), x.height(), true)?;
    let mut ssim = vec![0f32; mw * mh];
    let mut cs = vec![0f32; mw * mh];
    let mut scratch = vec![ScratchBlock::ZERO; scratch_len(params, x.width(), true)?];
    let mut sink = MapWriter::new(mw, mh, &mut ssim, Some(&mut cs))?;
    let result = compute_with(params, x, y, options, &mut scratch, &mut sink)?;
    Ok(SsimMap {
        result,
        width: mw,
        height: mh,
        ssim,
        cs,
    })
}

/// Per-channel results of an interleaved image and their mean (the scikit-image and
/// TensorFlow convention for colour images).
#[derive(Clone, Debug)]
pub struct ChannelsResult {
    /// Mean of the per-channel SSIM values.
    pub ssim: f64,
    /// Mean of the per-channel cs values.
    pub cs: f64,
    /// One result per channel, in sample order.
    pub channels: Vec<SsimResult>,
}

/// SSIM of every channel of two interleaved images (`channels` samples per pixel, rows
/// `stride` samples apart), and their mean.
pub fn ssim_channels<T: Sample>(
    params: &Params,
    x: &[T],
    y: &[T],
    width: usize,
    height: usize,
    channels: usize,
    stride: usize,
) -> Result<ChannelsResult> {
    if channels == 0 {
        return Err(Error::ChannelStep { step: 0 });
    }
    let mut out = Vec::with_capacity(channels);
    fn view<T: Sample>(
        d: &[T],
        c: usize,
        (width, height, stride, step): (usize, usize, usize, usize),
    ) -> Result<Plane<'_, T>> {
        // Errors speak of the whole buffer, not of the sub-slice that starts at channel `c`.
        if c >= d.len() {
            return Err(Error::BufferTooShort {
                len: d.len(),
                needed: c + 1,
            });
        }
        Plane::with_layout(&d[c..], width, height, stride, step).map_err(|e| match e {
            Error::BufferTooShort { len, needed } => Error::BufferTooShort {
                len: len + c,
                needed: needed + c,
            },
            e => e,
        })
    }
    let layout = (width, height, stride, channels);
    for c in 0..channels {
        out.push(ssim(params, &view(x, c, layout)?, &view(y, c, layout)?)?);
    }
    let n = channels as f64;
    Ok(ChannelsResult {
        ssim: out.iter().map(|r| r.ssim).sum::<f64>() / n,
        cs: out.iter().map(|r| r.cs).sum::<f64>() / n,
        channels: out,
    })
}
