//! Parameters and named presets: every choice that changes the number is a field here.

use crate::error::{Error, Result};

/// Largest window radius (taps per side = `2 * radius + 1`); bounds the fixed weight tables
/// that a no-heap engine keeps inline.
pub const MAX_RADIUS: usize = 63;

/// The local window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Window {
    /// Separable Gaussian `exp(-k^2 / (2 sigma^2))` for `k = -radius..=radius`, normalised to
    /// sum 1 in f64. Wang et al. 2004 and MATLAB use radius 5, sigma 1.5 (11 taps).
    Gaussian {
        /// Taps on each side of the centre (`1..=MAX_RADIUS`); window size is `2 * radius + 1`.
        radius: usize,
        /// Standard deviation in pixels; finite and > 0.
        sigma: f64,
    },
    /// Uniform `size x size` window, every weight `1 / size^2` (scikit-image's default is 7).
    Box {
        /// Odd window size, `3..=2 * MAX_RADIUS + 1`.
        size: usize,
    },
}

impl Window {
    /// The Gaussian window scikit-image builds for `sigma` (truncate = 3.5:
    /// `radius = int(3.5 * sigma + 0.5)`), which is also MATLAB's for sigma 1.5.
    ///
    /// ```
    /// use ssim_core::Window;
    /// assert_eq!(Window::gaussian_skimage(1.5), Window::Gaussian { radius: 5, sigma: 1.5 });
    /// ```
    pub fn gaussian_skimage(sigma: f64) -> Window {
        let radius = if sigma.is_finite() && sigma > 0.0 {
            (3.5 * sigma + 0.5) as usize
        } else {
            0
        };
        Window::Gaussian { radius, sigma }
    }

    /// Taps on each side of the centre.
    ///
    /// ```
    /// use ssim_core::Window;
    /// assert_eq!(Window::Box { size: 7 }.radius(), 3);
    /// ```
    pub fn radius(&self) -> usize {
        match *self {
            Window::Gaussian { radius, .. } => radius,
            Window::Box { size } => size / 2,
        }
    }

    /// Taps per side (`2 * radius + 1`; saturates at `usize::MAX` for an absurd radius,
    /// which [`Params::validate`] then rejects, so sizing never overflows before validation).
    ///
    /// ```
    /// use ssim_core::Window;
    /// assert_eq!(Window::Gaussian { radius: 5, sigma: 1.5 }.size(), 11);
    /// ```
    pub fn size(&self) -> usize {
        self.radius().saturating_mul(2).saturating_add(1)
    }
}

/// How variance and covariance are normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Covariance {
    /// Weighted population moments (Wang et al. 2004, MATLAB, TensorFlow, pytorch_msssim).
    Population,
    /// Multiplied by `N / (N - 1)`, `N` the number of taps of the 2-D window (scikit-image's
    /// default `use_sample_covariance=True`: 49/48 for 7x7, 121/120 for 11x11).
    Sample,
}

/// How pixels outside the image are made up when a window overhangs the border.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    /// The edge pixel repeats: `a a a | a b c d | d d d` (MATLAB, scipy `nearest`,
    /// OpenCV `BORDER_REPLICATE`).
    Replicate,
    /// Half-sample symmetric: `c b a | a b c d | d c b` (scipy `reflect`, MATLAB `symmetric`;
    /// scikit-image's map borders).
    Reflect,
    /// Whole-sample symmetric: `d c b | a b c d | c b a` (scipy `mirror`, numpy `reflect`).
    Mirror,
}

impl Padding {
    /// Maps a possibly out-of-range index to `0..n` (`n >= 1`). Repeats the rule as often as
    /// needed, so windows larger than the image are handled the way scipy handles them.
    ///
    /// ```
    /// use ssim_core::Padding;
    /// // `c b a | a b c d | d c b` and `d c b | a b c d | c b a` for n = 4.
    /// assert_eq!(Padding::Reflect.map_index(-1, 4), 0);
    /// assert_eq!(Padding::Mirror.map_index(-1, 4), 1);
    /// assert_eq!(Padding::Replicate.map_index(6, 4), 3);
    /// ```
    pub fn map_index(self, i: isize, n: usize) -> usize {
        let n = n as isize;
        if (0..n).contains(&i) {
            return i as usize;
        }
        let m = match self {
            Padding::Replicate => i.clamp(0, n - 1),
            Padding::Reflect => {
                let period = 2 * n;
                let j = i.rem_euclid(period);
                if j < n {
                    j
                } else {
                    period - 1 - j
                }
            }
            Padding::Mirror => {
                if n == 1 {
                    0
                } else {
                    let period = 2 * n - 2;
                    let j = i.rem_euclid(period);
                    if j < n {
                        j
                    } else {
                        period - j
                    }
                }
            }
        };
        m as usize
    }
}

/// Which window positions the reported mean averages, and so the size of the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pooling {
    /// Only positions whose whole window lies inside the image: an
    /// `(H - 2r) x (W - 2r)` map (Wang et al., scikit-image, TensorFlow, pytorch_msssim).
    Valid,
    /// Every pixel, the window filled out with this padding: an `H x W` map (MATLAB).
    Same(Padding),
}

/// A down-sampling stage before the SSIM whose factor `f` depends on the image size
/// (`min(H, W) / 256` rounded, at least 1): block means of `f x f` pixels, then the SSIM of
/// the smaller images. The two libraries that do this differ in rounding, block placement
/// and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AutoDownsample {
    /// `piq.ssim(downsample=True)`: `f = max(1, round(min(H, W) / 256))` with Python's
    /// `round` (halves to even: 640 -> 2, 1152 -> 4), `avg_pool2d(f)`: means of the blocks
    /// `[f i, f i + f - 1]`, trailing rows/columns that do not fill a block dropped
    /// (`floor(n / f)` samples).
    Piq,
    /// Zhou Wang's `ssim.m` (2009): `f = max(1, round(min(M, N) / 256))` with MATLAB's
    /// `round` (halves away from zero: 640 -> 3), `imfilter(img, ones(f)/f^2, 'symmetric',
    /// 'same')` then `img(1:f:end, 1:f:end)`: output `m` is the mean of samples
    /// `f m - (c - 1) ..= f m + f - c` with `c = floor((f + 1) / 2)`, out-of-range indices
    /// mirrored half-sample (`x[-1] = x[0]`), `ceil(n / f)` samples.
    Wang2009,
}

impl AutoDownsample {
    /// The factor `f` for an image of `width x height`.
    ///
    /// ```
    /// use ssim_core::AutoDownsample;
    /// assert_eq!(AutoDownsample::Piq.factor(1000, 383), 1);
    /// assert_eq!(AutoDownsample::Piq.factor(1000, 640), 2); // 2.5 rounds to even
    /// assert_eq!(AutoDownsample::Wang2009.factor(1000, 640), 3); // 2.5 rounds up
    /// ```
    pub fn factor(self, width: usize, height: usize) -> usize {
        let n = width.min(height);
        let (q, r) = (n / 256, n % 256);
        let up = match self {
            AutoDownsample::Piq => r > 128 || (r == 128 && q % 2 == 1),
            AutoDownsample::Wang2009 => r >= 128,
        };
        (q + up as usize).max(1)
    }

    /// Samples after the stage along an axis of `n` with factor `f`.
    ///
    /// ```
    /// use ssim_core::AutoDownsample;
    /// assert_eq!(AutoDownsample::Piq.output_len(1001, 2), 500);
    /// assert_eq!(AutoDownsample::Wang2009.output_len(1001, 2), 501);
    /// ```
    pub fn output_len(self, n: usize, f: usize) -> usize {
        match self {
            AutoDownsample::Piq => n / f.max(1),
            AutoDownsample::Wang2009 => n.div_ceil(f.max(1)),
        }
    }

    /// The first source index of output sample `m` with factor `f` (before mirroring; the
    /// block is `f` samples from there). With `Padding::Reflect.map_index` this gives
    /// every sample of the block.
    ///
    /// ```
    /// use ssim_core::AutoDownsample;
    /// assert_eq!(AutoDownsample::Piq.block_start(2, 3), 6);
    /// assert_eq!(AutoDownsample::Wang2009.block_start(2, 3), 5); // [3m - 1, 3m + 1]
    /// assert_eq!(AutoDownsample::Wang2009.block_start(0, 4), -1); // [4m - 1, 4m + 2]
    /// ```
    pub fn block_start(self, m: usize, f: usize) -> isize {
        let start = (m * f) as isize;
        match self {
            AutoDownsample::Piq => start,
            AutoDownsample::Wang2009 => start - ((f as isize + 1) / 2 - 1),
        }
    }
}

/// All the choices that change the SSIM value. Build one from a preset and override fields.
///
/// ```
/// use ssim_core::{Params, Covariance};
/// let mut p = Params::wang2004(255.0);
/// p.covariance = Covariance::Sample;
/// assert!(p.validate().is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Params {
    /// The local window.
    pub window: Window,
    /// `C1 = (k1 * data_range)^2`; finite and > 0 (0.01 everywhere in the literature).
    pub k1: f64,
    /// `C2 = (k2 * data_range)^2`; finite and > 0 (0.03 everywhere in the literature).
    pub k2: f64,
    /// `L`, the dynamic range of the samples (255 for 8-bit, 1.0 for [0, 1] floats). Always
    /// explicit: derive it from the bit depth with [`data_range_for_bits`], never from pixels.
    pub data_range: f64,
    /// Population or sample (co)variance.
    pub covariance: Covariance,
    /// The region the mean is taken over (and the map size).
    pub pooling: Pooling,
    /// With [`Pooling::Valid`], a full-size map can still be produced; its border pixels use
    /// this padding (scikit-image returns an H x W map with `reflect` borders but averages only
    /// the valid part).
    /// `None`: maps are the valid region only.
    pub map_padding: Option<Padding>,
    /// A size-dependent block-mean stage before the SSIM (piq, Wang's 2009 `ssim.m`);
    /// `None` everywhere but those presets. The stage runs in ssim-std (its row sources);
    /// ssim-core's engine computes on the samples it is given and refuses a factor above 1
    /// (see [`Params::validate_size`]).
    pub auto_downsample: Option<AutoDownsample>,
}

/// `2^bits - 1`, the data range of unsigned integer samples of that bit depth (1..=32).
///
/// ```
/// use ssim_core::data_range_for_bits;
/// assert_eq!(data_range_for_bits(10)?, 1023.0);
/// assert!(data_range_for_bits(0).is_err());
/// # Ok::<(), ssim_core::Error>(())
/// ```
pub fn data_range_for_bits(bits: u32) -> Result<f64> {
    if !(1..=32).contains(&bits) {
        return Err(Error::InvalidParameter {
            name: "bits",
            expected: "a bit depth from 1 to 32",
        });
    }
    Ok(((1u64 << bits) - 1) as f64)
}

/// Named bundles of [`Params`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// [`Params::wang2004`].
    Wang2004,
    /// [`Params::scikit_image`].
    ScikitImage,
    /// [`Params::scikit_image_gaussian`].
    ScikitImageGaussian,
    /// [`Params::matlab`].
    Matlab,
    /// [`Params::torchmetrics`].
    Torchmetrics,
    /// [`Params::piq`].
    Piq,
    /// [`Params::wang2009`].
    Wang2009,
}

impl Preset {
    /// Every preset, default first.
    pub const ALL: [Preset; 7] = [
        Preset::Wang2004,
        Preset::ScikitImage,
        Preset::ScikitImageGaussian,
        Preset::Matlab,
        Preset::Torchmetrics,
        Preset::Piq,
        Preset::Wang2009,
    ];

    /// The name used by the CLI and the C API (`wang2004`, `scikit-image`,
    /// `scikit-image-gaussian`, `matlab`, `torchmetrics`, `piq`, `wang2009`).
    ///
    /// ```
    /// use ssim_core::Preset;
    /// assert_eq!(Preset::ScikitImage.name(), "scikit-image");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Preset::Wang2004 => "wang2004",
            Preset::ScikitImage => "scikit-image",
            Preset::ScikitImageGaussian => "scikit-image-gaussian",
            Preset::Matlab => "matlab",
            Preset::Torchmetrics => "torchmetrics",
            Preset::Piq => "piq",
            Preset::Wang2009 => "wang2009",
        }
    }

    /// The library, version and call this preset reproduces (the versions the reference
    /// vectors were computed with).
    ///
    /// ```
    /// use ssim_core::Preset;
    /// assert!(Preset::Piq.reproduces().starts_with("piq 0.8.0"));
    /// ```
    pub fn reproduces(self) -> &'static str {
        match self {
            Preset::Wang2004 => {
                "scikit-image 0.26.0 structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)"
            }
            Preset::ScikitImage => "scikit-image 0.26.0 structural_similarity (defaults)",
            Preset::ScikitImageGaussian => {
                "scikit-image 0.26.0 structural_similarity(gaussian_weights=True, sigma=1.5)"
            }
            Preset::Matlab => "MATLAB Image Processing Toolbox ssim (defaults)",
            Preset::Torchmetrics => "torchmetrics 1.9.0 structural_similarity_index_measure",
            Preset::Piq => "piq 0.8.0 ssim(downsample=True)",
            Preset::Wang2009 => {
                "Zhou Wang's ssim.m (2009, SSIM Index with automatic downsampling, Version 1.0)"
            }
        }
    }

    /// The smallest side the reproduced library accepts (below it the library raises an
    /// error or returns -Inf), with its rule, or `None` when it has no rule of its own
    /// beyond the window.
    ///
    /// ```
    /// use ssim_core::Preset;
    /// assert_eq!(Preset::Torchmetrics.library_minimum().map(|m| m.0), Some(6));
    /// assert_eq!(Preset::Wang2004.library_minimum(), None);
    /// ```
    pub fn library_minimum(self) -> Option<(usize, &'static str)> {
        match self {
            Preset::Torchmetrics => Some((
                6,
                "torchmetrics SSIM (its reflect padding of 5 needs sides > 5)",
            )),
            Preset::Wang2009 => Some((11, "Wang's ssim.m (returns -Inf below 11)")),
            Preset::Piq => Some((11, "piq SSIM (sides after its down-sampling >= 11)")),
            _ => None,
        }
    }

    /// Parses a name; `_` and `-` are interchangeable.
    ///
    /// ```
    /// use ssim_core::Preset;
    /// assert_eq!(Preset::from_name("matlab"), Some(Preset::Matlab));
    /// assert_eq!(Preset::from_name("ffmpeg"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| {
            let a = p.name().as_bytes();
            let b = name.as_bytes();
            a.len() == b.len()
                && a.iter().zip(b).all(|(&x, &y)| {
                    let y = if y == b'_' { b'-' } else { y };
                    x == y.to_ascii_lowercase()
                })
        })
    }

    /// The parameters of this preset for samples of range `data_range`.
    ///
    /// ```
    /// use ssim_core::{Params, Preset};
    /// assert_eq!(Preset::Wang2004.params(255.0), Params::wang2004(255.0));
    /// ```
    pub fn params(self, data_range: f64) -> Params {
        match self {
            Preset::Wang2004 => Params::wang2004(data_range),
            Preset::ScikitImage => Params::scikit_image(data_range),
            Preset::ScikitImageGaussian => Params::scikit_image_gaussian(data_range),
            Preset::Matlab => Params::matlab(data_range),
            Preset::Torchmetrics => Params::torchmetrics(data_range),
            Preset::Piq => Params::piq(data_range),
            Preset::Wang2009 => Params::wang2009(data_range),
        }
    }
}

impl Params {
    /// Wang, Bovik, Sheikh & Simoncelli 2004: Gaussian 11 taps, sigma 1.5, population moments,
    /// mean over the valid region. Reproduces
    /// `skimage.metrics.structural_similarity(x, y, gaussian_weights=True, sigma=1.5,
    /// use_sample_covariance=False, data_range=L)`, `tf.image.ssim` and `pytorch_msssim.ssim`
    /// (given a float64 window). The default.
    ///
    /// ```
    /// use ssim_core::{Params, Pooling, Window};
    /// let p = Params::wang2004(255.0);
    /// assert_eq!(p.window, Window::Gaussian { radius: 5, sigma: 1.5 });
    /// assert_eq!(p.pooling, Pooling::Valid);
    /// ```
    pub fn wang2004(data_range: f64) -> Params {
        Params {
            window: Window::Gaussian {
                radius: 5,
                sigma: 1.5,
            },
            k1: 0.01,
            k2: 0.03,
            data_range,
            covariance: Covariance::Population,
            pooling: Pooling::Valid,
            map_padding: None,
            auto_downsample: None,
        }
    }

    /// scikit-image's defaults, `structural_similarity(x, y, data_range=L)`: 7x7 box,
    /// sample covariance (49/48), mean over the valid region; its full-size map has `reflect`
    /// borders.
    ///
    /// ```
    /// use ssim_core::{Params, Window};
    /// assert_eq!(Params::scikit_image(1.0).window, Window::Box { size: 7 });
    /// ```
    pub fn scikit_image(data_range: f64) -> Params {
        Params {
            window: Window::Box { size: 7 },
            covariance: Covariance::Sample,
            map_padding: Some(Padding::Reflect),
            ..Params::wang2004(data_range)
        }
    }

    /// scikit-image with `gaussian_weights=True, sigma=1.5` and its default sample covariance
    /// (121/120): `structural_similarity(x, y, gaussian_weights=True, sigma=1.5, data_range=L)`.
    ///
    /// ```
    /// use ssim_core::{Covariance, Params};
    /// assert_eq!(Params::scikit_image_gaussian(1.0).covariance, Covariance::Sample);
    /// ```
    pub fn scikit_image_gaussian(data_range: f64) -> Params {
        Params {
            covariance: Covariance::Sample,
            map_padding: Some(Padding::Reflect),
            ..Params::wang2004(data_range)
        }
    }

    /// MATLAB Image Processing Toolbox `ssim(A, ref)` with default options: Gaussian 11/1.5,
    /// replicate padding, same-size map, mean of the whole map. Works on any image size.
    ///
    /// ```
    /// use ssim_core::{Padding, Params, Pooling};
    /// assert_eq!(Params::matlab(255.0).pooling, Pooling::Same(Padding::Replicate));
    /// ```
    pub fn matlab(data_range: f64) -> Params {
        Params {
            pooling: Pooling::Same(Padding::Replicate),
            ..Params::wang2004(data_range)
        }
    }

    /// `torchmetrics.functional.structural_similarity_index_measure(preds, target,
    /// data_range=L)` (torchmetrics >= 1.5, defaults): Gaussian 11/1.5, both images mirror
    /// padded by 5 (`F.pad(mode='reflect')`, the edge sample not repeated), the mean of the
    /// whole `H x W` map.
    ///
    /// torchmetrics also clamps the variances at 0; a weighted variance with positive
    /// weights is >= 0, so the clamp only acts on f64 rounding residue, far below this
    /// engine's f32 rounding: it is not a separate field. torchmetrics refuses sides below 6
    /// ([`Preset::library_minimum`]).
    ///
    /// ```
    /// use ssim_core::{Padding, Params, Pooling};
    /// assert_eq!(Params::torchmetrics(1.0).pooling, Pooling::Same(Padding::Mirror));
    /// ```
    pub fn torchmetrics(data_range: f64) -> Params {
        Params {
            pooling: Pooling::Same(Padding::Mirror),
            ..Params::wang2004(data_range)
        }
    }

    /// `piq.ssim(x, y, data_range=L)` (piq 0.8, `downsample=True`): the
    /// [`AutoDownsample::Piq`] stage, then [`wang2004`](Self::wang2004) on the smaller
    /// images.
    ///
    /// ```
    /// use ssim_core::{AutoDownsample, Params};
    /// assert_eq!(Params::piq(255.0).auto_downsample, Some(AutoDownsample::Piq));
    /// ```
    pub fn piq(data_range: f64) -> Params {
        Params {
            auto_downsample: Some(AutoDownsample::Piq),
            ..Params::wang2004(data_range)
        }
    }

    /// Zhou Wang's `ssim.m` of 2009 ("SSIM Index with automatic downsampling"), called as
    /// `ssim(ref, dist, [0.01 0.03], fspecial('gaussian', 11, 1.5), L)`: the
    /// [`AutoDownsample::Wang2009`] stage, then [`wang2004`](Self::wang2004) (`filter2`
    /// 'valid', `mean2`). What "the official MATLAB code" means in most papers.
    ///
    /// ```
    /// use ssim_core::{AutoDownsample, Params};
    /// assert_eq!(Params::wang2009(255.0).auto_downsample, Some(AutoDownsample::Wang2009));
    /// ```
    pub fn wang2009(data_range: f64) -> Params {
        Params {
            auto_downsample: Some(AutoDownsample::Wang2009),
            ..Params::wang2004(data_range)
        }
    }

    /// Checks that the ssim-core engine can compute an image of `width x height` with these
    /// parameters as they stand: an [`auto_downsample`](Self::auto_downsample) factor above
    /// 1 needs the down-sampling stage of ssim-std (`ssim_std::ssim`), which the engine
    /// does not run.
    ///
    /// ```
    /// use ssim_core::Params;
    /// assert!(Params::piq(255.0).validate_size(500, 300).is_ok());
    /// assert!(Params::piq(255.0).validate_size(1000, 700).is_err());
    /// ```
    pub fn validate_size(&self, width: usize, height: usize) -> Result<()> {
        match self.auto_downsample {
            Some(a) if a.factor(width, height) > 1 => Err(Error::InvalidParameter {
                name: "auto_downsample",
                expected: "a factor of 1 (shorter side below 384) in the ssim-core engine; \
                           ssim-std runs the down-sampling stage (ssim_std::ssim)",
            }),
            _ => Ok(()),
        }
    }

    /// `C1 = (k1 L)^2`.
    ///
    /// ```
    /// use ssim_core::Params;
    /// assert!((Params::wang2004(255.0).c1() - 6.5025).abs() < 1e-12);
    /// ```
    pub fn c1(&self) -> f64 {
        let c = self.k1 * self.data_range;
        c * c
    }

    /// `C2 = (k2 L)^2`.
    ///
    /// ```
    /// use ssim_core::Params;
    /// assert!((Params::wang2004(255.0).c2() - 58.5225).abs() < 1e-12);
    /// ```
    pub fn c2(&self) -> f64 {
        let c = self.k2 * self.data_range;
        c * c
    }

    /// Checks every field; the engine calls this too.
    ///
    /// ```
    /// use ssim_core::Params;
    /// assert!(Params::wang2004(255.0).validate().is_ok());
    /// let bad = Params { data_range: -1.0, ..Params::wang2004(255.0) };
    /// assert!(bad.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        let bad = |name, expected| Err(Error::InvalidParameter { name, expected });
        match self.window {
            Window::Gaussian { radius, sigma } => {
                // A sigma whose square underflows to 0 makes the centre weight 0/0 = NaN.
                if !(sigma.is_finite() && sigma > 0.0 && sigma * sigma > 0.0) {
                    return bad(
                        "window.sigma",
                        "a finite sigma > 0 whose square does not underflow to 0 (sigma above about 1.6e-162)",
                    );
                }
                if radius == 0 || radius > MAX_RADIUS {
                    return bad(
                        "window.radius",
                        "a radius from 1 to 63 (window 3 to 127 taps)",
                    );
                }
            }
            Window::Box { size } => {
                if size % 2 == 0 || !(3..=2 * MAX_RADIUS + 1).contains(&size) {
                    return bad("window.size", "an odd box size from 3 to 127");
                }
            }
        }
        if !(self.k1.is_finite() && self.k1 > 0.0) {
            return bad("k1", "a finite k1 > 0");
        }
        if !(self.k2.is_finite() && self.k2 > 0.0) {
            return bad("k2", "a finite k2 > 0");
        }
        // Sums and differences of samples in [0, L] are squared in f32 (the kernels filter
        // x + y and x - y): (2 L)^2 + 2 C must stay finite.
        if !(self.data_range.is_finite() && self.data_range > 0.0 && self.data_range <= 5e18) {
            return bad(
                "data_range",
                "a finite data range > 0 and <= 5e18 (squares of sums of samples in [0, L] must fit in f32)",
            );
        }
        let (c1, c2) = (self.c1(), self.c2());
        // C1, C2 are the only thing between a flat window and 0/0. The f32 kernels must see
        // them as normal numbers (a subnormal C1 made SSIM of in-range samples 1 + 4e-6) and
        // small enough that mu_x^2 + mu_y^2 + C stays finite.
        let normal = |c: f64| (f32::MIN_POSITIVE as f64..=1e38).contains(&c);
        if !(normal(c1) && normal(c2)) {
            return bad(
                "data_range",
                "k * data_range from about 1.1e-19 to 1e19 (C1 and C2 normal f32 values <= 1e38)",
            );
        }
        Ok(())
    }
}

/// The 1-D window as the kernels use it: symmetric half-weights, centre first.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HalfWeights {
    /// `f32[0]` is the centre tap, `f32[k]` the taps at `-k` and `+k`.
    pub f32: [f32; MAX_RADIUS + 1],
    pub is_box: bool,
}

impl HalfWeights {
    pub(crate) fn new(window: &Window) -> HalfWeights {
        let radius = window.radius();
        let mut w64 = [0.0f64; MAX_RADIUS + 1];
        let is_box = matches!(window, Window::Box { .. });
        match *window {
            Window::Gaussian { sigma, .. } => {
                for (k, w) in w64.iter_mut().enumerate().take(radius + 1) {
                    let k = k as f64;
                    *w = libm::exp(-(k * k) / (2.0 * sigma * sigma));
                }
            }
            Window::Box { .. } => w64[..=radius].fill(1.0),
        }
        // Normalise in f64 in the same order as numpy (left to right over all taps) so the
        // weights equal the references' to the last bit.
        let mut sum = 0.0;
        for k in -(radius as isize)..=radius as isize {
            sum += w64[k.unsigned_abs()];
        }
        let mut w32 = [0.0f32; MAX_RADIUS + 1];
        for k in 0..=radius {
            w64[k] /= sum;
            w32[k] = w64[k] as f32;
        }
        HalfWeights { f32: w32, is_box }
    }
}

/// `N / (N - 1)` or 1, for a window of `size x size` taps.
pub(crate) fn covariance_factor(cov: Covariance, size: usize) -> f64 {
    match cov {
        Covariance::Population => 1.0,
        Covariance::Sample => {
            let n = (size * size) as f64;
            n / (n - 1.0)
        }
    }
}
