//! JPEG decoding with libjpeg-turbo's decoder (through `mozjpeg`, whose decoder is
//! libjpeg-turbo's): integer "slow" IDCT and fancy (triangle) chroma upsampling, the defaults
//! of libjpeg-turbo, `djpeg`, Pillow, scikit-image and OpenCV. The decoded pixels are byte for
//! byte those tools' pixels, so SSIM values agree with theirs; a different decoder (the
//! `image` crate's zune-jpeg) was measured to differ (SSIM 0.99999 between the two decodes
//! of one gray JPEG, 0.9986 for a 4:2:0 colour one).
//!
//! libjpeg reports fatal errors by unwinding (`resume_unwind`, which skips the panic hook),
//! caught here and turned into messages; like Pillow, a stream that ends before the image does
//! is an error. Recoverable warnings inside the data ("Corrupt JPEG data: ...") are counted
//! and the first one is handed back ([`Decoded::warning`]): the CLI prints it, or with
//! `--strict` refuses the image. mozjpeg silences them and offers no way to see them (its
//! `ErrorMgr` is libjpeg's C struct and its own handlers are private), so the `warnings`
//! module sets up libjpeg's error manager itself: the one FFI part of the CLI.

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
    /// libjpeg's first warning (corrupt data it decoded around) and how many more followed.
    pub warning: Option<String>,
}

/// libjpeg's error manager with warnings counted (mozjpeg's default drops them).
#[allow(unsafe_code)]
mod warnings {
    use mozjpeg_sys::{jpeg_common_struct, jpeg_error_mgr, jpeg_std_error};
    use std::cell::RefCell;
    use std::os::raw::c_int;

    thread_local! {
        /// The warnings of the decode running on this thread: their count and the first.
        static SEEN: RefCell<(u32, Option<String>)> = const { RefCell::new((0, None)) };
    }

    /// libjpeg's standard manager with our warning and fatal-error handlers.
    pub(super) fn error_mgr() -> jpeg_error_mgr {
        // SAFETY: `jpeg_error_mgr` is a C struct of integers, raw pointers and optional
        // function pointers, for all of which all-zero bytes are a valid value.
        let mut err: jpeg_error_mgr = unsafe { std::mem::zeroed() };
        // SAFETY: `jpeg_std_error` only fills in the fields of the struct it is given.
        unsafe { jpeg_std_error(&mut err) };
        err.error_exit = Some(exit);
        err.emit_message = Some(emit);
        err
    }

    /// Forgets earlier warnings (call before a decode).
    pub(super) fn reset() {
        SEEN.with(|s| *s.borrow_mut() = (0, None));
    }

    /// The warnings since [`reset`]: count and first message.
    pub(super) fn take() -> (u32, Option<String>) {
        SEEN.with(|s| std::mem::take(&mut *s.borrow_mut()))
    }

    /// The text of the message libjpeg is reporting.
    fn message(cinfo: &mut jpeg_common_struct) -> String {
        // SAFETY: libjpeg calls the handlers with `cinfo.err` pointing to this manager.
        let Some(format) = unsafe { cinfo.err.as_ref() }.and_then(|e| e.format_message) else {
            return "libjpeg message".into();
        };
        type Format = unsafe extern "C-unwind" fn(&mut jpeg_common_struct, &mut [u8; 80]);
        // SAFETY: the same function: the binding declares the buffer `&[u8; 80]` although C
        // writes to it; a shared and a mutable reference have the same ABI (a pointer).
        let format: Format = unsafe { std::mem::transmute(format) };
        let mut buf = [0u8; 80];
        // SAFETY: `format_message` writes at most JMSG_LENGTH_MAX (80) bytes, NUL included,
        // into the buffer, reading only `cinfo`'s error manager.
        unsafe { format(cinfo, &mut buf) };
        let text = buf.split(|&c| c == 0).next().unwrap_or_default();
        String::from_utf8_lossy(text).into_owned()
    }

    /// `emit_message`: level -1 is a warning (recoverable corrupt data); higher levels are
    /// trace messages, ignored.
    extern "C-unwind" fn emit(cinfo: &mut jpeg_common_struct, level: c_int) {
        if level < 0 {
            let m = message(cinfo);
            SEEN.with(|s| {
                let mut s = s.borrow_mut();
                s.0 += 1;
                s.1.get_or_insert(m);
            });
        }
    }

    /// `error_exit`: unwinds to `decode`'s `catch_unwind` (skipping the panic hook), as
    /// mozjpeg's own handler does.
    extern "C-unwind" fn exit(cinfo: &mut jpeg_common_struct) {
        let m = message(cinfo);
        std::panic::resume_unwind(Box::new(format!("libjpeg fatal error: {m}")));
    }
}

/// Decodes a JPEG held in memory.
pub fn decode(bytes: &[u8], max_pixels: u64) -> Result<Decoded, String> {
    let ran_out = Rc::new(Cell::new(false));
    let source = Source {
        data: bytes,
        ran_out: Rc::clone(&ran_out),
    };
    warnings::reset();
    let result = catch_unwind(AssertUnwindSafe(|| -> io::Result<Decoded> {
        let d = mozjpeg::Decompress::with_err(warnings::error_mgr()).from_reader(source)?;
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
            warning: None,
        })
    }));
    let (count, first) = warnings::take();
    let mut decoded = match result {
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
    decoded.warning = first.map(|m| match count {
        0 | 1 => m,
        n => format!("{m} (and {} more warnings)", n - 1),
    });
    Ok(decoded)
}
