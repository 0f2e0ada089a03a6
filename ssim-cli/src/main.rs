//! `ssim`: SSIM and MS-SSIM of two images or two folders of images.
//!
//! Exit codes: 0 success, 1 a value below `--threshold`, 2 any error. Every error is one line
//! on stderr; the tool never panics on bad input (a panic hook turns an unexpected one into
//! a one-line internal error with exit code 2 as a last resort). See docs/CLI.md.

mod cli;
mod compute;
mod error;
mod folder;
mod font;
mod heatmap;
mod input;
mod jpeg;
mod report;
mod video;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use ssim_std::Backend;

use crate::cli::{Args, ChannelMode};
use crate::compute::{PresetChoice, Request};
use crate::error::{CliError, EXIT_BELOW, EXIT_ERROR, EXIT_OK};
use crate::input::Image;
use crate::report::Report;

/// Everything decided from the options before any image is read.
#[derive(Debug)]
pub struct Settings {
    /// Metric and parameters.
    pub preset: PresetChoice,
    /// `--data-range`.
    pub data_range: Option<f64>,
    /// `--channels`.
    pub mode: ChannelMode,
    /// `--threads`.
    pub threads: Option<usize>,
    /// `--backend`.
    pub backend: Option<Backend>,
    /// `--repeat`.
    pub repeat: u32,
    /// `--threshold`.
    pub threshold: Option<f64>,
    /// `--map`.
    pub map: Option<PathBuf>,
    /// `ssim` or `ms-ssim`.
    pub metric: &'static str,
    /// The worker pool: `--threads` threads, or one per core.
    pub pool: rayon::ThreadPool,
}

impl Settings {
    fn from_args(args: &Args) -> Result<Settings, CliError> {
        let preset =
            PresetChoice::parse(args.metric, args.preset.as_deref()).map_err(CliError::new)?;
        let backend = match &args.backend {
            None => None,
            Some(name) => Some(parse_backend(name)?),
        };
        if let Some(m) = &args.map {
            heatmap::check_path(m)?;
        }
        let mut pool = rayon::ThreadPoolBuilder::new();
        if let Some(n) = args.threads {
            pool = pool.num_threads(n as usize);
        }
        let pool = pool
            .build()
            .map_err(|e| CliError::new(format!("cannot start worker threads: {e}")))?;
        Ok(Settings {
            preset,
            data_range: args.data_range,
            mode: args.channels,
            threads: args.threads.map(|t| t as usize),
            backend,
            repeat: args.repeat,
            threshold: args.threshold,
            map: args.map.clone(),
            metric: args.metric.name(),
            pool,
        })
    }
}

fn parse_backend(name: &str) -> Result<Backend, CliError> {
    let known: Vec<&str> = Backend::ALL.iter().map(|b| b.name()).collect();
    let available: Vec<&str> = Backend::available().map(|b| b.name()).collect();
    match Backend::from_name(name) {
        None => Err(CliError::new(format!(
            "unknown --backend '{name}': expected one of {}",
            known.join(", ")
        ))),
        Some(b) if !b.is_supported() => Err(CliError::new(format!(
            "--backend {name} is not supported on this CPU or build: expected one of {}",
            available.join(", ")
        ))),
        Some(b) => Ok(b),
    }
}

/// Checks that two decoded images can be compared and picks the data range.
fn data_range(s: &Settings, x: &Image, y: &Image, xp: &Path, yp: &Path) -> Result<f64, CliError> {
    let (xs, ys) = (xp.display(), yp.display());
    if (x.width, x.height) != (y.width, y.height) {
        return Err(CliError::new(format!(
            "size mismatch: {xs} is {}x{}, {ys} is {}x{}: expected equal sizes",
            x.width, x.height, y.width, y.height
        )));
    }
    if x.layout != y.layout {
        return Err(CliError::new(format!(
            "channel mismatch: {xs} is {}, {ys} is {}: expected the same channels",
            x.layout.name(),
            y.layout.name()
        )));
    }
    if x.pixels.kind() != y.pixels.kind() {
        return Err(CliError::new(format!(
            "sample type mismatch: {xs} has {} samples, {ys} has {}: expected the same bit depth",
            x.pixels.kind(),
            y.pixels.kind()
        )));
    }
    match s.data_range {
        Some(l) => Ok(l),
        None if x.default_range == y.default_range => Ok(x.default_range),
        None => Err(CliError::new(format!(
            "data range mismatch: {xs} implies L={} ({}), {ys} implies L={} ({}): give --data-range",
            x.default_range, x.range_source, y.default_range, y.range_source
        ))),
    }
}

/// Why a computation on finite samples gave a non-finite value, for the error message.
fn non_finite_cause(x: &Image, y: &Image, l: f64) -> String {
    let peak = x.pixels.max_magnitude().max(y.pixels.max_magnitude());
    // The kernels square samples in f32: beyond sqrt(f32::MAX) the moments are infinite.
    if peak * peak > f64::from(f32::MAX) {
        format!(
            "samples as large as {peak:e} overflow the single-precision computation (their squares \
             exceed 3.4e38; L={l}): expected magnitudes below about 1.8e19, for example the \
             images scaled to their data range"
        )
    } else {
        format!(
            "the local statistics of the samples (largest magnitude {peak:e}, L={l}) are not \
             finite in single precision: expected samples on the scale of the data range"
        )
    }
}

/// Decodes and compares one pair. The map, when asked for, is written by the caller.
pub fn compare_pair(
    s: &Settings,
    xp: &Path,
    yp: &Path,
) -> Result<(Report, Option<compute::Map>), CliError> {
    let x = input::load(xp)?;
    let y = input::load(yp)?;
    let l = data_range(s, &x, &y, xp, yp)?;
    let req = Request {
        preset: s.preset,
        data_range: l,
        mode: s.mode,
        config: ssim_std::Config {
            backend: s.backend,
            threads: s.threads,
        },
        map: s.map.is_some(),
    };
    let mut times = Vec::with_capacity(s.repeat as usize);
    let mut outcome = None;
    let threads = s.pool.current_num_threads();
    for _ in 0..s.repeat {
        let t0 = Instant::now();
        let o = s.pool.install(|| compute::run(&req, &x, &y)).map_err(|e| {
            // The library names Backend::available(); a CLI user needs the names.
            let names: Vec<&str> = Backend::available().map(|b| b.name()).collect();
            let e = e.replace("Backend::available()", &names.join(", "));
            CliError::new(format!("{} vs {}: {e}", xp.display(), yp.display()))
        })?;
        times.push(t0.elapsed().as_secs_f64() * 1e3);
        outcome = Some(o);
    }
    let o = outcome.ok_or_else(|| CliError::new("--repeat must be at least 1"))?;
    if !o.value.is_finite() {
        return Err(CliError::new(format!(
            "{} vs {}: the {} is {}: {}",
            xp.display(),
            yp.display(),
            s.metric.to_uppercase(),
            o.value,
            non_finite_cause(&x, &y, l)
        )));
    }
    times.sort_by(f64::total_cmp);
    let n = times.len();
    let median = if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2.0
    };
    let pass = s.threshold.map(|t| o.value >= t);
    let report = Report {
        path: None,
        status: None,
        reference: xp.display().to_string(),
        distorted: yp.display().to_string(),
        metric: s.metric,
        preset: s.preset.name(),
        value: o.value,
        channels: o.channels,
        channel_mode: s.mode.name(),
        scales: o.scales,
        width: x.width,
        height: x.height,
        layout: x.layout.name(),
        format: x.describe(),
        data_range: l,
        backend: o.backend.name(),
        threads,
        repeat: s.repeat,
        elapsed_ms: median,
        threshold: s.threshold,
        pass,
        map: s.map.as_ref().map(|m| m.display().to_string()),
    };
    Ok((report, o.map))
}

/// Writes a line to stdout. Results are the product: a line that cannot be delivered (disk
/// full, closed pipe) is an error, so a below-threshold result can never end as exit code 0.
pub fn out(line: &str) -> Result<(), CliError> {
    let mut so = std::io::stdout().lock();
    writeln!(so, "{line}")
        .and_then(|_| so.flush())
        .map_err(|e| stdout_error(&e))
}

fn stdout_error(e: &std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        CliError::new(
            "cannot write the results: stdout was closed (broken pipe) before all of them were written",
        )
    } else {
        CliError::new(format!(
            "cannot write the results to stdout: {}",
            error::io_reason(e)
        ))
    }
}

/// Writes a line to stderr. Where stderr itself cannot be written there is nowhere left to
/// report it; the exit code still tells.
pub fn note(line: &str) {
    let mut se = std::io::stderr().lock();
    let _ = writeln!(se, "{line}").and_then(|_| se.flush());
}

fn run() -> Result<i32, CliError> {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            use clap::error::ErrorKind;
            return match e.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    e.print().map_err(|e| stdout_error(&e))?;
                    Ok(if e.use_stderr() { EXIT_ERROR } else { EXIT_OK })
                }
                _ => {
                    let msg = e.to_string();
                    let msg = msg.strip_prefix("error: ").unwrap_or(&msg);
                    // clap adds usage and a --help hint on further lines; keep the message.
                    let first: Vec<&str> = msg
                        .lines()
                        .map(str::trim)
                        .filter(|l| {
                            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more")
                        })
                        .collect();
                    Err(CliError::new(format!(
                        "{} (see ssim --help)",
                        first.join(" ")
                    )))
                }
            };
        }
    };
    let settings = Settings::from_args(&args)?;
    if video::is_video(&args) {
        return video::run(&settings, &args);
    }
    let (rd, dd) = (args.reference.is_dir(), args.distorted.is_dir());
    if rd || dd {
        if !(rd && dd) {
            let (dir, file) = if rd {
                (&args.reference, &args.distorted)
            } else {
                (&args.distorted, &args.reference)
            };
            return Err(CliError::new(format!(
                "{} is a folder but {} is not: expected two image files or two folders",
                dir.display(),
                file.display()
            )));
        }
        if settings.map.is_some() {
            return Err(CliError::new("--map needs two image files, not folders"));
        }
        return folder::run(
            &settings,
            &args.reference,
            &args.distorted,
            args.json,
            args.csv,
        );
    }

    let (report, map) = compare_pair(&settings, &args.reference, &args.distorted)?;
    if let (Some(path), Some(map)) = (&settings.map, &map) {
        let title = match settings.metric {
            "ms-ssim" => format!("MS-SSIM {:.5} (LEVEL 1 SSIM MAP)", report.value),
            _ => format!("SSIM {:.5}", report.value),
        };
        // The bar's marker shows the mean of the map drawn: for MS-SSIM, level 1's SSIM.
        let marker = match &report.scales {
            Some(s) => s.first().map_or(report.value, |l| l.ssim),
            None => report.value,
        };
        heatmap::write(path, map, &format!("{title}  {}", report.preset), marker)?;
    }
    if args.json {
        let line = serde_json::to_string(&report)
            .map_err(|e| CliError::new(format!("cannot format JSON: {e}")))?;
        out(&line)?;
    } else if args.csv {
        out(report::CSV_HEADER)?;
        out(&report::csv(&report))?;
    } else {
        out(&report::text(&report))?;
    }
    Ok(if report.pass == Some(false) {
        EXIT_BELOW
    } else {
        EXIT_OK
    })
}

fn main() {
    // Last resort only: bad input is handled as errors, but a bug must still not print a
    // backtrace at a user.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        note(&format!(
            "ssim: internal error: {}{at} (please report this)",
            error::one_line(&msg)
        ));
        std::process::exit(EXIT_ERROR);
    }));
    let code = match run() {
        Ok(code) => code,
        Err(e) => {
            note(&format!("ssim: error: {e}"));
            EXIT_ERROR
        }
    };
    std::process::exit(code);
}
