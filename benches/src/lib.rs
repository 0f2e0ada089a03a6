//! Inputs for the benchmarks in `benches/ssim.rs`, and the comparison baseline they are
//! measured against: a plain separable f32 SSIM loop, written the obvious way and left to the
//! compiler's autovectoriser (what a careful user would write without this crate).
//!
//! Images come from the folder `SSIM_BENCH_DIR` names (the project's deterministic 1080p and
//! 2160p gray pair, `{ref,dist}_{W}x{H}.pgm`; BENCHMARKS.md describes it; the team keeps it
//! beside the repository, which is the default) when present, and are generated otherwise.

#![forbid(unsafe_code)]

use std::path::PathBuf;

/// A reference/distorted pair of 8-bit gray images.
pub struct Pair {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Reference samples, row-major.
    pub x: Vec<u8>,
    /// Distorted samples, row-major.
    pub y: Vec<u8>,
    /// Where the pixels came from (a file name or "generated").
    pub source: String,
}

fn bench_dir() -> PathBuf {
    std::env::var_os("SSIM_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/bench"))
        })
}

fn read_gray(path: &PathBuf) -> Option<(usize, usize, Vec<u8>)> {
    let bytes = std::fs::read(path).ok()?;
    let img = test_support::pnm::decode(&bytes).ok()?;
    match img.samples {
        test_support::pnm::Samples::U8(v) if img.channels == 1 => Some((img.width, img.height, v)),
        _ => None,
    }
}

/// A `width x height` pair: the shared image of that size, a centred crop of a larger shared
/// image, or a deterministic generated pair.
pub fn pair(width: usize, height: usize) -> Pair {
    let dir = bench_dir();
    for (w, h) in [(1920, 1080), (3840, 2160)] {
        if w < width || h < height {
            continue;
        }
        let (rp, dp) = (
            dir.join(format!("ref_{w}x{h}.pgm")),
            dir.join(format!("dist_{w}x{h}.pgm")),
        );
        if let (Some((_, _, x)), Some((_, _, y))) = (read_gray(&rp), read_gray(&dp)) {
            let (x0, y0) = ((w - width) / 2, (h - height) / 2);
            let crop = |v: &[u8]| {
                (0..height)
                    .flat_map(|r| v[(y0 + r) * w + x0..][..width].iter().copied())
                    .collect::<Vec<u8>>()
            };
            return Pair {
                width,
                height,
                x: crop(&x),
                y: crop(&y),
                source: format!("{}", rp.display()),
            };
        }
    }
    generated(width, height)
}

/// The pair as interleaved RGB, three different channels per image (the gray image and two
/// shifted copies of it, so no channel repeats): the colour benchmarks' input.
pub fn rgb(p: &Pair) -> (Vec<u8>, Vec<u8>) {
    let n = p.width * p.height;
    let interleave = |v: &[u8]| -> Vec<u8> {
        (0..n)
            .flat_map(|i| [v[i], v[(i + 7) % n], v[(i + p.width + 3) % n]])
            .collect()
    };
    (interleave(&p.x), interleave(&p.y))
}

/// Smooth shapes plus grain; the distorted image is a 3-tap blur plus noise.
pub fn generated(width: usize, height: usize) -> Pair {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    };
    let mut x = vec![0u8; width * height];
    for r in 0..height {
        for c in 0..width {
            let (u, v) = (c as f32 / 37.0, r as f32 / 23.0);
            let base = 128.0 + 60.0 * (u.sin() * v.cos()) + 30.0 * ((u * 0.3 + v * 0.7).sin());
            let edge = if (c / 97 + r / 61) % 2 == 0 {
                25.0
            } else {
                -25.0
            };
            x[r * width + c] = (base + edge + 16.0 * noise()).clamp(0.0, 255.0) as u8;
        }
    }
    let mut y = x.clone();
    for r in 0..height {
        for c in 1..width.saturating_sub(1) {
            let i = r * width + c;
            let b = (x[i - 1] as f32 + 2.0 * x[i] as f32 + x[i + 1] as f32) / 4.0;
            y[i] = (b + 8.0 * noise()).clamp(0.0, 255.0) as u8;
        }
    }
    Pair {
        width,
        height,
        x,
        y,
        source: "generated".into(),
    }
}

/// The normalised 11-tap Gaussian (sigma 1.5) in f32.
fn gaussian11() -> [f32; 11] {
    let mut g = [0f64; 11];
    for (i, v) in g.iter_mut().enumerate() {
        let d = i as f64 - 5.0;
        *v = (-d * d / (2.0 * 1.5 * 1.5)).exp();
    }
    let s: f64 = g.iter().sum();
    g.map(|v| (v / s) as f32)
}

/// Mean SSIM (wang2004: Gaussian 11/1.5, population covariance, valid region, L = 255) the
/// plain way, as OpenCV's Python recipe does it: a horizontal 11-tap pass of the five signals
/// `x, y, x^2, y^2, xy` into whole-image f32 buffers, then per output row a vertical pass and
/// the formula, summed in f64. Uncentred (`E[x^2] - mu^2`) as most code is. Loops are written
/// tap-outer, column-inner, the form the autovectoriser turns into packed code.
pub fn separable_ssim_f32(x: &[u8], y: &[u8], width: usize, height: usize) -> f64 {
    let g = gaussian11();
    let (c1, c2) = ((0.01f32 * 255.0).powi(2), (0.03f32 * 255.0).powi(2));
    let (ow, oh) = (width - 10, height - 10);
    let mut h: Vec<Vec<f32>> = (0..5).map(|_| vec![0f32; ow * height]).collect();
    let mut sig = vec![vec![0f32; width]; 5];
    for r in 0..height {
        let (xr, yr) = (&x[r * width..][..width], &y[r * width..][..width]);
        for c in 0..width {
            let (a, b) = (xr[c] as f32, yr[c] as f32);
            sig[0][c] = a;
            sig[1][c] = b;
            sig[2][c] = a * a;
            sig[3][c] = b * b;
            sig[4][c] = a * b;
        }
        for (m, s) in sig.iter().enumerate() {
            let dst = &mut h[m][r * ow..][..ow];
            for (k, gk) in g.iter().enumerate() {
                for (d, v) in dst.iter_mut().zip(&s[k..]) {
                    *d += gk * v;
                }
            }
        }
    }
    let mut v = vec![vec![0f32; ow]; 5];
    let mut sum = 0f64;
    for r in 0..oh {
        for (m, out) in v.iter_mut().enumerate() {
            out.fill(0.0);
            for (k, gk) in g.iter().enumerate() {
                for (d, s) in out.iter_mut().zip(&h[m][(r + k) * ow..][..ow]) {
                    *d += gk * s;
                }
            }
        }
        let mut row = 0f32;
        let [mx, my, xx, yy, xy] = &v[..] else {
            unreachable!()
        };
        for i in 0..ow {
            let (mx, my) = (mx[i], my[i]);
            let (sxx, syy, sxy) = (xx[i] - mx * mx, yy[i] - my * my, xy[i] - mx * my);
            row += ((2.0 * mx * my + c1) * (2.0 * sxy + c2))
                / ((mx * mx + my * my + c1) * (sxx + syy + c2));
        }
        sum += row as f64;
    }
    sum / (ow * oh) as f64
}

/// Seconds this thread has run on a CPU (`CLOCK_THREAD_CPUTIME_ID` through the `cpu-time`
/// crate): on a shared machine the time slices other processes take do not count. (Linux's
/// `/proc/thread-self/schedstat`, read by the running thread itself, moves only at scheduler
/// ticks, 4 ms apart here, which on calls of a few milliseconds made the minimum over rounds
/// read low; the clock reads the exact run time.)
pub struct CpuClock {
    start: cpu_time::ThreadTime,
}

impl CpuClock {
    /// Starts the clock.
    ///
    /// ```
    /// let c = ssim_benches::CpuClock::start();
    /// let v: u64 = (0..1000u64).sum();
    /// assert!(v > 0 && c.seconds() >= 0.0);
    /// ```
    pub fn start() -> CpuClock {
        CpuClock {
            start: cpu_time::ThreadTime::now(),
        }
    }

    /// CPU seconds this thread has run since [`start`](Self::start).
    ///
    /// ```
    /// let c = ssim_benches::CpuClock::start();
    /// assert!(c.seconds() < 60.0);
    /// ```
    pub fn seconds(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssim_std::{ssim, Params, Plane};

    /// The baseline computes the same index as the crate (to f32 rounding), so the comparison
    /// measures equal work.
    #[test]
    fn baseline_matches_the_engine() {
        let p = generated(96, 64);
        let base = separable_ssim_f32(&p.x, &p.y, p.width, p.height);
        let (x, y) = (
            Plane::new(&p.x, p.width, p.height).unwrap(),
            Plane::new(&p.y, p.width, p.height).unwrap(),
        );
        let r = ssim(&Params::wang2004(255.0), &x, &y).unwrap();
        assert!((base - r.ssim).abs() < 1e-4, "{base} vs {}", r.ssim);
    }
}
