//! Colour images: per-channel SSIM and its mean, or SSIM of a luma channel made on the fly.
//!
//! Interleaved images are read in place (one channel is a [`Plane`] with a pixel step); the
//! alpha of RGBA/BGRA is ignored. Planar images are separate planes: call [`crate::ssim`] or
//! [`crate::msssim()`] per plane and average.
//!
//! Luma is computed per row into a buffer of one row, never for the whole image:
//!
//! ```text
//! BT.601: Y = 0.299 R + 0.587 G + 0.114 B        BT.709: Y = 0.2126 R + 0.7152 G + 0.0722 B
//! ```
//!
//! evaluated in f64 from the stored samples and rounded once to f32; no offset, no scaling to
//! 16..235 and no rounding to integers, so Y has the data range of the input (255 for 8-bit)
//! and the same `Params` apply. This is the "Y channel" of the super-resolution literature
//! up to its studio-range scaling: MATLAB's `rgb2ycbcr` (used by most SR evaluation scripts)
//! computes `16 + (65.481 R + 128.553 G + 24.966 B) / 255` on `[0, 1]` inputs and rounds to
//! 8 bits, which is 219/255 times our BT.601 Y plus 16 before rounding.

use crate::msssim::{msssim_source, MsSsimParams, MsSsimResult};
use crate::parallel::{ssim_source, Config, PlanePair, RowBuf, RowPair, RowSource};
use crate::ChannelsResult;
use ssim_core::{Error, Params, Plane, Result, Sample};

/// How colour channels become SSIM values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ChannelMode {
    /// SSIM of R, G and B separately, and their mean (scikit-image `channel_axis`,
    /// TensorFlow, pytorch_msssim). The default.
    #[default]
    Mean,
    /// SSIM of BT.601 luma `0.299 R + 0.587 G + 0.114 B` (see the module docs).
    Luma601,
    /// SSIM of BT.709 luma `0.2126 R + 0.7152 G + 0.0722 B`.
    Luma709,
}

impl ChannelMode {
    /// The luma coefficients (R, G, B), or `None` for per-channel means.
    fn luma(self) -> Option<[f64; 3]> {
        match self {
            ChannelMode::Mean => None,
            ChannelMode::Luma601 => Some([0.299, 0.587, 0.114]),
            ChannelMode::Luma709 => Some([0.2126, 0.7152, 0.0722]),
        }
    }
}

/// The order of interleaved samples in a pixel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PixelLayout {
    /// One sample per pixel.
    #[default]
    Gray,
    /// R, G, B.
    Rgb,
    /// R, G, B, alpha (ignored).
    Rgba,
    /// B, G, R, alpha (ignored).
    Bgra,
    /// B, G, R.
    Bgr,
}

impl PixelLayout {
    /// Samples per pixel.
    pub fn samples_per_pixel(self) -> usize {
        match self {
            PixelLayout::Gray => 1,
            PixelLayout::Rgb | PixelLayout::Bgr => 3,
            PixelLayout::Rgba | PixelLayout::Bgra => 4,
        }
    }

    /// Offsets of R, G and B within a pixel (`None` for gray).
    fn rgb(self) -> Option<[usize; 3]> {
        match self {
            PixelLayout::Gray => None,
            PixelLayout::Rgb | PixelLayout::Rgba => Some([0, 1, 2]),
            PixelLayout::Bgr | PixelLayout::Bgra => Some([2, 1, 0]),
        }
    }

    /// The channel planes that are compared: gray, or R, G, B in that order.
    fn planes<'a, T: Sample>(
        self,
        data: &'a [T],
        width: usize,
        height: usize,
        stride: usize,
    ) -> Result<Vec<Plane<'a, T>>> {
        let step = self.samples_per_pixel();
        let offsets = match self.rgb() {
            Some(o) => o.to_vec(),
            None => vec![0],
        };
        offsets
            .into_iter()
            .map(|c| {
                let d = data.get(c..).ok_or(Error::BufferTooShort {
                    len: data.len(),
                    needed: c + 1,
                })?;
                Plane::with_layout(d, width, height, stride, step)
            })
            .collect()
    }
}

/// Per-channel MS-SSIM results and their mean.
#[derive(Clone, Debug, PartialEq)]
pub struct MsChannelsResult {
    /// Mean of the per-channel MS-SSIM values.
    pub msssim: f64,
    /// One result per compared channel: gray or luma alone, or R, G, B in that order.
    pub channels: Vec<MsSsimResult>,
}

/// Luma of two interleaved RGB images, one row at a time.
struct LumaPair<'a, T: Sample> {
    x: Vec<Plane<'a, T>>,
    y: Vec<Plane<'a, T>>,
    coeffs: [f64; 3],
}

impl<T: Sample> RowSource for LumaPair<'_, T> {
    type T = f32;
    fn width(&self) -> usize {
        self.x[0].width()
    }
    fn height(&self) -> usize {
        self.x[0].height()
    }
    fn rows<'a>(&'a self, j: usize, buf: &'a mut RowBuf) -> Result<RowPair<'a, f32>> {
        let w = self.width();
        let step = self.x[0].step();
        let c = self.coeffs;
        for (planes, out) in [(&self.x, &mut buf.x), (&self.y, &mut buf.y)] {
            out.resize(w, 0.0);
            let (r, g, b) = (planes[0].row(j), planes[1].row(j), planes[2].row(j));
            for (i, o) in out.iter_mut().enumerate() {
                let k = i * step;
                *o = (c[0] * r[k].to_f64() + c[1] * g[k].to_f64() + c[2] * b[k].to_f64()) as f32;
            }
        }
        Ok((Plane::new(&buf.x, w, 1)?, Plane::new(&buf.y, w, 1)?))
    }
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    s / n as f64
}

/// SSIM of two interleaved images (`stride` samples between rows) in `layout`, per channel
/// with their mean, or of their luma (`mode`). For [`PixelLayout::Gray`] every mode compares
/// the one channel. `channels` of the result: gray or luma alone, or R, G, B in that order.
#[allow(clippy::too_many_arguments)]
pub fn ssim_image<T: Sample>(
    params: &Params,
    x: &[T],
    y: &[T],
    width: usize,
    height: usize,
    stride: usize,
    layout: PixelLayout,
    mode: ChannelMode,
    config: &Config,
) -> Result<ChannelsResult> {
    let xs = layout.planes(x, width, height, stride)?;
    let ys = layout.planes(y, width, height, stride)?;
    let channels = match (mode.luma(), xs.len()) {
        (Some(coeffs), 3) => {
            let src = LumaPair {
                x: xs,
                y: ys,
                coeffs,
            };
            vec![ssim_source(params, &src, config, false)?.result]
        }
        _ => xs
            .iter()
            .zip(&ys)
            .map(|(a, b)| Ok(ssim_source(params, &PlanePair::new(a, b)?, config, false)?.result))
            .collect::<Result<Vec<_>>>()?,
    };
    Ok(ChannelsResult {
        ssim: mean(channels.iter().map(|r| r.ssim)),
        cs: mean(channels.iter().map(|r| r.cs)),
        channels,
    })
}

/// MS-SSIM of two interleaved images, per channel with their mean, or of their luma; as
/// [`ssim_image`].
#[allow(clippy::too_many_arguments)]
pub fn msssim_image<T: Sample>(
    params: &MsSsimParams,
    x: &[T],
    y: &[T],
    width: usize,
    height: usize,
    stride: usize,
    layout: PixelLayout,
    mode: ChannelMode,
    config: &Config,
) -> Result<MsChannelsResult> {
    let xs = layout.planes(x, width, height, stride)?;
    let ys = layout.planes(y, width, height, stride)?;
    let channels = match (mode.luma(), xs.len()) {
        (Some(coeffs), 3) => {
            let src = LumaPair {
                x: xs,
                y: ys,
                coeffs,
            };
            vec![msssim_source(params, &src, config)?]
        }
        _ => xs
            .iter()
            .zip(&ys)
            .map(|(a, b)| msssim_source(params, &PlanePair::new(a, b)?, config))
            .collect::<Result<Vec<_>>>()?,
    };
    Ok(MsChannelsResult {
        msssim: mean(channels.iter().map(|r| r.msssim)),
        channels,
    })
}
