//! JPEG decoding with libjpeg-turbo's decoder (through `mozjpeg`, whose decoder is
//! libjpeg-turbo's): integer "slow" IDCT and fancy (triangle) chroma upsampling, the defaults
//! of libjpeg-turbo, `djpeg`, Pillow, scikit-image and OpenCV. The decoded pixels are byte for
//! byte those tools' pixels, so SSIM values agree with theirs; a different decoder (the
//! `image` crate's zune-jpeg) was measured to differ (SSIM 0.99999 between the two decodes
//! of one gray JPEG, 0.9986 for a 4:2:0 colour one).
//!
//! libjpeg reports fatal errors by unwinding (`resume_unwind`, which skips the panic hook),
//! caught here and turned into messages; like Pillow, a stream that ends before the image does
//! is an error, while recoverable warnings inside the data are not.

use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

/// The bytes of the file, handed to libjpeg; remembers whether libjpeg asked for data past
/// the end (a truncated stream: libjpeg then fakes an end-of-image marker and only warns).
struct Source<'a> {
    data: &'a [u8],
    ran_out: Rc<Cell<bool>>,
}

impl Read for Source<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.fill_buf()?.len().min(buf.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Source<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.data.is_empty() {
            self.ran_out.set(true);
        }
        Ok(self.data)
    }

    fn consume(&mut self, n: usize) {
        self.data = &self.data[n.min(self.data.len())..];
    }
}

/// Decoded JPEG: width, height, samples per pixel (1 or 3) and the interleaved samples.
pub struct Decoded {
    pub width: usize,
    pub height: usize,
    pub channels: usize,
    pub samples: Vec<u8>,
}

/// Decodes a JPEG held in memory.
pub fn decode(bytes: &[u8], max_pixels: u64) -> Result<Decoded, String> {
    let ran_out = Rc::new(Cell::new(false));
    let source = Source {
        data: bytes,
        ran_out: Rc::clone(&ran_out),
    };
    let result = catch_unwind(AssertUnwindSafe(|| -> io::Result<Decoded> {
        let d = mozjpeg::Decompress::new_reader(source)?;
        let (width, height) = d.size();
        let (mut started, channels) = match d.image()? {
            mozjpeg::Format::RGB(s) => (s, 3),
            mozjpeg::Format::Gray(s) => (s, 1),
            mozjpeg::Format::CMYK(_) => {
                return Err(io::Error::other(
                    "unsupported CMYK JPEG: expected a gray or YCbCr/RGB JPEG",
                ))
            }
        };
        if (width as u64).saturating_mul(height as u64) > max_pixels {
            return Err(io::Error::other(format!(
                "JPEG of {width}x{height} ({} pixels) is too large: expected at most \
                 {max_pixels} pixels (--max-pixels)",
                (width as u64).saturating_mul(height as u64)
            )));
        }
        let samples: Vec<u8> = started.read_scanlines()?;
        started.finish()?;
        Ok(Decoded {
            width,
            height,
            channels,
            samples,
        })
    }));
    let decoded = match result {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => return Err(format!("corrupt or unsupported JPEG image: {e}")),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "libjpeg error".into());
            let msg = msg.strip_prefix("libjpeg fatal error: ").unwrap_or(&msg);
            return Err(format!("corrupt JPEG image: {msg}"));
        }
    };
    if ran_out.get() {
        return Err("truncated JPEG image: the data ends before the image does".into());
    }
    if decoded.samples.len() != decoded.width * decoded.height * decoded.channels {
        return Err("corrupt JPEG image: fewer rows than the header says".into());
    }
    Ok(decoded)
}
