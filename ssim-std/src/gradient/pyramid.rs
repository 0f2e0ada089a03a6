//! The MS-SSIM gradient: each level's backward pass, carried to full resolution through the
//! adjoint of the 2x2 rule.
//!
//! Memory: the output plus the pyramid's coarser levels (both images and the gradient of each
//! level below the first, in f64: about `3 x 8 / 3 = 8` bytes per full-resolution pixel in
//! all), and O(width x window) per band for the row streams.

use super::core::{self, Level, Packed, Source, Term};
use super::{check_len, kernels, level, same_size, Convention};
use crate::msssim::{level_weights, msssim_with, MsSsimParams, MsSsimResult, NegativeMeans};
use crate::parallel::Config;
use ssim_core::{Downsample, Error, Plane, Result, Sample};

/// MS-SSIM with its gradient.
#[derive(Clone, Debug)]
pub struct MsSsimGradient {
    /// The value, identical to what [`crate::msssim_with`] returns.
    pub result: MsSsimResult,
    /// Image width.
    pub width: usize,
    /// Image height.
    pub height: usize,
    /// `d MS-SSIM / d y` per pixel of the distorted image, row-major, top to bottom.
    pub gradient: Vec<f32>,
}

/// MS-SSIM and its exact gradient with respect to the distorted image, default [`Config`].
///
/// ```
/// use ssim_std::{msssim_gradient, MsSsimParams, Plane};
/// let (w, h) = (176, 170);
/// let x: Vec<u8> = (0..w * h).map(|i| ((i * 31) % 251) as u8).collect();
/// let y: Vec<u8> = x.iter().map(|&v| v.saturating_add(6)).collect();
/// let p = MsSsimParams::pytorch_msssim(255.0);
/// let g = msssim_gradient(&p, &Plane::new(&x, w, h)?, &Plane::new(&y, w, h)?)?;
/// assert_eq!(g.gradient.len(), w * h);
/// assert!(g.result.msssim < 1.0);
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn msssim_gradient<T: Sample>(
    params: &MsSsimParams,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
) -> Result<MsSsimGradient> {
    msssim_gradient_with(params, x, y, &Config::default())
}

/// MS-SSIM and its gradient with an explicit [`Config`].
///
/// ```
/// use ssim_std::{msssim_gradient_with, Config, MsSsimParams, Plane};
/// let (w, h) = (165, 161);
/// let x: Vec<f32> = (0..w * h).map(|i| ((i * 7) % 97) as f32 / 97.0).collect();
/// let y: Vec<f32> = x.iter().map(|v| v * 0.8 + 0.1).collect();
/// let (xp, yp) = (Plane::new(&x, w, h)?, Plane::new(&y, w, h)?);
/// let p = MsSsimParams::wang2003(1.0);
/// let one = msssim_gradient_with(&p, &xp, &yp, &Config { threads: Some(1), ..Config::default() })?;
/// let four = msssim_gradient_with(&p, &xp, &yp, &Config { threads: Some(4), ..Config::default() })?;
/// assert_eq!(one.gradient, four.gradient);
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn msssim_gradient_with<T: Sample>(
    params: &MsSsimParams,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    config: &Config,
) -> Result<MsSsimGradient> {
    let (w, h) = (x.width(), x.height());
    let n = w.checked_mul(h).ok_or(Error::DimensionOverflow {
        width: w,
        height: h,
    })?;
    let mut gradient = vec![0.0f32; n];
    let result = msssim_gradient_into(params, x, y, config, &mut gradient)?;
    Ok(MsSsimGradient {
        result,
        width: w,
        height: h,
        gradient,
    })
}

/// MS-SSIM and its gradient into the caller's buffer of `width x height` values. On any
/// error (buffer size, image size, NaN samples, a negative level mean in strict mode) the
/// buffer is left as it was.
///
/// ```
/// use ssim_std::{msssim_gradient_into, Config, Error, MsSsimParams, NegativeMeans, Plane};
/// let (w, h) = (161, 161);
/// let x: Vec<u8> = (0..w * h).map(|i| ((i * 31) % 251) as u8).collect();
/// let y: Vec<u8> = x.iter().map(|&v| 255 - v).collect();
/// let (xp, yp) = (Plane::new(&x, w, h)?, Plane::new(&y, w, h)?);
/// let mut p = MsSsimParams::wang2003(255.0);
/// p.negative = NegativeMeans::Strict;
/// let mut g = vec![7.0f32; w * h];
/// let e = msssim_gradient_into(&p, &xp, &yp, &Config::default(), &mut g);
/// assert!(matches!(e, Err(Error::NegativeLevelMean { .. })));
/// assert!(g.iter().all(|&v| v == 7.0));
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn msssim_gradient_into<T: Sample>(
    params: &MsSsimParams,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    config: &Config,
    out: &mut [f32],
) -> Result<MsSsimResult> {
    same_size(x, y)?;
    check_len(out.len(), y.width(), y.height(), 1)?;
    supported(params.downsample)?;
    let result = msssim_with(params, x, y, config)?;
    let bands = config.max_bands()?;
    let k = kernels(config)?;
    let scales = mean_derivatives(params, &result);
    let n = scales.len();
    let term = |l: usize| if l + 1 == n { Term::Ssim } else { Term::Cs };

    // The coarser levels of both images, in f64.
    let rule = params.downsample;
    let mut sizes = vec![(x.width(), x.height())];
    let mut xs: Vec<Vec<f64>> = Vec::with_capacity(n);
    let mut ys: Vec<Vec<f64>> = Vec::with_capacity(n);
    for l in 1..n {
        let (w, h) = sizes[l - 1];
        let (cx, cy) = if l == 1 {
            down(rule, &core::Planes { x, y })
        } else {
            down(
                rule,
                &Packed {
                    width: w,
                    height: h,
                    x: &xs[l - 2],
                    y: &ys[l - 2],
                },
            )
        };
        xs.push(cx);
        ys.push(cy);
        sizes.push(half(w, h));
    }
    debug_assert!(sizes
        .iter()
        .zip(&result.levels)
        .all(|(s, l)| *s == (l.width, l.height)));

    // Coarsest first: each level's gradient plus the adjoint 2x2 rule of the one below.
    let mut coarse: Option<Vec<f64>> = None;
    for l in (1..n).rev() {
        let (w, h) = sizes[l];
        let src = Packed {
            width: w,
            height: h,
            x: &xs[l - 1],
            y: &ys[l - 1],
        };
        let lv = level(&params.ssim, &src, term(l), scales[l], Convention::Exact, k)?;
        let mut g = vec![0.0f64; w * h];
        run_with_coarser(
            &lv,
            &mut g,
            bands,
            rule,
            coarse.as_deref(),
            sizes.get(l + 1),
        );
        coarse = Some(g);
    }
    let src = core::Planes { x, y };
    let lv = level(&params.ssim, &src, term(0), scales[0], Convention::Exact, k)?;
    run_with_coarser(&lv, out, bands, rule, coarse.as_deref(), sizes.get(1));
    Ok(result)
}

/// One level's backward pass, adding the adjoint 2x2 mean of the next level's gradient.
fn run_with_coarser<S: Source, O: core::Out>(
    lv: &Level<'_, S>,
    out: &mut [O],
    bands: usize,
    rule: Downsample,
    coarse: Option<&[f64]>,
    coarse_size: Option<&(usize, usize)>,
) {
    match (coarse, coarse_size) {
        (Some(g), Some(&(cw, _))) => {
            let (w, h) = (lv.src.width(), lv.src.height());
            let cols = up_axis(rule, w);
            let rows = up_axis(rule, h);
            let plain = w == 2 * cw && cols.iter().enumerate().all(|(j, &c)| c == (j / 2, 0.5));
            core::run(lv, out, bands, &|i, row: &mut [f64]| {
                let (k, wy) = rows[i];
                let crow = &g[k * cw..(k + 1) * cw];
                if plain {
                    // Columns `2c, 2c + 1` both take coarse column `c` at weight 0.5: the
                    // same products without the table.
                    let wt = wy * 0.5;
                    for (pair, &c) in row.chunks_exact_mut(2).zip(crow) {
                        let v = wt * c;
                        pair[0] += v;
                        pair[1] += v;
                    }
                    return;
                }
                for (o, &(kx, wx)) in row.iter_mut().zip(&cols) {
                    *o += wy * wx * crow[kx];
                }
            })
        }
        _ => core::run(lv, out, bands, &|_, _| {}),
    }
}

/// Size of the next level.
fn half(w: usize, h: usize) -> (usize, usize) {
    (Downsample::output_len(w), Downsample::output_len(h))
}

/// For every index of an axis of `n` samples: the output index of the 2x2 rule it feeds and
/// its weight there (the rule is separable: a 2x2 block's weight is the product).
fn up_axis(rule: Downsample, n: usize) -> Vec<(usize, f64)> {
    (0..n)
        .map(|i| match rule {
            // An odd last sample is averaged with itself: weight 1.
            Downsample::Wang2003 if n % 2 == 1 && i == n - 1 => (i / 2, 1.0),
            // One zero before an odd axis shifts the blocks by one.
            Downsample::PytorchMsssim if n % 2 == 1 => (i.div_ceil(2), 0.5),
            _ => (i / 2, 0.5),
        })
        .collect()
}

/// The rules whose adjoint [`up_axis`] knows; any other is refused before anything runs.
fn supported(rule: Downsample) -> Result<()> {
    match rule {
        Downsample::Wang2003 | Downsample::PytorchMsssim => Ok(()),
        #[allow(unreachable_patterns)]
        _ => Err(Error::InvalidParameter {
            name: "downsample",
            expected:
                "Wang2003 or PytorchMsssim for an MS-SSIM gradient (no gradient for this rule yet)",
        }),
    }
}

/// The 2x2 rule on a packed f64 image.
fn down<S: Source>(rule: Downsample, src: &S) -> (Vec<f64>, Vec<f64>) {
    let (w, h) = (src.width(), src.height());
    let (cw, ch) = half(w, h);
    let cols = up_axis(rule, w);
    let rows = up_axis(rule, h);
    let (mut ox, mut oy) = (vec![0.0; cw * ch], vec![0.0; cw * ch]);
    let (mut rx, mut ry) = (vec![0.0; w], vec![0.0; w]);
    let plain = w == 2 * cw && cols.iter().enumerate().all(|(j, &c)| c == (j / 2, 0.5));
    // One source row at a time (no full-resolution copy): its horizontal pairs, weighted
    // into the output row it belongs to.
    for (i, &(k, wr)) in rows.iter().enumerate() {
        src.row(i, &mut rx, &mut ry);
        let (dx, dy) = (&mut ox[k * cw..(k + 1) * cw], &mut oy[k * cw..(k + 1) * cw]);
        if plain {
            // Every column pair `2c, 2c + 1` feeds output `c` with weight 0.5: the same
            // additions in the same order, without the table.
            let wt = wr * 0.5;
            for (c, (px, py)) in rx.chunks_exact(2).zip(ry.chunks_exact(2)).enumerate() {
                dx[c] += wt * px[0];
                dx[c] += wt * px[1];
                dy[c] += wt * py[0];
                dy[c] += wt * py[1];
            }
            continue;
        }
        for (j, &(kc, wc)) in cols.iter().enumerate() {
            dx[kc] += wr * wc * rx[j];
            dy[kc] += wr * wc * ry[j];
        }
    }
    (ox, oy)
}

/// `d MS-SSIM / d m_l` for every level's mean `m_l` (cs below the last level, SSIM at it).
fn mean_derivatives(params: &MsSsimParams, result: &MsSsimResult) -> Vec<f64> {
    let n = result.levels.len();
    let weights = level_weights(&params.weights, n);
    let means: Vec<f64> = result
        .levels
        .iter()
        .enumerate()
        .map(|(l, lv)| if l + 1 == n { lv.ssim } else { lv.cs })
        .collect();
    // f(m) and f'(m) of the negative-means rule.
    let f = |m: f64| match params.negative {
        NegativeMeans::Relu if m > 0.0 => (m, 1.0),
        NegativeMeans::Relu => (0.0, 0.0),
        NegativeMeans::Strict | NegativeMeans::Nan => (m, 1.0),
        NegativeMeans::Normalize => ((m + 1.0) / 2.0, 0.5),
    };
    (0..n)
        .map(|l| {
            let (fl, dl) = f(means[l]);
            if weights[l] == 0.0 || dl == 0.0 {
                // A clamped mean (or a level without weight) does not move the value.
                return 0.0;
            }
            let others: f64 = (0..n)
                .filter(|&j| j != l)
                .map(|j| f(means[j]).0.powf(weights[j]))
                .product();
            weights[l] * dl * fl.powf(weights[l] - 1.0) * others
        })
        .collect()
}
