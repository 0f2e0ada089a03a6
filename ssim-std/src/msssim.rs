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
use ssim_core::{
    Backend, Downsample, Error, Padding, Params, Plane, Pooling, Result, Sample, Window,
};

/// Wang's five scale weights (`msssim.m`, TensorFlow, pytorch_msssim).
pub const WANG_WEIGHTS: [f64; 5] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];

/// Wang's weights as the PyTorch libraries hold them, in float32 (`torch.tensor(betas)`,
/// `torch.FloatTensor`), widened exactly: torchmetrics' and jorge-pessoa's values use these.
pub const WANG_WEIGHTS_F32: [f64; 5] = [
    0.0448f32 as f64,
    0.2856f32 as f64,
    0.3001f32 as f64,
    0.2363f32 as f64,
    0.1333f32 as f64,
];

/// The window of each level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LevelWindow {
    /// `ssim.window` at every level. The default.
    #[default]
    Fixed,
    /// jorge-pessoa/pytorch-msssim: at a level of `w x h`, a Gaussian window of
    /// `n = min(size, w, h)` taps with the same sigma, normalised over its taps (`size` the
    /// taps of `ssim.window`). Odd `n` is the centred Gaussian of radius `(n - 1) / 2`. Even
    /// `n` is centred at `n / 2` (offsets `-n/2 ..= n/2 - 1`, asymmetric): it is computed by
    /// a direct f64 pass over that (small: one side below `size`) level, outside the
    /// streaming kernels, since those are built on symmetric windows.
    ShrinkToLevel,
}

/// How the channels of a colour image are combined, with [`ChannelMode::Mean`](crate::ChannelMode).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ChannelPooling {
    /// MS-SSIM of each channel, then the mean of the values (TensorFlow, pytorch_msssim,
    /// piq). The default.
    #[default]
    PerImage,
    /// The per-level means (`cs_i`, `ssim_i`) averaged over the channels first, then one
    /// product (torchmetrics, jorge-pessoa: their means run over channels and pixels jointly).
    PerLevel,
}

/// The smallest image a reproduced library accepts (checked before anything else).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LibraryMinimum {
    /// Smallest side.
    pub side: usize,
    /// The library and its rule, for the error message.
    pub rule: &'static str,
}

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
    /// The pooling of the last level only (its SSIM is the one that enters the product);
    /// `None`: `ssim.pooling`. torchmetrics averages the whole mirror-padded map there
    /// (`Some(Pooling::Same(Padding::Mirror))`) and the valid region elsewhere.
    pub last_level_pooling: Option<Pooling>,
    /// The window of each level.
    pub level_window: LevelWindow,
    /// How colour channels are combined.
    pub channels: ChannelPooling,
    /// The reproduced library's smallest accepted image, if it has its own rule.
    pub minimum: Option<LibraryMinimum>,
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
            last_level_pooling: None,
            level_window: LevelWindow::Fixed,
            channels: ChannelPooling::PerImage,
            minimum: None,
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

    /// `torchmetrics.functional.multiscale_structural_similarity_index_measure(preds, target,
    /// data_range=L)` (torchmetrics 1.9, defaults, `normalize='relu'`): cs over the valid
    /// region at levels 1-4, SSIM over the whole mirror-padded map at level 5, `avg_pool2d(2)`
    /// (odd rows/columns dropped), relu, the float32 betas, channels averaged per level, both
    /// sides >= 176.
    ///
    /// torchmetrics also clamps the variances at 0; that only changes f64 rounding residue
    /// (a weighted variance with positive weights is >= 0), far below this engine's f32
    /// rounding, so it is not a separate rule here.
    ///
    /// ```
    /// use ssim_std::{Downsample, MsSsimParams, Padding, Pooling};
    /// let p = MsSsimParams::torchmetrics(1.0);
    /// assert_eq!(p.downsample, Downsample::Floor);
    /// assert_eq!(p.last_level_pooling, Some(Pooling::Same(Padding::Mirror)));
    /// ```
    pub fn torchmetrics(data_range: f64) -> Self {
        MsSsimParams {
            weights: WANG_WEIGHTS_F32.to_vec(),
            downsample: Downsample::Floor,
            last_level_pooling: Some(Pooling::Same(Padding::Mirror)),
            channels: ChannelPooling::PerLevel,
            minimum: Some(LibraryMinimum {
                side: 176,
                rule: "torchmetrics MS-SSIM (H // 16 > 10 and W // 16 > 10)",
            }),
            ..Self::wang2003(data_range)
        }
    }

    /// `piq.multi_scale_ssim(x, y, data_range=L)` (piq 0.8, defaults): a level with an odd
    /// side is replicate-padded by one row and column at the start before its 2x2 means
    /// ([`Downsample::PiqMsssim`]), relu, Wang's weights in f64, per-channel values averaged,
    /// both sides >= 161.
    ///
    /// ```
    /// use ssim_std::{Downsample, MsSsimParams};
    /// assert_eq!(MsSsimParams::piq(255.0).downsample, Downsample::PiqMsssim);
    /// ```
    pub fn piq(data_range: f64) -> Self {
        MsSsimParams {
            downsample: Downsample::PiqMsssim,
            minimum: Some(LibraryMinimum {
                side: 161,
                rule: "piq MS-SSIM ((kernel_size - 1) * 2^4 + 1 = 161)",
            }),
            ..Self::wang2003(data_range)
        }
    }

    /// `msssim(img1=dist, img2=ref, window_size=11, size_average=True, val_range=L,
    /// normalize=None)` of jorge-pessoa/pytorch-msssim (commit 0d6f2fc), the seed's MS-SSIM:
    /// windows of `min(11, H, W)` taps per level ([`LevelWindow::ShrinkToLevel`]),
    /// `avg_pool2d(2)` after every level (odd rows/columns dropped), Wang's weights in
    /// float32, channels averaged per level, and its product
    /// `prod_{i<5}(cs_i^w_i * ssim_5^w_5)`, in which `ssim_5` enters four times: the last
    /// weight is `4 * w_5`. Negative means give NaN ([`NegativeMeans::Nan`]); both sides >=
    /// 32 (its unused fifth pooling needs a 2x2 level).
    ///
    /// ```
    /// use ssim_std::{MsSsimParams, NegativeMeans, WANG_WEIGHTS_F32};
    /// let p = MsSsimParams::jorge_pessoa(255.0);
    /// assert_eq!(p.weights[4], 4.0 * WANG_WEIGHTS_F32[4]);
    /// assert_eq!(p.negative, NegativeMeans::Nan);
    /// ```
    pub fn jorge_pessoa(data_range: f64) -> Self {
        let mut weights = WANG_WEIGHTS_F32.to_vec();
        weights[4] *= 4.0;
        MsSsimParams {
            weights,
            downsample: Downsample::Floor,
            negative: NegativeMeans::Nan,
            level_window: LevelWindow::ShrinkToLevel,
            channels: ChannelPooling::PerLevel,
            minimum: Some(LibraryMinimum {
                side: 32,
                rule: "jorge-pessoa/pytorch-msssim (its fifth avg_pool2d needs a 2x2 level)",
            }),
            ..Self::wang2003(data_range)
        }
    }

    /// [`jorge_pessoa`](Self::jorge_pessoa) with `normalize="relu"`: negative means clamped
    /// at 0.
    ///
    /// ```
    /// use ssim_std::{MsSsimParams, NegativeMeans};
    /// assert_eq!(MsSsimParams::jorge_pessoa_relu(1.0).negative, NegativeMeans::Relu);
    /// ```
    pub fn jorge_pessoa_relu(data_range: f64) -> Self {
        MsSsimParams {
            negative: NegativeMeans::Relu,
            ..Self::jorge_pessoa(data_range)
        }
    }

    /// The parameters of every level of a `width x height` image with `levels` levels:
    /// `ssim`, with the last level's pooling and each level's window applied.
    ///
    /// ```
    /// use ssim_std::{MsSsimParams, Window};
    /// let p = MsSsimParams::jorge_pessoa(255.0);
    /// let per_level = p.level_params(64, 48, 5);
    /// // 64x48, 32x24, 16x12 keep 11 taps; 8x6 and 4x3 shrink to 6 and 3.
    /// assert_eq!(per_level[2].window.size(), 11);
    /// assert_eq!(per_level[4].window, Window::Gaussian { radius: 1, sigma: 1.5 });
    /// ```
    pub fn level_params(&self, width: usize, height: usize, levels: usize) -> Vec<Params> {
        let sizes = crate::parallel::level_sizes(width, height, levels, self.downsample);
        sizes
            .iter()
            .enumerate()
            .map(|(k, &(w, h))| {
                let mut p = self.ssim;
                if k + 1 == levels {
                    if let Some(pool) = self.last_level_pooling {
                        p.pooling = pool;
                    }
                }
                if let (LevelWindow::ShrinkToLevel, Window::Gaussian { sigma, .. }) =
                    (self.level_window, p.window)
                {
                    let n = p.window.size().min(w).min(h);
                    if n < p.window.size() {
                        // Even n: the radius of the window that holds it; the level is then
                        // computed by `even_window_level`, which reads `n` from here.
                        p.window = Window::Gaussian {
                            radius: n / 2,
                            sigma,
                        };
                    }
                }
                p
            })
            .collect()
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
        if self.ssim.auto_downsample.is_some() {
            return Err(Error::InvalidParameter {
                name: "ssim.auto_downsample",
                expected: "None for MS-SSIM (the pyramid is its own down-sampling)",
            });
        }
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
        let library = self.minimum.map_or(1, |m| m.side);
        if self.level_window == LevelWindow::ShrinkToLevel {
            // Windows shrink with the level; a level needs one pixel, and each level at
            // least halves the image.
            return library.max(1 << (levels.max(1) - 1));
        }
        let window = match self.ssim.pooling {
            // Every level needs one whole window: ceil(n / 2^(levels-1)) >= size.
            // floor(n / 2^(levels-1)) >= size.
            Pooling::Valid if self.downsample == Downsample::Floor => {
                self.ssim.window.size() << (levels.max(1) - 1)
            }
            Pooling::Valid => (self.ssim.window.size() - 1) * (1 << (levels.max(1) - 1)) + 1,
            Pooling::Same(_) => 1,
        };
        window.max(library)
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
    /// [`MsSsimParams::torchmetrics`].
    Torchmetrics,
    /// [`MsSsimParams::piq`].
    Piq,
    /// [`MsSsimParams::jorge_pessoa`].
    JorgePessoa,
    /// [`MsSsimParams::jorge_pessoa_relu`].
    JorgePessoaRelu,
}

impl MsSsimPreset {
    /// Every preset, default first.
    pub const ALL: [MsSsimPreset; 6] = [
        MsSsimPreset::Wang2003,
        MsSsimPreset::PytorchMsssim,
        MsSsimPreset::Torchmetrics,
        MsSsimPreset::Piq,
        MsSsimPreset::JorgePessoa,
        MsSsimPreset::JorgePessoaRelu,
    ];

    /// The name used by the CLI and the C API: `wang2003`, `pytorch-msssim`, `torchmetrics`,
    /// `piq`, `jorge-pessoa`, `jorge-pessoa-relu`.
    ///
    /// ```
    /// use ssim_std::MsSsimPreset;
    /// assert_eq!(MsSsimPreset::PytorchMsssim.name(), "pytorch-msssim");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            MsSsimPreset::Wang2003 => "wang2003",
            MsSsimPreset::PytorchMsssim => "pytorch-msssim",
            MsSsimPreset::Torchmetrics => "torchmetrics",
            MsSsimPreset::Piq => "piq",
            MsSsimPreset::JorgePessoa => "jorge-pessoa",
            MsSsimPreset::JorgePessoaRelu => "jorge-pessoa-relu",
        }
    }

    /// The library, version and call this preset reproduces (the versions the reference
    /// vectors were computed with).
    ///
    /// ```
    /// use ssim_std::MsSsimPreset;
    /// assert!(MsSsimPreset::Torchmetrics.reproduces().contains("torchmetrics 1.9.0"));
    /// ```
    pub fn reproduces(self) -> &'static str {
        match self {
            MsSsimPreset::Wang2003 => {
                "Wang's msssim.m (2003) / tf.image.ssim_multiscale (TensorFlow 2.21.0)"
            }
            MsSsimPreset::PytorchMsssim => "pytorch_msssim 1.0.0 ms_ssim (with a float64 window)",
            MsSsimPreset::Torchmetrics => {
                "torchmetrics 1.9.0 multiscale_structural_similarity_index_measure"
            }
            MsSsimPreset::Piq => "piq 0.8.0 multi_scale_ssim",
            MsSsimPreset::JorgePessoa => {
                "jorge-pessoa/pytorch-msssim 0d6f2fc msssim(normalize=None)"
            }
            MsSsimPreset::JorgePessoaRelu => {
                "jorge-pessoa/pytorch-msssim 0d6f2fc msssim(normalize=\"relu\")"
            }
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
            MsSsimPreset::Torchmetrics => MsSsimParams::torchmetrics(data_range),
            MsSsimPreset::Piq => MsSsimParams::piq(data_range),
            MsSsimPreset::JorgePessoa => MsSsimParams::jorge_pessoa(data_range),
            MsSsimPreset::JorgePessoaRelu => MsSsimParams::jorge_pessoa_relu(data_range),
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
    if let Some(m) = params.minimum {
        if w.min(h) < m.side {
            return Err(Error::BelowLibraryMinimum {
                width: w,
                height: h,
                min: m.side,
                rule: m.rule,
            });
        }
    }
    let levels = levels_for(params, w, h)?;
    let level_params = params.level_params(w, h, levels);
    let direct_taps = match params.level_window {
        LevelWindow::Fixed => vec![None; levels],
        LevelWindow::ShrinkToLevel => level_sizes(w, h, levels, params.downsample)
            .iter()
            .map(|&(lw, lh)| {
                let n = params.ssim.window.size().min(lw).min(lh);
                n.is_multiple_of(2).then_some(n)
            })
            .collect(),
    };
    let job = Job {
        params: &level_params,
        direct_taps: &direct_taps,
        levels,
        downsample: params.downsample,
        map: false,
        ssim_map: params.level_maps,
        cs_map: false,
        config: *config,
        rows: None,
    };
    let outs = parallel::run(src, &job)?;
    let means: Vec<(f64, f64)> = outs.iter().map(|o| (o.result.ssim, o.result.cs)).collect();
    let value = product(params, &means)?;
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

/// The MS-SSIM value of the per-level means `(ssim, cs)`, finest first: cs at every level
/// but the last, SSIM at the last, each through `params.negative` and raised to its weight.
pub(crate) fn product(params: &MsSsimParams, means: &[(f64, f64)]) -> Result<f64> {
    let levels = means.len();
    let weights = level_weights(&params.weights, levels);
    let mut value = 1.0f64;
    for (i, (&(ssim, cs), wt)) in means.iter().zip(&weights).enumerate() {
        let last = i + 1 == levels;
        let (term, mean) = if last { ("ssim", ssim) } else { ("cs", cs) };
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
    Ok(value)
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
