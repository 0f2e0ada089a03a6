//! The bridge between decoded images and the library: the one place that calls `ssim_std`.

use ssim_std::{
    msssim_image, ssim_image, Backend, Config, MsSsimPreset, PixelLayout, Plane, Preset, Sample,
};

use crate::cli::{ChannelMode, Metric};
use crate::input::{Image, Layout, Pixels};

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

    /// The preset's name as printed.
    pub fn name(self) -> &'static str {
        match self {
            PresetChoice::Ssim(p) => p.name(),
            PresetChoice::MsSsim(p) => p.name(),
            PresetChoice::Ffmpeg => "ffmpeg",
        }
    }
}

/// What to compute.
#[derive(Clone, Copy, Debug)]
pub struct Request {
    /// Metric and parameters.
    pub preset: PresetChoice,
    /// `L`.
    pub data_range: f64,
    /// Colour handling.
    pub mode: ChannelMode,
    /// Kernels and bands.
    pub config: Config,
    /// Also produce the SSIM map.
    pub map: bool,
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

/// An SSIM map (the mean over channels for colour images), row-major, top to bottom.
#[derive(Clone, Debug)]
pub struct Map {
    /// Map width.
    pub width: usize,
    /// Map height.
    pub height: usize,
    /// Values.
    pub data: Vec<f32>,
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

fn pixel_layout(l: Layout) -> PixelLayout {
    match l {
        Layout::Gray => PixelLayout::Gray,
        Layout::Rgb => PixelLayout::Rgb,
        Layout::Rgba => PixelLayout::Rgba,
    }
}

fn channel_mode(m: ChannelMode) -> ssim_std::ChannelMode {
    match m {
        ChannelMode::Mean => ssim_std::ChannelMode::Mean,
        ChannelMode::Luma601 => ssim_std::ChannelMode::Luma601,
        ChannelMode::Luma709 => ssim_std::ChannelMode::Luma709,
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
    match req.preset {
        PresetChoice::Ssim(p) => {
            let params = p.params(req.data_range);
            if req.map {
                return ssim_with_map(req, &params, a, b, img);
            }
            let r =
                ssim_image(&params, a, b, w, h, stride, layout, mode, &req.config).map_err(err)?;
            Ok(Outcome {
                value: r.ssim,
                channels: r.channels.iter().map(|c| c.ssim).collect(),
                scales: None,
                backend: r.channels.first().map_or(Backend::detect(), |c| c.backend),
                map: None,
            })
        }
        PresetChoice::Ffmpeg => ffmpeg_image(req, a, b, img),
        PresetChoice::MsSsim(p) => {
            let mut params = p.params(req.data_range);
            params.level_maps = req.map;
            let r = msssim_image(&params, a, b, w, h, stride, layout, mode, &req.config)
                .map_err(err)?;
            let first = r.channels.first().ok_or("no channels")?;
            let scales = (0..first.scales.len())
                .map(|k| {
                    let at = |f: fn(&ssim_std::Scale) -> f64| {
                        mean(
                            &r.channels
                                .iter()
                                .map(|c| f(&c.scales[k]))
                                .collect::<Vec<_>>(),
                        )
                    };
                    ScaleMean {
                        level: k + 1,
                        width: first.scales[k].width,
                        height: first.scales[k].height,
                        ssim: at(|s| s.ssim),
                        cs: at(|s| s.cs),
                    }
                })
                .collect();
            // The map shown is level 1's SSIM map (full resolution), averaged over channels.
            let map = if req.map {
                let s0 = &first.scales[0];
                let params0 = params.ssim;
                let (mw, mh) =
                    ssim_std::map_size(&params0, s0.width, s0.height, false).map_err(err)?;
                let maps: Vec<&Vec<f32>> = r
                    .channels
                    .iter()
                    .filter_map(|c| c.scales[0].map.as_ref())
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
    Some(Map {
        width: w,
        height: h,
        data,
    })
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
    let luma = match req.mode {
        ChannelMode::Luma601 => Some([0.299, 0.587, 0.114]),
        ChannelMode::Luma709 => Some([0.2126, 0.7152, 0.0722]),
        ChannelMode::Mean => None,
    };
    let mut results = Vec::new();
    match luma {
        Some(c) if img.layout != Layout::Gray => {
            // As ssim_std::color computes luma: f64 from the stored samples, rounded once to f32.
            let to_luma = |d: &[T]| -> Vec<f32> {
                d.chunks_exact(n)
                    .map(|p| {
                        (c[0] * p[0].to_f64() + c[1] * p[1].to_f64() + c[2] * p[2].to_f64()) as f32
                    })
                    .collect()
            };
            let (ya, yb) = (to_luma(a), to_luma(b));
            let (xp, yp) = (
                Plane::new(&ya, w, h).map_err(err)?,
                Plane::new(&yb, w, h).map_err(err)?,
            );
            results
                .push(ssim_std::ssim_map_with_config(params, &xp, &yp, &req.config).map_err(err)?);
        }
        _ => {
            for c in 0..img.layout.colour_channels() {
                let (xp, yp) = (plane(a, c, w, h, n)?, plane(b, c, w, h, n)?);
                results.push(
                    ssim_std::ssim_map_with_config(params, &xp, &yp, &req.config).map_err(err)?,
                );
            }
        }
    }
    let channels: Vec<f64> = results.iter().map(|m| m.result.ssim).collect();
    let first = results.first().ok_or("no channels")?;
    let maps: Vec<&Vec<f32>> = results.iter().map(|m| &m.ssim).collect();
    Ok(Outcome {
        value: mean(&channels),
        backend: first.result.backend,
        map: average_maps(first.width, first.height, &maps),
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
    a: &[T],
    b: &[T],
    img: &Image,
) -> Result<Outcome, String> {
    if req.map || req.mode != ChannelMode::Mean {
        return Err(
            "--preset ffmpeg computes per channel without a map: expected no --map and \
                    --channels mean"
                .into(),
        );
    }
    let bits = ffmpeg_bits(req.data_range)?;
    let (w, h, n) = (img.width, img.height, img.layout.samples());
    let mut channels = Vec::new();
    for c in 0..img.layout.colour_channels() {
        let (xp, yp) = (plane(a, c, w, h, n)?, plane(b, c, w, h, n)?);
        channels.push(ssim_std::x264::ssim(&xp, &yp, bits).map_err(|e| e.to_string())?);
    }
    Ok(Outcome {
        value: mean(&channels),
        channels,
        scales: None,
        backend: Backend::Scalar,
        map: None,
    })
}

/// The bit depth FFmpeg's constants use for samples of range `l`: 8 for 255, `b` for
/// `2^b - 1` up to 16.
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
