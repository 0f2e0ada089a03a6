//! `ssim`: SSIM and MS-SSIM of two images or two folders of images.
//!
//! Exit codes: 0 success, 1 a value below `--threshold`, 2 any error. Every error is one line
//! on stderr; the tool never panics on bad input (a panic hook turns an unexpected one into
//! a one-line internal error with exit code 2 as a last resort). See docs/CLI.md.

#![forbid(unsafe_code)]

mod cli;
mod compute;
mod error;
mod folder;
mod font;
mod gradient;
mod heatmap;
mod input;
mod jpeg;
mod pnm;
mod report;
mod video;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use ssim_std::Backend;

use crate::cli::{Args, ChannelMode};
use crate::compute::{Custom, PresetChoice, Request};
use crate::error::{CliError, EXIT_BELOW, EXIT_ERROR, EXIT_OK};
use crate::input::{Image, Pixels};
use crate::report::Report;

/// Everything decided from the options before any image is read.
#[derive(Debug)]
pub struct Settings {
    /// Metric and parameters.
    pub preset: PresetChoice,
    /// Custom parameters on top of the preset.
    pub custom: Custom,
    /// `--data-range`.
    pub data_range: Option<f64>,
    /// `--data-range-rule`.
    pub data_range_rule: Option<ssim_std::DataRangeRule>,
    /// `--channels`.
    pub mode: ChannelMode,
    /// `--threads`, capped at the available cores.
    pub threads: Option<usize>,
    /// `--max-pixels`.
    pub max_pixels: u64,
    /// `--crop-border`.
    pub crop_border: usize,
    /// `--promote-8bit`.
    pub promote_8bit: bool,
    /// `--backend`.
    pub backend: Option<Backend>,
    /// `--repeat`.
    pub repeat: u32,
    /// `--threshold`.
    pub threshold: Option<f64>,
    /// `--map`.
    pub map: Option<PathBuf>,
    /// `--gradient`.
    pub gradient: Option<PathBuf>,
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
            Some(name) => parse_backend(name)?,
            // Checked here, once, not per pair after decoding.
            None => backend_from_env()?,
        };
        if let Some(m) = &args.map {
            heatmap::check_path(m)?;
        }
        if let Some(g) = &args.gradient {
            gradient::check_path(g)?;
            if args.distorted.len() > 1 || video::is_video(args) {
                return Err(CliError::new(
                    "--gradient needs one reference and one distorted image file",
                ));
            }
        }
        let data_range_rule = match &args.data_range_rule {
            None => None,
            Some(_) if args.metric.name() != "ssim" => {
                return Err(CliError::new(
                    "--data-range-rule applies to --metric ssim only: torchmetrics and \
                     jorge-pessoa recompute it at every MS-SSIM level; give --data-range",
                ))
            }
            Some(n) => Some(ssim_std::DataRangeRule::from_name(n).ok_or_else(|| {
                CliError::new(format!(
                    "unknown --data-range-rule '{n}': expected torchmetrics or jorge-pessoa"
                ))
            })?),
        };
        let custom = Custom::from_args(args);
        // Custom parameters are checked once here (with L = 1 when the images will say it);
        // the data range with the constants they give.
        let probe = preset.effective(&custom, 1.0).map_err(CliError::new)?;
        if let Some(l) = args.data_range {
            check_data_range(probe.ssim(), l)?;
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = args.threads.map(|n| {
            let n = n as usize;
            // More threads than cores only adds stacks, scratch and switching (1024 on 2
            // cores measured 14x slower with 2.1 GB more memory); the value is the same.
            if n > cores {
                note(&format!(
                    "ssim: warning: --threads {n} capped at {cores}, the number of available cores"
                ));
            }
            n.min(cores)
        });
        let mut pool = rayon::ThreadPoolBuilder::new();
        if let Some(n) = threads {
            pool = pool.num_threads(n);
        }
        let pool = pool
            .build()
            .map_err(|e| CliError::new(format!("cannot start worker threads: {e}")))?;
        Ok(Settings {
            preset,
            custom,
            data_range: args.data_range,
            data_range_rule,
            mode: args.channels,
            threads,
            max_pixels: args.max_pixels,
            crop_border: args.crop_border,
            promote_8bit: args.promote_8bit,
            backend,
            repeat: args.repeat,
            threshold: args.threshold,
            map: args.map.clone(),
            gradient: args.gradient.clone(),
            metric: args.metric.name(),
            pool,
        })
    }
}

/// `--backend NAME`; `auto` (as in `SSIM_BACKEND`) is the default choice.
fn parse_backend(name: &str) -> Result<Option<Backend>, CliError> {
    parse_backend_from("--backend", name)
}

/// `SSIM_BACKEND`, read once before any image is, with the same names and messages.
fn backend_from_env() -> Result<Option<Backend>, CliError> {
    match std::env::var_os("SSIM_BACKEND") {
        None => Ok(None),
        Some(v) => parse_backend_from("SSIM_BACKEND", &v.to_string_lossy()),
    }
}

fn parse_backend_from(what: &str, name: &str) -> Result<Option<Backend>, CliError> {
    let known: Vec<&str> = Backend::ALL.iter().map(|b| b.name()).collect();
    let available: Vec<&str> = Backend::available().map(|b| b.name()).collect();
    let name = name.trim();
    if name.eq_ignore_ascii_case("auto") || (what == "SSIM_BACKEND" && name.is_empty()) {
        return Ok(None);
    }
    match Backend::from_name(name) {
        None => Err(CliError::new(format!(
            "unknown {what} '{name}': expected one of {}, or auto",
            known.join(", ")
        ))),
        Some(b) if !b.is_supported() => Err(CliError::new(format!(
            "{what} {name} is not supported on this CPU or build: expected one of {}, or auto",
            available.join(", ")
        ))),
        Some(b) => Ok(Some(b)),
    }
}

/// `--data-range L`, checked once before any image is read, with one message for every way
/// it can be wrong: the constants `C1 = (K1 L)^2`, `C2 = (K2 L)^2` must be normal f32 numbers
/// and sums of samples in `[0, L]` must square without overflow in f32.
fn check_data_range(p: &ssim_std::Params, l: f64) -> Result<(), CliError> {
    let p = ssim_std::Params {
        data_range: l,
        ..*p
    };
    let (lo, hi) = data_range_bounds(&p);
    if p.validate().is_err() || !(lo..=hi).contains(&l) {
        return Err(CliError::new(format!(
            "invalid --data-range {}: expected a number from {lo:.2e} to {hi:.2e} (with K1={}, \
             K2={}: C1 = (K1 L)^2 and C2 = (K2 L)^2 must be normal single-precision numbers and \
             (2 L)^2 must fit in single precision)",
            short(l),
            p.k1,
            p.k2
        )));
    }
    Ok(())
}

/// A number as a reader would type it: `1e-20`, not twenty zeros.
fn short(v: f64) -> String {
    if v == 0.0 || (1e-4..1e15).contains(&v.abs()) {
        v.to_string()
    } else {
        format!("{v:e}")
    }
}

/// The data ranges `Params::validate` accepts for these constants.
fn data_range_bounds(p: &ssim_std::Params) -> (f64, f64) {
    let (kmin, kmax) = (p.k1.min(p.k2), p.k1.max(p.k2));
    let lo = f64::from(f32::MIN_POSITIVE).sqrt() / kmin;
    let hi = (1e38f64.sqrt() / kmax).min(5e18);
    // Rounded inwards so the printed bounds themselves are accepted.
    (lo * (1.0 + 1e-9), hi)
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
            "sample type mismatch: {xs} has {} samples, {ys} has {}: expected the same bit depth \
             (8-bit against 16-bit: --promote-8bit)",
            x.pixels.kind(),
            y.pixels.kind()
        )));
    }
    if let Some(rule) = s.data_range_rule {
        return data_range_by(rule, x, y)
            .map_err(|e| CliError::new(format!("{xs} vs {ys}: --data-range-rule: {e}")));
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

/// `--data-range-rule`: `L` from the pixels of every channel of both (checked) images.
fn data_range_by(rule: ssim_std::DataRangeRule, x: &Image, y: &Image) -> ssim_std::Result<f64> {
    fn planes<T: ssim_std::Sample>(
        d: &[T],
        w: usize,
        h: usize,
        ch: usize,
    ) -> ssim_std::Result<Vec<ssim_std::Plane<'_, T>>> {
        (0..ch)
            .map(|c| ssim_std::Plane::with_layout(&d[c..], w, h, w * ch, ch))
            .collect()
    }
    let (w, h, ch) = (x.width, x.height, x.layout.samples());
    match (&x.pixels, &y.pixels) {
        (Pixels::U8(a), Pixels::U8(b)) => {
            rule.data_range_planes(&planes(a, w, h, ch)?, &planes(b, w, h, ch)?)
        }
        (Pixels::U16(a), Pixels::U16(b)) => {
            rule.data_range_planes(&planes(a, w, h, ch)?, &planes(b, w, h, ch)?)
        }
        (Pixels::F32(a), Pixels::F32(b)) => {
            rule.data_range_planes(&planes(a, w, h, ch)?, &planes(b, w, h, ch)?)
        }
        _ => Err(ssim_std::Error::InvalidParameter {
            name: "samples",
            expected: "the same sample type in both images",
        }),
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
    let x = input::load(xp, s.max_pixels)?;
    compare_with(s, &x, xp, yp)
}

/// Decodes `yp` and compares it with the decoded reference `x`.
pub fn compare_with(
    s: &Settings,
    x: &Image,
    xp: &Path,
    yp: &Path,
) -> Result<(Report, Option<compute::Map>), CliError> {
    let mut y = input::load(yp, s.max_pixels)?;
    let mut x = std::borrow::Cow::Borrowed(x);
    if s.promote_8bit {
        match (&x.pixels, &y.pixels) {
            (Pixels::U8(_), Pixels::U16(_)) => {
                x = std::borrow::Cow::Owned(
                    x.promoted()
                        .ok_or_else(|| CliError::new("internal: promotion"))?,
                )
            }
            (Pixels::U16(_), Pixels::U8(_)) => {
                y = y
                    .promoted()
                    .ok_or_else(|| CliError::new("internal: promotion"))?
            }
            _ => {}
        }
    }
    let l = data_range(s, &x, &y, xp, yp)?;
    let size = (x.width, x.height);
    let (x, y) = if s.crop_border > 0 {
        let cut = |i: &Image| {
            i.crop(s.crop_border)
                .map_err(|e| CliError::new(format!("{}: {e}", xp.display())))
        };
        (std::borrow::Cow::Owned(cut(&x)?), cut(&y)?)
    } else {
        (x, y)
    };
    if let Some((min, rule)) = s.preset.library_minimum() {
        if x.width.min(x.height) < min {
            return Err(CliError::new(format!(
                "{} vs {}: image of {}x{} is below the minimum of {rule}: expected both sides >= {min}",
                xp.display(),
                yp.display(),
                x.width,
                x.height
            )));
        }
    }
    let params = s.preset.effective(&s.custom, l).map_err(CliError::new)?;
    let req = Request {
        params,
        mode: s.mode,
        config: ssim_std::Config {
            backend: s.backend,
            threads: s.threads,
        },
        map: s.map.clone(),
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
            // The library's advice, in this tool's words.
            let e = e.replace(
                "(or fewer levels)",
                "(or fewer levels: --levels N, or --levels auto)",
            );
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
    let gradient = match &s.gradient {
        Some(_) => Some(
            s.pool
                .install(|| gradient::compute(&req.params, s.mode, &req.config, &x, &y))
                .map_err(|e| CliError::new(format!("{} vs {}: {e}", xp.display(), yp.display())))?,
        ),
        None => None,
    };
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
        parameters: req.params.reported(o.scales.as_ref().map(|v| v.len())),
        value: o.value,
        channels: o.channels,
        channel_mode: s.mode.name(),
        scales: o.scales,
        width: size.0,
        height: size.1,
        crop_border: s.crop_border,
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
        gradient_file: s.gradient.as_ref().map(|g| g.display().to_string()),
        gradient,
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
    // Before parsing: the images are required arguments, and this needs none.
    if std::env::args_os().skip(1).any(|a| a == "--list-presets") {
        let mut out = std::io::stdout().lock();
        out.write_all(compute::preset_list().as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| stdout_error(&e))?;
        return Ok(EXIT_OK);
    }
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
    if args
        .distorted
        .iter()
        .filter(|p| p.as_os_str() == "-")
        .count()
        + usize::from(args.reference.as_os_str() == "-")
        > 1
    {
        return Err(CliError::new(
            "stdin (-) given more than once: expected at most one image read from stdin",
        ));
    }
    if args.distorted.len() > 1 {
        return many(&settings, &args);
    }
    let distorted = &args.distorted[0];
    let (rd, dd) = (args.reference.is_dir(), distorted.is_dir());
    if rd || dd {
        // A missing path is missing, not "not a folder".
        for p in [&args.reference, distorted] {
            if let Err(e) = std::fs::metadata(p) {
                return Err(CliError::new(format!(
                    "cannot read {}: {}",
                    p.display(),
                    error::io_reason(&e)
                )));
            }
        }
        if !(rd && dd) {
            let (dir, file) = if rd {
                (&args.reference, distorted)
            } else {
                (distorted, &args.reference)
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
        if settings.gradient.is_some() {
            return Err(CliError::new(
                "--gradient needs two image files, not folders",
            ));
        }
        return folder::run(&settings, &args.reference, distorted, args.json, args.csv);
    }

    let (report, map) = compare_pair(&settings, &args.reference, distorted)?;
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
        let name = |p: &Path| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        };
        let subtitle = format!(
            "{} VS {}  CHANNELS {}",
            name(&args.reference),
            name(distorted),
            report.channel_mode
        );
        heatmap::write(
            path,
            map,
            &format!("{title}  {}", report.preset),
            &subtitle,
            marker,
        )?;
    }
    if let (Some(path), Some(g)) = (&settings.gradient, &report.gradient) {
        gradient::write(path, g)?;
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

/// `ssim REF DIST1 DIST2 ...`: the reference decoded once, one result per distorted image in
/// the order given. A distorted image that fails is reported (stderr in text mode, an error
/// row in JSON/CSV) and the others still run; the exit code is 2 if any failed, else 1 if
/// any is below the threshold.
fn many(s: &Settings, args: &Args) -> Result<i32, CliError> {
    if let Some(d) = args.distorted.iter().find(|p| p.is_dir()) {
        return Err(CliError::new(format!(
            "{} is a folder: folder mode takes exactly two folders, REF_DIR DIST_DIR",
            d.display()
        )));
    }
    if s.map.is_some() {
        return Err(CliError::new(
            "--map needs one pair of images: expected one distorted image",
        ));
    }
    let xp = &args.reference;
    let x = input::load(xp, s.max_pixels)?;
    if args.csv {
        out(report::CSV_HEADER)?;
    }
    let (mut failed, mut below) = (false, false);
    for yp in &args.distorted {
        match compare_with(s, &x, xp, yp) {
            Ok((mut r, _)) => {
                below |= r.pass == Some(false);
                // Which distorted image this line is about.
                r.path = Some(yp.display().to_string());
                let line = if args.json {
                    serde_json::to_string(&r)
                        .map_err(|e| CliError::new(format!("cannot format JSON: {e}")))?
                } else if args.csv {
                    report::csv(&r)
                } else {
                    report::text(&r)
                };
                out(&line)?;
            }
            Err(e) => {
                failed = true;
                let row = report::ErrorRow {
                    path: yp.display().to_string(),
                    status: "error",
                    reference: xp.display().to_string(),
                    distorted: yp.display().to_string(),
                    error: e.0,
                };
                if args.json {
                    out(&serde_json::to_string(&row)
                        .map_err(|e| CliError::new(format!("cannot format JSON: {e}")))?)?;
                } else if args.csv {
                    out(&report::csv_error(&row))?;
                }
                note(&format!("ssim: error: {}", row.error));
            }
        }
    }
    Ok(if failed {
        EXIT_ERROR
    } else if below {
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
