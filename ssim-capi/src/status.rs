//! Status codes, the panic guard every entry point runs inside, and the message of the last
//! failure (per thread with std; one static buffer without, where there are no threads).

use core::ffi::c_char;

use ssim_core::Error;

/// What a call returned: `SSIM_OK` (0) or one of the `SSIM_ERROR_*` codes. Every function that
/// can fail returns one; `ssim_status_str` names it and `ssim_last_error_message` says what was
/// wrong and what was expected.
///
/// A plain integer rather than a C `enum` so that any value a C caller passes back (for
/// example to `ssim_status_str`) is defined behaviour on both sides.
pub type ssim_status = i32;

/// Success.
pub const SSIM_OK: ssim_status = 0;
/// A required pointer argument (params, image, image data, result, scratch, map) is NULL.
pub const SSIM_ERROR_NULL_POINTER: ssim_status = 1;
/// A pointer is not aligned for its type (`uint16_t`, `float`, `double` or struct data).
pub const SSIM_ERROR_MISALIGNED_POINTER: ssim_status = 2;
/// The image width or height is zero.
pub const SSIM_ERROR_ZERO_DIMENSION: ssim_status = 3;
/// A size computed from width, height, stride and step overflows `size_t` (or the
/// largest object size, `PTRDIFF_MAX` bytes).
pub const SSIM_ERROR_DIMENSION_OVERFLOW: ssim_status = 4;
/// The row stride is shorter than one row: it must be at least
/// `(width - 1) * step + 1` samples when the image has more than one row.
pub const SSIM_ERROR_STRIDE_TOO_SHORT: ssim_status = 5;
/// The channel step (samples between two horizontally adjacent pixels) is zero.
pub const SSIM_ERROR_CHANNEL_STEP: ssim_status = 6;
/// A sample buffer is shorter than its layout needs.
pub const SSIM_ERROR_BUFFER_TOO_SHORT: ssim_status = 7;
/// The reference and distorted images differ in width or height.
pub const SSIM_ERROR_SIZE_MISMATCH: ssim_status = 8;
/// Valid pooling needs both sides at least the window size (11 for the Gaussian presets,
/// 7 for `SSIM_PRESET_SCIKIT_IMAGE`); use `SSIM_PRESET_MATLAB` for smaller images.
pub const SSIM_ERROR_IMAGE_SMALLER_THAN_WINDOW: ssim_status = 9;
/// The caller's scratch buffer is smaller than `ssim_scratch_size` reports.
pub const SSIM_ERROR_SCRATCH_TOO_SMALL: ssim_status = 10;
/// A map buffer holds fewer values than `ssim_map_size` reports (`map_width * map_height`).
pub const SSIM_ERROR_MAP_TOO_SMALL: ssim_status = 11;
/// A parameter is out of its domain (unknown preset, window kind, covariance, pooling or
/// padding id; radius, sigma, box size, K1, K2 or data range out of range).
pub const SSIM_ERROR_INVALID_PARAMETER: ssim_status = 12;
/// A `float` sample is NaN or infinite.
pub const SSIM_ERROR_NON_FINITE_SAMPLE: ssim_status = 13;
/// The forced backend is unknown to this build or not supported by this CPU.
pub const SSIM_ERROR_BACKEND_UNSUPPORTED: ssim_status = 14;
/// The image is too small for the requested MS-SSIM pyramid (the coarsest level must still
/// hold one window: 161 pixels on the shorter side for 5 levels and an 11-tap window).
pub const SSIM_ERROR_TOO_SMALL_FOR_MSSSIM: ssim_status = 15;
/// MS-SSIM in strict mode met a negative per-level mean (cs, or SSIM at the coarsest level).
pub const SSIM_ERROR_NEGATIVE_MEAN: ssim_status = 16;
/// The caller's array of per-level results is shorter than the number of MS-SSIM levels.
pub const SSIM_ERROR_LEVELS_TOO_SMALL: ssim_status = 17;
/// A bug: the library panicked or met an error this C API does not know. The call had no
/// effect on the output arguments; please report it with `ssim_last_error_message`.
pub const SSIM_ERROR_INTERNAL: ssim_status = 18;
/// A stream call out of order: rows pushed to, or `ssim_stream_finish` called on, a stream
/// that is already finished, or a handle that is not a stream made by `ssim_stream_begin_*`.
pub const SSIM_ERROR_STREAM_STATE: ssim_status = 19;
/// More rows pushed to a stream than the height it was created with.
pub const SSIM_ERROR_TOO_MANY_ROWS: ssim_status = 20;
/// `ssim_stream_finish` before every row of the image was pushed.
pub const SSIM_ERROR_ROWS_MISSING: ssim_status = 21;
/// Rows pushed to a stream with a sample type other than the one it was created for, or
/// images of a sample type this build leaves out (a u8-only no_std build has no `uint16_t`
/// kernels: README, "Using on a microcontroller").
pub const SSIM_ERROR_SAMPLE_TYPE: ssim_status = 22;

/// One past the largest status code, for tables indexed by status.
pub const SSIM_STATUS_COUNT: ssim_status = 23;

/// The status strings, indexed by code; NUL-terminated so they can be handed to C as is.
const STATUS_STR: [&str; SSIM_STATUS_COUNT as usize] = [
    "ok\0",
    "null pointer\0",
    "misaligned pointer\0",
    "zero width or height\0",
    "image dimensions overflow\0",
    "row stride shorter than a row\0",
    "channel step is zero\0",
    "sample buffer too short\0",
    "images differ in size\0",
    "image smaller than the window\0",
    "scratch buffer too small\0",
    "map buffer too small\0",
    "invalid parameter\0",
    "NaN or infinite sample\0",
    "backend not supported\0",
    "image too small for MS-SSIM\0",
    "negative mean in strict MS-SSIM\0",
    "level array too small\0",
    "internal error\0",
    "stream call out of order\0",
    "more rows than the image height\0",
    "rows missing at finish\0",
    "sample type differs from the stream's\0",
];

/// A short, static, NUL-terminated description of `status` (for example
/// `"row stride shorter than a row"`). Unknown codes give `"unknown status"`. Never NULL;
/// the string must not be freed.
#[no_mangle]
pub extern "C" fn ssim_status_str(status: ssim_status) -> *const c_char {
    let s = usize::try_from(status)
        .ok()
        .and_then(|i| STATUS_STR.get(i))
        .copied()
        .unwrap_or("unknown status\0");
    s.as_ptr().cast()
}

/// A failure inside the C API: the status to return and, when the library produced one, the
/// error whose message explains it.
pub(crate) struct Failure {
    pub status: ssim_status,
    pub message: Message,
}

/// Where the explanation of a failure comes from.
pub(crate) enum Message {
    /// The library's own error.
    Error(Error),
    /// A check made by the C layer itself.
    Text(&'static str),
    /// This pointer argument is NULL.
    Null(&'static str),
    /// This pointer argument is not aligned for its type.
    Misaligned(&'static str),
    /// The caller's scratch, in bytes.
    Scratch {
        /// Bytes given.
        given: usize,
        /// Bytes `ssim_scratch_size` reports.
        needed: usize,
    },
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure {
            status: status_of(&e),
            message: Message::Error(e),
        }
    }
}

/// A failure detected by the C layer.
pub(crate) fn fail(status: ssim_status, text: &'static str) -> Failure {
    Failure {
        status,
        message: Message::Text(text),
    }
}

/// The status of a library error.
pub(crate) fn status_of(e: &Error) -> ssim_status {
    match e {
        Error::ZeroDimension { .. } => SSIM_ERROR_ZERO_DIMENSION,
        Error::DimensionOverflow { .. } => SSIM_ERROR_DIMENSION_OVERFLOW,
        Error::StrideTooShort { .. } => SSIM_ERROR_STRIDE_TOO_SHORT,
        Error::ChannelStep { .. } => SSIM_ERROR_CHANNEL_STEP,
        Error::BufferTooShort { .. } => SSIM_ERROR_BUFFER_TOO_SHORT,
        Error::SizeMismatch { .. } => SSIM_ERROR_SIZE_MISMATCH,
        Error::ImageSmallerThanWindow { .. } => SSIM_ERROR_IMAGE_SMALLER_THAN_WINDOW,
        Error::ScratchTooSmall { .. } => SSIM_ERROR_SCRATCH_TOO_SMALL,
        Error::MapTooSmall { .. } | Error::GradientBufferSize { .. } => SSIM_ERROR_MAP_TOO_SMALL,
        Error::InvalidParameter { .. } => SSIM_ERROR_INVALID_PARAMETER,
        Error::NonFiniteSample { .. } => SSIM_ERROR_NON_FINITE_SAMPLE,
        Error::BackendUnsupported { .. } => SSIM_ERROR_BACKEND_UNSUPPORTED,
        Error::TooSmallForLevels { .. } | Error::BelowLibraryMinimum { .. } => {
            SSIM_ERROR_TOO_SMALL_FOR_MSSSIM
        }
        Error::NegativeLevelMean { .. } => SSIM_ERROR_NEGATIVE_MEAN,
        Error::RowOverflow { .. } => SSIM_ERROR_TOO_MANY_ROWS,
        Error::ChunkWidth { .. } | Error::PartialRow { .. } => SSIM_ERROR_SIZE_MISMATCH,
        Error::RowsMissing { .. } => SSIM_ERROR_ROWS_MISSING,
        Error::SampleTypeNotBuilt { .. } => SSIM_ERROR_SAMPLE_TYPE,
        // An error variant added after this mapping.
        _ => SSIM_ERROR_INTERNAL,
    }
}

/// Bytes kept for the last message (longer messages are cut).
const MESSAGE_CAP: usize = 256;

/// A fixed buffer so that recording a failure never allocates (the scratch path promises
/// no allocation at all).
struct MessageBuf {
    len: usize,
    bytes: [u8; MESSAGE_CAP],
}

impl MessageBuf {
    const EMPTY: MessageBuf = MessageBuf {
        len: 0,
        bytes: [0; MESSAGE_CAP],
    };

    /// Appends `s`, cut where the buffer ends.
    fn push(&mut self, s: &str) {
        for &b in s.as_bytes() {
            self.push_byte(b);
        }
    }

    fn push_byte(&mut self, b: u8) {
        // Keep one byte for the NUL that `ssim_last_error_message` appends.
        if self.len + 1 < MESSAGE_CAP {
            self.bytes[self.len] = b;
            self.len += 1;
        }
    }

    /// Appends `v` in decimal. By hand, like `Error::write_message`: no `core::fmt`, whose
    /// formatting code would otherwise be the largest part of a firmware build's library.
    fn push_usize(&mut self, v: usize) {
        let mut p = 1;
        while p <= v / 10 {
            p *= 10;
        }
        loop {
            self.push_byte(b'0' + (v / p % 10) as u8);
            if p == 1 {
                return;
            }
            p /= 10;
        }
    }

    /// Writes the explanation of `f`.
    fn explain(&mut self, f: &Failure) {
        match &f.message {
            Message::Error(e) => e.write_message(|s| self.push(s)),
            Message::Text(t) => self.push(t),
            Message::Null(name) => {
                self.push("`");
                self.push(name);
                self.push("` is NULL: expected a valid pointer");
            }
            Message::Misaligned(name) => {
                self.push("`");
                self.push(name);
                self.push("` is not aligned for its type: expected a pointer from malloc, an array of that type or a struct of it");
            }
            Message::Scratch { given, needed } => {
                self.push("scratch holds ");
                self.push_usize(*given);
                self.push(" bytes: expected at least ");
                self.push_usize(*needed);
                self.push(" (see the scratch size function of this call)");
            }
        }
    }
}

/// Turns the outcome of an entry point into its status, recording the message.
fn settle(r: Result<(), Failure>) -> ssim_status {
    match r {
        Ok(()) => {
            store::record(|_| {});
            SSIM_OK
        }
        Err(f) => {
            store::record(|m| m.explain(&f));
            f.status
        }
    }
}

/// With std: one message per thread, and a panic caught at the boundary.
#[cfg(feature = "std")]
mod store {
    use super::{MessageBuf, SSIM_ERROR_INTERNAL};
    use core::cell::RefCell;

    thread_local! {
        static LAST: RefCell<MessageBuf> = const { RefCell::new(MessageBuf::EMPTY) };
    }

    pub(super) fn record(f: impl FnOnce(&mut MessageBuf)) {
        // `try_with` fails only while the thread is being torn down; then there is nowhere to
        // put the message and the status alone has to do.
        let _ = LAST.try_with(|m| {
            if let Ok(mut m) = m.try_borrow_mut() {
                m.len = 0;
                f(&mut m);
            }
        });
    }

    pub(super) fn read<R>(f: impl FnOnce(&MessageBuf) -> R) -> Option<R> {
        LAST.try_with(|m| m.try_borrow().ok().map(|m| f(&m)))
            .ok()
            .flatten()
    }

    /// Runs `body`, a panic becoming `SSIM_ERROR_INTERNAL` so that no unwind reaches C.
    pub(super) fn catch(body: impl FnOnce() -> i32) -> i32 {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).unwrap_or_else(|_| {
            record(|m| m.push("internal error: the library panicked (a bug; please report it)"));
            SSIM_ERROR_INTERNAL
        })
    }
}

/// Without std there are no threads: one static buffer, written byte by byte through atomics
/// (plain loads and stores on Cortex-M, no lock), and a panic goes to the panic handler.
#[cfg(not(feature = "std"))]
mod store {
    use super::{MessageBuf, MESSAGE_CAP};
    use core::sync::atomic::{AtomicU8, AtomicUsize, Ordering::Relaxed};

    static LEN: AtomicUsize = AtomicUsize::new(0);
    static BYTES: [AtomicU8; MESSAGE_CAP] = [const { AtomicU8::new(0) }; MESSAGE_CAP];

    pub(super) fn record(f: impl FnOnce(&mut MessageBuf)) {
        // Formatted on the stack (256 bytes) and then published.
        let mut m = MessageBuf::EMPTY;
        f(&mut m);
        for (dst, &b) in BYTES.iter().zip(&m.bytes[..m.len]) {
            dst.store(b, Relaxed);
        }
        LEN.store(m.len, Relaxed);
    }

    pub(super) fn read<R>(f: impl FnOnce(&MessageBuf) -> R) -> Option<R> {
        let mut m = MessageBuf::EMPTY;
        m.len = LEN.load(Relaxed).min(MESSAGE_CAP - 1);
        for (dst, src) in m.bytes.iter_mut().zip(&BYTES[..m.len]) {
            *dst = src.load(Relaxed);
        }
        Some(f(&m))
    }

    pub(super) fn catch(body: impl FnOnce() -> i32) -> i32 {
        body()
    }
}

/// Runs an entry point: turns a `Failure` into its status (recording the message) and, with
/// std, a panic into `SSIM_ERROR_INTERNAL`, so that no unwind ever reaches C.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), Failure>) -> ssim_status {
    store::catch(|| settle(body()))
}

/// Runs an infallible entry point (a query) under the same panic policy as [`guard`];
/// `fallback` is its value after a caught panic.
pub(crate) fn guard_value<T: Copy>(fallback: T, body: impl FnOnce() -> T) -> T {
    let mut v = fallback;
    store::catch(|| {
        v = body();
        SSIM_OK
    });
    v
}

/// Copies the message of the last call that returned an error into `buf` (NUL-terminated,
/// cut to `buf_len - 1` bytes) and returns the full message length in bytes, not counting the
/// NUL, like `snprintf`. The message says what was wrong and what was expected, e.g.
/// `"row stride 9 is shorter than a row: expected at least 10 samples"`. After a successful
/// call the message is empty. `buf` may be NULL when `buf_len` is 0 (to query the length).
/// Messages are at most 255 bytes, kept per thread with std; without std (no threads) the
/// library keeps one message in a static buffer.
///
/// # Safety
///
/// `buf` must be NULL or point to `buf_len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ssim_last_error_message(buf: *mut c_char, buf_len: usize) -> usize {
    guard_value(0, || {
        store::read(|m| {
            if !buf.is_null() && buf_len > 0 {
                let n = m.len.min(buf_len - 1);
                // SAFETY: the caller guarantees `buf` holds `buf_len` bytes and `n < buf_len`;
                // `m.bytes` is our own buffer of at least `n` bytes, and the two cannot overlap.
                unsafe {
                    core::ptr::copy_nonoverlapping(m.bytes.as_ptr(), buf.cast::<u8>(), n);
                    *buf.add(n) = 0;
                }
            }
            m.len
        })
        .unwrap_or(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last() -> String {
        let mut buf = [0 as c_char; MESSAGE_CAP];
        // SAFETY: `buf` holds `buf.len()` writable bytes.
        let n = unsafe { ssim_last_error_message(buf.as_mut_ptr(), buf.len()) };
        let bytes: Vec<u8> = buf[..n].iter().map(|&c| c as u8).collect();
        String::from_utf8(bytes).expect("messages are UTF-8")
    }

    #[cfg(feature = "std")]
    #[test]
    fn a_panic_becomes_internal_error_with_a_message() {
        let st = guard(|| panic!("deliberate"));
        assert_eq!(st, SSIM_ERROR_INTERNAL);
        assert!(last().contains("panicked"), "{}", last());
        assert_eq!(guard(|| Ok(())), SSIM_OK);
        assert_eq!(last(), "");
    }

    #[test]
    fn every_error_has_a_status_and_long_messages_are_cut() {
        let e = Error::StrideTooShort { stride: 9, min: 10 };
        assert_eq!(guard(|| Err(e.into())), SSIM_ERROR_STRIDE_TOO_SHORT);
        assert_eq!(
            last(),
            "row stride 9 is shorter than a row: expected at least 10 samples"
        );
        let long = "x".repeat(1000).leak();
        assert_eq!(
            guard(|| Err(fail(SSIM_ERROR_INVALID_PARAMETER, long))),
            SSIM_ERROR_INVALID_PARAMETER
        );
        assert_eq!(last().len(), MESSAGE_CAP - 1);
    }
}
