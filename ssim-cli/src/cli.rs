//! Command-line options. The long option names are an interface: scripts use them.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// SSIM and MS-SSIM of two images, or of every pair of images in two folders.
#[derive(Debug, Parser)]
#[command(
    name = "ssim",
    version,
    about = "SSIM and MS-SSIM of two images, or of every pair of images in two folders",
    after_help = "Exit codes: 0 success; 1 a value below --threshold; 2 an error (bad option, \
                  missing, unreadable or corrupt image, size mismatch, unsupported format, image \
                  smaller than the window). Details: docs/CLI.md"
)]
pub struct Args {
    /// Reference image (PNG, JPEG, PGM/PPM, PFM), or a folder of them.
    pub reference: PathBuf,

    /// Distorted image, or a folder whose files pair with REFERENCE's by relative path.
    pub distorted: PathBuf,

    /// The metric.
    #[arg(long, value_enum, default_value_t = Metric::Ssim)]
    pub metric: Metric,

    /// Named parameter set. ssim: wang2004 (default), scikit-image, scikit-image-gaussian,
    /// matlab. ms-ssim: wang2003 (default), pytorch-msssim.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,

    /// Data range L of the samples (C1 = (0.01 L)^2, C2 = (0.03 L)^2). Default from the file
    /// format: maxval for PGM/PPM, 2^bits - 1 for PNG/JPEG, 1.0 for PFM.
    #[arg(long, value_name = "L", value_parser = positive_f64, allow_negative_numbers = true)]
    pub data_range: Option<f64>,

    /// Colour images: mean of the per-channel values, or SSIM of the BT.601 / BT.709 luma.
    #[arg(long, value_enum, default_value_t = ChannelMode::Mean)]
    pub channels: ChannelMode,

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

    /// Exit with code 1 when the value is below T (folders: when any pair is).
    #[arg(long, value_name = "T", value_parser = finite_f64, allow_negative_numbers = true)]
    pub threshold: Option<f64>,

    /// Worker threads (default: all available cores). The value does not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,

    /// Force a kernel backend: scalar, portable, avx2, avx512 or neon (default: the fastest
    /// this CPU supports; an unsupported one is an error).
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
}

impl ChannelMode {
    /// The name printed in the output.
    pub fn name(self) -> &'static str {
        match self {
            ChannelMode::Mean => "mean",
            ChannelMode::Luma601 => "luma601",
            ChannelMode::Luma709 => "luma709",
        }
    }
}

fn finite_f64(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err("expected a finite number".into()),
    }
}

fn positive_f64(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err("expected a finite number > 0".into()),
    }
}
