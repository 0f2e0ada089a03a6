//! Reading images. The format is decided by the file's first bytes, never by its name, and
//! samples are kept exactly as stored: no gamma, colour or bit-depth conversion.

use std::fmt;
use std::path::Path;

use ssim_std::pnm;

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
    /// One sample per pixel (gray+alpha files are reduced to this: alpha is not image content).
    Gray,
    /// R, G, B.
    Rgb,
    /// R, G, B, A; alpha is ignored.
    Rgba,
}

impl Layout {
    /// Samples per pixel.
    pub fn samples(self) -> usize {
        match self {
            Layout::Gray => 1,
            Layout::Rgb => 3,
            Layout::Rgba => 4,
        }
    }

    /// Colour channels compared (alpha excluded).
    pub fn colour_channels(self) -> usize {
        match self {
            Layout::Gray => 1,
            Layout::Rgb | Layout::Rgba => 3,
        }
    }

    /// The name printed in the output.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Gray => "gray",
            Layout::Rgb => "rgb",
            Layout::Rgba => "rgba",
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
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
            Format::Pnm => "PNM",
            Format::Pfm => "PFM",
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
}

impl Image {
    /// `PNG 16-bit rgb`, for messages.
    pub fn describe(&self) -> String {
        format!(
            "{} {} {}",
            self.format,
            self.pixels.kind(),
            self.layout.name()
        )
    }
}

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];

/// Reads and decodes `path`.
pub fn load(path: &Path) -> Result<Image, CliError> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| {
        CliError::new(format!(
            "cannot read {shown}: {}",
            crate::error::io_reason(&e)
        ))
    })?;
    decode(&bytes).map_err(|e| CliError::new(format!("{shown}: {e}")))
}

/// Decodes an image held in memory (format from the magic bytes).
pub fn decode(bytes: &[u8]) -> Result<Image, String> {
    if bytes.is_empty() {
        return Err("empty file: expected a PNG, JPEG, PGM/PPM (P5/P6) or PFM image".into());
    }
    if bytes.starts_with(PNG_MAGIC) {
        decode_with_image(bytes, Format::Png)
    } else if bytes.starts_with(JPEG_MAGIC) {
        decode_jpeg(bytes)
    } else if pnm::sniff(bytes) {
        decode_pnm(bytes)
    } else if matches!(bytes, [b'P', b'1'..=b'4' | b'7', ..]) {
        Err(format!(
            "unsupported Netpbm type P{}: expected binary P5 (gray) or P6 (RGB), or PFM",
            bytes[1] as char
        ))
    } else {
        Err("unsupported or unrecognised format: expected a PNG, JPEG, PGM/PPM (P5/P6) or PFM image".into())
    }
}

fn decode_pnm(bytes: &[u8]) -> Result<Image, String> {
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
    let pixels = match img.samples {
        pnm::Samples::U8(v) => Pixels::U8(v),
        pnm::Samples::U16(v) => Pixels::U16(v),
        pnm::Samples::F32(v) => Pixels::F32(v),
    };
    Ok(Image {
        width: img.width,
        height: img.height,
        layout,
        pixels,
        format,
        default_range,
        range_source,
    })
}

fn decode_jpeg(bytes: &[u8]) -> Result<Image, String> {
    let d = crate::jpeg::decode(bytes)?;
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
    })
}

fn decode_with_image(bytes: &[u8], format: Format) -> Result<Image, String> {
    use image::DynamicImage as D;
    let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .map_err(|e| format!("corrupt or unreadable {format} image: {e}"))?;
    let (width, height) = (img.width() as usize, img.height() as usize);
    let (layout, pixels, bits) = match img {
        D::ImageLuma8(b) => (Layout::Gray, Pixels::U8(b.into_raw()), 8),
        D::ImageLumaA8(b) => (Layout::Gray, Pixels::U8(drop_alpha(&b.into_raw())), 8),
        D::ImageRgb8(b) => (Layout::Rgb, Pixels::U8(b.into_raw()), 8),
        D::ImageRgba8(b) => (Layout::Rgba, Pixels::U8(b.into_raw()), 8),
        D::ImageLuma16(b) => (Layout::Gray, Pixels::U16(b.into_raw()), 16),
        D::ImageLumaA16(b) => (Layout::Gray, Pixels::U16(drop_alpha(&b.into_raw())), 16),
        D::ImageRgb16(b) => (Layout::Rgb, Pixels::U16(b.into_raw()), 16),
        D::ImageRgba16(b) => (Layout::Rgba, Pixels::U16(b.into_raw()), 16),
        other => {
            return Err(format!(
                "unsupported {format} pixel type {:?}: expected 8- or 16-bit gray, RGB or RGBA",
                other.color()
            ))
        }
    };
    Ok(Image {
        width,
        height,
        layout,
        pixels,
        format,
        default_range: ((1u32 << bits) - 1) as f64,
        range_source: format!("{bits}-bit {format}"),
    })
}

/// Gray+alpha to gray: every second sample.
fn drop_alpha<T: Copy>(v: &[T]) -> Vec<T> {
    v.iter().step_by(2).copied().collect()
}
