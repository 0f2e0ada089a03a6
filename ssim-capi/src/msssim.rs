//! MS-SSIM: parameters with a fixed-size weight array, per-level results into a caller array;
//! with std on the threaded pyramid of ssim-std, and everywhere in caller scratch
//! (`crate::pyramid`).

use core::ffi::c_void;

use ssim_core::{Downsample, Error, Params};

use crate::backend::{backend_id, forced, ssim_backend};
#[cfg(feature = "std")]
use crate::compute::config_of;
use crate::compute::inputs;
#[cfg(feature = "std")]
use crate::compute::ssim_config;
use crate::image::{ssim_image_f32, ssim_image_u16, ssim_image_u8, CImage};
use crate::params::ssim_params;
use crate::pyramid::{self, LevelOut, MsParams, Negative};
use crate::status::{
    fail, guard, ssim_status, Failure, SSIM_ERROR_INVALID_PARAMETER, SSIM_ERROR_LEVELS_TOO_SMALL,
};
use crate::{out_ptr, out_slice, ref_ptr, scratch_slice, SSIM_PRESET_CUSTOM};

/// Most MS-SSIM levels (`ssim_msssim_params.levels`); the size of its `weights` array.
pub const SSIM_MSSSIM_MAX_LEVELS: usize = 16;

/// Wang's five scale weights (`msssim.m`, TensorFlow, pytorch_msssim).
const WANG_WEIGHTS: [f64; 5] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];

/// A named bundle of MS-SSIM parameters (`SSIM_MSSSIM_PRESET_*`).
pub type ssim_msssim_preset = u32;
/// Wang, Simoncelli & Bovik 2003 (`msssim.m`, `tf.image.ssim_multiscale`): 5 levels with
/// Wang's weights, the `SSIM_PRESET_WANG2004` window at every level, odd sizes padded by
/// repeating the last row/column, negative means clamped at 0.
pub const SSIM_MSSSIM_PRESET_WANG2003: ssim_msssim_preset = 0;
/// `pytorch_msssim.ms_ssim` with a float64 window: as `SSIM_MSSSIM_PRESET_WANG2003` but odd
/// sizes padded with one zero on each side (`avg_pool2d`, `count_include_pad`).
pub const SSIM_MSSSIM_PRESET_PYTORCH_MSSSIM: ssim_msssim_preset = 1;

/// The 2x2-mean rule between levels (`SSIM_DOWNSAMPLE_*`).
pub type ssim_downsample = u32;
/// Blocks start at even indices; an odd last row/column is averaged with itself.
pub const SSIM_DOWNSAMPLE_WANG2003: ssim_downsample = 0;
/// An odd axis gets one zero before it; every block is divided by 4.
pub const SSIM_DOWNSAMPLE_PYTORCH_MSSSIM: ssim_downsample = 1;

/// What happens to a negative per-level mean before it is raised to its weight
/// (`SSIM_NEGATIVE_*`).
pub type ssim_negative_means = u32;
/// Clamp at 0, as TensorFlow and pytorch_msssim do.
pub const SSIM_NEGATIVE_RELU: ssim_negative_means = 0;
/// Fail with `SSIM_ERROR_NEGATIVE_MEAN`.
pub const SSIM_NEGATIVE_STRICT: ssim_negative_means = 1;
/// Plain power: a negative mean gives NaN, as Wang's MATLAB code does.
pub const SSIM_NEGATIVE_NAN: ssim_negative_means = 2;
/// Map every mean through `(x + 1) / 2` first (`normalize=True` of some PyTorch ports).
pub const SSIM_NEGATIVE_NORMALIZE: ssim_negative_means = 3;

/// The parameters of MS-SSIM. Fill with `ssim_msssim_params_from_preset`, then override.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ssim_msssim_params {
    /// The preset the struct was filled from (`SSIM_MSSSIM_PRESET_*`); informational only.
    pub preset: ssim_msssim_preset,
    /// The single-scale parameters used at every level (window, constants, data range,
    /// pooling).
    pub ssim: ssim_params,
    /// Number of levels, 1..`SSIM_MSSSIM_MAX_LEVELS` (5 in the presets): the first `levels`
    /// entries of `weights` are used.
    pub levels: u32,
    /// One weight per level, finest first; finite and >= 0 (Wang's 0.0448, 0.2856, 0.3001,
    /// 0.2363, 0.1333 in the presets).
    pub weights: [f64; SSIM_MSSSIM_MAX_LEVELS],
    /// `SSIM_DOWNSAMPLE_*`.
    pub downsample: ssim_downsample,
    /// `SSIM_NEGATIVE_*`.
    pub negative: ssim_negative_means,
    /// **Non-standard.** When the image is too small for `levels`, use as many levels as fit
    /// (at least one), the first weights renormalised to the sum of all of them. Values are
    /// then not comparable across image sizes. False in the presets.
    pub auto_levels: bool,
}

/// One level of the MS-SSIM pyramid.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ssim_level {
    /// Image width at this level.
    pub width: usize,
    /// Image height at this level.
    pub height: usize,
    /// Mean SSIM at this level.
    pub ssim: f64,
    /// Mean cs at this level.
    pub cs: f64,
}

/// The outcome of an MS-SSIM computation.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ssim_msssim_result {
    /// The MS-SSIM index.
    pub msssim: f64,
    /// Levels used (the number of `ssim_level` entries written), finest first.
    pub levels: u32,
    /// The backend that computed it (`SSIM_BACKEND_*`).
    pub backend: ssim_backend,
}

impl ssim_msssim_params {
    fn checked(&self) -> Result<MsParams, Failure> {
        let ssim = self.ssim.checked()?;
        let levels = self.levels as usize;
        if !(1..=SSIM_MSSSIM_MAX_LEVELS).contains(&levels) {
            return Err(fail(
                SSIM_ERROR_INVALID_PARAMETER,
                "invalid parameter `levels`: expected 1 to SSIM_MSSSIM_MAX_LEVELS (16)",
            ));
        }
        let downsample = match self.downsample {
            SSIM_DOWNSAMPLE_WANG2003 => Downsample::Wang2003,
            SSIM_DOWNSAMPLE_PYTORCH_MSSSIM => Downsample::PytorchMsssim,
            _ => {
                return Err(fail(
                    SSIM_ERROR_INVALID_PARAMETER,
                    "invalid parameter `downsample`: expected SSIM_DOWNSAMPLE_WANG2003 (0) or SSIM_DOWNSAMPLE_PYTORCH_MSSSIM (1)",
                ))
            }
        };
        let negative = match self.negative {
            SSIM_NEGATIVE_RELU => Negative::Relu,
            SSIM_NEGATIVE_STRICT => Negative::Strict,
            SSIM_NEGATIVE_NAN => Negative::Nan,
            SSIM_NEGATIVE_NORMALIZE => Negative::Normalize,
            _ => return Err(fail(
                SSIM_ERROR_INVALID_PARAMETER,
                "invalid parameter `negative`: expected one of the SSIM_NEGATIVE_* values 0 to 3",
            )),
        };
        if self.weights[..levels]
            .iter()
            .any(|w| !w.is_finite() || *w < 0.0)
        {
            return Err(Error::InvalidParameter {
                name: "weights",
                expected: "finite weights >= 0",
            }
            .into());
        }
        Ok(MsParams {
            ssim,
            levels,
            weights: self.weights,
            downsample,
            negative,
            auto_levels: self.auto_levels,
        })
    }
}

/// The ssim-std parameters of checked C parameters.
#[cfg(feature = "std")]
fn std_params(p: &MsParams) -> ssim_std::MsSsimParams {
    ssim_std::MsSsimParams {
        ssim: p.ssim,
        weights: p.weights().to_vec(),
        downsample: p.downsample,
        negative: match p.negative {
            Negative::Relu => ssim_std::NegativeMeans::Relu,
            Negative::Strict => ssim_std::NegativeMeans::Strict,
            Negative::Nan => ssim_std::NegativeMeans::Nan,
            Negative::Normalize => ssim_std::NegativeMeans::Normalize,
        },
        auto_levels: p.auto_levels,
        ..ssim_std::MsSsimParams::wang2003(p.ssim.data_range)
    }
}

/// Fills `*out` with the MS-SSIM parameters of `preset` for samples of range `data_range`.
///
/// Returns `SSIM_ERROR_NULL_POINTER` if `out` is NULL, `SSIM_ERROR_INVALID_PARAMETER` for an
/// unknown preset or a `data_range` that is not finite and > 0 (then `*out` is untouched).
///
/// # Safety
///
/// `out` must be NULL or point to writable memory for one `ssim_msssim_params`.
#[no_mangle]
pub unsafe extern "C" fn ssim_msssim_params_from_preset(
    preset: ssim_msssim_preset,
    data_range: f64,
    out: *mut ssim_msssim_params,
) -> ssim_status {
    guard(|| {
        // SAFETY: the caller's contract; `out_ptr` checks NULL and alignment.
        let out = unsafe { out_ptr(out, "out") }?;
        let downsample = match preset {
            SSIM_MSSSIM_PRESET_WANG2003 => SSIM_DOWNSAMPLE_WANG2003,
            SSIM_MSSSIM_PRESET_PYTORCH_MSSSIM => SSIM_DOWNSAMPLE_PYTORCH_MSSSIM,
            _ => {
                return Err(fail(
                    SSIM_ERROR_INVALID_PARAMETER,
                    "invalid parameter `preset`: expected SSIM_MSSSIM_PRESET_WANG2003 (0) or SSIM_MSSSIM_PRESET_PYTORCH_MSSSIM (1)",
                ))
            }
        };
        let ssim = Params::wang2004(data_range);
        ssim.validate()?;
        let mut weights = [0.0; SSIM_MSSSIM_MAX_LEVELS];
        weights[..WANG_WEIGHTS.len()].copy_from_slice(&WANG_WEIGHTS);
        out.write(ssim_msssim_params {
            preset,
            ssim: ssim_params::from_params(SSIM_PRESET_CUSTOM, &ssim),
            levels: WANG_WEIGHTS.len() as u32,
            weights,
            downsample,
            negative: SSIM_NEGATIVE_RELU,
            auto_levels: false,
        });
        Ok(())
    })
}

/// Computes the MS-SSIM of two `uint8_t` images into `*out`, and the per-level means into
/// `levels[0 .. out->levels]` (finest first) unless `levels` is NULL.
///
/// `levels` holds `levels_len` entries, at least `params->levels`
/// (`SSIM_ERROR_LEVELS_TOO_SMALL` otherwise). `config`: NULL for the defaults. Errors: as
/// `ssim_compute_u8`, plus `SSIM_ERROR_TOO_SMALL_FOR_MSSSIM` (the shorter side must be at
/// least `(window - 1) * 2^(levels - 1) + 1`, 161 for the presets) and
/// `SSIM_ERROR_NEGATIVE_MEAN` (strict mode). On error the outputs are untouched.
///
/// # Safety
///
/// As `ssim_compute_u8`; `levels` must be NULL or writable for `levels_len` entries.
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn ssim_msssim_u8(
    params: *const ssim_msssim_params,
    x: *const ssim_image_u8,
    y: *const ssim_image_u8,
    config: *const ssim_config,
    levels: *mut ssim_level,
    levels_len: usize,
    out: *mut ssim_msssim_result,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { msssim(params, x, y, config, levels, levels_len, out) })
}

/// As `ssim_msssim_u8`, for `uint16_t` samples.
///
/// # Safety
///
/// As `ssim_msssim_u8`.
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn ssim_msssim_u16(
    params: *const ssim_msssim_params,
    x: *const ssim_image_u16,
    y: *const ssim_image_u16,
    config: *const ssim_config,
    levels: *mut ssim_level,
    levels_len: usize,
    out: *mut ssim_msssim_result,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { msssim(params, x, y, config, levels, levels_len, out) })
}

/// As `ssim_msssim_u8`, for `float` samples.
///
/// # Safety
///
/// As `ssim_msssim_u8`.
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn ssim_msssim_f32(
    params: *const ssim_msssim_params,
    x: *const ssim_image_f32,
    y: *const ssim_image_f32,
    config: *const ssim_config,
    levels: *mut ssim_level,
    levels_len: usize,
    out: *mut ssim_msssim_result,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { msssim(params, x, y, config, levels, levels_len, out) })
}

/// Checked MS-SSIM parameters (as the Rust library takes them) and both planes.
#[cfg(feature = "std")]
pub(crate) type MsInputs<'a, T> = (
    ssim_std::MsSsimParams,
    ssim_core::Plane<'a, T>,
    ssim_core::Plane<'a, T>,
);

/// Checked MS-SSIM parameters (as the Rust library takes them) and both planes.
///
/// # Safety
///
/// As `ssim_msssim_u8` for these three pointers.
#[cfg(feature = "std")]
pub(crate) unsafe fn ms_inputs<'a, I: CImage>(
    params: *const ssim_msssim_params,
    x: *const I,
    y: *const I,
) -> Result<MsInputs<'a, I::Sample>, Failure> {
    // SAFETY: the caller's contract for `params`; checked for NULL and alignment.
    let mp = unsafe { ref_ptr(params, "params") }?;
    let p = mp.checked()?;
    // The image checks need single-scale parameters; MS-SSIM's own are checked above.
    // SAFETY: forwarded contract (`&mp.ssim` is a valid pointer by construction).
    let (_, xp, yp) = unsafe { inputs(&mp.ssim, x, y) }?;
    Ok((std_params(&p), xp, yp))
}

#[cfg(feature = "std")]
impl ssim_msssim_result {
    /// The C result of a Rust one.
    pub(crate) fn from_std(r: &ssim_std::MsSsimResult) -> ssim_msssim_result {
        ssim_msssim_result {
            msssim: r.msssim,
            // At most SSIM_MSSSIM_MAX_LEVELS: the weights come from a fixed array.
            levels: r.levels.len() as u32,
            backend: backend_id(r.backend),
        }
    }
}

#[cfg(feature = "std")]
unsafe fn msssim<I: CImage>(
    params: *const ssim_msssim_params,
    x: *const I,
    y: *const I,
    config: *const ssim_config,
    levels: *mut ssim_level,
    levels_len: usize,
    out: *mut ssim_msssim_result,
) -> Result<(), Failure> {
    // SAFETY: forwarded contract.
    let (p, xp, yp) = unsafe { ms_inputs(params, x, y) }?;
    // SAFETY: forwarded contract.
    let cfg = unsafe { config_of(config) }?;
    // SAFETY: forwarded contract.
    let out = unsafe { out_ptr(out, "out") }?;
    let wanted = p.weights.len();
    if !levels.is_null() && levels_len < wanted {
        return Err(fail(
            SSIM_ERROR_LEVELS_TOO_SMALL,
            "the `levels` array is shorter than `params->levels`: expected room for one ssim_level per level (or NULL)",
        ));
    }
    let r = ssim_std::msssim_with(&p, &xp, &yp, &cfg)?;
    if r.levels.len() > wanted {
        return Err(fail(
            crate::SSIM_ERROR_INTERNAL,
            "internal error: more MS-SSIM levels than weights (a bug; please report it)",
        ));
    }
    if !levels.is_null() {
        // SAFETY: `levels` is writable for `levels_len >= wanted >= r.levels.len()` entries
        // (caller's contract, checked above).
        let dst = unsafe { out_slice(levels, r.levels.len(), "levels") }?;
        for (d, s) in dst.iter_mut().zip(&r.levels) {
            *d = ssim_level {
                width: s.width,
                height: s.height,
                ssim: s.ssim,
                cs: s.cs,
            };
        }
    }
    out.write(ssim_msssim_result {
        msssim: r.msssim,
        // At most SSIM_MSSSIM_MAX_LEVELS (checked above).
        levels: r.levels.len() as u32,
        backend: backend_id(r.backend),
    });
    Ok(())
}

/// Writes to `*bytes` the scratch size, in bytes, that `ssim_msssim_*_scratch` need for a
/// `width x height` image with these parameters (any sample type and backend). It grows with
/// the width only (about twice `ssim_scratch_size` of the width for 5 levels), plus room for
/// the engines of the levels and alignment slack.
///
/// Errors: `SSIM_ERROR_NULL_POINTER`, `_INVALID_PARAMETER`, `_ZERO_DIMENSION`,
/// `_DIMENSION_OVERFLOW`, `_TOO_SMALL_FOR_MSSSIM`.
///
/// # Safety
///
/// `params` must be NULL or point to a readable `ssim_msssim_params`; `bytes` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn ssim_msssim_scratch_size(
    params: *const ssim_msssim_params,
    width: usize,
    height: usize,
    bytes: *mut usize,
) -> ssim_status {
    guard(|| {
        // SAFETY: the caller's contract for each pointer, checked for NULL and alignment.
        let (p, out) = unsafe {
            (
                ref_ptr(params, "params")?.checked()?,
                out_ptr(bytes, "bytes")?,
            )
        };
        out.write(pyramid::scratch_bytes(&p, width, height)?);
        Ok(())
    })
}

/// MS-SSIM of two `uint8_t` images using only the caller's `scratch` (no heap, no threads):
/// as `ssim_msssim_u8`, with `backend` (`SSIM_BACKEND_AUTO` or one to force) instead of a
/// config, and `scratch` holding `scratch_bytes` bytes of any alignment, at least what
/// `ssim_msssim_scratch_size` reports for this image. The per-level means are bitwise those
/// of `ssim_msssim_u8`; the index is computed with the same `pow` on every target (it may
/// differ from `ssim_msssim_u8`'s in the last bit). Errors: as `ssim_msssim_u8`, plus
/// `SSIM_ERROR_SCRATCH_TOO_SMALL`; on error the outputs are untouched.
///
/// # Safety
///
/// As `ssim_msssim_u8`; `scratch` NULL or writable for `scratch_bytes` bytes, overlapping
/// nothing else.
#[no_mangle]
pub unsafe extern "C" fn ssim_msssim_u8_scratch(
    params: *const ssim_msssim_params,
    x: *const ssim_image_u8,
    y: *const ssim_image_u8,
    backend: ssim_backend,
    scratch: *mut c_void,
    scratch_bytes: usize,
    levels: *mut ssim_level,
    levels_len: usize,
    out: *mut ssim_msssim_result,
) -> ssim_status {
    let s = Scratch {
        backend,
        scratch,
        scratch_bytes,
    };
    // SAFETY: forwarded contract.
    guard(|| unsafe { msssim_scratch(params, x, y, s, levels, levels_len, out) })
}

/// As `ssim_msssim_u8_scratch`, for `uint16_t` samples.
///
/// # Safety
///
/// As `ssim_msssim_u8_scratch`.
#[no_mangle]
pub unsafe extern "C" fn ssim_msssim_u16_scratch(
    params: *const ssim_msssim_params,
    x: *const ssim_image_u16,
    y: *const ssim_image_u16,
    backend: ssim_backend,
    scratch: *mut c_void,
    scratch_bytes: usize,
    levels: *mut ssim_level,
    levels_len: usize,
    out: *mut ssim_msssim_result,
) -> ssim_status {
    let s = Scratch {
        backend,
        scratch,
        scratch_bytes,
    };
    // SAFETY: forwarded contract.
    guard(|| unsafe { msssim_scratch(params, x, y, s, levels, levels_len, out) })
}

/// As `ssim_msssim_u8_scratch`, for `float` samples.
///
/// # Safety
///
/// As `ssim_msssim_u8_scratch`.
#[no_mangle]
pub unsafe extern "C" fn ssim_msssim_f32_scratch(
    params: *const ssim_msssim_params,
    x: *const ssim_image_f32,
    y: *const ssim_image_f32,
    backend: ssim_backend,
    scratch: *mut c_void,
    scratch_bytes: usize,
    levels: *mut ssim_level,
    levels_len: usize,
    out: *mut ssim_msssim_result,
) -> ssim_status {
    let s = Scratch {
        backend,
        scratch,
        scratch_bytes,
    };
    // SAFETY: forwarded contract.
    guard(|| unsafe { msssim_scratch(params, x, y, s, levels, levels_len, out) })
}

/// The backend and the caller's scratch of a `*_scratch` call.
#[derive(Clone, Copy)]
struct Scratch {
    backend: ssim_backend,
    scratch: *mut c_void,
    scratch_bytes: usize,
}

unsafe fn msssim_scratch<I: CImage>(
    params: *const ssim_msssim_params,
    x: *const I,
    y: *const I,
    s: Scratch,
    levels: *mut ssim_level,
    levels_len: usize,
    out: *mut ssim_msssim_result,
) -> Result<(), Failure> {
    // SAFETY: the caller's contract for `params`; checked for NULL and alignment.
    let mp = unsafe { ref_ptr(params, "params") }?;
    let p = mp.checked()?;
    // SAFETY: forwarded contract (`&mp.ssim` is a valid pointer by construction).
    let (_, xp, yp) = unsafe { inputs(&mp.ssim, x, y) }?;
    let backend = forced(s.backend)?.unwrap_or_else(ssim_core::Backend::detect);
    // SAFETY: forwarded contract.
    let out = unsafe { out_ptr(out, "out") }?;
    if !levels.is_null() && levels_len < p.levels {
        return Err(fail(
            SSIM_ERROR_LEVELS_TOO_SMALL,
            "the `levels` array is shorter than `params->levels`: expected room for one ssim_level per level (or NULL)",
        ));
    }
    let needed = pyramid::scratch_bytes(&p, xp.width(), xp.height())?;
    // SAFETY: forwarded contract.
    let bytes = unsafe { scratch_slice(s.scratch, s.scratch_bytes, needed) }?;
    let mut outs: [Option<LevelOut>; pyramid::MAX_LEVELS] = [None; pyramid::MAX_LEVELS];
    let n = pyramid::run(&p, &xp, &yp, backend, bytes, &mut outs)?;
    let mut means = [(0.0, 0.0); pyramid::MAX_LEVELS];
    for (m, o) in means.iter_mut().zip(outs.iter().flatten()) {
        *m = (o.result.ssim, o.result.cs);
    }
    let value = pyramid::combine(&p, &means[..n])?;
    if !levels.is_null() {
        // SAFETY: `levels` is writable for `levels_len >= p.levels >= n` entries (caller's
        // contract, checked above).
        let dst = unsafe { out_slice(levels, n, "levels") }?;
        for (d, o) in dst.iter_mut().zip(outs.iter().flatten()) {
            *d = ssim_level {
                width: o.width,
                height: o.height,
                ssim: o.result.ssim,
                cs: o.result.cs,
            };
        }
    }
    out.write(ssim_msssim_result {
        msssim: value,
        // At most SSIM_MSSSIM_MAX_LEVELS.
        levels: n as u32,
        backend: backend_id(backend),
    });
    Ok(())
}
