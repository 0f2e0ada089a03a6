//! Reading images. The format is decided by the file's first bytes, never by its name, and
//! samples are kept exactly as stored: no gamma, colour or bit-depth conversion.

use std::fmt;
use std::path::Path;

use crate::pnm;

use crate::error::CliError;

/// Decoded samples, interleaved, rows top to bottom.
#[derive(Clone, Debug)]
pub enum Pixels {
    /// 8-bit samples (PNG/JPEG 8-bit, PGM/PPM with maxval <= 255).
    U8(Vec<u8>),
    /// 16-bit samples (PNG 16-bit, PGM/PPM with maxval > 255).
    U16(Vec<u16>),
    /// Float samples (PFM).
    F32(Vec<f32>),
}

impl Pixels {
    /// Bits per sample, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Pixels::U8(_) => "8-bit",
            Pixels::U16(_) => "16-bit",
            Pixels::F32(_) => "float",
        }
    }

    /// The largest finite sample magnitude, for messages about overflow.
    pub fn max_magnitude(&self) -> f64 {
        match self {
            Pixels::U8(v) => v.iter().map(|&s| f64::from(s)).fold(0.0, f64::max),
            Pixels::U16(v) => v.iter().map(|&s| f64::from(s)).fold(0.0, f64::max),
            Pixels::F32(v) => v
                .iter()
                .filter(|s| s.is_finite())
                .map(|&s| f64::from(s.abs()))
                .fold(0.0, f64::max),
        }
    }
}

/// How the samples of one pixel are arranged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One sample per pixel (gray+alpha files are reduced to this).
    Gray,
    /// R, G, B (RGBA files are reduced to this).
    Rgb,
}

impl Layout {
    /// Samples per pixel.
    pub fn samples(self) -> usize {
        match self {
            Layout::Gray => 1,
            Layout::Rgb => 3,
        }
    }

    /// Colour channels compared (alpha excluded).
    pub fn colour_channels(self) -> usize {
        match self {
            Layout::Gray => 1,
            Layout::Rgb => 3,
        }
    }

    /// The name printed in the output.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Gray => "gray",
            Layout::Rgb => "rgb",
        }
    }
}

/// File formats the tool reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// PNG, 8 or 16 bits (lower depths are expanded to 8 bits by the decoder).
    Png,
    /// Baseline, progressive or arithmetic-coded JPEG (libjpeg-turbo's decoder).
    Jpeg,
    /// Binary Netpbm P5 (gray) or P6 (RGB).
    Pnm,
    /// Portable float map, `Pf` (gray) or `PF` (RGB).
    Pfm,
    /// Windows bitmap (8-bit; palette and 16-bit-per-pixel files expanded to 8-bit RGB).
    Bmp,
    /// TIFF, 8- or 16-bit integer or 32-bit float samples.
    Tiff,
    /// WebP, lossy or lossless (8-bit).
    WebP,
    /// The Quite OK Image format (8-bit).
    Qoi,
}

impl Format {
    /// The `image` crate's decoder for this format (`None`: decoded elsewhere).
    fn image_format(self) -> Option<image::ImageFormat> {
        Some(match self {
            Format::Png => image::ImageFormat::Png,
            Format::Bmp => image::ImageFormat::Bmp,
            Format::Tiff => image::ImageFormat::Tiff,
            Format::WebP => image::ImageFormat::WebP,
            Format::Qoi => image::ImageFormat::Qoi,
            Format::Jpeg | Format::Pnm | Format::Pfm => return None,
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
            Format::Pnm => "PNM",
            Format::Pfm => "PFM",
            Format::Bmp => "BMP",
            Format::Tiff => "TIFF",
            Format::WebP => "WebP",
            Format::Qoi => "QOI",
        })
    }
}

/// One decoded image.
#[derive(Clone, Debug)]
pub struct Image {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Pixel layout.
    pub layout: Layout,
    /// The samples, `width * height * layout.samples()` of them.
    pub pixels: Pixels,
    /// The file format.
    pub format: Format,
    /// The data range the format implies: maxval (PNM), `2^bits - 1` (PNG, JPEG), 1.0 (PFM).
    pub default_range: f64,
    /// Where the default range comes from, for messages (`maxval 1023`, `16-bit PNG`, ...).
    pub range_source: String,
    /// The file had an alpha channel, dropped on reading: alpha is not image content, so an
    /// RGBA file compares with an RGB one, and gray+alpha with gray.
    pub alpha: bool,
    /// A decoder warning: the data was corrupt and decoded around (JPEG).
    pub warning: Option<String>,
}

impl Image {
    /// `PNG 16-bit rgb`, for messages.
    pub fn describe(&self) -> String {
        format!(
            "{} {} {}{}",
            self.format,
            self.pixels.kind(),
            self.layout.name(),
            if self.alpha { "a" } else { "" }
        )
    }
}

impl Image {
    /// An 8-bit image as 16-bit: every sample times 257, so 0..255 maps onto 0..65535 exactly
    /// (the PNG specification's and libpng's widening); others unchanged.
    pub fn promoted(&self) -> Option<Image> {
        let Pixels::U8(v) = &self.pixels else {
            return None;
        };
        Some(Image {
            pixels: Pixels::U16(v.iter().map(|&s| u16::from(s) * 257).collect()),
            default_range: 65535.0,
            range_source: format!("{} promoted to 16-bit", self.range_source),
            ..self.clone()
        })
    }

    /// The image without `n` pixels on every side (BasicSR's `crop_border`).
    pub fn crop(&self, n: usize) -> Result<Image, String> {
        if n == 0 {
            return Ok(self.clone());
        }
        let (w, h) = (self.width, self.height);
        if 2 * n >= w || 2 * n >= h {
            return Err(format!(
                "--crop-border {n} leaves nothing of a {w}x{h} image: expected 2 x {n} < both sides"
            ));
        }
        let k = self.layout.samples();
        fn cut<T: Copy>(v: &[T], w: usize, h: usize, k: usize, n: usize) -> Vec<T> {
            (n..h - n)
                .flat_map(|j| v[(j * w + n) * k..(j * w + w - n) * k].iter().copied())
                .collect()
        }
        let pixels = match &self.pixels {
            Pixels::U8(v) => Pixels::U8(cut(v, w, h, k, n)),
            Pixels::U16(v) => Pixels::U16(cut(v, w, h, k, n)),
            Pixels::F32(v) => Pixels::F32(cut(v, w, h, k, n)),
        };
        Ok(Image {
            width: w - 2 * n,
            height: h - 2 * n,
            pixels,
            ..self.clone()
        })
    }
}

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];
/// What the tool reads, for messages.
const EXPECTED: &str = "a PNG, JPEG, PGM/PPM (P5/P6), PFM, BMP, TIFF, WebP or QOI image";

/// The format the first bytes announce, among those decoded by the `image` crate.
fn sniff_image_crate(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(PNG_MAGIC) {
        Some(Format::Png)
    } else if bytes.starts_with(b"BM") {
        Some(Format::Bmp)
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some(Format::Tiff)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(Format::WebP)
    } else if bytes.starts_with(b"qoif") {
        Some(Format::Qoi)
    } else {
        None
    }
}

/// Reads and decodes `path`; images of more than `max_pixels` pixels are refused. A decoder
/// warning is left in [`Image::warning`] for the caller.
pub fn load(path: &Path, max_pixels: u64) -> Result<Image, CliError> {
    let shown = if path.as_os_str() == "-" {
        "stdin (-)".to_string()
    } else {
        path.display().to_string()
    };
    let bytes = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes).map_err(|e| {
            CliError::new(format!(
                "cannot read stdin (-): {}",
                crate::error::io_reason(&e)
            ))
        })?;
        bytes
    } else {
        std::fs::read(path).map_err(|e| {
            CliError::new(format!(
                "cannot read {shown}: {}",
                crate::error::io_reason(&e)
            ))
        })?
    };
    decode(&bytes, max_pixels).map_err(|e| CliError::new(format!("{shown}: {e}")))
}

/// The "too large" message of every format.
fn too_large(format: Format, width: u64, height: u64, max_pixels: u64) -> String {
    format!(
        "{format} of {width}x{height} ({} pixels) is too large: expected at most {max_pixels} \
         pixels (--max-pixels)",
        width.saturating_mul(height)
    )
}

/// Decodes an image held in memory (format from the magic bytes).
pub fn decode(bytes: &[u8], max_pixels: u64) -> Result<Image, String> {
    if bytes.is_empty() {
        return Err(format!("empty file: expected {EXPECTED}"));
    }
    if let Some(format) = sniff_image_crate(bytes) {
        decode_with_image(bytes, format, max_pixels)
    } else if bytes.starts_with(JPEG_MAGIC) {
        decode_jpeg(bytes, max_pixels)
    } else if pnm::sniff(bytes) {
        decode_pnm(bytes, max_pixels)
    } else if matches!(bytes, [b'P', b'1'..=b'4' | b'7', ..]) {
        Err(format!(
            "unsupported Netpbm type P{}: expected binary P5 (gray) or P6 (RGB), or PFM",
            bytes[1] as char
        ))
    } else {
        Err(format!(
            "unsupported or unrecognised format: expected {EXPECTED}"
        ))
    }
}

fn decode_pnm(bytes: &[u8], max_pixels: u64) -> Result<Image, String> {
    let img = pnm::decode(bytes).map_err(|e| {
        let kind = if bytes[1] == b'f' || bytes[1] == b'F' {
            "PFM"
        } else {
            "PNM"
        };
        format!("corrupt {kind} image: {e}")
    })?;
    let layout = match img.channels {
        1 => Layout::Gray,
        3 => Layout::Rgb,
        n => {
            return Err(format!(
                "unsupported PNM with {n} channels: expected 1 or 3"
            ))
        }
    };
    let (format, default_range, range_source) = match img.maxval {
        Some(m) => (Format::Pnm, f64::from(m), format!("maxval {m}")),
        None => (Format::Pfm, 1.0, "PFM".to_string()),
    };
    if (img.width as u64).saturating_mul(img.height as u64) > max_pixels {
        return Err(too_large(
            format,
            img.width as u64,
            img.height as u64,
            max_pixels,
        ));
    }
    let pixels = match img.samples {
        pnm::Samples::U8(v) => Pixels::U8(v),
        pnm::Samples::U16(v) => Pixels::U16(v),
        pnm::Samples::F32(v) => Pixels::F32(v),
    };
    if let Some(m) = img.maxval {
        // A sample above maxval is outside the range L the file declares: SSIM's constants
        // would be scaled for the wrong range.
        let above = match &pixels {
            Pixels::U8(v) => v.iter().position(|&s| u32::from(s) > m),
            Pixels::U16(v) => v.iter().position(|&s| u32::from(s) > m),
            Pixels::F32(_) => None,
        };
        if let Some(i) = above {
            let n = layout.samples();
            let value = match &pixels {
                Pixels::U8(v) => u32::from(v[i]),
                Pixels::U16(v) => u32::from(v[i]),
                Pixels::F32(_) => 0,
            };
            return Err(format!(
                "corrupt PNM image: sample {value} at pixel ({}, {}) is above the maxval {m}: \
                 expected samples from 0 to {m}",
                (i / n) % img.width,
                i / n / img.width
            ));
        }
    }
    Ok(Image {
        width: img.width,
        height: img.height,
        layout,
        pixels,
        format,
        default_range,
        range_source,
        alpha: false,
        warning: None,
    })
}

fn decode_jpeg(bytes: &[u8], max_pixels: u64) -> Result<Image, String> {
    let d = crate::jpeg::decode(bytes, max_pixels)?;
    Ok(Image {
        width: d.width,
        height: d.height,
        layout: if d.channels == 1 {
            Layout::Gray
        } else {
            Layout::Rgb
        },
        pixels: Pixels::U8(d.samples),
        format: Format::Jpeg,
        default_range: 255.0,
        range_source: "8-bit JPEG".into(),
        alpha: false,
        warning: d.warning,
    })
}

fn decode_with_image(bytes: &[u8], format: Format, max_pixels: u64) -> Result<Image, String> {
    use image::DynamicImage as D;
    let unreadable = |e: image::ImageError| format!("corrupt or unreadable {format} image: {e}");
    let kind = format
        .image_format()
        .ok_or_else(|| format!("{format} is not decoded by the image crate"))?;
    let reader = || image::ImageReader::with_format(std::io::Cursor::new(bytes), kind);
    // The size from the header first: the limit is in pixels and says "too large" with the
    // size, whatever the decoder's own allocation limit would have said.
    let (w, h) = reader().into_dimensions().map_err(unreadable)?;
    if u64::from(w) * u64::from(h) > max_pixels {
        return Err(too_large(format, w.into(), h.into(), max_pixels));
    }
    let mut reader = reader();
    reader.no_limits();
    let img = reader.decode().map_err(unreadable)?;
    let (width, height) = (img.width() as usize, img.height() as usize);
    let (layout, pixels, bits, alpha) = match img {
        D::ImageLuma8(b) => (Layout::Gray, Pixels::U8(b.into_raw()), 8, false),
        D::ImageLumaA8(b) => (
            Layout::Gray,
            Pixels::U8(drop_alpha(&b.into_raw(), 2)),
            8,
            true,
        ),
        D::ImageRgb8(b) => (Layout::Rgb, Pixels::U8(b.into_raw()), 8, false),
        D::ImageRgba8(b) => (
            Layout::Rgb,
            Pixels::U8(drop_alpha(&b.into_raw(), 4)),
            8,
            true,
        ),
        D::ImageLuma16(b) => (Layout::Gray, Pixels::U16(b.into_raw()), 16, false),
        D::ImageLumaA16(b) => (
            Layout::Gray,
            Pixels::U16(drop_alpha(&b.into_raw(), 2)),
            16,
            true,
        ),
        D::ImageRgb16(b) => (Layout::Rgb, Pixels::U16(b.into_raw()), 16, false),
        D::ImageRgba16(b) => (
            Layout::Rgb,
            Pixels::U16(drop_alpha(&b.into_raw(), 4)),
            16,
            true,
        ),
        D::ImageRgb32F(b) => (Layout::Rgb, Pixels::F32(b.into_raw()), 32, false),
        D::ImageRgba32F(b) => (
            Layout::Rgb,
            Pixels::F32(drop_alpha(&b.into_raw(), 4)),
            32,
            true,
        ),
        other => {
            return Err(format!(
                "unsupported {format} pixel type {:?}: expected 8- or 16-bit gray, RGB or RGBA, or float RGB(A)",
                other.color()
            ))
        }
    };
    // Float samples are taken as [0, 1], as PFM's.
    let (default_range, range_source) = if bits == 32 {
        (1.0, format!("float {format}"))
    } else {
        (((1u32 << bits) - 1) as f64, format!("{bits}-bit {format}"))
    };
    Ok(Image {
        width,
        height,
        layout,
        pixels,
        format,
        default_range,
        range_source,
        alpha,
        warning: None,
    })
}

/// Drops the last of every `n` samples (the alpha of gray+alpha or RGBA).
fn drop_alpha<T: Copy>(v: &[T], n: usize) -> Vec<T> {
    v.chunks_exact(n)
        .flat_map(|p| p[..n - 1].iter().copied())
        .collect()
}
