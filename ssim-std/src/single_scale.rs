//! Single-scale SSIM of two image channels: the mean ([`ssim`], [`ssim_with`]) and the maps
//! ([`ssim_map`], [`ssim_map_with`]).

use crate::parallel::{self, BlockMeans, Config, Job, LevelOut, PlanePair, RowSource};
use ssim_core::{Downsample, Params, Plane, Result, Sample, SsimResult};

/// Mean SSIM of two image channels, with the default [`Config`] (the fastest backend, or the
/// one `SSIM_BACKEND` names; bands on the current rayon pool).
///
/// ```
/// use ssim_std::{ssim, Params, Plane};
/// let (w, h) = (32, 24);
/// let x: Vec<u8> = (0..w * h).map(|i| (i * 7 % 256) as u8).collect();
/// let y: Vec<u8> = x.iter().map(|&v| v.saturating_add(10)).collect();
/// let p = Params::wang2004(255.0);
/// let same = ssim(&p, &Plane::new(&x, w, h)?, &Plane::new(&x, w, h)?)?;
/// assert_eq!(same.ssim, 1.0);
/// let r = ssim(&p, &Plane::new(&x, w, h)?, &Plane::new(&y, w, h)?)?;
/// assert!(r.ssim < 1.0 && r.ssim > 0.9, "{}", r.ssim);
/// assert_eq!(r.count, ((w - 10) * (h - 10)) as u64); // valid region of an 11-tap window
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn ssim<T: Sample>(params: &Params, x: &Plane<'_, T>, y: &Plane<'_, T>) -> Result<SsimResult> {
    ssim_with(params, x, y, &Config::default())
}

/// Mean SSIM of two image channels with an explicit [`Config`] (backend, threads). The value
/// is bitwise identical for any number of threads.
///
/// ```
/// use ssim_std::{ssim_with, Backend, Config, Params, Plane};
/// let (w, h) = (40, 64);
/// let x: Vec<f32> = (0..w * h).map(|i| (i % 13) as f32 / 13.0).collect();
/// let y: Vec<f32> = x.iter().map(|v| v * 0.9).collect();
/// let (xp, yp) = (Plane::new(&x, w, h)?, Plane::new(&y, w, h)?);
/// let p = Params::wang2004(1.0);
/// let one = Config { backend: Some(Backend::Scalar), threads: Some(1) };
/// let three = Config { threads: Some(3), ..one };
/// let r = ssim_with(&p, &xp, &yp, &one)?;
/// assert_eq!(r.backend, Backend::Scalar);
/// assert_eq!(r.ssim, ssim_with(&p, &xp, &yp, &three)?.ssim);
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn ssim_with<T: Sample>(
    params: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    config: &Config,
) -> Result<SsimResult> {
    Ok(single_scale(params, &PlanePair::new(x, y)?, config, false)?.result)
}

/// An SSIM map with its mean.
#[derive(Clone, Debug)]
pub struct SsimMap {
    /// The mean over the pooled region.
    pub result: SsimResult,
    /// Map width.
    pub width: usize,
    /// Map height.
    pub height: usize,
    /// SSIM per map pixel, row-major, top to bottom.
    pub ssim: Vec<f32>,
    /// cs per map pixel.
    pub cs: Vec<f32>,
}

/// SSIM and cs maps with the default [`Config`]. Their size follows the parameters: the
/// valid region for `Pooling::Valid` (or the full size with `map_padding`, as scikit-image),
/// the full size for `Pooling::Same`.
///
/// ```
/// use ssim_std::{ssim_map, Params, Plane};
/// let (w, h) = (30, 20);
/// let x: Vec<u8> = (0..w * h).map(|i| (i * 3 % 256) as u8).collect();
/// let y: Vec<u8> = x.iter().map(|&v| v / 2).collect();
/// let m = ssim_map(&Params::wang2004(255.0), &Plane::new(&x, w, h)?, &Plane::new(&y, w, h)?)?;
/// assert_eq!((m.width, m.height), (w - 10, h - 10));
/// assert_eq!(m.ssim.len(), m.width * m.height);
/// let mean = m.ssim.iter().map(|&v| v as f64).sum::<f64>() / m.ssim.len() as f64;
/// assert!((mean - m.result.ssim).abs() < 1e-6);
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn ssim_map<T: Sample>(params: &Params, x: &Plane<'_, T>, y: &Plane<'_, T>) -> Result<SsimMap> {
    ssim_map_with(params, x, y, &Config::default())
}

/// SSIM and cs maps (as [`ssim_map`]) with an explicit [`Config`].
///
/// ```
/// use ssim_std::{ssim_map_with, Config, Params, Plane};
/// let (w, h) = (16, 48);
/// let x: Vec<u16> = (0..w * h).map(|i| (i * 37 % 1024) as u16).collect();
/// let p = Params::wang2004(1023.0);
/// let config = Config { threads: Some(2), ..Config::default() };
/// let m = ssim_map_with(&p, &Plane::new(&x, w, h)?, &Plane::new(&x, w, h)?, &config)?;
/// assert!(m.ssim.iter().chain(&m.cs).all(|&v| v == 1.0));
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn ssim_map_with<T: Sample>(
    params: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    config: &Config,
) -> Result<SsimMap> {
    let o = single_scale(params, &PlanePair::new(x, y)?, config, true)?;
    Ok(SsimMap {
        result: o.result,
        width: o.map_width,
        height: o.map_height,
        ssim: o.ssim_map.unwrap_or_default(),
        cs: o.cs_map.unwrap_or_default(),
    })
}

/// Single-scale SSIM over a row source, on bands; `maps`: keep both maps, full size where
/// the parameters ask for a padded map.
pub(crate) fn single_scale<S: RowSource>(
    params: &Params,
    src: &S,
    config: &Config,
    maps: bool,
) -> Result<LevelOut> {
    if let Some(rule) = params.auto_downsample {
        let f = rule.factor(src.width(), src.height());
        let stage = Params {
            auto_downsample: None,
            ..*params
        };
        if f > 1 {
            return run(&stage, &BlockMeans::new(src, rule, f)?, config, maps);
        }
        return run(&stage, src, config, maps);
    }
    run(params, src, config, maps)
}

/// [`single_scale`] on parameters without a down-sampling stage.
fn run<S: RowSource>(params: &Params, src: &S, config: &Config, maps: bool) -> Result<LevelOut> {
    let job = Job {
        params: std::slice::from_ref(params),
        direct_taps: &[None],
        levels: 1,
        downsample: Downsample::Wang2003,
        map: maps,
        ssim_map: maps,
        cs_map: maps,
        config: *config,
    };
    let mut out = parallel::run(src, &job)?;
    Ok(out.remove(0))
}
