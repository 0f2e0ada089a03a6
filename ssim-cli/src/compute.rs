//! The bridge between decoded images and the library: the one place that calls `ssim_std`.

use ssim_std::{
    msssim_image, ssim_image, AutoDownsample, Backend, Config, Covariance, Interleaved,
    MsSsimParams, MsSsimPreset, NegativeMeans, Padding, Params, PixelLayout, Plane, Pooling,
    Preset, Sample, SsimMapRows, Window,
};

use crate::cli::{
    Args, ChannelMode, CovarianceKind, Levels, Metric, NegativeMode, PaddingKind, PoolingKind,
    WindowKind,
};
use crate::input::{Image, Layout, Pixels};
use std::path::PathBuf;

/// The parameter set chosen with `--metric` and `--preset`.
#[derive(Clone, Copy, Debug)]
pub enum PresetChoice {
    /// Single-scale SSIM.
    Ssim(Preset),
    /// MS-SSIM.
    MsSsim(MsSsimPreset),
    /// FFmpeg's `ssim` filter (x264's 8x8 windows): `--preset ffmpeg`.
    Ffmpeg,
}

impl PresetChoice {
    /// Resolves `--preset` for `--metric`; `None` picks the metric's default.
    pub fn parse(metric: Metric, name: Option<&str>) -> Result<PresetChoice, String> {
        let unknown = |n: &str, names: Vec<&str>| {
            format!(
                "unknown --preset '{n}' for --metric {}: expected one of {}",
                metric.name(),
                names.join(", ")
            )
        };
        match (metric, name) {
            (Metric::Ssim, Some(n)) if n.eq_ignore_ascii_case("ffmpeg") => Ok(PresetChoice::Ffmpeg),
            (Metric::Ssim, None) => Ok(PresetChoice::Ssim(Preset::Wang2004)),
            (Metric::Ssim, Some(n)) => {
                Preset::from_name(n).map(PresetChoice::Ssim).ok_or_else(|| {
                    let mut names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
                    names.push("ffmpeg");
                    unknown(n, names)
                })
            }
            (Metric::MsSsim, None) => Ok(PresetChoice::MsSsim(MsSsimPreset::Wang2003)),
            (Metric::MsSsim, Some(n)) => MsSsimPreset::from_name(n)
                .map(PresetChoice::MsSsim)
                .ok_or_else(|| unknown(n, MsSsimPreset::ALL.iter().map(|p| p.name()).collect())),
        }
    }

    /// The smallest side the reproduced library accepts, with its rule (SSIM presets; the
    /// MS-SSIM presets' rules are checked by the library call itself).
    pub fn library_minimum(self) -> Option<(usize, &'static str)> {
        match self {
            PresetChoice::Ssim(p) => p.library_minimum(),
            PresetChoice::MsSsim(_) | PresetChoice::Ffmpeg => None,
        }
    }

    /// The preset's name as printed.
    pub fn name(self) -> &'static str {
        match self {
            PresetChoice::Ssim(p) => p.name(),
            PresetChoice::MsSsim(p) => p.name(),
            PresetChoice::Ffmpeg => "ffmpeg",
        }
    }
}

/// `--list-presets`: one line per preset, `metric preset  reproduces`.
pub fn preset_list() -> String {
    let mut rows: Vec<(&str, &str, &str)> = Preset::ALL
        .iter()
        .map(|p| ("ssim", p.name(), p.reproduces()))
        .collect();
    rows.push((
        "ssim",
        "ffmpeg",
        "FFmpeg's ssim filter (x264's 8x8 windows), FFmpeg n9.0.2",
    ));
    rows.extend(
        MsSsimPreset::ALL
            .iter()
            .map(|p| ("ms-ssim", p.name(), p.reproduces())),
    );
    let width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    let mut out = String::from("metric   preset");
    out.push_str(&" ".repeat(width - "preset".len() + 2));
    out.push_str("reproduces\n");
    for (metric, name, what) in rows {
        out.push_str(&format!("{metric:<8} {name:<width$}  {what}\n"));
    }
    out
}

/// The custom-parameter options, applied on top of the preset.
#[derive(Clone, Debug, Default)]
pub struct Custom {
    window: Option<WindowKind>,
    window_size: Option<u32>,
    sigma: Option<f64>,
    k1: Option<f64>,
    k2: Option<f64>,
    covariance: Option<CovarianceKind>,
    pooling: Option<PoolingKind>,
    padding: Option<PaddingKind>,
    levels: Option<Levels>,
    weights: Option<Vec<f64>>,
    negative: Option<NegativeMode>,
}

/// The metric's parameters as they run: the preset's with the custom options applied.
#[derive(Clone, Debug)]
pub enum Effective {
    /// Single-scale SSIM.
    Ssim(Params),
    /// MS-SSIM.
    MsSsim(MsSsimParams),
    /// FFmpeg's `ssim` filter, whose constants come from the bit depth. The parameters held
    /// are those of the default preset at the same data range, for the checks of `L` only;
    /// what runs is `ssim_std::x264`.
    Ffmpeg(Params),
}

impl Effective {
    /// The single-scale parameters (MS-SSIM: those of every level).
    pub fn ssim(&self) -> &Params {
        match self {
            Effective::Ssim(p) => p,
            Effective::MsSsim(p) => &p.ssim,
            Effective::Ffmpeg(p) => p,
        }
    }
}

/// The effective parameters as the JSON output reports them.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Reported {
    /// `gaussian` or `box`.
    pub window: &'static str,
    /// Taps per side of the 2-D window.
    pub window_size: usize,
    /// Gaussian sigma; `null` for a box.
    pub sigma: Option<f64>,
    /// K1.
    pub k1: f64,
    /// K2.
    pub k2: f64,
    /// `population` or `sample`.
    pub covariance: &'static str,
    /// `valid` or `same`.
    pub pooling: &'static str,
    /// Same pooling: its padding; valid pooling: the padding of the full-size map's border,
    /// or `null` when the map is the valid region only.
    pub padding: Option<&'static str>,
    /// L.
    pub data_range: f64,
    /// MS-SSIM: levels computed (after `auto`); `null` for ssim.
    pub levels: Option<usize>,
    /// MS-SSIM: weights used, finest first; `null` for ssim.
    pub weights: Option<Vec<f64>>,
    /// MS-SSIM: `auto` levels asked for.
    pub auto_levels: Option<bool>,
    /// MS-SSIM: the downsampling rule between levels.
    pub downsample: Option<&'static str>,
    /// MS-SSIM: negative-mean mode.
    pub negative: Option<&'static str>,
    /// SSIM: the size-dependent block-mean stage run first (`piq`, `wang2009`), else `null`
    /// (without it a script author cannot tell why the value differs from `wang2004`'s).
    pub auto_downsample: Option<&'static str>,
}

fn padding_name(p: Padding) -> &'static str {
    match p {
        Padding::Replicate => "replicate",
        Padding::Reflect => "reflect",
        Padding::Mirror => "mirror",
    }
}

impl Custom {
    /// The custom options of the command line.
    pub fn from_args(a: &Args) -> Custom {
        Custom {
            window: a.window,
            window_size: a.window_size,
            sigma: a.sigma,
            k1: a.k1,
            k2: a.k2,
            covariance: a.covariance,
            pooling: a.pooling,
            padding: a.padding,
            levels: a.levels,
            weights: a.weights.clone(),
            negative: a.negative,
        }
    }

    fn apply_ssim(&self, p: &mut Params) -> Result<(), String> {
        let kind = self.window.unwrap_or(match p.window {
            Window::Gaussian { .. } => WindowKind::Gaussian,
            Window::Box { .. } => WindowKind::Box,
        });
        if let Some(n) = self.window_size {
            if n % 2 == 0 {
                return Err(format!(
                    "invalid --window-size {n}: expected an odd number of taps from 3 to 127"
                ));
            }
        }
        p.window = match kind {
            WindowKind::Gaussian => {
                let sigma = self.sigma.unwrap_or(match p.window {
                    Window::Gaussian { sigma, .. } => sigma,
                    Window::Box { .. } => 1.5,
                });
                if !(sigma.is_finite() && sigma > 0.0 && sigma * sigma > 0.0) {
                    return Err(format!(
                        "invalid --sigma {sigma}: expected a finite number > 0 (above about 1.6e-162)"
                    ));
                }
                let radius = match (self.window_size, self.sigma, p.window) {
                    (Some(n), _, _) => n as usize / 2,
                    // scikit-image's truncate = 3.5.
                    (None, Some(_), _) => Window::gaussian_skimage(sigma).radius(),
                    (None, None, Window::Gaussian { radius, .. }) => radius,
                    (None, None, Window::Box { .. }) => 5,
                };
                if !(1..=63).contains(&radius) {
                    return Err(format!(
                        "--sigma {sigma} gives a {}-tap window: expected 3 to 127 taps (give --window-size)",
                        2 * radius + 1
                    ));
                }
                Window::Gaussian { radius, sigma }
            }
            WindowKind::Box => {
                if self.sigma.is_some() {
                    return Err("--sigma needs a Gaussian window: expected --window gaussian, or no --sigma".into());
                }
                let size = match (self.window_size, p.window) {
                    (Some(n), _) => n as usize,
                    (None, Window::Box { size }) => size,
                    (None, Window::Gaussian { .. }) => 7,
                };
                Window::Box { size }
            }
        };
        let k = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(v)
            } else {
                Err(format!(
                    "invalid --{name} {v}: expected a finite number > 0"
                ))
            }
        };
        if let Some(v) = self.k1 {
            p.k1 = k("k1", v)?;
        }
        if let Some(v) = self.k2 {
            p.k2 = k("k2", v)?;
        }
        if let Some(c) = self.covariance {
            p.covariance = match c {
                CovarianceKind::Population => Covariance::Population,
                CovarianceKind::Sample => Covariance::Sample,
            };
        }
        let pad = self.padding.map(|k| match k {
            PaddingKind::Replicate => Padding::Replicate,
            PaddingKind::Reflect => Padding::Reflect,
            PaddingKind::Mirror => Padding::Mirror,
        });
        match (self.pooling, p.pooling) {
            (Some(PoolingKind::Valid), _) | (None, Pooling::Valid) => {
                p.pooling = Pooling::Valid;
                if pad.is_some() {
                    p.map_padding = pad;
                }
            }
            (Some(PoolingKind::Same), Pooling::Same(old)) | (None, Pooling::Same(old)) => {
                p.pooling = Pooling::Same(pad.unwrap_or(old));
            }
            (Some(PoolingKind::Same), Pooling::Valid) => {
                p.pooling = Pooling::Same(pad.unwrap_or(Padding::Replicate));
            }
        }
        Ok(())
    }

    /// The first custom option given, if any.
    fn first_option(&self) -> Option<&'static str> {
        let single = [
            (self.window.is_some(), "--window"),
            (self.window_size.is_some(), "--window-size"),
            (self.sigma.is_some(), "--sigma"),
            (self.k1.is_some(), "--k1"),
            (self.k2.is_some(), "--k2"),
            (self.covariance.is_some(), "--covariance"),
            (self.pooling.is_some(), "--pooling"),
            (self.padding.is_some(), "--padding"),
        ];
        single
            .iter()
            .find(|(given, _)| *given)
            .map(|(_, name)| *name)
            .or_else(|| self.has_msssim_options())
    }

    fn has_msssim_options(&self) -> Option<&'static str> {
        if self.levels.is_some() {
            Some("--levels")
        } else if self.weights.is_some() {
            Some("--weights")
        } else if self.negative.is_some() {
            Some("--negative")
        } else {
            None
        }
    }

    fn apply_msssim(&self, p: &mut MsSsimParams) -> Result<(), String> {
        self.apply_ssim(&mut p.ssim)?;
        if let Some(w) = &self.weights {
            if w.is_empty() || w.len() > 16 || w.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
                return Err(format!(
                    "invalid --weights {w:?}: expected 1 to 16 finite weights >= 0, finest level first"
                ));
            }
            p.weights = w.clone();
        }
        match (self.levels, &self.weights) {
            (Some(Levels::Fixed(n)), Some(w)) if w.len() != n => {
                return Err(format!(
                    "--levels {n} with {} --weights: expected one weight per level",
                    w.len()
                ));
            }
            (Some(Levels::Fixed(n)), None) => {
                if n > p.weights.len() {
                    return Err(format!(
                        "--levels {n}: the preset has {} weights: expected at most {}, or give --weights",
                        p.weights.len(),
                        p.weights.len()
                    ));
                }
                // As auto levels do: the first n weights, renormalised to the sum of all.
                let all: f64 = p.weights.iter().sum();
                let first: f64 = p.weights[..n].iter().sum();
                p.weights = p.weights[..n].iter().map(|w| w * all / first).collect();
            }
            (Some(Levels::Auto), _) => p.auto_levels = true,
            _ => {}
        }
        if let Some(m) = self.negative {
            p.negative = match m {
                NegativeMode::Relu => NegativeMeans::Relu,
                NegativeMode::Strict => NegativeMeans::Strict,
                NegativeMode::Nan => NegativeMeans::Nan,
                NegativeMode::Normalize => NegativeMeans::Normalize,
            };
        }
        Ok(())
    }
}

impl PresetChoice {
    /// The parameters that run for data range `l`: the preset's with `custom` applied,
    /// validated.
    pub fn effective(self, custom: &Custom, l: f64) -> Result<Effective, String> {
        let e = match self {
            PresetChoice::Ssim(p) => {
                if let Some(opt) = custom.has_msssim_options() {
                    return Err(format!("{opt} applies to --metric ms-ssim only"));
                }
                let mut params = p.params(l);
                custom.apply_ssim(&mut params)?;
                Effective::Ssim(params)
            }
            PresetChoice::MsSsim(p) => {
                let mut params = p.params(l);
                custom.apply_msssim(&mut params)?;
                Effective::MsSsim(params)
            }
            PresetChoice::Ffmpeg => {
                if let Some(opt) = custom.first_option() {
                    return Err(format!(
                        "{opt} does not apply to --preset ffmpeg: FFmpeg's 8x8 algorithm has fixed \
                         parameters"
                    ));
                }
                Effective::Ffmpeg(Preset::Wang2004.params(l))
            }
        };
        let checked = match &e {
            Effective::Ssim(p) => p.validate(),
            Effective::MsSsim(p) => p.validate(),
            Effective::Ffmpeg(p) => p.validate(),
        };
        checked.map_err(|err| format!("invalid parameters: {err}"))?;
        Ok(e)
    }
}

impl Effective {
    /// The JSON form; `levels` is the number that ran (`ran`, for MS-SSIM).
    pub fn reported(&self, ran: Option<usize>) -> Reported {
        if let Effective::Ffmpeg(p) = self {
            // x264's windows: 8x8 boxes on a 4-pixel grid, sample covariance, C1 / 64.
            return Reported {
                window: "ffmpeg-8x8",
                window_size: 8,
                sigma: None,
                k1: 0.01,
                k2: 0.03,
                covariance: "sample",
                pooling: "valid",
                padding: None,
                data_range: p.data_range,
                levels: None,
                weights: None,
                auto_levels: None,
                downsample: None,
                negative: None,
                auto_downsample: None,
            };
        }
        let s = self.ssim();
        let (window, sigma) = match s.window {
            Window::Gaussian { sigma, .. } => ("gaussian", Some(sigma)),
            Window::Box { .. } => ("box", None),
        };
        let (pooling, padding) = match s.pooling {
            Pooling::Valid => ("valid", s.map_padding.map(padding_name)),
            Pooling::Same(p) => ("same", Some(padding_name(p))),
        };
        let ms = match self {
            Effective::MsSsim(p) => Some(p),
            Effective::Ssim(_) | Effective::Ffmpeg(_) => None,
        };
        Reported {
            window,
            window_size: s.window.size(),
            sigma,
            k1: s.k1,
            k2: s.k2,
            covariance: match s.covariance {
                Covariance::Population => "population",
                Covariance::Sample => "sample",
            },
            pooling,
            padding,
            data_range: s.data_range,
            levels: ms.map(|p| ran.unwrap_or(p.weights.len())),
            weights: ms.map(|p| match ran {
                Some(n) if n < p.weights.len() => {
                    let all: f64 = p.weights.iter().sum();
                    let first: f64 = p.weights[..n].iter().sum();
                    p.weights[..n].iter().map(|w| w * all / first).collect()
                }
                _ => p.weights.clone(),
            }),
            auto_levels: ms.map(|p| p.auto_levels),
            downsample: ms.map(|p| p.downsample.name()),
            negative: ms.map(|p| match p.negative {
                NegativeMeans::Relu => "relu",
                NegativeMeans::Strict => "strict",
                NegativeMeans::Nan => "nan",
                NegativeMeans::Normalize => "normalize",
            }),
            auto_downsample: s.auto_downsample.map(|r| match r {
                AutoDownsample::Piq => "piq",
                AutoDownsample::Wang2009 => "wang2009",
            }),
        }
    }
}

/// What to compute.
#[derive(Clone, Debug)]
pub struct Request {
    /// Metric and effective parameters (data range included).
    pub params: Effective,
    /// Colour handling.
    pub mode: ChannelMode,
    /// Kernels and bands.
    pub config: Config,
    /// Also produce the SSIM map, for this file (`.png` or `.pfm`).
    pub map: Option<PathBuf>,
}

/// Per-level means of MS-SSIM, averaged over the channels.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ScaleMean {
    /// Level, 1 = full resolution.
    pub level: usize,
    /// Width of the level.
    pub width: usize,
    /// Height of the level.
    pub height: usize,
    /// Mean SSIM at this level (mean over channels).
    pub ssim: f64,
    /// Mean contrast-structure term at this level (mean over channels).
    pub cs: f64,
}

/// An SSIM map (the mean over channels for colour images), or the part of it a heatmap
/// shows: the values of some rows and columns (the ones the drawing samples), with the range
/// of all values.
#[derive(Clone, Debug)]
pub struct Map {
    /// Map width.
    pub width: usize,
    /// Map height.
    pub height: usize,
    /// The kept values, row-major, top to bottom.
    data: Vec<f32>,
    /// Kept row and column of each map row and column (`u32::MAX`: not kept); `None`: all.
    kept: Option<(Vec<u32>, Vec<u32>)>,
    /// Values per kept row.
    stride: usize,
    /// Minimum, maximum and count of the finite values of the whole map.
    range: (f64, f64, usize),
}

impl Map {
    /// A whole map.
    pub fn new(width: usize, height: usize, data: Vec<f32>) -> Map {
        let mut range = (f64::MAX, f64::MIN, 0);
        widen_range(&mut range, &data);
        Map {
            width,
            height,
            data,
            kept: None,
            stride: width,
            range,
        }
    }

    /// A map that will keep only rows `rows` and columns `cols` (increasing), filled by
    /// [`Map::push_rows`].
    pub fn sampled(width: usize, height: usize, rows: &[usize], cols: &[usize]) -> Map {
        let index = |n: usize, keep: &[usize]| {
            let mut v = vec![u32::MAX; n];
            for (k, &i) in keep.iter().enumerate() {
                v[i] = k as u32;
            }
            v
        };
        Map {
            width,
            height,
            data: vec![f32::NAN; rows.len() * cols.len()],
            kept: Some((index(height, rows), index(width, cols))),
            stride: cols.len(),
            range: (f64::MAX, f64::MIN, 0),
        }
    }

    /// Map rows `first..` (whole rows of `width`), top to bottom.
    pub fn push_rows(&mut self, first: usize, rows: &[f32]) {
        widen_range(&mut self.range, rows);
        let Some((row_of, col_of)) = &self.kept else {
            let at = first * self.width;
            self.data[at..at + rows.len()].copy_from_slice(rows);
            return;
        };
        let kept_cols = self.stride;
        for (j, row) in rows.chunks_exact(self.width).enumerate() {
            let Some(&r) = row_of.get(first + j) else {
                continue;
            };
            if r == u32::MAX {
                continue;
            }
            let out = &mut self.data[r as usize * kept_cols..][..kept_cols];
            for (&c, &v) in col_of.iter().zip(row) {
                if c != u32::MAX {
                    out[c as usize] = v;
                }
            }
        }
    }

    /// The value at column `x`, row `y` (NaN outside the map or where nothing is kept).
    pub fn at(&self, x: usize, y: usize) -> f32 {
        if x >= self.width || y >= self.height {
            return f32::NAN;
        }
        match &self.kept {
            None => self.data[y * self.width + x],
            Some((row_of, col_of)) => {
                let (r, c) = (row_of[y], col_of[x]);
                if r == u32::MAX || c == u32::MAX {
                    return f32::NAN;
                }
                self.data[r as usize * self.stride + c as usize]
            }
        }
    }

    /// All values, when the map is whole.
    pub fn whole(&self) -> Option<&[f32]> {
        self.kept.is_none().then_some(&self.data[..])
    }

    /// `(min, max)` of the finite values, `None` when there are none.
    pub fn range(&self) -> Option<(f64, f64)> {
        (self.range.2 > 0).then_some((self.range.0, self.range.1))
    }
}

fn widen_range(range: &mut (f64, f64, usize), values: &[f32]) {
    for v in values.iter().copied().filter(|v| v.is_finite()) {
        let v = f64::from(v);
        *range = (range.0.min(v), range.1.max(v), range.2 + 1);
    }
}

/// What one computation gave.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The index.
    pub value: f64,
    /// Per-channel values (one entry for gray or luma).
    pub channels: Vec<f64>,
    /// MS-SSIM per-level means.
    pub scales: Option<Vec<ScaleMean>>,
    /// The backend that ran.
    pub backend: Backend,
    /// The map, when asked for.
    pub map: Option<Map>,
}

pub fn pixel_layout(l: Layout) -> PixelLayout {
    match l {
        Layout::Gray => PixelLayout::Gray,
        Layout::Rgb => PixelLayout::Rgb,
    }
}

pub fn channel_mode(m: ChannelMode) -> ssim_std::ChannelMode {
    match m {
        ChannelMode::Mean => ssim_std::ChannelMode::Mean,
        ChannelMode::Luma601 => ssim_std::ChannelMode::Luma601,
        ChannelMode::Luma709 => ssim_std::ChannelMode::Luma709,
        ChannelMode::Y => ssim_std::ChannelMode::Luma601Studio,
    }
}

/// Computes the request on two images of equal size, layout and sample type.
pub fn run(req: &Request, x: &Image, y: &Image) -> Result<Outcome, String> {
    match (&x.pixels, &y.pixels) {
        (Pixels::U8(a), Pixels::U8(b)) => run_typed(req, a, b, x),
        (Pixels::U16(a), Pixels::U16(b)) => run_typed(req, a, b, x),
        (Pixels::F32(a), Pixels::F32(b)) => run_typed(req, a, b, x),
        _ => Err("the two images have different sample types".into()),
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn run_typed<T: Sample>(req: &Request, a: &[T], b: &[T], img: &Image) -> Result<Outcome, String> {
    let (w, h) = (img.width, img.height);
    let stride = w * img.layout.samples();
    let layout = pixel_layout(img.layout);
    let mode = channel_mode(req.mode);
    let err = |e: ssim_std::Error| e.to_string();
    let (ia, ib) = (
        Interleaved::with_stride(a, w, h, stride, layout).map_err(err)?,
        Interleaved::with_stride(b, w, h, stride, layout).map_err(err)?,
    );
    match &req.params {
        Effective::Ffmpeg(p) => ffmpeg_image(req, p.data_range, a, b, img),
        Effective::Ssim(params) => {
            let params = *params;
            if req.map.is_some() {
                return ssim_with_map(req, &params, a, b, img);
            }
            let r = ssim_image(&params, &ia, &ib, mode, &req.config).map_err(err)?;
            Ok(Outcome {
                value: r.ssim,
                channels: r.channels.iter().map(|c| c.ssim).collect(),
                scales: None,
                backend: r.channels.first().map_or(Backend::detect(), |c| c.backend),
                map: None,
            })
        }
        Effective::MsSsim(p) => {
            let mut params = p.clone();
            params.level_maps = req.map.is_some();
            let r = msssim_image(&params, &ia, &ib, mode, &req.config).map_err(err)?;
            let first = r.channels.first().ok_or("no channels")?;
            let scales = (0..first.levels.len())
                .map(|k| {
                    let at = |f: fn(&ssim_std::Level) -> f64| {
                        mean(
                            &r.channels
                                .iter()
                                .map(|c| f(&c.levels[k]))
                                .collect::<Vec<_>>(),
                        )
                    };
                    ScaleMean {
                        level: k + 1,
                        width: first.levels[k].width,
                        height: first.levels[k].height,
                        ssim: at(|s| s.ssim),
                        cs: at(|s| s.cs),
                    }
                })
                .collect();
            // The map shown is level 1's SSIM map (full resolution), averaged over channels.
            let map = if req.map.is_some() {
                let s0 = &first.levels[0];
                let params0 = params.ssim;
                let (mw, mh) =
                    ssim_std::map_size(&params0, s0.width, s0.height, false).map_err(err)?;
                let maps: Vec<&Vec<f32>> = r
                    .channels
                    .iter()
                    .filter_map(|c| c.levels[0].map.as_ref())
                    .collect();
                average_maps(mw, mh, &maps)
            } else {
                None
            };
            Ok(Outcome {
                value: r.msssim,
                channels: r.channels.iter().map(|c| c.msssim).collect(),
                scales: Some(scales),
                backend: first.backend,
                map,
            })
        }
    }
}

fn average_maps(w: usize, h: usize, maps: &[&Vec<f32>]) -> Option<Map> {
    let first = maps.first()?;
    if first.len() != w * h || maps.iter().any(|m| m.len() != first.len()) {
        return None;
    }
    let k = maps.len() as f32;
    let data = (0..first.len())
        .map(|i| maps.iter().map(|m| m[i]).sum::<f32>() / k)
        .collect();
    Some(Map::new(w, h, data))
}

/// Single-scale SSIM with the map: per channel (or of the luma), through the map API so the
/// value and the map come from one computation.
fn ssim_with_map<T: Sample>(
    req: &Request,
    params: &ssim_std::Params,
    a: &[T],
    b: &[T],
    img: &Image,
) -> Result<Outcome, String> {
    let (w, h, n) = (img.width, img.height, img.layout.samples());
    let err = |e: ssim_std::Error| e.to_string();
    // (coefficients, offset, divisor) as ssim_std::color defines them.
    let luma = match req.mode {
        ChannelMode::Luma601 => Some(([0.299, 0.587, 0.114], 0.0, 1.0)),
        ChannelMode::Luma709 => Some(([0.2126, 0.7152, 0.0722], 0.0, 1.0)),
        ChannelMode::Y => Some(([65.481, 128.553, 24.966], 16.0 * params.data_range, 255.0)),
        ChannelMode::Mean => None,
    };
    let sink = |w: usize, h: usize| match &req.map {
        Some(path) => crate::heatmap::MapSink::create(path, w, h).map_err(|e| e.to_string()),
        None => Err("no --map file".to_string()),
    };
    match luma {
        Some((c, offset, divisor)) if img.layout != Layout::Gray => {
            // As ssim_std::color computes luma: f64 from the stored samples, rounded once to f32.
            let to_luma = |d: &[T]| -> Vec<f32> {
                d.chunks_exact(n)
                    .map(|p| {
                        ((offset
                            + c[0] * p[0].to_f64()
                            + c[1] * p[1].to_f64()
                            + c[2] * p[2].to_f64())
                            / divisor) as f32
                    })
                    .collect()
            };
            let (ya, yb) = (to_luma(a), to_luma(b));
            let (xp, yp) = (
                Plane::new(&ya, w, h).map_err(err)?,
                Plane::new(&yb, w, h).map_err(err)?,
            );
            stream_map(req, params, &[(xp, yp)], sink)
        }
        _ => {
            let planes = (0..img.layout.colour_channels())
                .map(|c| Ok((plane(a, c, w, h, n)?, plane(b, c, w, h, n)?)))
                .collect::<Result<Vec<_>, String>>()?;
            stream_map(req, params, &planes, sink)
        }
    }
}

/// Single-scale SSIM of each plane pair with the map of their mean written as it is computed
/// (`SsimMapRows`, chunk by chunk: every pair's chunk, then their mean, as `average_maps`
/// forms it, into the sink), so the map costs memory for one chunk of rows per pair.
fn stream_map<T: Sample>(
    req: &Request,
    params: &ssim_std::Params,
    pairs: &[(Plane<'_, T>, Plane<'_, T>)],
    sink: impl FnOnce(usize, usize) -> Result<crate::heatmap::MapSink, String>,
) -> Result<Outcome, String> {
    let err = |e: ssim_std::Error| e.to_string();
    let mut streams = pairs
        .iter()
        .map(|(x, y)| SsimMapRows::new(params, x, y, &req.config))
        .collect::<Result<Vec<_>, _>>()
        .map_err(err)?;
    let (mw, mh) = streams.first().ok_or("no channels")?.map_size();
    let mut sink = sink(mw, mh)?;
    let k = streams.len() as f32;
    let mut avg: Vec<f32> = Vec::new();
    loop {
        let mut at = None;
        for (i, s) in streams.iter_mut().enumerate() {
            let Some((first, rows)) = s.next_rows().map_err(err)? else {
                break;
            };
            if i == 0 {
                avg.clear();
                // -0.0, the identity of f32 addition, as `Sum` starts (average_maps).
                avg.resize(rows.len(), -0.0);
            }
            if rows.len() != avg.len() || at.is_some_and(|a| a != first) {
                return Err("the channels' map rows do not line up".into());
            }
            for (m, v) in avg.iter_mut().zip(rows) {
                *m += v;
            }
            at = Some(first);
        }
        let Some(first) = at else { break };
        for m in &mut avg {
            *m /= k;
        }
        sink.rows(first, &avg).map_err(|e| e.to_string())?;
    }
    let mut channels = Vec::with_capacity(streams.len());
    let mut backend = None;
    for s in &streams {
        let r = s.result().ok_or("the map ended before its last row")?;
        channels.push(r.ssim);
        backend.get_or_insert(r.backend);
    }
    Ok(Outcome {
        value: mean(&channels),
        backend: backend.ok_or("no channels")?,
        map: sink.finish().map_err(|e| e.to_string())?,
        channels,
        scales: None,
    })
}

/// Channel `c` of an interleaved image with `n` samples per pixel.
fn plane<T: Sample>(
    d: &[T],
    c: usize,
    w: usize,
    h: usize,
    n: usize,
) -> Result<Plane<'_, T>, String> {
    let d = d.get(c..).ok_or("image has no samples")?;
    Plane::with_layout(d, w, h, w * n, n).map_err(|e| e.to_string())
}

/// `--preset ffmpeg` on an image: FFmpeg's `ssim` filter on every colour channel (equal areas,
/// so FFmpeg's `All` is their mean). The bit depth comes from the data range (`2^bits - 1`).
fn ffmpeg_image<T: Sample>(
    req: &Request,
    l: f64,
    a: &[T],
    b: &[T],
    img: &Image,
) -> Result<Outcome, String> {
    if req.map.is_some() || req.mode != ChannelMode::Mean {
        return Err(
            "--preset ffmpeg computes per channel without a map: expected no --map and \
                    --channels mean"
                .into(),
        );
    }
    let bits = ffmpeg_bits(l)?;
    let (w, h, n) = (img.width, img.height, img.layout.samples());
    let mut channels = Vec::new();
    for c in 0..img.layout.colour_channels() {
        let (xp, yp) = (plane(a, c, w, h, n)?, plane(b, c, w, h, n)?);
        channels.push(
            ssim_std::x264::ssim_with(&xp, &yp, bits, req.config.backend)
                .map_err(|e| e.to_string())?,
        );
    }
    Ok(Outcome {
        value: mean(&channels),
        channels,
        scales: None,
        backend: req.config.backend.unwrap_or_else(Backend::detect),
        map: None,
    })
}

/// The bit depth FFmpeg's constants use for samples of range `l`: `b` for `2^b - 1`,
/// 8..=16.
pub fn ffmpeg_bits(l: f64) -> Result<u32, String> {
    (8..=16u32)
        .find(|&b| ((1u32 << b) - 1) as f64 == l)
        .ok_or_else(|| {
            format!(
                "--preset ffmpeg needs integer samples with a data range of 2^bits - 1 \
                 (255, 1023, ..., 65535): got {l}"
            )
        })
}
