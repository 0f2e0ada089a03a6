//! Gradients of colour SSIM: per channel (the mean of the channels' SSIM), or through the
//! luma transform.

use super::core::{self, Packed, Term};
use super::{level, Convention};
use crate::color::{ssim_planes, ChannelMode, ChannelsResult, Interleaved};
use crate::parallel::Config;
use ssim_core::{Params, Plane, Result, Sample};

/// A colour value with one gradient plane per compared channel.
#[derive(Clone, Debug)]
pub struct ImageGradient {
    /// The value, identical to what [`crate::ssim_planes`] returns.
    pub result: ChannelsResult,
    /// Image width.
    pub width: usize,
    /// Image height.
    pub height: usize,
    /// `d value / d y` of every distorted plane, row-major: gray alone, or R, G, B in that
    /// order (also for luma modes, where it is the luma gradient times each channel's
    /// coefficient).
    pub planes: Vec<Vec<f32>>,
}

/// Colour SSIM of two interleaved images (as [`crate::ssim_image`]) and its gradient with
/// respect to every channel of the distorted image. For [`ChannelMode::Mean`] the value is
/// the mean of the channels' SSIM, so each plane is its channel's gradient divided by the
/// number of channels; for a luma mode each plane is the luma gradient times the channel's
/// luma coefficient. The alpha channel of RGBA/BGRA has no gradient plane.
///
/// ```
/// use ssim_std::{ssim_image_gradient, ChannelMode, Config, Convention, Interleaved, Params, PixelLayout};
/// let (w, h) = (24, 16);
/// let x: Vec<u8> = (0..w * h * 3).map(|i| (i * 5 % 256) as u8).collect();
/// let mut y = x.clone();
/// y.iter_mut().step_by(3).for_each(|r| *r /= 2); // only red differs
/// let (xi, yi) = (Interleaved::new(&x, w, h, PixelLayout::Rgb)?, Interleaved::new(&y, w, h, PixelLayout::Rgb)?);
/// let p = Params::wang2004(255.0);
/// let g = ssim_image_gradient(&p, &xi, &yi, ChannelMode::Mean, &Config::default(), Convention::Exact)?;
/// assert_eq!(g.planes.len(), 3);
/// assert!(g.planes[0].iter().any(|&v| v != 0.0));
/// assert!(g.planes[1].iter().all(|&v| v.abs() < 1e-9)); // green is already equal
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn ssim_image_gradient<T: Sample>(
    params: &Params,
    x: &Interleaved<'_, T>,
    y: &Interleaved<'_, T>,
    mode: ChannelMode,
    config: &Config,
    convention: Convention,
) -> Result<ImageGradient> {
    let (xp, yp) = (x.planes()?, y.planes()?);
    let result = ssim_planes(params, &xp, &yp, mode, config)?;
    let (w, h) = (y.width(), y.height());
    let bands = config.max_bands()?;
    let planes = match (xp.len(), mode.luma(params.data_range)) {
        (3, Some(luma)) => {
            let lx = luma_image(&xp, luma.coeffs, luma.offset, luma.divisor);
            let ly = luma_image(&yp, luma.coeffs, luma.offset, luma.divisor);
            let src = Packed {
                width: w,
                height: h,
                x: &lx,
                y: &ly,
            };
            let lv = level(params, &src, Term::Ssim, 1.0, convention)?;
            let mut g = vec![0.0f64; w * h];
            core::run(&lv, &mut g, bands, &|_, _| {});
            luma.coeffs
                .iter()
                .map(|c| g.iter().map(|v| (v * c / luma.divisor) as f32).collect())
                .collect()
        }
        (n, _) => xp
            .iter()
            .zip(&yp)
            .map(|(a, b)| {
                let src = core::Planes { x: a, y: b };
                let lv = level(params, &src, Term::Ssim, 1.0 / n as f64, convention)?;
                let mut g = vec![0.0f32; w * h];
                core::run(&lv, &mut g, bands, &|_, _| {});
                Ok(g)
            })
            .collect::<Result<_>>()?,
    };
    Ok(ImageGradient {
        result,
        width: w,
        height: h,
        planes,
    })
}

/// The luma of three planes, in f64 (the value's engine rounds the same luma to f32).
fn luma_image<T: Sample>(p: &[Plane<'_, T>], c: [f64; 3], offset: f64, divisor: f64) -> Vec<f64> {
    let (w, h) = (p[0].width(), p[0].height());
    let mut out = Vec::with_capacity(w * h);
    for i in 0..h {
        for j in 0..w {
            let (r, g, b) = (p[0].get(j, i), p[1].get(j, i), p[2].get(j, i));
            out.push(
                (offset + c[0] * r.to_f64() + c[1] * g.to_f64() + c[2] * b.to_f64()) / divisor,
            );
        }
    }
    out
}
