//! The MS-SSIM gradient: each level's backward pass, carried to full resolution through the
//! adjoint of the 2x2 rule.
//!
//! Memory: the output plus the pyramid's coarser levels of both images (f32 for 8- and
//! 16-bit samples, where the 2x2 means are exact in it; f64 for float samples) and two f32
//! gradient buffers of the first coarse level used in turn: for 8-bit samples about
//! `2 x 4 / 3` bytes per full-resolution pixel for the images and `2 x 4 / 4` for the
//! gradients, 10 MB at 1080p (17 MB when all of it was f64), plus O(width x window) per
//! band for the row streams.

use super::core::{self, Level, Packed, Source, Term};
use super::{check_len, kernels, level, same_size, Convention};
use crate::msssim::{level_weights, msssim_with, MsSsimParams, MsSsimResult, NegativeMeans};
use crate::parallel::Config;
use ssim_core::{AdjointKernels, SampleKind};
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
    let levels = Levels {
        params,
        bands,
        kernels: k,
        scales: &scales,
    };
    // Level `l` of `b`-bit samples under either 2x2 rule holds multiples of `4^-l` below
    // `2^b`: `b + 2l` significant bits, which f32 holds exactly up to 24 (u16 to level 4,
    // u8 to level 8), at half the memory of f64.
    let coarsest = 2 * (scales.len().max(1) - 1) as u32;
    let exact = match T::KIND {
        SampleKind::U8 => 8 + coarsest <= 24,
        SampleKind::U16 => 16 + coarsest <= 24,
        _ => false,
    };
    if exact {
        levels.run::<T, f32>(x, y, out)?;
    } else {
        levels.run::<T, f64>(x, y, out)?;
    }
    Ok(result)
}

/// The backward passes of every level, coarsest first.
struct Levels<'p> {
    params: &'p MsSsimParams,
    bands: usize,
    kernels: AdjointKernels,
    scales: &'p [f64],
}

impl Levels<'_> {
    /// With the coarser level images stored as `E`; each level's gradient is carried to the
    /// next finer one in f32 (one rounding of a term of the sum, ~6e-8 of it, against the
    /// 1e-6 the gradient is held to).
    fn run<T: Sample, E: core::Out + Sync + Into<f64>>(
        &self,
        x: &Plane<'_, T>,
        y: &Plane<'_, T>,
        out: &mut [f32],
    ) -> Result<()> {
        let (params, bands, k) = (self.params, self.bands, self.kernels);
        let n = self.scales.len();
        let term = |l: usize| if l + 1 == n { Term::Ssim } else { Term::Cs };
        let rule = params.downsample;
        let mut sizes = vec![(x.width(), x.height())];
        let mut xs: Vec<Vec<E>> = Vec::with_capacity(n);
        let mut ys: Vec<Vec<E>> = Vec::with_capacity(n);
        for l in 1..n {
            let (w, h) = sizes[l - 1];
            let (cx, cy) = if l == 1 {
                down(&k, rule, &core::Planes { x, y })
            } else {
                down(
                    &k,
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

        // Coarsest first: each level's gradient plus the adjoint 2x2 rule of the one below,
        // in two buffers of the first coarse level's size used in turn.
        let first = sizes.get(1).map_or(0, |&(w, h)| w * h);
        let (mut coarse, mut fine) = (vec![0.0f32; first], vec![0.0f32; first]);
        let mut have_coarse = false;
        for l in (1..n).rev() {
            let (w, h) = sizes[l];
            let src = Packed {
                width: w,
                height: h,
                x: &xs[l - 1],
                y: &ys[l - 1],
            };
            let lv = level(
                &params.ssim,
                &src,
                term(l),
                self.scales[l],
                Convention::Exact,
                k,
            )?;
            run_with_coarser(
                &lv,
                &mut fine[..w * h],
                bands,
                rule,
                have_coarse.then(|| &coarse[..]),
                sizes.get(l + 1),
            );
            std::mem::swap(&mut coarse, &mut fine);
            have_coarse = true;
        }
        let src = core::Planes { x, y };
        let lv = level(
            &params.ssim,
            &src,
            term(0),
            self.scales[0],
            Convention::Exact,
            k,
        )?;
        run_with_coarser(
            &lv,
            out,
            bands,
            rule,
            have_coarse.then(|| &coarse[..]),
            sizes.get(1),
        );
        Ok(())
    }
}

/// One level's backward pass, adding the adjoint 2x2 mean of the next level's gradient.
fn run_with_coarser<S: Source, O: core::Out>(
    lv: &Level<'_, S>,
    out: &mut [O],
    bands: usize,
    rule: Downsample,
    coarse: Option<&[f32]>,
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
                        let v = wt * c as f64;
                        pair[0] += v;
                        pair[1] += v;
                    }
                    return;
                }
                for (o, &(kx, wx)) in row.iter_mut().zip(&cols) {
                    *o += wy * wx * crow[kx] as f64;
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

/// The 2x2 rule on a pair of images, each output row summed in f64 and stored as `E`.
fn down<S: Source, E: core::Out>(
    kernels: &AdjointKernels,
    rule: Downsample,
    src: &S,
) -> (Vec<E>, Vec<E>) {
    let (w, h) = (src.width(), src.height());
    let (cw, ch) = half(w, h);
    let cols = up_axis(rule, w);
    let rows = up_axis(rule, h);
    let mut ox: Vec<E> = Vec::with_capacity(cw * ch);
    let mut oy: Vec<E> = Vec::with_capacity(cw * ch);
    let (mut rx, mut ry) = (vec![0.0; w], vec![0.0; w]);
    // The output row being summed (`k`), in f64.
    let (mut dx, mut dy) = (vec![0.0f64; cw], vec![0.0f64; cw]);
    let mut cur = 0;
    let plain = w == 2 * cw && cols.iter().enumerate().all(|(j, &c)| c == (j / 2, 0.5));
    if plain && rows.len() == 2 * ch && rows.iter().enumerate().all(|(i, &r)| r == (i / 2, 0.5)) {
        // Both rows of every output row at once: the additions of the loop below, in its
        // order, straight into the output (no row of sums to clear and copy out).
        let (mut lx, mut ly) = (vec![0.0; w], vec![0.0; w]);
        let wt = 0.25;
        let quad = |a: &[f64], b: &[f64], o: &mut Vec<E>| {
            let pairs = a.chunks_exact(2).zip(b.chunks_exact(2));
            o.extend(pairs.map(|(p, q)| {
                E::from_f64((((0.0 + wt * p[0]) + wt * p[1]) + wt * q[0]) + wt * q[1])
            }));
        };
        for k in 0..ch {
            src.row(kernels, 2 * k, &mut rx, &mut ry);
            src.row(kernels, 2 * k + 1, &mut lx, &mut ly);
            quad(&rx, &lx, &mut ox);
            quad(&ry, &ly, &mut oy);
        }
        return (ox, oy);
    }
    let flush = |dx: &mut [f64], dy: &mut [f64], ox: &mut Vec<E>, oy: &mut Vec<E>| {
        ox.extend(dx.iter().map(|&v| E::from_f64(v)));
        oy.extend(dy.iter().map(|&v| E::from_f64(v)));
        dx.fill(0.0);
        dy.fill(0.0);
    };
    // One source row at a time (no full-resolution copy): its horizontal pairs, weighted
    // into the output row it belongs to (the rows of an output row are consecutive).
    for (i, &(k, wr)) in rows.iter().enumerate() {
        while cur < k {
            flush(&mut dx, &mut dy, &mut ox, &mut oy);
            cur += 1;
        }
        src.row(kernels, i, &mut rx, &mut ry);
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
    while cur < ch {
        flush(&mut dx, &mut dy, &mut ox, &mut oy);
        cur += 1;
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
