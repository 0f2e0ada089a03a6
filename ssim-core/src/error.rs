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

impl fmt::Display for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Image::Reference => "reference image",
            Image::Distorted => "distorted image",
        })
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
        match *self {
            Error::ZeroDimension { width, height } => write!(
                f,
                "image is {width}x{height}: width and height must both be at least 1"
            ),
            Error::DimensionOverflow { width, height } => write!(
                f,
                "image of {width}x{height} is too large: its size in samples overflows usize"
            ),
            Error::StrideTooShort { stride, min } => write!(
                f,
                "row stride {stride} is shorter than a row: expected at least {min} samples"
            ),
            Error::ChannelStep { step } => write!(
                f,
                "channel step {step} is invalid: expected at least 1 sample between pixels"
            ),
            Error::BufferTooShort { len, needed } => write!(
                f,
                "sample buffer holds {len} samples: the layout reads {needed}"
            ),
            Error::SizeMismatch {
                reference,
                distorted,
            } => write!(
                f,
                "images differ in size: reference is {}x{}, distorted is {}x{}; expected equal sizes",
                reference.0, reference.1, distorted.0, distorted.1
            ),
            Error::ImageSmallerThanWindow {
                width,
                height,
                window,
            } => write!(
                f,
                "image of {width}x{height} is smaller than the {window}x{window} window: valid pooling needs both sides >= {window}"
            ),
            Error::ScratchTooSmall { len, needed } => write!(
                f,
                "scratch holds {len} blocks: expected at least {needed} (see scratch_len)"
            ),
            Error::MapTooSmall { len, needed } => write!(
                f,
                "map buffer holds {len} values: expected at least {needed}"
            ),
            Error::InvalidParameter { name, expected } => {
                write!(f, "invalid parameter `{name}`: expected {expected}")
            }
            Error::NonFiniteSample { image, row, col } => write!(
                f,
                "{image} has a NaN or infinite sample at row {row}, column {col}: expected finite values"
            ),
            Error::RowOverflow { height, pushed } => write!(
                f,
                "{pushed} rows pushed into an image of height {height}"
            ),
            Error::ChunkWidth { width, expected } => write!(
                f,
                "a chunk of rows {width} pixels wide pushed into an engine of width {expected}: expected rows of the engine's width"
            ),
            Error::PartialRow { len, width } => write!(
                f,
                "{len} samples pushed in place: expected whole packed rows, a multiple of the engine's width {width}"
            ),
            Error::RowsMissing { height, pushed } => write!(
                f,
                "finish called after {pushed} of {height} rows: push every row first"
            ),
            Error::SampleTypeNotBuilt { sample } => write!(
                f,
                "{sample} samples are not part of this build: expected u8 or f32 samples, or a build with ssim-core's `{sample}` feature"
            ),
            Error::BackendUnsupported { backend } => write!(
                f,
                "backend {backend} is not supported on this CPU or build: choose one of Backend::available()"
            ),
            Error::TooSmallForLevels {
                width,
                height,
                levels,
                window,
                min,
            } => write!(
                f,
                "image of {width}x{height} is too small for MS-SSIM with {levels} levels and a {window}x{window} window: expected the shorter side >= {min} (or fewer levels)"
            ),
            Error::BelowLibraryMinimum {
                width,
                height,
                min,
                rule,
            } => write!(
                f,
                "image of {width}x{height} is below the minimum of {rule}: expected both sides >= {min}"
            ),
            Error::NegativeLevelMean { level, term, value } => write!(
                f,
                "MS-SSIM level {level} has mean {term} {}: strict mode expects every per-level mean >= 0 (relu clamps it to 0, nan keeps the NaN power)",
                Decimal(value)
            ),
            Error::GradientBufferSize { len, needed } => write!(
                f,
                "gradient buffer holds {len} values: expected exactly {needed}, one per pixel and channel"
            ),
        }
    }
}

impl core::error::Error for Error {}
/// Shorthand for results of this crate.
pub type Result<T> = core::result::Result<T, Error>;

/// An f64 written with six decimals by integer arithmetic. core's float formatting (about
/// 20 KB of tables and bignum code) would otherwise be linked into every no_std build that
/// shows error messages, for this one value.
struct Decimal(f64);

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        if v.is_nan() {
            return f.write_str("NaN");
        }
        let (sign, a) = if v < 0.0 { ("-", -v) } else { ("", v) };
        if a.is_infinite() {
            return write!(f, "{sign}inf");
        }
        // Exact as an integer of millionths below 2^53; beyond, the integer part alone.
        if a >= 9e9 {
            return write!(f, "{sign}{}", a as u64);
        }
        let m = (a * 1e6 + 0.5) as u64;
        write!(f, "{sign}{}.{:06}", m / 1_000_000, m % 1_000_000)
    }
}

#[cfg(test)]
mod decimal_tests {
    use super::Decimal;
    extern crate std;
    use std::format;

    #[test]
    fn decimals_are_rounded_to_six_places() {
        assert_eq!(format!("{}", Decimal(-0.0123456789)), "-0.012346");
        assert_eq!(format!("{}", Decimal(0.5)), "0.500000");
        assert_eq!(format!("{}", Decimal(12.0000004)), "12.000000");
        assert_eq!(format!("{}", Decimal(f64::NAN)), "NaN");
        assert_eq!(format!("{}", Decimal(f64::NEG_INFINITY)), "-inf");
        assert_eq!(format!("{}", Decimal(1e12)), "1000000000000");
    }
}
