//! What the tool prints: text, one JSON object, or CSV. Field meanings are in docs/CLI.md.

use serde::Serialize;

use crate::compute::{Reported, ScaleMean};

/// The result of comparing one pair of images.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Folder mode: the pair's path relative to the two folders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Folder mode: `ok`, `below_threshold` (rows of failed pairs are [`ErrorRow`]s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    /// Reference file as given.
    pub reference: String,
    /// Distorted file as given.
    pub distorted: String,
    /// `ssim` or `ms-ssim`.
    pub metric: &'static str,
    /// Preset name.
    pub preset: &'static str,
    /// The parameters that ran: the preset's with the custom options applied.
    pub parameters: Reported,
    /// The index: mean over the channels (or of the luma) of SSIM / MS-SSIM.
    pub value: f64,
    /// Per-channel values, in file order (R, G, B); one entry for gray or luma.
    pub channels: Vec<f64>,
    /// `mean`, `luma601`, `luma709` or `y`.
    pub channel_mode: &'static str,
    /// MS-SSIM per-level means (averaged over channels); `null` for ssim.
    pub scales: Option<Vec<ScaleMean>>,
    /// Image width.
    pub width: usize,
    /// Image height.
    pub height: usize,
    /// `--crop-border`: pixels cut off every side before computing.
    pub crop_border: usize,
    /// `gray`, `rgb` or `rgba` (alpha is ignored).
    pub layout: &'static str,
    /// Reference file format, bit depth and layout, e.g. `PNG 16-bit rgb`.
    pub format: String,
    /// `L` used.
    pub data_range: f64,
    /// Kernel backend that computed the value.
    pub backend: &'static str,
    /// Threads used.
    pub threads: usize,
    /// How many times the computation ran (`--repeat`).
    pub repeat: u32,
    /// Median wall time of one computation in milliseconds (decoding excluded).
    pub elapsed_ms: f64,
    /// `--threshold`, or null.
    pub threshold: Option<f64>,
    /// `value >= threshold`, or null without a threshold.
    pub pass: Option<bool>,
    /// `--map` file written, or null.
    pub map: Option<String>,
    /// `--gradient` file written (absent without `--gradient`).
    #[serde(rename = "gradient", skip_serializing_if = "Option::is_none")]
    pub gradient_file: Option<String>,
    /// The gradient computed for `--gradient`, written by the caller.
    #[serde(skip)]
    pub gradient: Option<crate::gradient::Gradient>,
}

/// Folder mode: a pair that could not be compared.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorRow {
    /// Relative path of the pair.
    pub path: String,
    /// Always `error`.
    pub status: &'static str,
    /// Reference file.
    pub reference: String,
    /// Distorted file.
    pub distorted: String,
    /// What went wrong.
    pub error: String,
}

/// The one-line text form.
pub fn text(r: &Report) -> String {
    let label = match r.metric {
        "ms-ssim" => "MS-SSIM",
        _ => "SSIM",
    };
    let mut s = format!("{label} {:.8}", r.value);
    if r.channels.len() > 1 {
        let names = ["R", "G", "B", "A"];
        let parts: Vec<String> = r
            .channels
            .iter()
            .zip(names)
            .map(|(v, n)| format!("{n} {v:.8}"))
            .collect();
        s += &format!("  ({})", parts.join(", "));
    }
    s += &format!(
        "  [{} {}x{}, {}, L={}, {}]",
        r.format, r.width, r.height, r.preset, r.data_range, r.channel_mode
    );
    if let Some(p) = &r.path {
        s = format!("{p}: {s}");
    }
    if r.pass == Some(false) {
        s += &format!("  BELOW THRESHOLD {}", r.threshold.unwrap_or(f64::NAN));
    }
    s
}

/// CSV header.
pub const CSV_HEADER: &str = "path,reference,distorted,status,metric,preset,value,channels,width,height,data_range,backend,threads,elapsed_ms,error";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One CSV row of a result. `channels` are separated by `;`.
pub fn csv(r: &Report) -> String {
    let channels: Vec<String> = r.channels.iter().map(|v| v.to_string()).collect();
    let status = r.status.unwrap_or(if r.pass == Some(false) {
        "below_threshold"
    } else {
        "ok"
    });
    [
        csv_field(r.path.as_deref().unwrap_or("")),
        csv_field(&r.reference),
        csv_field(&r.distorted),
        status.to_string(),
        r.metric.to_string(),
        r.preset.to_string(),
        r.value.to_string(),
        channels.join(";"),
        r.width.to_string(),
        r.height.to_string(),
        r.data_range.to_string(),
        r.backend.to_string(),
        r.threads.to_string(),
        format!("{:.3}", r.elapsed_ms),
        String::new(),
    ]
    .join(",")
}

/// One CSV row of a failed pair.
pub fn csv_error(e: &ErrorRow) -> String {
    let mut cols = vec![
        csv_field(&e.path),
        csv_field(&e.reference),
        csv_field(&e.distorted),
        e.status.to_string(),
    ];
    cols.extend(std::iter::repeat_n(String::new(), 10));
    cols.push(csv_field(&e.error));
    cols.join(",")
}
