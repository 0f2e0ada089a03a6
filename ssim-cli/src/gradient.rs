//! `--gradient FILE`: the gradient of the reported value with respect to the distorted
//! image, as raw float32 (PFM) or as a diverging-colour picture (PNG).
//!
//! PFM: gray images give a one-channel `Pf` file; colour images an `PF` (RGB) file whose
//! three values per pixel are the derivatives with respect to R, G and B. Rows are stored
//! bottom to top, little-endian, as every PFM. PNG: blue where raising the pixel lowers the
//! value, red where it raises it, white at 0, on a scale symmetric about 0 up to the largest
//! magnitude (the sum of the three channels' derivatives for colour images).

use std::path::Path;

use ssim_std::{
    msssim_gradient_with, ssim_image_gradient, Config, Convention, Interleaved, Plane, Sample,
};

use crate::cli::ChannelMode;
use crate::compute::{channel_mode, pixel_layout, Effective};
use crate::error::{io_reason, CliError};
use crate::input::{Image, Pixels};

/// A gradient: one plane per colour channel (gray: one), row-major, top to bottom.
#[derive(Clone, Debug)]
pub struct Gradient {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// The value the gradient belongs to (equal to the reported one).
    pub value: f64,
    /// `d value / d channel` per pixel.
    pub planes: Vec<Vec<f32>>,
}

/// Checks `--gradient FILE` before any work is done: the extension decides the format.
pub fn check_path(path: &Path) -> Result<(), CliError> {
    match ext(path).as_deref() {
        Some("png") | Some("pfm") => Ok(()),
        _ => Err(CliError::new(format!(
            "--gradient {}: expected a file name ending in .pfm (raw float32 values) or .png (picture)",
            path.display()
        ))),
    }
}

fn ext(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
}

/// The gradient of the value `params` defines, on two decoded images of equal size.
pub fn compute(
    params: &Effective,
    mode: ChannelMode,
    config: &Config,
    x: &Image,
    y: &Image,
) -> Result<Gradient, String> {
    match (&x.pixels, &y.pixels) {
        (Pixels::U8(a), Pixels::U8(b)) => typed(params, mode, config, a, b, x),
        (Pixels::U16(a), Pixels::U16(b)) => typed(params, mode, config, a, b, x),
        (Pixels::F32(a), Pixels::F32(b)) => typed(params, mode, config, a, b, x),
        _ => Err("the two images have different sample types".into()),
    }
}

fn typed<T: Sample>(
    params: &Effective,
    mode: ChannelMode,
    config: &Config,
    a: &[T],
    b: &[T],
    img: &Image,
) -> Result<Gradient, String> {
    let (w, h, n) = (img.width, img.height, img.layout.samples());
    let err = |e: ssim_std::Error| e.to_string();
    match params {
        Effective::Ffmpeg(_) => {
            Err("--gradient is not available for --preset ffmpeg (x264's 8x8 windows)".into())
        }
        Effective::Ssim(p) => {
            let layout = pixel_layout(img.layout);
            let (ia, ib) = (
                Interleaved::with_stride(a, w, h, w * n, layout).map_err(err)?,
                Interleaved::with_stride(b, w, h, w * n, layout).map_err(err)?,
            );
            let g = ssim_image_gradient(p, &ia, &ib, channel_mode(mode), config, Convention::Exact)
                .map_err(err)?;
            Ok(Gradient {
                width: w,
                height: h,
                value: g.result.ssim,
                planes: g.planes,
            })
        }
        Effective::MsSsim(p) => {
            if n > 1 && mode != ChannelMode::Mean {
                return Err(
                    "--gradient with --metric ms-ssim on colour images needs --channels mean (no luma MS-SSIM gradient yet)"
                        .into(),
                );
            }
            let mut planes = Vec::with_capacity(n);
            let mut values = Vec::with_capacity(n);
            for c in 0..n {
                let xp = Plane::with_layout(&a[c..], w, h, w * n, n).map_err(err)?;
                let yp = Plane::with_layout(&b[c..], w, h, w * n, n).map_err(err)?;
                let g = msssim_gradient_with(p, &xp, &yp, config).map_err(err)?;
                values.push(g.result.msssim);
                // The value is the mean over the channels.
                planes.push(g.gradient.iter().map(|v| v / n as f32).collect());
            }
            Ok(Gradient {
                width: w,
                height: h,
                value: values.iter().sum::<f64>() / n as f64,
                planes,
            })
        }
    }
}

/// Writes the gradient: PFM if the name ends in `.pfm`, a PNG picture otherwise.
pub fn write(path: &Path, g: &Gradient) -> Result<(), CliError> {
    let bytes = if ext(path).as_deref() == Some("pfm") {
        pfm(g)
    } else {
        png(g)?
    };
    std::fs::write(path, bytes).map_err(|e| {
        CliError::new(format!(
            "cannot write gradient {}: {}",
            path.display(),
            io_reason(&e)
        ))
    })
}

/// `Pf` (one channel) or `PF` (RGB), little-endian, bottom row first.
fn pfm(g: &Gradient) -> Vec<u8> {
    let (w, h, c) = (g.width, g.height, g.planes.len());
    let magic = if c == 1 { "Pf" } else { "PF" };
    let mut out = format!("{magic}\n{w} {h}\n-1.0\n").into_bytes();
    out.reserve(w * h * c * 4);
    for row in (0..h).rev() {
        for col in 0..w {
            for p in &g.planes {
                out.extend_from_slice(&p[row * w + col].to_le_bytes());
            }
        }
    }
    out
}

/// Diverging colours: blue (negative), white (0), red (positive); `t` in -1..=1.
pub fn diverging(t: f64) -> [u8; 3] {
    const NEG: [f64; 3] = [59.0, 76.0, 192.0];
    const MID: [f64; 3] = [247.0, 247.0, 247.0];
    const POS: [f64; 3] = [180.0, 4.0, 38.0];
    let t = if t.is_finite() {
        t.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let end = if t < 0.0 { NEG } else { POS };
    let a = t.abs();
    let mut px = [0u8; 3];
    for (o, (m, e)) in px.iter_mut().zip(MID.iter().zip(end)) {
        *o = (m + (e - m) * a).round() as u8;
    }
    px
}

fn png(g: &Gradient) -> Result<Vec<u8>, CliError> {
    use image::ImageEncoder;
    let (w, h) = (g.width, g.height);
    let sum: Vec<f64> = (0..w * h)
        .map(|i| g.planes.iter().map(|p| p[i] as f64).sum())
        .collect();
    let max = sum
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let scale = if max > 0.0 { 1.0 / max } else { 0.0 };
    let px: Vec<u8> = sum.iter().flat_map(|v| diverging(v * scale)).collect();
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&px, w as u32, h as u32, image::ExtendedColorType::Rgb8)
        .map_err(|e| CliError::new(format!("cannot encode the gradient PNG: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diverging_is_blue_white_red() {
        assert_eq!(diverging(-1.0), [59, 76, 192]);
        assert_eq!(diverging(0.0), [247, 247, 247]);
        assert_eq!(diverging(1.0), [180, 4, 38]);
        assert_eq!(diverging(f64::NAN), [247, 247, 247]);
    }

    #[test]
    fn pfm_is_bottom_row_first_and_rgb_interleaved() {
        let g = Gradient {
            width: 1,
            height: 2,
            value: 0.5,
            planes: vec![vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]],
        };
        let b = pfm(&g);
        let head = b"PF\n1 2\n-1.0\n";
        assert_eq!(&b[..head.len()], head);
        let vals: Vec<f32> = b[head.len()..]
            .chunks(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(vals, [2.0, 4.0, 6.0, 1.0, 3.0, 5.0]);
    }
}
