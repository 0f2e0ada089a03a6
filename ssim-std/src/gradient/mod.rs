//! SSIM and MS-SSIM as losses: the value and its exact gradient with respect to the
//! distorted image.
//!
//! The gradient is the derivative of the value the function reports (the same number
//! [`crate::ssim_with`] returns, bit for bit), per pixel of the distorted image, in units of
//! the sample values (`d SSIM / d y(i)` for samples `y` on their stored scale: 0..255 for
//! 8-bit). It is computed in f64 and rounded once to f32.
//!
//! ```text
//! grad(i) = (W^T a)(i) + y(i) (W^T b)(i) + x(i) (W^T c)(i)
//! ```
//!
//! with three per-pixel coefficient maps `a, b, c` (from `mu_x, mu_y, s_x^2, s_y^2, s_xy`
//! and the pooling weight, 1/N inside the pooled region) and `W^T` the adjoint of the window
//! filter, padding included: the taps that a padded window read outside the image are folded
//! back onto the pixels they copied. The backward pass is therefore a second row stream with
//! the same symmetric window; memory is O(width x window) per band plus the output, and the
//! result is bitwise identical for any number of threads.
//!
//! MS-SSIM ([`msssim_gradient`]) multiplies each level's mean-cs (or mean-SSIM) gradient by
//! `d MS-SSIM / d mean` and carries it to full resolution through the adjoint of each 2x2
//! rule. Negative level means follow [`NegativeMeans`](crate::NegativeMeans): `Relu` has a
//! zero derivative where it clamps (a level mean <= 0 makes the whole gradient 0), `Strict`
//! fails before anything is written, `Nan` gives NaN everywhere when the value is NaN, and
//! `Normalize` applies the chain rule through `(m + 1) / 2`.
//!
//! [`Convention::ScikitImage`] reproduces `skimage.metrics.structural_similarity(...,
//! gradient=True)`: the derivative of the mean of the full map with `reflect` borders
//! (not of the cropped mean it reports), with the sample-covariance factor left out of the
//! derivative.
//!
//! ```
//! use ssim_std::{ssim_gradient, Params, Plane};
//! let (w, h) = (24, 20);
//! let x: Vec<u8> = (0..w * h).map(|i| (i * 7 % 256) as u8).collect();
//! let y: Vec<u8> = x.iter().map(|&v| v / 2 + 40).collect();
//! let g = ssim_gradient(&Params::wang2004(255.0), &Plane::new(&x, w, h)?, &Plane::new(&y, w, h)?)?;
//! assert_eq!(g.gradient.len(), w * h);
//! assert!(g.result.ssim < 1.0);
//! # Ok::<(), ssim_std::Error>(())
//! ```

mod color;
mod core;
mod pyramid;

pub use color::{ssim_image_gradient, ImageGradient};
pub use pyramid::{msssim_gradient, msssim_gradient_into, msssim_gradient_with, MsSsimGradient};

use crate::parallel::Config;
use crate::single_scale::ssim_with;
use ssim_core::{
    AdjointKernels, CoefficientConsts, Covariance, Error, Padding, Params, Plane, Pooling, Result,
    Sample, SsimResult,
};

use self::core::{Axis, Extent, Level, Source, Term};

/// Which derivative the gradient functions return.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Convention {
    /// The exact derivative of the value the function reports. The default.
    #[default]
    Exact,
    /// scikit-image's `gradient=True`: the derivative of the mean of the full `H x W` map
    /// whose borders use `reflect` (half-sample) padding, with the sample-covariance factor
    /// left out of the derivative (about 2% off the true derivative for a 7x7 box). The value
    /// returned is still the reported one, as scikit-image does.
    ScikitImage,
}

/// A value with its gradient.
#[derive(Clone, Debug)]
pub struct SsimGradient {
    /// The value, identical to what [`crate::ssim_with`] returns.
    pub result: SsimResult,
    /// Image width.
    pub width: usize,
    /// Image height.
    pub height: usize,
    /// `d value / d y` per pixel of the distorted image, row-major, top to bottom.
    pub gradient: Vec<f32>,
}

/// SSIM and its exact gradient with respect to the distorted image `y`, with the default
/// [`Config`].
///
/// ```
/// use ssim_std::{ssim_gradient, Params, Plane};
/// let (w, h) = (16, 16);
/// let x: Vec<f32> = (0..w * h).map(|i| (i % 5) as f32 / 5.0).collect();
/// let g = ssim_gradient(&Params::matlab(1.0), &Plane::new(&x, w, h)?, &Plane::new(&x, w, h)?)?;
/// // At y = x SSIM is at its maximum: the gradient vanishes.
/// assert!(g.gradient.iter().all(|v| v.abs() < 1e-6));
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn ssim_gradient<T: Sample>(
    params: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
) -> Result<SsimGradient> {
    ssim_gradient_with(params, x, y, &Config::default(), Convention::Exact)
}

/// SSIM and its gradient with an explicit [`Config`] and [`Convention`].
///
/// ```
/// use ssim_std::{ssim_gradient_with, Config, Convention, Params, Plane};
/// let (w, h) = (20, 18);
/// let x: Vec<u8> = (0..w * h).map(|i| (i * 13 % 256) as u8).collect();
/// let y: Vec<u8> = x.iter().map(|&v| v.saturating_add(9)).collect();
/// let (xp, yp) = (Plane::new(&x, w, h)?, Plane::new(&y, w, h)?);
/// let p = Params::scikit_image(255.0);
/// let sk = ssim_gradient_with(&p, &xp, &yp, &Config::default(), Convention::ScikitImage)?;
/// let exact = ssim_gradient_with(&p, &xp, &yp, &Config::default(), Convention::Exact)?;
/// assert_eq!(sk.result.ssim, exact.result.ssim);
/// assert_ne!(sk.gradient, exact.gradient);
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn ssim_gradient_with<T: Sample>(
    params: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    config: &Config,
    convention: Convention,
) -> Result<SsimGradient> {
    let (w, h) = (x.width(), x.height());
    let mut gradient = vec![
        0.0f32;
        w.checked_mul(h).ok_or(Error::DimensionOverflow {
            width: w,
            height: h
        })?
    ];
    let result = ssim_gradient_into(params, x, y, config, convention, &mut gradient)?;
    Ok(SsimGradient {
        result,
        width: w,
        height: h,
        gradient,
    })
}

/// SSIM and its gradient into the caller's buffer of `width x height` values (row-major).
/// On any error (a buffer of another size, images that differ in size or are below the
/// window, NaN samples) the buffer is left as it was.
///
/// ```
/// use ssim_std::{ssim_gradient_into, Config, Convention, Error, Params, Plane};
/// let (w, h) = (16, 12);
/// let x = vec![100u8; w * h];
/// let y = vec![90u8; w * h];
/// let (xp, yp) = (Plane::new(&x, w, h)?, Plane::new(&y, w, h)?);
/// let p = Params::matlab(255.0);
/// let mut g = vec![0.0f32; w * h - 1];
/// let e = ssim_gradient_into(&p, &xp, &yp, &Config::default(), Convention::Exact, &mut g);
/// assert_eq!(e.unwrap_err(), Error::GradientBufferSize { len: w * h - 1, needed: w * h });
/// let mut g = vec![0.0f32; w * h];
/// let r = ssim_gradient_into(&p, &xp, &yp, &Config::default(), Convention::Exact, &mut g)?;
/// assert!(r.ssim < 1.0 && g.iter().all(|&v| v > 0.0)); // brighter y is closer to x
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn ssim_gradient_into<T: Sample>(
    params: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    config: &Config,
    convention: Convention,
    out: &mut [f32],
) -> Result<SsimResult> {
    same_size(x, y)?;
    check_len(out.len(), y.width(), y.height(), 1)?;
    let result = ssim_with(params, x, y, config)?;
    let src = core::Planes { x, y };
    let level = level(params, &src, Term::Ssim, 1.0, convention, kernels(config)?)?;
    core::run(&level, out, config.max_bands()?, &|_, _| {});
    Ok(result)
}

/// Sizes are compared before the buffer, so that a size mismatch is named as such.
fn same_size<T: Sample>(x: &Plane<'_, T>, y: &Plane<'_, T>) -> Result<()> {
    if (x.width(), x.height()) != (y.width(), y.height()) {
        return Err(Error::SizeMismatch {
            reference: (x.width(), x.height()),
            distorted: (y.width(), y.height()),
        });
    }
    Ok(())
}

/// The buffer must hold exactly one value per pixel and channel.
fn check_len(len: usize, w: usize, h: usize, channels: usize) -> Result<()> {
    let needed = w
        .checked_mul(h)
        .and_then(|n| n.checked_mul(channels))
        .ok_or(Error::DimensionOverflow {
            width: w,
            height: h,
        })?;
    if len != needed {
        return Err(Error::GradientBufferSize { len, needed });
    }
    Ok(())
}

/// The f64 row kernels of the config's backend.
fn kernels(config: &Config) -> Result<AdjointKernels> {
    AdjointKernels::new(config.resolve_backend()?)
}

/// The backward pass of `scale x mean(term)` over an image pair the engine has accepted.
///
/// An automatic down-sampling stage (piq, wang2009) that would change the images is refused:
/// its adjoint is not written yet, and a gradient that ignored it would not be the
/// derivative of the reported value.
fn level<'s, S: Source>(
    params: &Params,
    src: &'s S,
    term: Term,
    scale: f64,
    convention: Convention,
    kernels: AdjointKernels,
) -> Result<Level<'s, S>> {
    if let Some(rule) = params.auto_downsample {
        if rule.factor(src.width(), src.height()) > 1 {
            return Err(Error::InvalidParameter {
                name: "auto_downsample",
                expected: "no down-sampling stage at this size (factor 1): the gradient through the piq and wang2009 block means is not implemented",
            });
        }
    }
    let g = window(params);
    let size = g.len();
    let cov = match params.covariance {
        Covariance::Population => 1.0,
        Covariance::Sample => {
            let n = (size * size) as f64;
            n / (n - 1.0)
        }
    };
    let (extent, dcov) = match convention {
        Convention::Exact => (
            match params.pooling {
                Pooling::Valid => Extent::Valid,
                Pooling::Same(p) => Extent::Same(p),
            },
            cov,
        ),
        Convention::ScikitImage => (Extent::Same(Padding::Reflect), 1.0),
    };
    let rows = Axis::new(src.height(), &g, extent);
    let cols = Axis::new(src.width(), &g, extent);
    let count = (rows.map_len * cols.map_len) as f64;
    Ok(Level {
        src,
        rows,
        cols,
        consts: CoefficientConsts {
            c1: params.c1(),
            c2: params.c2(),
            cov,
            dcov,
            weight: scale / count,
            cs: term == Term::Cs,
        },
        kernels,
    })
}

/// The full normalised 1-D window in f64, left to right (summed in numpy's order, as the
/// engine's weights are).
fn window(params: &Params) -> Vec<f64> {
    let r = params.window.radius() as isize;
    let raw: Vec<f64> = match params.window {
        ssim_core::Window::Gaussian { sigma, .. } => (-r..=r)
            .map(|k| (-((k * k) as f64) / (2.0 * sigma * sigma)).exp())
            .collect(),
        ssim_core::Window::Box { .. } => vec![1.0; (2 * r + 1) as usize],
    };
    let sum: f64 = raw.iter().sum();
    raw.iter().map(|w| w / sum).collect()
}
