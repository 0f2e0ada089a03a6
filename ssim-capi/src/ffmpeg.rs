//! FFmpeg's `ssim` filter (x264's 8x8 windows every 4 pixels, integer sums): a different
//! algorithm from the `ssim_params` windows, so it has its own entry points. No allocation,
//! so they exist without the `std` feature too.

use ssim_core::x264;

use crate::backend::forced;
use crate::compute::ssim_config;
use crate::image::{plane_from, ssim_image_u16, ssim_image_u8, CImage, DISTORTED, REFERENCE};
use crate::params::ssim_preset;
use crate::status::{guard, ssim_status, Failure};
use crate::{opt_ptr, out_ptr};

/// FFmpeg's `ssim` filter (`ffmpeg -lavfi ssim`, x264 `--ssim`): 8x8 windows every 4
/// pixels with integer sums and FFmpeg's constants. Not a `ssim_params` preset (the
/// algorithm has no window parameters): compute it with `ssim_ffmpeg_u8` or
/// `ssim_ffmpeg_u16`; `ssim_params_from_preset` rejects it and names those.
pub const SSIM_PRESET_FFMPEG: ssim_preset = 64;

/// FFmpeg's SSIM of one plane of 8-bit samples into `*out` (the value FFmpeg prints per
/// plane, e.g. `Y:`). Both sides at least 8. `config`: NULL for the defaults; its backend is
/// used (`threads` is ignored: one plane is one thread's work). On failure `*out` is
/// untouched: `SSIM_ERROR_NULL_POINTER`, `_MISALIGNED_POINTER`, `_ZERO_DIMENSION`,
/// `_CHANNEL_STEP`, `_STRIDE_TOO_SHORT`, `_DIMENSION_OVERFLOW`, `_SIZE_MISMATCH`,
/// `_IMAGE_SMALLER_THAN_WINDOW`, `_BACKEND_UNSUPPORTED`.
///
/// # Safety
///
/// Each pointer must be NULL or valid for its type: `x`, `y`, `config` readable, each
/// image's `data` readable for its whole layout, `out` writable.
#[no_mangle]
pub unsafe extern "C" fn ssim_ffmpeg_u8(
    x: *const ssim_image_u8,
    y: *const ssim_image_u8,
    config: *const ssim_config,
    out: *mut f64,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { ffmpeg(x, y, 8, config, out) })
}

/// As `ssim_ffmpeg_u8`, for `uint16_t` samples of `bit_depth` bits (9 to 16; FFmpeg's
/// high-bit-depth path, e.g. 10 for `yuv420p10le`). A `bit_depth` outside 9..=16 is
/// `SSIM_ERROR_INVALID_PARAMETER`. Samples above `2^bit_depth - 1` are not checked.
///
/// # Safety
///
/// As `ssim_ffmpeg_u8`.
#[no_mangle]
pub unsafe extern "C" fn ssim_ffmpeg_u16(
    x: *const ssim_image_u16,
    y: *const ssim_image_u16,
    bit_depth: u32,
    config: *const ssim_config,
    out: *mut f64,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { ffmpeg(x, y, bit_depth, config, out) })
}

/// FFmpeg's dB figure of an SSIM value: `10 log10(weight / (weight - ssim))`, `INFINITY`
/// when `|weight - ssim| <= 1e-9`. `weight` is 1 for one value; for the sum of `n` frames'
/// values it is `n` (FFmpeg's summary line).
#[no_mangle]
pub extern "C" fn ssim_ffmpeg_db(ssim: f64, weight: f64) -> f64 {
    x264::ssim_db(ssim, weight)
}

/// # Safety
///
/// As `ssim_ffmpeg_u8`.
unsafe fn ffmpeg<I: CImage>(
    x: *const I,
    y: *const I,
    bit_depth: u32,
    config: *const ssim_config,
    out: *mut f64,
) -> Result<(), Failure> {
    // SAFETY: forwarded contract.
    let (xp, yp, c, out) = unsafe {
        (
            plane_from(x, REFERENCE)?,
            plane_from(y, DISTORTED)?,
            opt_ptr(config, "config")?.copied().unwrap_or_default(),
            out_ptr(out, "out")?,
        )
    };
    let backend = Some(forced(c.backend)?.unwrap_or_else(ssim_core::Backend::detect));
    // Always finite: both denominators are at least c1, c2 > 0.
    let v = x264::ssim_with(&xp, &yp, bit_depth, backend).map_err(Failure::from)?;
    out.write(v);
    Ok(())
}
