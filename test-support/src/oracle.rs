//! The literal f64 oracle: the SSIM definition (docs/ARCHITECTURE.md, README "Presets")
//! computed pixel by pixel with a 2-D window,
//! explicit padding, no streaming, no separability and no tricks. Slow (`O(W H size^2)`) and
//! obviously right; every fast path is tested against it.

use ssim_core::{Covariance, Error, Padding, Params, Plane, Pooling, Result, Sample, Window};

/// What the oracle computes.
#[derive(Clone, Debug)]
pub struct OracleResult {
    /// Mean SSIM over the pooled region.
    pub ssim: f64,
    /// Mean cs over the pooled region.
    pub cs: f64,
    /// Number of pooled pixels.
    pub count: usize,
    /// The SSIM map, row-major.
    pub map: Vec<f64>,
    /// The cs map, row-major.
    pub cs_map: Vec<f64>,
    /// Map width.
    pub map_width: usize,
    /// Map height.
    pub map_height: usize,
}

/// The normalised 1-D window in f64, all `2r + 1` taps, left to right.
pub fn window_1d(window: &Window) -> Vec<f64> {
    let r = window.radius() as isize;
    let raw: Vec<f64> = match *window {
        Window::Gaussian { sigma, .. } => (-r..=r)
            .map(|k| (-((k * k) as f64) / (2.0 * sigma * sigma)).exp())
            .collect(),
        Window::Box { .. } => vec![1.0; (2 * r + 1) as usize],
    };
    let sum: f64 = raw.iter().sum();
    raw.iter().map(|w| w / sum).collect()
}

/// SSIM by the book. `full_map`: with `Pooling::Valid` and `map_padding` set, return the
/// full-size padded map (the mean still covers the valid region only).
pub fn oracle<T: Sample>(
    params: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    full_map: bool,
) -> Result<OracleResult> {
    params.validate()?;
    let (w, h) = (x.width(), x.height());
    if (w, h) != (y.width(), y.height()) {
        return Err(Error::SizeMismatch {
            reference: (w, h),
            distorted: (y.width(), y.height()),
        });
    }
    let r = params.window.radius();
    let size = 2 * r + 1;
    let w1 = window_1d(&params.window);
    let (pad, map_valid) = match params.pooling {
        Pooling::Same(p) => (p, false),
        Pooling::Valid => {
            if w < size || h < size {
                return Err(Error::ImageSmallerThanWindow {
                    width: w,
                    height: h,
                    window: size,
                });
            }
            match (full_map, params.map_padding) {
                (true, Some(p)) => (p, false),
                _ => (Padding::Replicate, true),
            }
        }
    };
    let cov = match params.covariance {
        Covariance::Population => 1.0,
        Covariance::Sample => (size * size) as f64 / ((size * size) as f64 - 1.0),
    };
    let (c1, c2) = (params.c1(), params.c2());
    let get = |p: &Plane<'_, T>, cx: isize, cy: isize| {
        p.get(pad.map_index(cx, w), pad.map_index(cy, h)).to_f64()
    };
    let (mw, mh, off) = if map_valid {
        (w - 2 * r, h - 2 * r, r as isize)
    } else {
        (w, h, 0)
    };
    let mut map = Vec::with_capacity(mw * mh);
    let mut cs_map = Vec::with_capacity(mw * mh);
    let (mut sum, mut cs_sum, mut count) = (0.0, 0.0, 0usize);
    for my in 0..mh {
        for mx in 0..mw {
            let (cx, cy) = (mx as isize + off, my as isize + off);
            let (mut ux, mut uy, mut uxx, mut uyy, mut uxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for (j, wj) in w1.iter().enumerate() {
                for (i, wi) in w1.iter().enumerate() {
                    let wt = wi * wj;
                    let px = cx + i as isize - r as isize;
                    let py = cy + j as isize - r as isize;
                    let (a, b) = (get(x, px, py), get(y, px, py));
                    ux += wt * a;
                    uy += wt * b;
                    uxx += wt * a * a;
                    uyy += wt * b * b;
                    uxy += wt * a * b;
                }
            }
            let sxx = cov * (uxx - ux * ux);
            let syy = cov * (uyy - uy * uy);
            let sxy = cov * (uxy - ux * uy);
            let l = (2.0 * ux * uy + c1) / (ux * ux + uy * uy + c1);
            let cs = (2.0 * sxy + c2) / (sxx + syy + c2);
            let s = l * cs;
            map.push(s);
            cs_map.push(cs);
            let pooled = match params.pooling {
                Pooling::Same(_) => true,
                Pooling::Valid => {
                    map_valid || ((r..w - r).contains(&(mx)) && (r..h - r).contains(&(my)))
                }
            };
            if pooled {
                sum += s;
                cs_sum += cs;
                count += 1;
            }
        }
    }
    Ok(OracleResult {
        ssim: sum / count as f64,
        cs: cs_sum / count as f64,
        count,
        map,
        cs_map,
        map_width: mw,
        map_height: mh,
    })
}
