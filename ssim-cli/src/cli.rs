//! Command-line options. The long option names are an interface: scripts use them.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// SSIM and MS-SSIM of two images, or of every pair of images in two folders.
#[derive(Debug, Parser)]
#[command(
    name = "ssim",
    version,
    about = "SSIM and MS-SSIM of two images, of one reference against many, or of every pair \
             of images in two folders",
    after_help = "Exit codes: 0 success; 1 a value below --threshold; 2 an error (bad option, \
                  missing, unreadable or corrupt image, size mismatch, unsupported format, image \
                  smaller than the window). Details: docs/CLI.md"
)]
pub struct Args {
    /// Reference image (PNG, JPEG, PGM/PPM, PFM, BMP, TIFF, WebP, QOI; `-` reads stdin), or a
    /// folder of them.
    pub reference: PathBuf,

    /// Distorted image(s), each compared with the one REFERENCE (decoded once; `-` reads
    /// stdin), or a folder whose files pair with REFERENCE's by relative path.
    #[arg(required = true, num_args = 1..)]
    pub distorted: Vec<PathBuf>,

    /// The metric.
    #[arg(long, value_enum, default_value_t = Metric::Ssim)]
    pub metric: Metric,

    /// Named parameter set. ssim: wang2004 (default), scikit-image, scikit-image-gaussian,
    /// matlab, torchmetrics, piq, wang2009, ffmpeg. ms-ssim: wang2003 (default),
    /// pytorch-msssim, torchmetrics, piq, jorge-pessoa, jorge-pessoa-relu. --list-presets
    /// says which library and version each reproduces.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,

    /// Print every preset with the library and version it reproduces, then exit.
    #[arg(long)]
    pub list_presets: bool,

    /// Window kind on top of the preset: gaussian or box.
    #[arg(
        long,
        value_enum,
        value_name = "KIND",
        help_heading = "Custom parameters"
    )]
    pub window: Option<WindowKind>,

    /// Window size in taps (odd, 3..127), on top of the preset.
    #[arg(long, value_name = "N", help_heading = "Custom parameters",
          value_parser = clap::value_parser!(u32).range(3..=127))]
    pub window_size: Option<u32>,

    /// Gaussian sigma in pixels; without --window-size the size follows scikit-image's rule
    /// 2 * int(3.5 sigma + 0.5) + 1.
    #[arg(long, value_name = "S", value_parser = finite_f64, allow_negative_numbers = true,
          help_heading = "Custom parameters")]
    pub sigma: Option<f64>,

    /// K1 in C1 = (K1 L)^2 (0.01 in every preset).
    #[arg(long, value_name = "K", value_parser = finite_f64, allow_negative_numbers = true,
          help_heading = "Custom parameters")]
    pub k1: Option<f64>,

    /// K2 in C2 = (K2 L)^2 (0.03 in every preset).
    #[arg(long, value_name = "K", value_parser = finite_f64, allow_negative_numbers = true,
          help_heading = "Custom parameters")]
    pub k2: Option<f64>,

    /// Population or sample (N/(N-1)) covariance.
    #[arg(
        long,
        value_enum,
        value_name = "KIND",
        help_heading = "Custom parameters"
    )]
    pub covariance: Option<CovarianceKind>,

    /// Pooling: valid (windows inside the image) or same (every pixel, padded).
    #[arg(
        long,
        value_enum,
        value_name = "KIND",
        help_heading = "Custom parameters"
    )]
    pub pooling: Option<PoolingKind>,

    /// Padding: with --pooling same, how windows overhanging the border are filled; with valid
    /// pooling, the border of the full-size map (scikit-image's maps use reflect).
    #[arg(
        long,
        value_enum,
        value_name = "KIND",
        help_heading = "Custom parameters"
    )]
    pub padding: Option<PaddingKind>,

    /// MS-SSIM levels: N (1..5 with Wang's first N weights, renormalised as auto does; up to
    /// 16 with --weights), or auto (as many as the image allows; non-standard).
    #[arg(long, value_name = "N|auto", value_parser = parse_levels,
          help_heading = "Custom parameters")]
    pub levels: Option<Levels>,

    /// MS-SSIM weights, finest level first, comma-separated (their number is the number of
    /// levels).
    #[arg(long, value_name = "W,W,...", value_delimiter = ',', value_parser = finite_f64,
          allow_negative_numbers = true, help_heading = "Custom parameters")]
    pub weights: Option<Vec<f64>>,

    /// MS-SSIM negative per-level means: relu (clamp at 0), strict (error), nan (plain power),
    /// normalize ((x + 1) / 2 first).
    #[arg(
        long,
        value_enum,
        value_name = "MODE",
        help_heading = "Custom parameters"
    )]
    pub negative: Option<NegativeMode>,

    /// Data range L of the samples (C1 = (0.01 L)^2, C2 = (0.03 L)^2). Default from the file
    /// format: maxval for PGM/PPM, 2^bits - 1 for PNG/JPEG, 1.0 for PFM.
    #[arg(long, value_name = "L", value_parser = finite_f64, allow_negative_numbers = true)]
    pub data_range: Option<f64>,

    /// Opt-in: derive L from the pixels as a library does when a script passes none (never
    /// the default). torchmetrics: max(ref max - ref min, dist max - dist min); jorge-pessoa:
    /// (255 if the distorted image's maximum > 128, else 1) minus (-1 if its minimum < -0.5,
    /// else 0). --metric ssim only (both libraries recompute it at every MS-SSIM level).
    #[arg(long, value_name = "LIBRARY", conflicts_with = "data_range")]
    pub data_range_rule: Option<String>,

    /// Colour images: mean of the per-channel values, SSIM of the BT.601 / BT.709 luma, or of
    /// the studio-range BT.601 "Y channel" of super-resolution papers (BasicSR, MATLAB).
    #[arg(long, value_enum, default_value_t = ChannelMode::Mean)]
    pub channels: ChannelMode,

    /// Compare an 8-bit image with a 16-bit one: 8-bit samples are multiplied by 257 (0..255
    /// onto 0..65535 exactly, as PNG widens them) and L is 65535.
    #[arg(long)]
    pub promote_8bit: bool,

    /// Pixels cut off every side of both images before computing (BasicSR's crop_border).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub crop_border: usize,

    /// Print one JSON object (folders: one per line) instead of text.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,

    /// Print CSV (a header and one row per pair) instead of text.
    #[arg(long)]
    pub csv: bool,

    /// Write the SSIM map: a heatmap with a colour scale if FILE ends in .png, raw float32
    /// values if it ends in .pfm.
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,

    /// Write the gradient of the value with respect to the distorted image: raw float32 if
    /// FILE ends in .pfm (gray: one channel; colour: an RGB PFM, d/dR, d/dG, d/dB), a
    /// blue-white-red picture if it ends in .png. Two image files only.
    #[arg(long, value_name = "FILE")]
    pub gradient: Option<PathBuf>,

    /// Exit with code 1 when the value is below T (folders: when any pair is).
    #[arg(long, value_name = "T", value_parser = finite_f64, allow_negative_numbers = true)]
    pub threshold: Option<f64>,

    /// Worker threads (default: all available cores; more than the available cores are
    /// capped at that number, with a warning). The value does not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,

    /// Largest image accepted, in pixels (width x height), so a forged header cannot ask for
    /// terabytes. Default 1073741824 (2^30).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PIXELS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_pixels: u64,

    /// Force a kernel backend: scalar, portable, avx2, avx512, neon, or auto (default: the
    /// `SSIM_BACKEND` environment variable if set, else the fastest this CPU supports; an
    /// unsupported one is an error).
    #[arg(long, value_name = "NAME")]
    pub backend: Option<String>,

    /// Run the computation N times after decoding; elapsed_ms is the median (benchmarking).
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub repeat: u32,

    /// Video input (y4m, raw YUV).
    #[command(flatten)]
    pub video: crate::video::VideoArgs,
}

/// `--max-pixels` default: 2^30 pixels, at least what the JPEG decoder always accepted
/// (2^30 decoded bytes).
pub const DEFAULT_MAX_PIXELS: u64 = 1 << 30;

/// `--metric`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Metric {
    /// Single-scale SSIM.
    Ssim,
    /// Multi-scale SSIM (5 levels).
    #[value(name = "ms-ssim")]
    MsSsim,
}

impl Metric {
    /// The name printed in the output, as given on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Ssim => "ssim",
            Metric::MsSsim => "ms-ssim",
        }
    }
}

/// `--channels`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ChannelMode {
    /// SSIM of every colour channel, averaged (scikit-image, TensorFlow); alpha ignored.
    Mean,
    /// SSIM of the BT.601 luma Y = 0.299 R + 0.587 G + 0.114 B.
    Luma601,
    /// SSIM of the BT.709 luma Y = 0.2126 R + 0.7152 G + 0.0722 B.
    Luma709,
    /// The super-resolution "Y channel": studio-range BT.601 luma as MATLAB `rgb2ycbcr` and
    /// BasicSR `test_y_channel=True` compute it, Y = (16 L + 65.481 R + 128.553 G + 24.966 B)
    /// / 255 (16..235 for 8-bit).
    Y,
}

impl ChannelMode {
    /// The name printed in the output.
    pub fn name(self) -> &'static str {
        match self {
            ChannelMode::Mean => "mean",
            ChannelMode::Luma601 => "luma601",
            ChannelMode::Luma709 => "luma709",
            ChannelMode::Y => "y",
        }
    }
}

fn finite_f64(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err("expected a finite number".into()),
    }
}

/// `--window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WindowKind {
    /// Separable Gaussian.
    Gaussian,
    /// Uniform box.
    Box,
}

/// `--covariance`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CovarianceKind {
    /// Weighted population moments.
    Population,
    /// Sample moments, N / (N - 1).
    Sample,
}

/// `--pooling`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PoolingKind {
    /// Windows wholly inside the image.
    Valid,
    /// Every pixel, windows padded.
    Same,
}

/// `--padding`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PaddingKind {
    /// `a a | a b c | c c`.
    Replicate,
    /// `b a | a b c | c b`.
    Reflect,
    /// `c b | a b c | b a`.
    Mirror,
}

/// `--negative`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NegativeMode {
    /// Clamp at 0.
    Relu,
    /// An error naming the level.
    Strict,
    /// Plain power (NaN, an error in this tool).
    Nan,
    /// `(x + 1) / 2` before the power.
    Normalize,
}

/// `--levels`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Levels {
    /// This many levels.
    Fixed(usize),
    /// As many as fit.
    Auto,
}

fn parse_levels(s: &str) -> Result<Levels, String> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("auto") {
        return Ok(Levels::Auto);
    }
    match s.parse::<usize>() {
        Ok(n) if (1..=16).contains(&n) => Ok(Levels::Fixed(n)),
        _ => Err("expected a number of levels from 1 to 16, or auto".into()),
    }
}
