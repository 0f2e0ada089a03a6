//! MS-SSIM (Wang, Simoncelli & Bovik 2003) with named pyramid rules.
//!
//! ```text
//! MS-SSIM = prod_{i < L} f(cs_i)^w_i  *  f(ssim_L)^w_L
//! ```
//!
//! `cs_i` and `ssim_i` are the means of the single-scale maps (the `ssim` parameters, by
//! default `wang2004`: Gaussian 11 taps, valid region) of level `i` of a 2x2-mean pyramid, the
//! same data range `L` at every level. `f` is the handling of negative means
//! ([`NegativeMeans`]). Level `i + 1` is produced from level `i`'s rows as they stream (see
//! docs/ARCHITECTURE.md): level 1 is computed on the caller's samples, level 2 is downsampled
//! directly from them, and no level is stored whole. For u8 samples the pyramid is built
//! from exact integer sums; for u8 and u16 every level of a 5-level pyramid is exact in f32.
//!
//! Cost: levels 2-5 hold a third of the pixels of level 1, plus the 2x2 means; BENCHMARKS.md
//! has the measured ratio to single-scale SSIM.

use crate::parallel::{self, level_sizes, Config, Job, PlanePair, RowSource};
use ssim_core::{Backend, Downsample, Error, Params, Plane, Pooling, Result, Sample};

/// Wang's five scale weights (`msssim.m`, TensorFlow, pytorch_msssim).
pub const WANG_WEIGHTS: [f64; 5] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];

/// What to do with a negative per-level mean before it is raised to its weight.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum NegativeMeans {
    /// Clamp at 0 (`relu`), as TensorFlow and pytorch_msssim do. The default.
    #[default]
    Relu,
    /// Fail with [`Error::NegativeLevelMean`] naming the level and the value.
    Strict,
    /// Plain `powf`: a negative mean gives NaN, as Wang's MATLAB code does (MATLAB returns a
    /// complex number).
    Nan,
    /// Map every mean through `(x + 1) / 2` before the power (used by some PyTorch ports,
    /// `normalize=True`); changes every value, not only the negative ones.
    Normalize,
}

/// The parameters of MS-SSIM. Build one from a preset and override fields.
#[derive(Clone, Debug, PartialEq)]
pub struct MsSsimParams {
    /// The single-scale parameters used at every level (window, constants, data range,
    /// pooling).
    pub ssim: Params,
    /// One weight per level, finest first; their number is the number of levels.
    pub weights: Vec<f64>,
    /// The 2x2-mean rule between levels.
    pub downsample: Downsample,
    /// Handling of negative per-level means.
    pub negative: NegativeMeans,
    /// **Non-standard.** When the image is too small for `weights.len()` levels, use as many
    /// levels as fit (at least one), with the first weights renormalised to the sum of all of
    /// them. No reference implementation does this; values are not comparable across sizes.
    pub auto_levels: bool,
    /// Keep the SSIM map of every level in [`Level::map`].
    pub level_maps: bool,
}

impl MsSsimParams {
    /// Wang 2003 = `msssim.m` = `tf.image.ssim_multiscale`: Wang's weights, odd sizes padded by
    /// repeating the last row/column, negative means clamped at 0. The default.
    ///
    /// ```
    /// use ssim_std::{Downsample, MsSsimParams, WANG_WEIGHTS};
    /// let p = MsSsimParams::wang2003(255.0);
    /// assert_eq!(p.weights, WANG_WEIGHTS);
    /// assert_eq!(p.downsample, Downsample::Wang2003);
    /// assert_eq!(p.ssim.data_range, 255.0);
    /// ```
    pub fn wang2003(data_range: f64) -> Self {
        MsSsimParams {
            ssim: Params::wang2004(data_range),
            weights: WANG_WEIGHTS.to_vec(),
            downsample: Downsample::Wang2003,
            negative: NegativeMeans::Relu,
            auto_levels: false,
            level_maps: false,
        }
    }

    /// `pytorch_msssim.ms_ssim` (given a float64 window): as [`wang2003`](Self::wang2003) but
    /// odd sizes padded with one zero on each side (`avg_pool2d`, `count_include_pad`).
    ///
    /// ```
    /// use ssim_std::{Downsample, MsSsimParams};
    /// let p = MsSsimParams::pytorch_msssim(1.0);
    /// assert_eq!(p.downsample, Downsample::PytorchMsssim);
    /// assert_eq!(p.weights, MsSsimParams::wang2003(1.0).weights);
    /// ```
    pub fn pytorch_msssim(data_range: f64) -> Self {
        MsSsimParams {
            downsample: Downsample::PytorchMsssim,
            ..Self::wang2003(data_range)
        }
    }

    /// Checks the parameters (not the image size).
    ///
    /// ```
    /// use ssim_std::{Error, MsSsimParams};
    /// let mut p = MsSsimParams::wang2003(255.0);
    /// assert_eq!(p.validate(), Ok(()));
    /// p.weights = vec![];
    /// assert!(matches!(p.validate(), Err(Error::InvalidParameter { name: "weights", .. })));
    /// ```
    pub fn validate(&self) -> Result<()> {
        self.ssim.validate()?;
        if self.weights.is_empty() || self.weights.len() > MAX_LEVELS {
            return Err(Error::InvalidParameter {
                name: "weights",
                expected: "1 to 16 weights, one per level",
            });
        }
        if self.weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(Error::InvalidParameter {
                name: "weights",
                expected: "finite weights >= 0",
            });
        }
        Ok(())
    }

    /// Smallest shorter image side for `levels` levels under these parameters.
    ///
    /// ```
    /// use ssim_std::MsSsimParams;
    /// let p = MsSsimParams::wang2003(255.0);
    /// assert_eq!(p.min_size(1), 11);
    /// assert_eq!(p.min_size(5), 161); // 10 * 2^4 + 1
    /// ```
    pub fn min_size(&self, levels: usize) -> usize {
        match self.ssim.pooling {
            // Every level needs one whole window: ceil(n / 2^(levels-1)) >= size.
            Pooling::Valid => (self.ssim.window.size() - 1) * (1 << (levels.max(1) - 1)) + 1,
            Pooling::Same(_) => 1,
        }
    }
}

/// Most levels accepted (a 2^15 reduction is beyond any image).
const MAX_LEVELS: usize = 16;

/// Named bundles of [`MsSsimParams`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MsSsimPreset {
    /// [`MsSsimParams::wang2003`].
    #[default]
    Wang2003,
    /// [`MsSsimParams::pytorch_msssim`].
    PytorchMsssim,
}

impl MsSsimPreset {
    /// Every preset, default first.
    pub const ALL: [MsSsimPreset; 2] = [MsSsimPreset::Wang2003, MsSsimPreset::PytorchMsssim];

    /// The name used by the CLI and the C API: `wang2003`, `pytorch-msssim`.
    ///
    /// ```
    /// use ssim_std::MsSsimPreset;
    /// assert_eq!(MsSsimPreset::PytorchMsssim.name(), "pytorch-msssim");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            MsSsimPreset::Wang2003 => "wang2003",
            MsSsimPreset::PytorchMsssim => "pytorch-msssim",
        }
    }

    /// Parses a name; case-insensitive, `_` and `-` are interchangeable.
    ///
    /// ```
    /// use ssim_std::MsSsimPreset;
    /// assert_eq!(MsSsimPreset::from_name("PyTorch_MSSSIM"), Some(MsSsimPreset::PytorchMsssim));
    /// assert_eq!(MsSsimPreset::from_name("wang2004"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<MsSsimPreset> {
        let norm = name.to_ascii_lowercase().replace('_', "-");
        Self::ALL.into_iter().find(|p| p.name() == norm)
    }

    /// The parameters of this preset for samples of range `data_range`.
    ///
    /// ```
    /// use ssim_std::{MsSsimParams, MsSsimPreset};
    /// assert_eq!(MsSsimPreset::Wang2003.params(255.0), MsSsimParams::wang2003(255.0));
    /// ```
    pub fn params(self, data_range: f64) -> MsSsimParams {
        match self {
            MsSsimPreset::Wang2003 => MsSsimParams::wang2003(data_range),
            MsSsimPreset::PytorchMsssim => MsSsimParams::pytorch_msssim(data_range),
        }
    }
}

/// One level of the pyramid.
#[derive(Clone, Debug, PartialEq)]
pub struct Level {
    /// Image width at this level.
    pub width: usize,
    /// Image height at this level.
    pub height: usize,
    /// Mean SSIM at this level.
    pub ssim: f64,
    /// Mean cs at this level.
    pub cs: f64,
    /// The SSIM map of this level (its valid region for `Pooling::Valid`, row-major), when
    /// [`MsSsimParams::level_maps`] is set.
    pub map: Option<Vec<f32>>,
}

/// The outcome of an MS-SSIM computation.
#[derive(Clone, Debug, PartialEq)]
pub struct MsSsimResult {
    /// The MS-SSIM index.
    pub msssim: f64,
    /// Every level used, finest first.
    pub levels: Vec<Level>,
    /// The backend that computed it.
    pub backend: Backend,
}

/// MS-SSIM of two image channels with the default [`Config`].
///
/// ```
/// use ssim_std::{msssim, MsSsimParams, Plane};
/// let (w, h) = (200, 170);
/// let x: Vec<u8> = (0..w * h).map(|i| ((i * 31) % 251) as u8).collect();
/// let y: Vec<u8> = x.iter().map(|&v| v.saturating_add(6)).collect();
/// let r = msssim(&MsSsimParams::wang2003(255.0), &Plane::new(&x, w, h)?, &Plane::new(&y, w, h)?)?;
/// assert_eq!(r.levels.len(), 5);
/// assert!(r.msssim > 0.9 && r.msssim <= 1.0);
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn msssim<T: Sample>(
    params: &MsSsimParams,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
) -> Result<MsSsimResult> {
    msssim_with(params, x, y, &Config::default())
}

/// MS-SSIM with an explicit [`Config`] (backend, threads). The value is bitwise identical
/// for any number of threads.
///
/// ```
/// use ssim_std::{msssim_with, Config, MsSsimParams, Plane};
/// let (w, h) = (190, 200);
/// let x: Vec<u16> = (0..w * h).map(|i| (i * 17 % 4096) as u16).collect();
/// let y: Vec<u16> = x.iter().map(|&v| v / 2 + 100).collect();
/// let (xp, yp) = (Plane::new(&x, w, h)?, Plane::new(&y, w, h)?);
/// let p = MsSsimParams::pytorch_msssim(4095.0);
/// let one = msssim_with(&p, &xp, &yp, &Config { threads: Some(1), ..Config::default() })?;
/// let four = msssim_with(&p, &xp, &yp, &Config { threads: Some(4), ..Config::default() })?;
/// assert_eq!(one.msssim, four.msssim);
/// assert_eq!(one.levels[4].width, 12); // 190 -> 95 -> 48 -> 24 -> 12
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn msssim_with<T: Sample>(
    params: &MsSsimParams,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    config: &Config,
) -> Result<MsSsimResult> {
    msssim_source(params, &PlanePair::new(x, y)?, config)
}

/// Levels to use for an image of `width x height`.
fn levels_for(params: &MsSsimParams, width: usize, height: usize) -> Result<usize> {
    let wanted = params.weights.len();
    let short = width.min(height);
    if short >= params.min_size(wanted) {
        return Ok(wanted);
    }
    let fit = (1..wanted).rev().find(|&l| short >= params.min_size(l));
    match fit {
        Some(l) if params.auto_levels => Ok(l),
        _ => Err(Error::TooSmallForLevels {
            width,
            height,
            levels: wanted,
            window: params.ssim.window.size(),
            min: params.min_size(wanted),
        }),
    }
}

pub(crate) fn msssim_source<S: RowSource>(
    params: &MsSsimParams,
    src: &S,
    config: &Config,
) -> Result<MsSsimResult> {
    params.validate()?;
    let (w, h) = (src.width(), src.height());
    if w == 0 || h == 0 {
        return Err(Error::ZeroDimension {
            width: w,
            height: h,
        });
    }
    let levels = levels_for(params, w, h)?;
    debug_assert_eq!(level_sizes(w, h, levels).len(), levels);
    let job = Job {
        params: &params.ssim,
        levels,
        downsample: params.downsample,
        map: false,
        ssim_map: params.level_maps,
        cs_map: false,
        config: *config,
        rows: None,
    };
    let outs = parallel::run(src, &job)?;
    let weights = level_weights(&params.weights, levels);
    let mut value = 1.0f64;
    for (i, (o, wt)) in outs.iter().zip(&weights).enumerate() {
        let last = i + 1 == levels;
        let (term, mean) = if last {
            ("ssim", o.result.ssim)
        } else {
            ("cs", o.result.cs)
        };
        let base = match params.negative {
            NegativeMeans::Relu => mean.max(0.0),
            NegativeMeans::Nan => mean,
            NegativeMeans::Normalize => (mean + 1.0) / 2.0,
            NegativeMeans::Strict if mean >= 0.0 => mean,
            NegativeMeans::Strict => {
                return Err(Error::NegativeLevelMean {
                    level: i + 1,
                    term,
                    value: mean,
                })
            }
        };
        value *= base.powf(*wt);
    }
    let backend = outs[0].result.backend;
    Ok(MsSsimResult {
        msssim: value,
        levels: outs
            .into_iter()
            .map(|o| Level {
                width: o.width,
                height: o.height,
                ssim: o.result.ssim,
                cs: o.result.cs,
                map: o.ssim_map,
            })
            .collect(),
        backend,
    })
}

/// The weights of the first `levels` levels; fewer than given (auto levels) are renormalised
/// to the sum of all of them.
pub(crate) fn level_weights(all: &[f64], levels: usize) -> Vec<f64> {
    if levels == all.len() {
        return all.to_vec();
    }
    let used: f64 = all[..levels].iter().sum();
    let total: f64 = all.iter().sum();
    all[..levels]
        .iter()
        .map(|w| if used > 0.0 { w * total / used } else { *w })
        .collect()
}
