//! Video input: two y4m or raw YUV streams compared frame by frame, per plane, as FFmpeg's
//! `ssim` filter reports them (Y, U, V and `All` weighted by plane area), with any preset.
//!
//! Each input is read on its own thread into `threads + 1` reused frame buffers, so reading
//! overlaps computing; each frame is computed on one worker thread, which hands the buffers
//! back as soon as it is done, and the results are written in frame order. A frame that
//! cannot be read is reported in that order too, after every earlier frame's line. Memory is
//! `2 x (threads + 1)` frames for any length, and the values are the same bits for any
//! `--threads`. See docs/CLI.md, "Video".

pub mod reader;

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use ssim_std::{x264, Config, Plane, Sample};

use crate::cli::Args;
use crate::compute::{Effective, PresetChoice};
use crate::error::{io_reason, CliError, EXIT_BELOW, EXIT_OK};
use crate::Settings;
use reader::{Format, Frame, Samples, VideoReader, SIGNATURE};

/// The video options (flattened into the command line).
#[derive(Debug, clap::Args)]
pub struct VideoArgs {
    /// Raw YUV input: frame size (y4m carries its own). Makes both inputs video.
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub size: Option<(usize, usize)>,

    /// Raw YUV input: pixel format, e.g. yuv420p (default), yuv422p10le, yuv444p16le, gray.
    #[arg(long, value_name = "NAME")]
    pub pix_fmt: Option<String>,

    /// Video: compare only the first N frames (otherwise different frame counts are an error).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub frames: Option<u64>,

    /// Video: write one line per frame in FFmpeg's stats_file format to FILE.
    #[arg(long, value_name = "FILE")]
    pub stats_file: Option<PathBuf>,

    /// Video: print every frame in text output, and apply --threshold to every frame's All
    /// value as well as to the mean.
    #[arg(long)]
    pub per_frame: bool,
}

fn parse_size(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("expected WIDTHxHEIGHT such as 1920x1080, got '{s}'");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h) = (
        w.trim().parse::<usize>().map_err(|_| bad())?,
        h.trim().parse::<usize>().map_err(|_| bad())?,
    );
    if w == 0 || h == 0 {
        return Err(bad());
    }
    Ok((w, h))
}

/// Whether the inputs are video: `--size` / `--pix-fmt`, or an input (other than stdin,
/// `-`) with a `.y4m` or `.yuv` name or the YUV4MPEG2 signature. Stdin is then read as video
/// too (`ffmpeg ... -f yuv4mpegpipe - | ssim ref.y4m -`); with image files it is an image.
pub fn is_video(args: &Args) -> bool {
    let v = &args.video;
    if v.size.is_some() || v.pix_fmt.is_some() {
        return true;
    }
    std::iter::once(&args.reference)
        .chain(&args.distorted)
        .any(|p| {
            if p.as_os_str() == "-" {
                return false;
            }
            let ext = p
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase());
            if matches!(ext.as_deref(), Some("y4m" | "yuv")) {
                return true;
            }
            let mut head = [0u8; 9];
            File::open(p)
                .and_then(|mut f| f.read_exact(&mut head))
                .is_ok_and(|_| head == SIGNATURE)
        })
}

type Input = VideoReader<Box<dyn Read + Send>>;

/// The input buffer: enough for header lines; frame reads larger than it bypass it, so a
/// small one means most samples are copied once (from the kernel), not twice.
const READ_BUFFER: usize = 64 << 10;

/// Opens one input: y4m by its signature, otherwise raw with `--size` and `--pix-fmt`.
fn open(path: &Path, v: &VideoArgs) -> Result<Input, CliError> {
    let name = path.display();
    let mut inner: Box<dyn Read + Send> = if path.as_os_str() == "-" {
        Box::new(BufReader::with_capacity(READ_BUFFER, std::io::stdin()))
    } else {
        let f =
            File::open(path).map_err(|e| CliError::new(format!("{name}: {}", io_reason(&e))))?;
        Box::new(BufReader::with_capacity(READ_BUFFER, f))
    };
    // Peek at the signature without losing the bytes (stdin cannot seek).
    let mut head = Vec::with_capacity(SIGNATURE.len());
    (&mut inner)
        .take(SIGNATURE.len() as u64)
        .read_to_end(&mut head)
        .map_err(|e| CliError::new(format!("{name}: {}", io_reason(&e))))?;
    let is_y4m = head == SIGNATURE;
    let inner: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(head).chain(inner));
    let err = |m: String| CliError::new(format!("{name}: {m}"));
    if is_y4m {
        let r = VideoReader::y4m(inner).map_err(err)?;
        if let Some((w, h)) = v.size {
            let f = r.format();
            if (f.width, f.height) != (w, h) {
                return Err(err(format!(
                    "the y4m header says {}x{}, --size says {w}x{h}",
                    f.width, f.height
                )));
            }
        }
        return Ok(r);
    }
    let (w, h) = v.size.ok_or_else(|| {
        err(
            "not a y4m stream (no YUV4MPEG2 signature): raw YUV needs --size WxH and --pix-fmt"
                .into(),
        )
    })?;
    let format = Format::from_pix_fmt(v.pix_fmt.as_deref().unwrap_or("yuv420p"), w, h)
        .map_err(CliError::new)?;
    VideoReader::raw(inner, format).map_err(err)
}

/// One frame's result.
#[derive(Clone, Debug)]
struct FrameResult {
    number: usize,
    /// Y, U, V (or just Y).
    planes: Vec<f64>,
    /// Area-weighted mean of the planes.
    all: f64,
    /// Why the frame has no value (reported when its turn comes, so errors stay in order).
    error: Option<String>,
}

impl FrameResult {
    fn failed(number: usize, error: String) -> FrameResult {
        FrameResult {
            number,
            planes: Vec::new(),
            all: f64::NAN,
            error: Some(error),
        }
    }
}

/// What every frame is computed with.
struct Job {
    params: Effective,
    format: Format,
    config: Config,
    /// Plane area / frame area, as FFmpeg weights the planes.
    weights: Vec<f64>,
}

fn compute(job: &Job, x: &Frame, y: &Frame) -> Result<FrameResult, String> {
    let mut planes = Vec::with_capacity(job.format.planes());
    for i in 0..job.format.planes() {
        let v = match (&x.samples, &y.samples) {
            (Samples::U8(a), Samples::U8(b)) => plane_value(job, a, b, i),
            (Samples::U16(a), Samples::U16(b)) => plane_value(job, a, b, i),
            _ => Err("the two frames have different sample types".into()),
        };
        let name = ["Y", "U", "V"][i];
        planes.push(v.map_err(|e| format!("frame {}: plane {name}: {e}", x.number))?);
    }
    let all = planes.iter().zip(&job.weights).map(|(v, w)| v * w).sum();
    Ok(FrameResult {
        number: x.number,
        planes,
        all,
        error: None,
    })
}

fn plane_value<T: Sample>(job: &Job, a: &[T], b: &[T], i: usize) -> Result<f64, String> {
    let (w, h) = job.format.plane_size(i);
    let off = Frame::plane_offset(&job.format, i);
    let err = |e: ssim_std::Error| e.to_string();
    fn view<T: Sample>(d: &[T], off: usize, w: usize, h: usize) -> Result<Plane<'_, T>, String> {
        let d = d
            .get(off..off + w * h)
            .ok_or("frame shorter than its format")?;
        Plane::new(d, w, h).map_err(|e| e.to_string())
    }
    let (x, y) = (view(a, off, w, h)?, view(b, off, w, h)?);
    match &job.params {
        Effective::Ffmpeg(_) => {
            x264::ssim_with(&x, &y, job.format.bit_depth, job.config.backend).map_err(err)
        }
        Effective::Ssim(p) => {
            // One frame on the calling thread: frames, not bands, are spread over the threads.
            let one = Config {
                backend: job.config.backend,
                threads: Some(1),
            };
            ssim_std::ssim_with(p, &x, &y, &one)
                .map(|r| r.ssim)
                .map_err(err)
        }
        Effective::MsSsim(p) => ssim_std::msssim_with(p, &x, &y, &job.config)
            .map(|r| r.msssim)
            .map_err(err),
    }
}

/// Running totals for the summary.
#[derive(Default)]
struct Totals {
    frames: usize,
    planes: Vec<f64>,
    all: f64,
    min: Option<(usize, f64)>,
    below: usize,
}

/// Compares two video streams. Returns the exit code.
pub fn run(s: &Settings, args: &Args) -> Result<i32, CliError> {
    let v = &args.video;
    let distorted = match args.distorted.as_slice() {
        [d] => d,
        _ => {
            return Err(CliError::new(format!(
                "video input compares one pair of streams: expected one distorted input, got {}",
                args.distorted.len()
            )))
        }
    };
    if args.reference.as_os_str() == "-" && distorted.as_os_str() == "-" {
        return Err(CliError::new(
            "both inputs are stdin ('-'): expected at most one of them to be '-'",
        ));
    }
    if s.map.is_some() {
        return Err(CliError::new(
            "--map is for images: expected no --map with video input",
        ));
    }
    if s.crop_border != 0 {
        return Err(CliError::new(
            "--crop-border is for images: expected no --crop-border with video input",
        ));
    }
    if s.repeat != 1 {
        return Err(CliError::new(
            "--repeat is for images: expected no --repeat with video input",
        ));
    }
    let (rn, dn) = (args.reference.display(), distorted.display());
    let xr = open(&args.reference, v)?;
    let yr = open(distorted, v)?;
    let (fx, fy) = (xr.format(), yr.format());
    if fx != fy {
        return Err(CliError::new(format!(
            "format mismatch: {rn} is {}, {dn} is {}: expected the same size, chroma format and \
             bit depth",
            fx.describe(),
            fy.describe()
        )));
    }
    for n in xr.notes().iter().chain(yr.notes()) {
        crate::note(&format!("ssim: note: {n}"));
    }
    let data_range =
        match (s.preset, s.data_range) {
            (PresetChoice::Ffmpeg, Some(_)) => return Err(CliError::new(
                "--data-range does not apply to --preset ffmpeg: its constants come from the bit \
                 depth of the video",
            )),
            (_, Some(l)) => l,
            (_, None) => fx.max_sample() as f64,
        };
    let total: usize = (0..fx.planes())
        .map(|i| {
            let (w, h) = fx.plane_size(i);
            w * h
        })
        .sum();
    let job = Job {
        params: s
            .preset
            .effective(&s.custom, data_range)
            .map_err(CliError::new)?,
        format: fx,
        config: Config {
            backend: s.backend,
            threads: Some(1),
        },
        weights: (0..fx.planes())
            .map(|i| {
                let (w, h) = fx.plane_size(i);
                (w * h) as f64 / total as f64
            })
            .collect(),
    };
    let stats = match &v.stats_file {
        None => None,
        Some(p) => Some((
            p,
            BufWriter::new(File::create(p).map_err(|e| {
                CliError::new(format!(
                    "cannot create --stats-file {}: {}",
                    p.display(),
                    io_reason(&e)
                ))
            })?),
        )),
    };
    let mode = if args.json {
        Mode::Json
    } else if args.csv {
        Mode::Csv
    } else {
        Mode::Text
    };
    if mode == Mode::Csv {
        crate::out(CSV_HEADER)?;
    }
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos} frames, {per_sec} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let limit = v.frames.map(|n| n as usize);
    let threads = s.pool.current_num_threads().max(1);
    // Frame buffers per input: one per worker and one more being read, so a worker that
    // finishes finds the next pair read while the other workers compute. The readers block
    // when all of them are out: memory is `2 x (threads + 1)` frames for any stream.
    let buffers = threads + 1;
    let (xs, ys) = (
        ReadAhead::start(xr, limit, buffers),
        ReadAhead::start(yr, limit, buffers),
    );
    let mut totals = Totals {
        planes: vec![0.0; fx.planes()],
        ..Totals::default()
    };
    let mut out = Output {
        names: (rn.to_string(), dn.to_string()),
        mode,
        per_frame: v.per_frame,
        threshold: s.threshold,
        stats,
        bar: &bar,
    };
    let t0 = Instant::now();
    let (results, rx_results) = std::sync::mpsc::channel::<FrameResult>();
    // The first error in frame order: a frame that could not be computed or written, or
    // (`unread`) the frame the readers could not give, reported only once every earlier
    // frame's line is out.
    let mut failed: Option<CliError> = None;
    let mut unread: Option<CliError> = None;
    s.pool.in_place_scope(|scope| {
        let job = &job;
        let (mut started, mut received, mut done) = (0usize, 0usize, 0usize);
        let mut more = true;
        // Results that came back before an earlier frame's.
        let mut early: std::collections::BTreeMap<usize, FrameResult> = Default::default();
        loop {
            if more && failed.is_none() {
                // Blocks until both readers have the pair, which needs a free buffer: the
                // workers hand theirs back as they finish, so this waits for no result.
                match next_pair(&xs, &ys, started, (&rn, &dn)) {
                    Ok(Some((a, b))) => {
                        let results = results.clone();
                        let spare = (xs.spare.clone(), ys.spare.clone());
                        scope.spawn(move |_| {
                            let r = compute(job, &a, &b);
                            let r = r.unwrap_or_else(|e| FrameResult::failed(a.number, e));
                            // The buffers first, so the readers go on while this result
                            // waits its turn; nothing to do for a reader already gone.
                            let _ = spare.0.send(a);
                            let _ = spare.1.send(b);
                            // The receiver outlives the scope.
                            let _ = results.send(r);
                        });
                        started += 1;
                    }
                    Ok(None) => more = false,
                    Err(e) => {
                        unread = Some(e);
                        more = false;
                    }
                }
            }
            let reading = more && failed.is_none();
            // While reading, only the results already in; then every one still out (after an
            // error they are counted, not written).
            while received < started {
                let r = if reading {
                    match rx_results.try_recv() {
                        Ok(r) => r,
                        Err(_) => break,
                    }
                } else {
                    match rx_results.recv() {
                        Ok(r) => r,
                        Err(_) => break,
                    }
                };
                received += 1;
                early.insert(r.number, r);
                while let Some(r) = early.remove(&(done + 1)) {
                    done += 1;
                    if failed.is_none() {
                        if let Err(e) = out.frame(&mut totals, r) {
                            failed = Some(e);
                        }
                    }
                }
            }
            if !reading {
                break;
            }
        }
    });
    let failed = failed.or(unread);
    if let Some(e) = failed {
        return Err(e);
    }
    bar.finish_and_clear();
    if let Some(n) = limit {
        if totals.frames < n {
            return Err(CliError::new(format!(
                "--frames {n}: the inputs have only {} frames",
                totals.frames
            )));
        }
    }
    if let Some((p, w)) = &mut out.stats {
        w.flush().map_err(|e| {
            CliError::new(format!(
                "cannot write --stats-file {}: {}",
                p.display(),
                io_reason(&e)
            ))
        })?;
    }
    let secs = t0.elapsed().as_secs_f64();
    let Some(min) = totals.min else {
        return Err(CliError::new(format!(
            "{rn} and {dn} hold no frames: expected at least one frame (a FRAME header and its \
             samples)"
        )));
    };
    let n = totals.frames as f64;
    let mean = totals.all / n;
    let pass = s
        .threshold
        .map(|t| mean >= t && (!v.per_frame || totals.below == 0));
    let summary = Summary {
        summary: true,
        reference: rn.to_string(),
        distorted: dn.to_string(),
        metric: s.metric,
        preset: s.preset.name(),
        format: fx.describe(),
        frames: totals.frames,
        y: totals.planes[0] / n,
        u: totals.planes.get(1).map(|t| t / n),
        v: totals.planes.get(2).map(|t| t / n),
        all: mean,
        db: finite(x264::ssim_db(totals.all, n)),
        min_frame: min.0,
        min_all: min.1,
        threads: s.pool.current_num_threads(),
        elapsed_ms: secs * 1e3,
        fps: n / secs.max(1e-9),
        threshold: s.threshold,
        frames_below: s.threshold.map(|_| totals.below),
        pass,
    };
    match mode {
        Mode::Json => crate::out(
            &serde_json::to_string(&summary)
                .map_err(|e| CliError::new(format!("cannot format JSON: {e}")))?,
        )?,
        Mode::Csv => {}
        Mode::Text => crate::out(&summary_text(&summary, &totals.planes))?,
    }
    Ok(if pass == Some(false) {
        EXIT_BELOW
    } else {
        EXIT_OK
    })
}

/// The frames of one input, read ahead on their own thread, so reading overlaps computing.
/// The reader owns at most `buffers` frame buffers: it reads into one handed back through
/// [`ReadAhead::spare`] (or a new one while fewer are out) and waits when all are out, so
/// the buffers bound the memory and no queue has to.
struct ReadAhead {
    frames: std::sync::mpsc::Receiver<Result<Option<Frame>, String>>,
    spare: std::sync::mpsc::Sender<Frame>,
}

impl ReadAhead {
    /// Starts the reader thread: it stops after `limit` frames, at the end of the stream or
    /// at the first error (which it passes on), or when the queue's receiver is gone.
    fn start(mut r: Input, limit: Option<usize>, buffers: usize) -> ReadAhead {
        let buffers = buffers.max(1);
        let (tx, frames) = std::sync::mpsc::sync_channel(buffers);
        let (spare, back) = std::sync::mpsc::channel::<Frame>();
        std::thread::spawn(move || {
            let mut read = 0usize;
            // Buffers handed out and not back yet.
            let mut out = 0usize;
            loop {
                while let Ok(f) = back.try_recv() {
                    r.recycle(f);
                    out -= 1;
                }
                if out >= buffers {
                    // Every sender gone means the run is over.
                    let Ok(f) = back.recv() else { break };
                    r.recycle(f);
                    out -= 1;
                }
                let next = if limit.is_some_and(|n| read >= n) {
                    Ok(None)
                } else {
                    r.next_frame()
                };
                let end = !matches!(next, Ok(Some(_)));
                read += 1;
                out += 1;
                if tx.send(next).is_err() || end {
                    break;
                }
            }
        });
        ReadAhead { frames, spare }
    }

    /// The next frame; a reader thread that vanished is reported as an error.
    fn next(&self) -> Result<Option<Frame>, String> {
        self.frames
            .recv()
            .unwrap_or_else(|_| Err("the reader thread stopped unexpectedly".into()))
    }
}

/// The pair of frame `done + 1`, `None` when both inputs end there; different lengths are
/// an error naming the shorter input.
fn next_pair(
    xs: &ReadAhead,
    ys: &ReadAhead,
    done: usize,
    (rn, dn): (&dyn std::fmt::Display, &dyn std::fmt::Display),
) -> Result<Option<(Frame, Frame)>, CliError> {
    let a = xs.next().map_err(|e| CliError::new(format!("{rn}: {e}")))?;
    let b = ys.next().map_err(|e| CliError::new(format!("{dn}: {e}")))?;
    match (a, b) {
        (Some(a), Some(b)) => Ok(Some((a, b))),
        (None, None) => Ok(None),
        (a, _) => {
            let (short, long) = if a.is_none() { (rn, dn) } else { (dn, rn) };
            Err(CliError::new(format!(
                "frame {}: {short} ends after {done} frames but {long} has more: expected equal \
                 frame counts (or --frames N to compare the first N)",
                done + 1
            )))
        }
    }
}

/// Where each frame's result goes, in frame order.
struct Output<'a> {
    names: (String, String),
    mode: Mode,
    per_frame: bool,
    threshold: Option<f64>,
    stats: Option<(&'a PathBuf, BufWriter<File>)>,
    bar: &'a indicatif::ProgressBar,
}

impl Output<'_> {
    fn frame(&mut self, totals: &mut Totals, r: FrameResult) -> Result<(), CliError> {
        let (rn, dn) = (&self.names.0, &self.names.1);
        if let Some(e) = r.error {
            return Err(CliError::new(format!("{rn} vs {dn}: {e}")));
        }
        if !r.all.is_finite() {
            return Err(CliError::new(format!(
                "{rn} vs {dn}: frame {}: the value is {} (planes {:?}): expected a finite number",
                r.number, r.all, r.planes
            )));
        }
        totals.frames += 1;
        for (t, v) in totals.planes.iter_mut().zip(&r.planes) {
            *t += v;
        }
        totals.all += r.all;
        if totals.min.is_none_or(|(_, m)| r.all < m) {
            totals.min = Some((r.number, r.all));
        }
        if self.threshold.is_some_and(|t| r.all < t) {
            totals.below += 1;
        }
        if let Some((p, w)) = &mut self.stats {
            w.write_all(stats_line(&r).as_bytes()).map_err(|e| {
                CliError::new(format!(
                    "cannot write --stats-file {}: {}",
                    p.display(),
                    io_reason(&e)
                ))
            })?;
        }
        match self.mode {
            Mode::Json => crate::out(&json_frame(&r))?,
            Mode::Csv => crate::out(&csv_frame(&r))?,
            Mode::Text if self.per_frame => crate::out(stats_line(&r).trim_end())?,
            Mode::Text => {}
        }
        self.bar.inc(1);
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Text,
    Json,
    Csv,
}

/// The last JSON line.
#[derive(serde::Serialize)]
struct Summary {
    summary: bool,
    reference: String,
    distorted: String,
    metric: &'static str,
    preset: &'static str,
    format: String,
    frames: usize,
    y: f64,
    u: Option<f64>,
    v: Option<f64>,
    all: f64,
    db: Option<f64>,
    min_frame: usize,
    min_all: f64,
    threads: usize,
    elapsed_ms: f64,
    fps: f64,
    threshold: Option<f64>,
    frames_below: Option<usize>,
    pass: Option<bool>,
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// `n:1 Y:0.981234 U:0.990000 V:0.990000 All:0.984475 (18.089655)` as FFmpeg writes it.
fn stats_line(r: &FrameResult) -> String {
    let mut s = format!("n:{} ", r.number);
    for (name, v) in ["Y", "U", "V"].iter().zip(&r.planes) {
        s += &format!("{name}:{v:.6} ");
    }
    s += &format!(
        "All:{:.6} ({})\n",
        r.all,
        db_text(x264::ssim_db(r.all, 1.0))
    );
    s
}

fn db_text(d: f64) -> String {
    if d.is_finite() {
        format!("{d:.6}")
    } else {
        "inf".into()
    }
}

const CSV_HEADER: &str = "frame,y,u,v,all,db";

fn csv_frame(r: &FrameResult) -> String {
    let cell = |i: usize| r.planes.get(i).map_or(String::new(), |v| v.to_string());
    let db = finite(x264::ssim_db(r.all, 1.0)).map_or("inf".to_string(), |d| d.to_string());
    format!(
        "{},{},{},{},{},{db}",
        r.number,
        cell(0),
        cell(1),
        cell(2),
        r.all
    )
}

fn json_frame(r: &FrameResult) -> String {
    serde_json::json!({
        "frame": r.number,
        "y": r.planes[0],
        "u": r.planes.get(1),
        "v": r.planes.get(2),
        "all": r.all,
        "db": finite(x264::ssim_db(r.all, 1.0)),
    })
    .to_string()
}

/// FFmpeg's closing log line, with the minimum and the speed.
fn summary_text(s: &Summary, plane_sums: &[f64]) -> String {
    let label = if s.metric == "ms-ssim" {
        "MS-SSIM"
    } else {
        "SSIM"
    };
    let n = s.frames as f64;
    let mut t = label.to_string();
    for (name, sum) in ["Y", "U", "V"].iter().zip(plane_sums) {
        t += &format!(
            " {name}:{:.6} ({})",
            sum / n,
            db_text(x264::ssim_db(*sum, n))
        );
    }
    t += &format!(
        " All:{:.6} ({}) min All:{:.6} at frame {}; {} frames, {}, preset {}, {:.1} frames/s",
        s.all,
        db_text(s.db.unwrap_or(f64::INFINITY)),
        s.min_all,
        s.min_frame,
        s.frames,
        s.format,
        s.preset,
        s.fps
    );
    if let (Some(th), Some(p)) = (s.threshold, s.pass) {
        t += &format!(", threshold {th}: {}", if p { "pass" } else { "FAIL" });
    }
    t
}
