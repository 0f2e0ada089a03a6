//! A small reader and writer for the Netpbm family used by the reference vectors:
//! P5/P6 (8 and 16 bit, maxval honoured, samples kept as stored) and PFM (`Pf` gray, `PF`
//! colour; little- or big-endian by the sign of the scale; rows stored bottom to top).

use std::fmt;

/// Samples of a decoded image, interleaved when `channels > 1`, rows top to bottom.
#[derive(Clone, Debug, PartialEq)]
pub enum Samples {
    /// maxval <= 255.
    U8(Vec<u8>),
    /// 255 < maxval <= 65535 (stored big-endian in the file).
    U16(Vec<u16>),
    /// PFM floats.
    F32(Vec<f32>),
}

/// A decoded Netpbm image.
#[derive(Clone, Debug, PartialEq)]
pub struct PnmImage {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// 1 (gray) or 3 (RGB).
    pub channels: usize,
    /// The maxval of P5/P6 files; `None` for PFM.
    pub maxval: Option<u32>,
    /// The samples.
    pub samples: Samples,
}

/// Why a file could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PnmError(pub String);

impl fmt::Display for PnmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PnmError {}

fn err<T>(msg: impl Into<String>) -> Result<T, PnmError> {
    Err(PnmError(msg.into()))
}

/// Largest number of pixels accepted, so a forged header cannot ask for terabytes.
pub const MAX_PIXELS: usize = 1 << 30;

/// Whether `bytes` starts like a file this module reads.
pub fn sniff(bytes: &[u8]) -> bool {
    matches!(bytes, [b'P', b'5' | b'6' | b'f' | b'F', ..])
}

/// Decodes P5, P6, Pf or PF.
pub fn decode(bytes: &[u8]) -> Result<PnmImage, PnmError> {
    if bytes.len() < 2 || bytes[0] != b'P' {
        return err("not a PNM/PFM file: expected a header starting with P5, P6, Pf or PF");
    }
    let magic = bytes[1];
    let mut pos = 2;
    let mut tokens = Vec::with_capacity(3);
    while tokens.len() < 3 {
        // Whitespace and comments between header tokens.
        loop {
            match bytes.get(pos) {
                Some(c) if c.is_ascii_whitespace() => pos += 1,
                Some(b'#') => {
                    while bytes.get(pos).is_some_and(|&c| c != b'\n') {
                        pos += 1;
                    }
                }
                Some(_) => break,
                None => return err("truncated header: expected width, height and maxval/scale"),
            }
        }
        let start = pos;
        while bytes.get(pos).is_some_and(|c| !c.is_ascii_whitespace()) {
            pos += 1;
        }
        let tok = std::str::from_utf8(&bytes[start..pos])
            .map_err(|_| PnmError("header token is not text".into()))?;
        tokens.push(tok.to_string());
    }
    // Exactly one whitespace byte separates the header from the raster.
    if !bytes.get(pos).is_some_and(|c| c.is_ascii_whitespace()) {
        return err("truncated header: expected one whitespace byte before the raster");
    }
    pos += 1;
    let dim = |t: &str, what: &str| -> Result<usize, PnmError> {
        match t.parse::<usize>() {
            Ok(v) if v > 0 => Ok(v),
            _ => err(format!("bad {what} {t:?}: expected a positive integer")),
        }
    };
    let width = dim(&tokens[0], "width")?;
    let height = dim(&tokens[1], "height")?;
    let pixels = width
        .checked_mul(height)
        .filter(|&p| p <= MAX_PIXELS)
        .ok_or_else(|| PnmError(format!("image of {width}x{height} is too large")))?;
    let raster = &bytes[pos..];
    match magic {
        b'5' | b'6' => {
            let channels = if magic == b'5' { 1 } else { 3 };
            let maxval: u32 = match tokens[2].parse() {
                Ok(v) if (1..=65535).contains(&v) => v,
                _ => {
                    return err(format!(
                        "bad maxval {:?}: expected an integer from 1 to 65535",
                        tokens[2]
                    ))
                }
            };
            let n = pixels * channels;
            if maxval <= 255 {
                if raster.len() < n {
                    return err(format!(
                        "truncated raster: {} bytes, expected {n}",
                        raster.len()
                    ));
                }
                Ok(PnmImage {
                    width,
                    height,
                    channels,
                    maxval: Some(maxval),
                    samples: Samples::U8(raster[..n].to_vec()),
                })
            } else {
                if raster.len() < 2 * n {
                    return err(format!(
                        "truncated raster: {} bytes, expected {}",
                        raster.len(),
                        2 * n
                    ));
                }
                let data = raster[..2 * n]
                    .chunks_exact(2)
                    .map(|b| u16::from_be_bytes([b[0], b[1]]))
                    .collect();
                Ok(PnmImage {
                    width,
                    height,
                    channels,
                    maxval: Some(maxval),
                    samples: Samples::U16(data),
                })
            }
        }
        b'f' | b'F' => {
            let channels = if magic == b'f' { 1 } else { 3 };
            let scale: f64 = match tokens[2].parse::<f64>() {
                Ok(v) if v.is_finite() && v != 0.0 => v,
                _ => {
                    return err(format!(
                        "bad PFM scale {:?}: expected a non-zero number",
                        tokens[2]
                    ))
                }
            };
            let row = width * channels;
            let n = pixels * channels;
            if raster.len() < 4 * n {
                return err(format!(
                    "truncated raster: {} bytes, expected {}",
                    raster.len(),
                    4 * n
                ));
            }
            let mut data = vec![0f32; n];
            for (i, b) in raster[..4 * n].chunks_exact(4).enumerate() {
                let b = [b[0], b[1], b[2], b[3]];
                let v = if scale < 0.0 {
                    f32::from_le_bytes(b)
                } else {
                    f32::from_be_bytes(b)
                };
                // PFM stores the bottom row first.
                let (r, c) = (i / row, i % row);
                data[(height - 1 - r) * row + c] = v;
            }
            Ok(PnmImage {
                width,
                height,
                channels,
                maxval: None,
                samples: Samples::F32(data),
            })
        }
        _ => err("unsupported Netpbm type: expected P5, P6, Pf or PF"),
    }
}

/// Encodes a gray float image as little-endian PFM (rows written bottom to top).
pub fn encode_pfm(width: usize, height: usize, data: &[f32]) -> Vec<u8> {
    let mut out = format!("Pf\n{width} {height}\n-1.0\n").into_bytes();
    for r in (0..height).rev() {
        for v in &data[r * width..(r + 1) * width] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pfm_round_trip_flips_rows() {
        let data = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        let bytes = encode_pfm(2, 3, &data);
        // The first stored row is the bottom one.
        assert_eq!(
            &bytes[bytes.len() - 24..bytes.len() - 16],
            &[0, 0, 160, 64, 0, 0, 192, 64]
        );
        let img = decode(&bytes).unwrap();
        assert_eq!(img.samples, Samples::F32(data.to_vec()));
    }

    #[test]
    fn p5_16bit_is_big_endian_and_comments_skip() {
        let mut b = b"P5\n# c\n2 1\n1023\n".to_vec();
        b.extend_from_slice(&[0x03, 0xff, 0x01, 0x00]);
        let img = decode(&b).unwrap();
        assert_eq!(img.samples, Samples::U16(vec![1023, 256]));
        assert_eq!(img.maxval, Some(1023));
    }

    #[test]
    fn bad_inputs_are_errors() {
        for b in [
            &b""[..],
            b"P5",
            b"P5 2 2 255\n\x00",
            b"P7 1 1 255\n\x00",
            b"P5 0 1 255\n",
            b"P5 1 1 70000\n\x00",
            b"Pf 1 1 0\n\x00\x00\x00\x00",
            b"P5 99999999999 99999999999 255\n",
        ] {
            assert!(decode(b).is_err(), "{b:?}");
        }
    }
}
