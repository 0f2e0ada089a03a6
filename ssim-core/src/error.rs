//! The one error type of the crate.

use core::fmt;

/// Which of the two images an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Image {
    /// The reference image (`x` in the formulas).
    Reference,
    /// The distorted image (`y` in the formulas).
    Distorted,
}

impl Image {
    fn name(self) -> &'static str {
        match self {
            Image::Reference => "reference image",
            Image::Distorted => "distorted image",
        }
    }
}

impl fmt::Display for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that can go wrong. Each message says what was wrong and what was expected.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Width or height is zero.
    ZeroDimension {
        /// Width given.
        width: usize,
        /// Height given.
        height: usize,
    },
    /// A size computation (width x height, stride x height, ...) overflows `usize`.
    DimensionOverflow {
        /// Width given.
        width: usize,
        /// Height given.
        height: usize,
    },
    /// The row stride is shorter than one row of samples.
    StrideTooShort {
        /// Stride given, in samples.
        stride: usize,
        /// Smallest stride that holds a row: `(width - 1) * channel_step + 1`.
        min: usize,
    },
    /// The channel step (distance between two pixels of one channel, in samples) is zero.
    ChannelStep {
        /// Step given.
        step: usize,
    },
    /// The sample buffer is shorter than the layout needs.
    BufferTooShort {
        /// Samples given.
        len: usize,
        /// Samples the layout reads.
        needed: usize,
    },
    /// The two images differ in size.
    SizeMismatch {
        /// Reference width and height.
        reference: (usize, usize),
        /// Distorted width and height.
        distorted: (usize, usize),
    },
    /// Valid pooling needs at least one whole window inside the image.
    ImageSmallerThanWindow {
        /// Image width.
        width: usize,
        /// Image height.
        height: usize,
        /// Window size (taps per side).
        window: usize,
    },
    /// The caller's scratch buffer is too small.
    ScratchTooSmall {
        /// Blocks given.
        len: usize,
        /// Blocks needed (see `scratch_len`).
        needed: usize,
    },
    /// The caller's map buffer is too small.
    MapTooSmall {
        /// Values given.
        len: usize,
        /// Values needed (map width x map height).
        needed: usize,
    },
    /// A parameter is out of its domain.
    InvalidParameter {
        /// Parameter name, as in [`Params`](crate::Params).
        name: &'static str,
        /// What is expected of it.
        expected: &'static str,
    },
    /// An f32 sample is NaN or infinite (policy: rejected, never propagated).
    NonFiniteSample {
        /// Which image.
        image: Image,
        /// Row of the sample.
        row: usize,
        /// Column of the sample.
        col: usize,
    },
    /// Streaming: more rows were pushed than the image has.
    RowOverflow {
        /// Rows the engine expects in total.
        height: usize,
        /// Rows that would have been pushed.
        pushed: usize,
    },
    /// Streaming: `finish` was called before every row was pushed.
    RowsMissing {
        /// Rows the engine expects in total.
        height: usize,
        /// Rows pushed so far.
        pushed: usize,
    },
    /// Streaming: a chunk of rows is not as wide as the engine's image.
    ChunkWidth {
        /// Width of the chunk pushed.
        width: usize,
        /// Width the engine was made for.
        expected: usize,
    },
    /// Streaming: packed rows pushed in place are not a whole number of rows.
    PartialRow {
        /// Samples pushed.
        len: usize,
        /// The engine's width: `len` must be a multiple of it.
        width: usize,
    },
    /// Samples of a type whose kernels this build leaves out (ssim-core without its `u16`
    /// feature, as in a u8-only firmware build).
    SampleTypeNotBuilt {
        /// The sample type: `"u16"`.
        sample: &'static str,
    },
    /// A backend was forced that this CPU (or this build) cannot run.
    BackendUnsupported {
        /// Name of the backend.
        backend: &'static str,
    },
    /// MS-SSIM: the image is too small for the number of levels and the window.
    TooSmallForLevels {
        /// Image width.
        width: usize,
        /// Image height.
        height: usize,
        /// Levels asked for.
        levels: usize,
        /// Window size (taps per side).
        window: usize,
        /// Smallest shorter side that gives every level at least one whole window.
        min: usize,
    },
    /// The image is smaller than the library a preset reproduces accepts: that library
    /// refuses it (or computes something else), so reproducing it is not possible.
    BelowLibraryMinimum {
        /// Image width.
        width: usize,
        /// Image height.
        height: usize,
        /// Smallest side the library accepts.
        min: usize,
        /// The library and what its rule is, e.g. `"torchmetrics MS-SSIM: H // 16 > 10 and
        /// W // 16 > 10"`.
        rule: &'static str,
    },
    /// MS-SSIM in strict mode: a per-level mean that enters a power is negative (or NaN).
    NegativeLevelMean {
        /// Level, 1 = full resolution.
        level: usize,
        /// Which mean: `"cs"` (levels below the last) or `"ssim"` (the last level).
        term: &'static str,
        /// Its value.
        value: f64,
    },
    /// The caller's gradient buffer does not have one value per pixel (and channel).
    GradientBufferSize {
        /// Values given.
        len: usize,
        /// Values needed (width x height x channels).
        needed: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut r = Ok(());
        self.write_message(|piece| {
            if r.is_ok() {
                r = f.write_str(piece);
            }
        });
        r
    }
}

impl Error {
    /// Writes the message of this error (the text of its `Display`) as a sequence of string
    /// pieces, without `core::fmt`: a `no_std` build that shows messages but formats nothing
    /// else leaves core's formatting machinery (several KB of flash) out of the binary.
    ///
    /// ```
    /// use ssim_core::Error;
    /// let mut text = String::new();
    /// Error::StrideTooShort { stride: 9, min: 10 }.write_message(|s| text.push_str(s));
    /// assert_eq!(text, "row stride 9 is shorter than a row: expected at least 10 samples");
    /// ```
    pub fn write_message(&self, mut out: impl FnMut(&str)) {
        let (template, args) = self.template();
        render(template, &args, &mut out);
    }

    /// The message as a template, each `{}` taking the next argument (unused ones are `N(0)`).
    /// Data rather than a chain of writes per variant: the smallest code for a firmware build.
    fn template(&self) -> (&'static str, [Arg; 6]) {
        use Arg::{D, N, S};
        match *self {
            Error::ZeroDimension { width, height } => (
                "image is {}x{}: width and height must both be at least 1",
                [N(width), N(height), N(0), N(0), N(0), N(0)],
            ),
            Error::DimensionOverflow { width, height } => (
                "image of {}x{} is too large: its size in samples overflows usize",
                [N(width), N(height), N(0), N(0), N(0), N(0)],
            ),
            Error::StrideTooShort { stride, min } => (
                "row stride {} is shorter than a row: expected at least {} samples",
                [N(stride), N(min), N(0), N(0), N(0), N(0)],
            ),
            Error::ChannelStep { step } => (
                "channel step {} is invalid: expected at least 1 sample between pixels",
                [N(step), N(0), N(0), N(0), N(0), N(0)],
            ),
            Error::BufferTooShort { len, needed } => (
                "sample buffer holds {} samples: the layout reads {}",
                [N(len), N(needed), N(0), N(0), N(0), N(0)],
            ),
            Error::SizeMismatch { reference, distorted } => (
                "images differ in size: reference is {}x{}, distorted is {}x{}; expected equal sizes",
                [N(reference.0), N(reference.1), N(distorted.0), N(distorted.1), N(0), N(0)],
            ),
            Error::ImageSmallerThanWindow { width, height, window } => (
                "image of {}x{} is smaller than the {}x{} window: valid pooling needs both sides >= {}",
                [N(width), N(height), N(window), N(window), N(window), N(0)],
            ),
            Error::ScratchTooSmall { len, needed } => (
                "scratch holds {} blocks: expected at least {} (see scratch_len)",
                [N(len), N(needed), N(0), N(0), N(0), N(0)],
            ),
            Error::MapTooSmall { len, needed } => (
                "map buffer holds {} values: expected at least {}",
                [N(len), N(needed), N(0), N(0), N(0), N(0)],
            ),
            Error::InvalidParameter { name, expected } => (
                "invalid parameter `{}`: expected {}",
                [S(name), S(expected), N(0), N(0), N(0), N(0)],
            ),
            Error::NonFiniteSample { image, row, col } => (
                "{} has a NaN or infinite sample at row {}, column {}: expected finite values",
                [S(image.name()), N(row), N(col), N(0), N(0), N(0)],
            ),
            Error::RowOverflow { height, pushed } => (
                "{} rows pushed into an image of height {}",
                [N(pushed), N(height), N(0), N(0), N(0), N(0)],
            ),
            Error::ChunkWidth { width, expected } => (
                "a chunk of rows {} pixels wide pushed into an engine of width {}: expected rows of the engine's width",
                [N(width), N(expected), N(0), N(0), N(0), N(0)],
            ),
            Error::PartialRow { len, width } => (
                "{} samples pushed in place: expected whole packed rows, a multiple of the engine's width {}",
                [N(len), N(width), N(0), N(0), N(0), N(0)],
            ),
            Error::RowsMissing { height, pushed } => (
                "finish called after {} of {} rows: push every row first",
                [N(pushed), N(height), N(0), N(0), N(0), N(0)],
            ),
            Error::SampleTypeNotBuilt { sample } => (
                "{} samples are not part of this build: expected u8 or f32 samples, or a build with ssim-core's `{}` feature",
                [S(sample), S(sample), N(0), N(0), N(0), N(0)],
            ),
            Error::BackendUnsupported { backend } => (
                "backend {} is not supported on this CPU or build: choose one of Backend::available()",
                [S(backend), N(0), N(0), N(0), N(0), N(0)],
            ),
            Error::TooSmallForLevels { width, height, levels, window, min } => (
                "image of {}x{} is too small for MS-SSIM with {} levels and a {}x{} window: expected the shorter side >= {} (or fewer levels)",
                [N(width), N(height), N(levels), N(window), N(window), N(min)],
            ),
            Error::BelowLibraryMinimum { width, height, min, rule } => (
                "image of {}x{} is below the minimum of {}: expected both sides >= {}",
                [N(width), N(height), S(rule), N(min), N(0), N(0)],
            ),
            Error::NegativeLevelMean { level, term, value } => (
                "MS-SSIM level {} has mean {} {}: strict mode expects every per-level mean >= 0 (relu clamps it to 0, nan keeps the NaN power)",
                [N(level), S(term), D(value), N(0), N(0), N(0)],
            ),
            Error::GradientBufferSize { len, needed } => (
                "gradient buffer holds {} values: expected exactly {}, one per pixel and channel",
                [N(len), N(needed), N(0), N(0), N(0), N(0)],
            ),
        }
    }
}

impl core::error::Error for Error {}
/// Shorthand for results of this crate.
pub type Result<T> = core::result::Result<T, Error>;

/// An argument of a message template.
#[derive(Clone, Copy)]
enum Arg {
    N(usize),
    S(&'static str),
    D(f64),
}

/// Writes `template` with each `{}` replaced by the next of `args`. Numbers are written by
/// integer arithmetic and nothing here can panic: core's integer and float formatting (and the
/// panic messages that would bring it back) stay out of a no_std build that shows messages.
fn render(template: &str, args: &[Arg], out: &mut dyn FnMut(&str)) {
    let mut rest = template;
    let mut args = args.iter();
    loop {
        let cut = rest.bytes().position(|b| b == b'{');
        let Some((head, tail)) = cut.and_then(|i| Some((rest.get(..i)?, rest.get(i + 2..)?)))
        else {
            out(rest);
            return;
        };
        out(head);
        match args.next() {
            Some(&Arg::N(v)) => digits(v as u64, 1, out),
            Some(&Arg::S(v)) => out(v),
            Some(&Arg::D(v)) => decimal(v, out),
            None => {}
        }
        rest = tail;
    }
}

/// `v` in decimal, at least `width` digits (zero-padded).
fn digits(v: u64, width: u32, out: &mut dyn FnMut(&str)) {
    const DIGITS: &str = "0123456789";
    let mut p = 1u64;
    let mut w = 1;
    while p <= v / 10 || w < width {
        p *= 10;
        w += 1;
    }
    loop {
        let d = (v / p % 10) as usize;
        out(DIGITS.get(d..d + 1).unwrap_or("?"));
        if p == 1 {
            return;
        }
        p /= 10;
    }
}

/// An f64 with six decimals (`NaN`, `inf`, and the integer part alone from 9e9 on).
fn decimal(v: f64, out: &mut dyn FnMut(&str)) {
    if v.is_nan() {
        return out("NaN");
    }
    let a = if v < 0.0 {
        out("-");
        -v
    } else {
        v
    };
    if a.is_infinite() {
        return out("inf");
    }
    // Exact as an integer of millionths below 2^53; beyond, the integer part alone.
    if a >= 9e9 {
        return digits(a as u64, 1, out);
    }
    let m = (a * 1e6 + 0.5) as u64;
    digits(m / 1_000_000, 1, out);
    out(".");
    digits(m % 1_000_000, 6, out);
}

#[cfg(test)]
mod decimal_tests {
    extern crate std;
    use std::string::String;

    fn decimal(v: f64) -> String {
        let mut s = String::new();
        super::decimal(v, &mut |p: &str| s.push_str(p));
        s
    }

    #[test]
    fn decimals_are_rounded_to_six_places() {
        assert_eq!(decimal(-0.0123456789), "-0.012346");
        assert_eq!(decimal(0.5), "0.500000");
        assert_eq!(decimal(12.0000004), "12.000000");
        assert_eq!(decimal(f64::NAN), "NaN");
        assert_eq!(decimal(f64::NEG_INFINITY), "-inf");
        assert_eq!(decimal(1e12), "1000000000000");
    }
}
