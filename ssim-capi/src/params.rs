//! `ssim_params`: a preset plus every field that changes the number, as plain C data.

use ssim_core::{AutoDownsample, Covariance, Padding, Params, Pooling, Preset, Window};

use crate::status::{fail, ssim_status, Failure, SSIM_ERROR_INVALID_PARAMETER};
use crate::{guard, out_ptr, ref_ptr};

/// A named bundle of parameters (`SSIM_PRESET_*`).
pub type ssim_preset = u32;
/// Wang, Bovik, Sheikh & Simoncelli 2004: Gaussian 11 taps, sigma 1.5, population
/// covariance, mean over the valid `(H-10) x (W-10)` region. Reproduces scikit-image
/// `structural_similarity(x, y, gaussian_weights=True, sigma=1.5,
/// use_sample_covariance=False, data_range=L)`, `tf.image.ssim` and `pytorch_msssim.ssim`.
pub const SSIM_PRESET_WANG2004: ssim_preset = 0;
/// scikit-image defaults, `structural_similarity(x, y, data_range=L)`: 7x7 box, sample
/// covariance (49/48), mean over the valid region; its full-size map has `reflect` borders.
pub const SSIM_PRESET_SCIKIT_IMAGE: ssim_preset = 1;
/// scikit-image with `gaussian_weights=True, sigma=1.5` and sample covariance (121/120).
pub const SSIM_PRESET_SCIKIT_IMAGE_GAUSSIAN: ssim_preset = 2;
/// MATLAB Image Processing Toolbox `ssim(A, ref)`: Gaussian 11/1.5, replicate padding, mean
/// of the whole `H x W` map; any image size.
pub const SSIM_PRESET_MATLAB: ssim_preset = 3;
/// torchmetrics `structural_similarity_index_measure(preds, target, data_range=L)`
/// (torchmetrics 1.9): Gaussian 11/1.5, mirror padding (`F.pad(mode='reflect')`), mean of
/// the whole `H x W` map. torchmetrics refuses sides below 6.
pub const SSIM_PRESET_TORCHMETRICS: ssim_preset = 4;
/// `piq.ssim(x, y, data_range=L)` (piq 0.8): `SSIM_AUTO_DOWNSAMPLE_PIQ`, then
/// `SSIM_PRESET_WANG2004`.
pub const SSIM_PRESET_PIQ: ssim_preset = 5;
/// Zhou Wang's `ssim.m` (2009, automatic downsampling): `SSIM_AUTO_DOWNSAMPLE_WANG2009`,
/// then `SSIM_PRESET_WANG2004`.
pub const SSIM_PRESET_WANG2009: ssim_preset = 6;
/// Not a preset: `ssim_params.preset` of parameters built by hand.
pub const SSIM_PRESET_CUSTOM: ssim_preset = 255;

/// A size-dependent block-mean stage before the SSIM (`SSIM_AUTO_DOWNSAMPLE_*`):
/// factor `f = max(1, round(min(W, H) / 256))`.
pub type ssim_auto_downsample = u32;
/// No stage.
pub const SSIM_AUTO_DOWNSAMPLE_NONE: ssim_auto_downsample = 0;
/// piq: `round` halves to even, means of `f x f` blocks from (0, 0), `floor(n / f)` samples.
pub const SSIM_AUTO_DOWNSAMPLE_PIQ: ssim_auto_downsample = 1;
/// Wang's `ssim.m` (2009): `round` halves away from zero, the centred `imfilter` box with
/// symmetric extension, `1:f:end`, `ceil(n / f)` samples.
pub const SSIM_AUTO_DOWNSAMPLE_WANG2009: ssim_auto_downsample = 2;

/// The kind of local window (`SSIM_WINDOW_*`).
pub type ssim_window = u32;
/// Separable Gaussian `exp(-k^2 / (2 sigma^2))`, `k = -radius..radius`, normalised to sum 1.
/// Uses `radius` and `sigma`.
pub const SSIM_WINDOW_GAUSSIAN: ssim_window = 0;
/// Uniform `box_size x box_size` window. Uses `box_size`.
pub const SSIM_WINDOW_BOX: ssim_window = 1;

/// How variance and covariance are normalised (`SSIM_COVARIANCE_*`).
pub type ssim_covariance = u32;
/// Weighted population moments (Wang 2004, MATLAB, TensorFlow, pytorch_msssim).
pub const SSIM_COVARIANCE_POPULATION: ssim_covariance = 0;
/// Multiplied by `N / (N - 1)`, `N` the taps of the 2-D window (scikit-image default).
pub const SSIM_COVARIANCE_SAMPLE: ssim_covariance = 1;

/// Which window positions the mean averages, and so the map size (`SSIM_POOLING_*`).
pub type ssim_pooling = u32;
/// Only positions whose whole window is inside the image: an
/// `(H - 2 radius) x (W - 2 radius)` map.
pub const SSIM_POOLING_VALID: ssim_pooling = 0;
/// Every pixel, the window filled out with `ssim_params.padding`: an `H x W` map.
pub const SSIM_POOLING_SAME: ssim_pooling = 1;

/// How pixels outside the image are made up (`SSIM_PADDING_*`).
pub type ssim_padding = u32;
/// No padding (only meaningful for `ssim_params.map_padding`: maps are the valid region).
pub const SSIM_PADDING_NONE: ssim_padding = 0;
/// The edge pixel repeats: `a a a | a b c d | d d d` (MATLAB, OpenCV `BORDER_REPLICATE`).
pub const SSIM_PADDING_REPLICATE: ssim_padding = 1;
/// Half-sample symmetric: `c b a | a b c d | d c b` (scipy `reflect`).
pub const SSIM_PADDING_REFLECT: ssim_padding = 2;
/// Whole-sample symmetric: `d c b | a b c d | c b a` (scipy `mirror`).
pub const SSIM_PADDING_MIRROR: ssim_padding = 3;

/// Every choice that changes the SSIM value. Fill it with `ssim_params_from_preset`, then
/// override fields as needed; every compute function validates it and returns
/// `SSIM_ERROR_INVALID_PARAMETER` for a value out of its domain.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ssim_params {
    /// The preset the struct was filled from (`SSIM_PRESET_*`); informational only, the
    /// computation reads the other fields.
    pub preset: ssim_preset,
    /// `SSIM_WINDOW_GAUSSIAN` or `SSIM_WINDOW_BOX`.
    pub window: ssim_window,
    /// Gaussian: taps on each side of the centre, 1..63 (5 for the 11-tap presets).
    pub radius: u32,
    /// Gaussian: standard deviation in pixels, finite and > 0 (1.5 in the presets).
    pub sigma: f64,
    /// Box: odd window size, 3..127 (7 in `SSIM_PRESET_SCIKIT_IMAGE`).
    pub box_size: u32,
    /// `C1 = (k1 * data_range)^2`; finite and > 0 (0.01 in every preset).
    pub k1: f64,
    /// `C2 = (k2 * data_range)^2`; finite and > 0 (0.03 in every preset).
    pub k2: f64,
    /// `L`, the dynamic range of the samples: 255 for 8-bit, 1023 for 10-bit, 65535 for
    /// 16-bit, 1.0 for floats in [0, 1]. Always explicit, never derived from the pixels.
    pub data_range: f64,
    /// `SSIM_COVARIANCE_POPULATION` or `SSIM_COVARIANCE_SAMPLE`.
    pub covariance: ssim_covariance,
    /// `SSIM_POOLING_VALID` or `SSIM_POOLING_SAME`.
    pub pooling: ssim_pooling,
    /// With `SSIM_POOLING_SAME`: the padding of the window at the borders
    /// (`SSIM_PADDING_REPLICATE`, `_REFLECT` or `_MIRROR`). Ignored with valid pooling.
    pub padding: ssim_padding,
    /// With `SSIM_POOLING_VALID`: `SSIM_PADDING_NONE` for maps of the valid region only, or
    /// a padding for full-size `H x W` maps whose border pixels use it (scikit-image returns
    /// such a map with `reflect` borders but averages only the valid part). Ignored with
    /// same pooling.
    pub map_padding: ssim_padding,
    /// `SSIM_AUTO_DOWNSAMPLE_*` (`_NONE` but in `SSIM_PRESET_PIQ` and `_WANG2009`). A
    /// factor above 1 needs the std build (without std: `SSIM_ERROR_INVALID_PARAMETER`).
    pub auto_downsample: ssim_auto_downsample,
}

fn padding_from(id: ssim_padding, name: &'static str) -> Result<Option<Padding>, Failure> {
    Ok(match id {
        SSIM_PADDING_NONE => None,
        SSIM_PADDING_REPLICATE => Some(Padding::Replicate),
        SSIM_PADDING_REFLECT => Some(Padding::Reflect),
        SSIM_PADDING_MIRROR => Some(Padding::Mirror),
        _ => return Err(fail(SSIM_ERROR_INVALID_PARAMETER, name)),
    })
}

fn padding_id(p: Option<Padding>) -> ssim_padding {
    match p {
        None => SSIM_PADDING_NONE,
        Some(Padding::Replicate) => SSIM_PADDING_REPLICATE,
        Some(Padding::Reflect) => SSIM_PADDING_REFLECT,
        Some(Padding::Mirror) => SSIM_PADDING_MIRROR,
    }
}

pub(crate) fn preset_from(id: ssim_preset) -> Result<Preset, Failure> {
    Ok(match id {
        SSIM_PRESET_WANG2004 => Preset::Wang2004,
        SSIM_PRESET_SCIKIT_IMAGE => Preset::ScikitImage,
        SSIM_PRESET_SCIKIT_IMAGE_GAUSSIAN => Preset::ScikitImageGaussian,
        SSIM_PRESET_MATLAB => Preset::Matlab,
        crate::ffmpeg::SSIM_PRESET_FFMPEG => {
            return Err(fail(
                SSIM_ERROR_INVALID_PARAMETER,
                "invalid parameter `preset`: SSIM_PRESET_FFMPEG is FFmpeg's own 8x8 algorithm, \
                 not a parameter set: call ssim_ffmpeg_u8 or ssim_ffmpeg_u16",
            ))
        }
        SSIM_PRESET_TORCHMETRICS => Preset::Torchmetrics,
        SSIM_PRESET_PIQ => Preset::Piq,
        SSIM_PRESET_WANG2009 => Preset::Wang2009,
        _ => {
            return Err(fail(
                SSIM_ERROR_INVALID_PARAMETER,
                "invalid parameter `preset`: expected one of the SSIM_PRESET_* values 0 to 6",
            ))
        }
    })
}

impl ssim_params {
    /// The C view of Rust parameters.
    pub(crate) fn from_params(preset: ssim_preset, p: &Params) -> ssim_params {
        let (window, radius, sigma, box_size) = match p.window {
            Window::Gaussian { radius, sigma } => (SSIM_WINDOW_GAUSSIAN, radius, sigma, 7),
            Window::Box { size } => (SSIM_WINDOW_BOX, 5, 1.5, size),
        };
        let (pooling, padding) = match p.pooling {
            Pooling::Valid => (SSIM_POOLING_VALID, SSIM_PADDING_REPLICATE),
            Pooling::Same(pad) => (SSIM_POOLING_SAME, padding_id(Some(pad))),
        };
        ssim_params {
            preset,
            window,
            // Presets hold radii and sizes <= 127.
            radius: radius as u32,
            sigma,
            box_size: box_size as u32,
            k1: p.k1,
            k2: p.k2,
            data_range: p.data_range,
            covariance: match p.covariance {
                Covariance::Population => SSIM_COVARIANCE_POPULATION,
                Covariance::Sample => SSIM_COVARIANCE_SAMPLE,
            },
            pooling,
            padding,
            map_padding: padding_id(p.map_padding),
            auto_downsample: match p.auto_downsample {
                None => SSIM_AUTO_DOWNSAMPLE_NONE,
                Some(AutoDownsample::Piq) => SSIM_AUTO_DOWNSAMPLE_PIQ,
                Some(AutoDownsample::Wang2009) => SSIM_AUTO_DOWNSAMPLE_WANG2009,
            },
        }
    }

    /// The Rust parameters, every id and value checked.
    pub(crate) fn checked(&self) -> Result<Params, Failure> {
        let window = match self.window {
            SSIM_WINDOW_GAUSSIAN => Window::Gaussian {
                radius: self.radius as usize,
                sigma: self.sigma,
            },
            SSIM_WINDOW_BOX => Window::Box {
                size: self.box_size as usize,
            },
            _ => {
                return Err(fail(
                    SSIM_ERROR_INVALID_PARAMETER,
                    "invalid parameter `window`: expected SSIM_WINDOW_GAUSSIAN (0) or SSIM_WINDOW_BOX (1)",
                ))
            }
        };
        let covariance = match self.covariance {
            SSIM_COVARIANCE_POPULATION => Covariance::Population,
            SSIM_COVARIANCE_SAMPLE => Covariance::Sample,
            _ => {
                return Err(fail(
                    SSIM_ERROR_INVALID_PARAMETER,
                    "invalid parameter `covariance`: expected SSIM_COVARIANCE_POPULATION (0) or SSIM_COVARIANCE_SAMPLE (1)",
                ))
            }
        };
        let pooling = match self.pooling {
            SSIM_POOLING_VALID => Pooling::Valid,
            SSIM_POOLING_SAME => match padding_from(
                self.padding,
                "invalid parameter `padding`: expected SSIM_PADDING_REPLICATE, _REFLECT or _MIRROR",
            )? {
                Some(p) => Pooling::Same(p),
                None => {
                    return Err(fail(
                        SSIM_ERROR_INVALID_PARAMETER,
                        "invalid parameter `padding`: same pooling needs SSIM_PADDING_REPLICATE, _REFLECT or _MIRROR, not _NONE",
                    ))
                }
            },
            _ => {
                return Err(fail(
                    SSIM_ERROR_INVALID_PARAMETER,
                    "invalid parameter `pooling`: expected SSIM_POOLING_VALID (0) or SSIM_POOLING_SAME (1)",
                ))
            }
        };
        let map_padding = padding_from(
            self.map_padding,
            "invalid parameter `map_padding`: expected one of the SSIM_PADDING_* values 0 to 3",
        )?;
        let params = Params {
            window,
            k1: self.k1,
            k2: self.k2,
            data_range: self.data_range,
            covariance,
            pooling,
            map_padding,
            auto_downsample: match self.auto_downsample {
                SSIM_AUTO_DOWNSAMPLE_NONE => None,
                SSIM_AUTO_DOWNSAMPLE_PIQ => Some(AutoDownsample::Piq),
                SSIM_AUTO_DOWNSAMPLE_WANG2009 => Some(AutoDownsample::Wang2009),
                _ => {
                    return Err(fail(
                        SSIM_ERROR_INVALID_PARAMETER,
                        "invalid parameter `auto_downsample`: expected one of the SSIM_AUTO_DOWNSAMPLE_* values 0 to 2",
                    ))
                }
            },
        };
        params.validate()?;
        Ok(params)
    }
}

/// Fills `*out` with the parameters of `preset` for samples of range `data_range` (255 for
/// 8-bit, 65535 for 16-bit, 1.0 for floats in [0, 1]).
///
/// Returns `SSIM_ERROR_NULL_POINTER` if `out` is NULL, `SSIM_ERROR_INVALID_PARAMETER` for an
/// unknown preset or a `data_range` that is not finite and > 0 (then `*out` is untouched).
///
/// # Safety
///
/// `out` must be NULL or point to writable memory for one `ssim_params`.
#[no_mangle]
pub unsafe extern "C" fn ssim_params_from_preset(
    preset: ssim_preset,
    data_range: f64,
    out: *mut ssim_params,
) -> ssim_status {
    guard(|| {
        // SAFETY: the caller guarantees `out` is NULL or valid for one write; `out_ptr` checks
        // NULL and alignment.
        let out = unsafe { out_ptr(out, "out") }?;
        let params = preset_from(preset)?.params(data_range);
        params.validate()?;
        out.write(ssim_params::from_params(preset, &params));
        Ok(())
    })
}

/// Checks every field of `*params` as the compute functions do: `SSIM_OK`,
/// `SSIM_ERROR_NULL_POINTER` or `SSIM_ERROR_INVALID_PARAMETER` (see
/// `ssim_last_error_message` for which field).
///
/// # Safety
///
/// `params` must be NULL or point to one readable `ssim_params`.
#[no_mangle]
pub unsafe extern "C" fn ssim_params_validate(params: *const ssim_params) -> ssim_status {
    guard(|| {
        // SAFETY: the caller guarantees `params` is NULL or valid for reads.
        let p = unsafe { ref_ptr(params, "params") }?;
        p.checked().map(|_| ())
    })
}
