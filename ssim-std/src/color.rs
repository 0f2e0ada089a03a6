//! Colour images: per-channel SSIM and its mean, or SSIM of a luma channel made on the fly.
//!
//! Interleaved images are read in place (one channel is a [`Plane`] with a pixel step); the
//! alpha of RGBA/BGRA is ignored. Planar images (or any mix) go through [`ssim_planes`] and
//! [`msssim_planes`], one plane per channel.
//!
//! Luma is computed per row into a buffer of one row, never for the whole image, from the
//! stored samples in f64 and rounded once to f32 (never to integers):
//!
//! ```text
//! Luma601:        Y = 0.299 R + 0.587 G + 0.114 B
//! Luma709:        Y = 0.2126 R + 0.7152 G + 0.0722 B
//! Luma601Studio:  Y = (16 L + 65.481 R + 128.553 G + 24.966 B) / 255      (L = data range)
//! ```
//!
//! The first two keep the data range of the input (255 for 8-bit), so the same `Params`
//! apply. `Luma601Studio` is the "Y channel" of the super-resolution literature: for 8-bit
//! samples it is `16 + (65.481 R + 128.553 G + 24.966 B) / 255`, in 16..235, which is
//! BasicSR's `to_y_channel` (unrounded) and MATLAB's `rgb2ycbcr(uint8)` before MATLAB rounds
//! it to integers (rounding moves SSIM by about 1e-4; round the Y plane yourself and call
//! [`crate::ssim()`] to reproduce MATLAB). SSIM on it is computed with the `Params` given,
//! usually `data_range` 255 as those scripts do.

use crate::msssim::{msssim_source, product, ChannelPooling, MsSsimParams, MsSsimResult};
use crate::parallel::{Config, PlanePair, RowBuf, RowPair, RowSource};
use crate::single_scale::{single_scale, single_scale_channels};
use ssim_core::{Error, Params, Plane, Result, Sample, SsimResult};

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
    /// SSIM of studio-range BT.601 luma, the super-resolution "Y channel":
    /// `(16 L + 65.481 R + 128.553 G + 24.966 B) / 255` (see the module docs).
    Luma601Studio,
}

/// `Y = (offset + c . RGB) / divisor`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Luma {
    pub(crate) coeffs: [f64; 3],
    pub(crate) offset: f64,
    pub(crate) divisor: f64,
}

impl ChannelMode {
    /// The luma formula for samples of range `data_range`, or `None` for per-channel means.
    pub(crate) fn luma(self, data_range: f64) -> Option<Luma> {
        let plain = |coeffs| {
            Some(Luma {
                coeffs,
                offset: 0.0,
                divisor: 1.0,
            })
        };
        match self {
            ChannelMode::Mean => None,
            ChannelMode::Luma601 => plain([0.299, 0.587, 0.114]),
            ChannelMode::Luma709 => plain([0.2126, 0.7152, 0.0722]),
            ChannelMode::Luma601Studio => Some(Luma {
                coeffs: [65.481, 128.553, 24.966],
                offset: 16.0 * data_range,
                divisor: 255.0,
            }),
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
    ///
    /// ```
    /// use ssim_std::PixelLayout;
    /// assert_eq!(PixelLayout::Gray.samples_per_pixel(), 1);
    /// assert_eq!(PixelLayout::Bgr.samples_per_pixel(), 3);
    /// assert_eq!(PixelLayout::Rgba.samples_per_pixel(), 4);
    /// ```
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
                // Errors speak of the whole buffer, not of the part that starts at channel `c`.
                Plane::with_layout(d, width, height, stride, step).map_err(|e| match e {
                    Error::BufferTooShort { len, needed } => Error::BufferTooShort {
                        len: len + c,
                        needed: needed + c,
                    },
                    e => e,
                })
            })
            .collect()
    }
}

/// An interleaved image: `layout` samples per pixel, rows `stride` samples apart.
#[derive(Clone, Copy, Debug)]
pub struct Interleaved<'a, T: Sample> {
    data: &'a [T],
    width: usize,
    height: usize,
    stride: usize,
    layout: PixelLayout,
}

impl<'a, T: Sample> Interleaved<'a, T> {
    /// Tightly packed rows (`stride = width * layout.samples_per_pixel()`).
    ///
    /// Errors: [`Error::ZeroDimension`], [`Error::StrideTooShort`], [`Error::BufferTooShort`]
    /// (naming the whole buffer), [`Error::DimensionOverflow`].
    ///
    /// ```
    /// use ssim_std::{Interleaved, PixelLayout};
    /// let rgb = vec![0u8; 4 * 3 * 3];
    /// let img = Interleaved::new(&rgb, 4, 3, PixelLayout::Rgb)?;
    /// assert_eq!((img.width(), img.height(), img.stride()), (4, 3, 12));
    /// assert!(Interleaved::new(&rgb, 5, 3, PixelLayout::Rgb).is_err());
    /// # Ok::<(), ssim_std::Error>(())
    /// ```
    pub fn new(data: &'a [T], width: usize, height: usize, layout: PixelLayout) -> Result<Self> {
        let stride = width.saturating_mul(layout.samples_per_pixel());
        Self::with_stride(data, width, height, stride, layout)
    }

    /// Rows `stride` samples apart (`stride >= width * layout.samples_per_pixel()`).
    ///
    /// ```
    /// use ssim_std::{Interleaved, PixelLayout};
    /// // 2x2 RGBA pixels, rows padded to 10 samples.
    /// let data = vec![7u16; 10 + 8];
    /// let img = Interleaved::with_stride(&data, 2, 2, 10, PixelLayout::Rgba)?;
    /// assert_eq!(img.layout(), PixelLayout::Rgba);
    /// assert!(Interleaved::with_stride(&data, 2, 2, 6, PixelLayout::Rgba).is_err());
    /// # Ok::<(), ssim_std::Error>(())
    /// ```
    pub fn with_stride(
        data: &'a [T],
        width: usize,
        height: usize,
        stride: usize,
        layout: PixelLayout,
    ) -> Result<Self> {
        let min = width
            .checked_mul(layout.samples_per_pixel())
            .ok_or(Error::DimensionOverflow { width, height })?;
        if stride < min {
            // Each channel alone would fit, but rows would share pixels.
            return Err(Error::StrideTooShort { stride, min });
        }
        let img = Interleaved {
            data,
            width,
            height,
            stride,
            layout,
        };
        img.planes()?;
        Ok(img)
    }

    /// Width in pixels.
    ///
    /// ```
    /// # use ssim_std::{Interleaved, PixelLayout};
    /// assert_eq!(Interleaved::new(&[0u8; 6], 2, 1, PixelLayout::Bgr)?.width(), 2);
    /// # Ok::<(), ssim_std::Error>(())
    /// ```
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    ///
    /// ```
    /// # use ssim_std::{Interleaved, PixelLayout};
    /// assert_eq!(Interleaved::new(&[0u8; 6], 1, 2, PixelLayout::Bgr)?.height(), 2);
    /// # Ok::<(), ssim_std::Error>(())
    /// ```
    pub fn height(&self) -> usize {
        self.height
    }

    /// Samples from one row to the next.
    ///
    /// ```
    /// # use ssim_std::{Interleaved, PixelLayout};
    /// assert_eq!(Interleaved::new(&[0u8; 8], 2, 1, PixelLayout::Bgra)?.stride(), 8);
    /// # Ok::<(), ssim_std::Error>(())
    /// ```
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// The order of samples in a pixel.
    ///
    /// ```
    /// # use ssim_std::{Interleaved, PixelLayout};
    /// assert_eq!(Interleaved::new(&[0u8; 3], 3, 1, PixelLayout::Gray)?.layout(), PixelLayout::Gray);
    /// # Ok::<(), ssim_std::Error>(())
    /// ```
    pub fn layout(&self) -> PixelLayout {
        self.layout
    }

    pub(crate) fn planes(&self) -> Result<Vec<Plane<'a, T>>> {
        self.layout
            .planes(self.data, self.width, self.height, self.stride)
    }
}

/// Per-channel SSIM results and their mean (the scikit-image and TensorFlow convention for
/// colour images).
#[derive(Clone, Debug)]
pub struct ChannelsResult {
    /// Mean of the per-channel SSIM values.
    pub ssim: f64,
    /// Mean of the per-channel cs values.
    pub cs: f64,
    /// One result per compared channel: gray or luma alone, or R, G, B in that order.
    pub channels: Vec<SsimResult>,
}

/// Per-channel MS-SSIM results and their mean.
#[derive(Clone, Debug, PartialEq)]
pub struct MsChannelsResult {
    /// Mean of the per-channel MS-SSIM values ([`ChannelPooling::PerImage`]), or the
    /// MS-SSIM of the per-level means over the channels ([`ChannelPooling::PerLevel`]).
    pub msssim: f64,
    /// One result per compared channel: gray or luma alone, or R, G, B in that order.
    pub channels: Vec<MsSsimResult>,
}

/// Luma of two interleaved RGB images, one row at a time.
struct LumaPair<'a, T: Sample> {
    x: Vec<Plane<'a, T>>,
    y: Vec<Plane<'a, T>>,
    luma: Luma,
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
        let Luma {
            coeffs: c,
            offset,
            divisor,
        } = self.luma;
        for (planes, out) in [(&self.x, &mut buf.x), (&self.y, &mut buf.y)] {
            out.resize(w, 0.0);
            let (r, g, b) = (planes[0].row(j), planes[1].row(j), planes[2].row(j));
            let (sr, sg, sb) = (planes[0].step(), planes[1].step(), planes[2].step());
            for (i, o) in out.iter_mut().enumerate() {
                let (r, g, b) = (r[i * sr].to_f64(), g[i * sg].to_f64(), b[i * sb].to_f64());
                *o = ((offset + c[0] * r + c[1] * g + c[2] * b) / divisor) as f32;
            }
        }
        Ok(RowPair {
            x: Plane::new(&buf.x, w, 1)?,
            y: Plane::new(&buf.y, w, 1)?,
        })
    }
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    s / n as f64
}

/// SSIM of two interleaved images, per channel with their mean, or of their luma (`mode`).
/// For [`PixelLayout::Gray`] every mode compares the one channel. `channels` of the result:
/// gray or luma alone, or R, G, B in that order. The two images may differ in layout and
/// stride, not in size.
///
/// ```
/// use ssim_std::{ssim_image, ChannelMode, Config, Interleaved, Params, PixelLayout};
/// let (w, h) = (24, 16);
/// let x: Vec<u8> = (0..w * h * 3).map(|i| (i * 5 % 256) as u8).collect();
/// let mut y = x.clone();
/// y.iter_mut().step_by(3).for_each(|r| *r /= 2); // only red differs
/// let (xi, yi) = (Interleaved::new(&x, w, h, PixelLayout::Rgb)?, Interleaved::new(&y, w, h, PixelLayout::Rgb)?);
/// let p = Params::wang2004(255.0);
/// let r = ssim_image(&p, &xi, &yi, ChannelMode::Mean, &Config::default())?;
/// assert_eq!(r.channels.len(), 3);
/// assert!(r.channels[0].ssim < 1.0);
/// assert_eq!((r.channels[1].ssim, r.channels[2].ssim), (1.0, 1.0));
/// let luma = ssim_image(&p, &xi, &yi, ChannelMode::Luma709, &Config::default())?;
/// assert_eq!(luma.channels.len(), 1);
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn ssim_image<T: Sample>(
    params: &Params,
    x: &Interleaved<'_, T>,
    y: &Interleaved<'_, T>,
    mode: ChannelMode,
    config: &Config,
) -> Result<ChannelsResult> {
    ssim_planes(params, &x.planes()?, &y.planes()?, mode, config)
}

/// SSIM of two images given as one plane per channel (planar, or any mix of layouts): per
/// plane with their mean, or, with a luma `mode` and three planes (R, G, B), of their luma.
/// A single plane is compared as it is in every mode.
///
/// ```
/// use ssim_std::{ssim_planes, ChannelMode, Config, Params, Plane};
/// let (w, h) = (20, 20);
/// let a: Vec<f32> = (0..w * h).map(|i| (i % 7) as f32 / 7.0).collect();
/// let b: Vec<f32> = a.iter().map(|v| 1.0 - v).collect();
/// let (pa, pb) = (Plane::new(&a, w, h)?, Plane::new(&b, w, h)?);
/// // Two channels: the first equal, the second inverted.
/// let r = ssim_planes(&Params::wang2004(1.0), &[pa, pa], &[pa, pb], ChannelMode::Mean, &Config::default())?;
/// assert_eq!(r.channels[0].ssim, 1.0);
/// assert!(r.channels[1].ssim < 0.0);
/// assert_eq!(r.ssim, (r.channels[0].ssim + r.channels[1].ssim) / 2.0);
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn ssim_planes<T: Sample>(
    params: &Params,
    x: &[Plane<'_, T>],
    y: &[Plane<'_, T>],
    mode: ChannelMode,
    config: &Config,
) -> Result<ChannelsResult> {
    let channels = match luma_pair(x, y, mode, params.data_range)? {
        Some(src) => vec![single_scale(params, &src, config, false)?.result],
        None => {
            // luma_pair checked the counts and sizes.
            let pairs = x
                .iter()
                .zip(y)
                .map(|(a, b)| PlanePair::new(a, b))
                .collect::<Result<Vec<_>>>()?;
            single_scale_channels(params, &pairs, config)?
        }
    };
    Ok(ChannelsResult {
        ssim: mean(channels.iter().map(|r| r.ssim)),
        cs: mean(channels.iter().map(|r| r.cs)),
        channels,
    })
}

/// MS-SSIM of two interleaved images, per channel with their mean, or of their luma; as
/// [`ssim_image`].
///
/// ```
/// use ssim_std::{msssim_image, ChannelMode, Config, Interleaved, MsSsimParams, PixelLayout};
/// let (w, h) = (176, 176);
/// let x: Vec<u8> = (0..w * h * 4).map(|i| (i * 13 % 251) as u8).collect();
/// let y: Vec<u8> = x.iter().map(|&v| v.saturating_add(3)).collect();
/// let xi = Interleaved::new(&x, w, h, PixelLayout::Bgra)?;
/// let yi = Interleaved::new(&y, w, h, PixelLayout::Bgra)?;
/// let p = MsSsimParams::wang2003(255.0);
/// let r = msssim_image(&p, &xi, &yi, ChannelMode::Luma601, &Config::default())?;
/// assert_eq!(r.channels.len(), 1); // luma; the alpha channel is ignored
/// assert!(r.msssim > 0.9 && r.msssim < 1.0);
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn msssim_image<T: Sample>(
    params: &MsSsimParams,
    x: &Interleaved<'_, T>,
    y: &Interleaved<'_, T>,
    mode: ChannelMode,
    config: &Config,
) -> Result<MsChannelsResult> {
    msssim_planes(params, &x.planes()?, &y.planes()?, mode, config)
}

/// MS-SSIM of two images given as one plane per channel; as [`ssim_planes`].
///
/// ```
/// use ssim_std::{msssim_planes, ChannelMode, Config, MsSsimParams, Plane};
/// let (w, h) = (161, 161);
/// let r: Vec<u8> = (0..w * h).map(|i| (i % 256) as u8).collect();
/// let g: Vec<u8> = (0..w * h).map(|i| (i * 3 % 256) as u8).collect();
/// let b: Vec<u8> = (0..w * h).map(|i| (i * 5 % 256) as u8).collect();
/// let planes = [Plane::new(&r, w, h)?, Plane::new(&g, w, h)?, Plane::new(&b, w, h)?];
/// let p = MsSsimParams::wang2003(255.0);
/// let same = msssim_planes(&p, &planes, &planes, ChannelMode::Mean, &Config::default())?;
/// assert_eq!(same.channels.len(), 3);
/// assert_eq!(same.msssim, 1.0);
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn msssim_planes<T: Sample>(
    params: &MsSsimParams,
    x: &[Plane<'_, T>],
    y: &[Plane<'_, T>],
    mode: ChannelMode,
    config: &Config,
) -> Result<MsChannelsResult> {
    let channels = match luma_pair(x, y, mode, params.ssim.data_range)? {
        Some(src) => vec![msssim_source(params, &src, config)?],
        None => x
            .iter()
            .zip(y)
            .map(|(a, b)| msssim_source(params, &PlanePair::new(a, b)?, config))
            .collect::<Result<Vec<_>>>()?,
    };
    let msssim = match params.channels {
        ChannelPooling::PerImage => mean(channels.iter().map(|r| r.msssim)),
        // The level means over the channels (every channel has the same count), then one
        // product.
        ChannelPooling::PerLevel => {
            let means: Vec<(f64, f64)> = (0..channels[0].levels.len())
                .map(|k| {
                    (
                        mean(channels.iter().map(|c| c.levels[k].ssim)),
                        mean(channels.iter().map(|c| c.levels[k].cs)),
                    )
                })
                .collect();
            product(params, &means)?
        }
    };
    Ok(MsChannelsResult { msssim, channels })
}

/// Checks the plane lists; the luma source when `mode` asks for luma of three planes.
fn luma_pair<'a, T: Sample>(
    x: &[Plane<'a, T>],
    y: &[Plane<'a, T>],
    mode: ChannelMode,
    data_range: f64,
) -> Result<Option<LumaPair<'a, T>>> {
    if x.is_empty() || x.len() != y.len() {
        return Err(Error::InvalidParameter {
            name: "planes",
            expected: "the same number (at least 1) of reference and distorted planes",
        });
    }
    for p in x.iter().chain(y) {
        if (p.width(), p.height()) != (x[0].width(), x[0].height()) {
            return Err(Error::SizeMismatch {
                reference: (x[0].width(), x[0].height()),
                distorted: (p.width(), p.height()),
            });
        }
    }
    Ok(match (mode.luma(data_range), x.len()) {
        (None, _) | (_, 1) => None,
        (Some(luma), 3) => Some(LumaPair {
            x: x.to_vec(),
            y: y.to_vec(),
            luma,
        }),
        (Some(_), _) => {
            return Err(Error::InvalidParameter {
                name: "planes",
                expected: "three planes (R, G, B) for luma",
            })
        }
    })
}
