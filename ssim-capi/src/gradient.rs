//! Gradients of SSIM and MS-SSIM with respect to the distorted image, into caller buffers.
//!
//! The gradient is computed into the library's own memory and copied into the caller's
//! buffer only when everything succeeded, so on any error the buffer is untouched.

use ssim_std::{msssim_gradient_into, ssim_gradient_into, Convention};

use crate::compute::{config_of, inputs, ssim_config, ssim_result};
use crate::image::{ssim_image_f32, ssim_image_u16, ssim_image_u8, CImage};
use crate::msssim::{ms_inputs, ssim_msssim_params, ssim_msssim_result};
use crate::params::ssim_params;
use crate::status::{guard, Failure};
use crate::{out_ptr, out_slice};

/// Computes SSIM of two `uint8_t` images into `*out` and its exact gradient with respect to
/// every pixel of the distorted image `y` into `gradient`: `width * height` floats, row-major,
/// top to bottom, in units of the samples (`d SSIM / d y[row][col]`). The value is bitwise
/// the one `ssim_compute_u8` returns.
///
/// `gradient` holds `gradient_len` floats, at least `width * height`
/// (`SSIM_ERROR_MAP_TOO_SMALL` otherwise); only the first `width * height` are written.
/// Errors: as `ssim_compute_u8`. On error `gradient` and `*out` are untouched.
///
/// # Safety
///
/// As `ssim_compute_u8`; `gradient` must be writable for `gradient_len` floats and must not
/// overlap the images.
#[no_mangle]
pub unsafe extern "C" fn ssim_gradient_u8(
    params: *const ssim_params,
    x: *const ssim_image_u8,
    y: *const ssim_image_u8,
    config: *const ssim_config,
    gradient: *mut f32,
    gradient_len: usize,
    out: *mut ssim_result,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { single(params, x, y, config, gradient, gradient_len, out) })
}

/// As `ssim_gradient_u8`, for `uint16_t` samples.
///
/// # Safety
///
/// As `ssim_gradient_u8`.
#[no_mangle]
pub unsafe extern "C" fn ssim_gradient_u16(
    params: *const ssim_params,
    x: *const ssim_image_u16,
    y: *const ssim_image_u16,
    config: *const ssim_config,
    gradient: *mut f32,
    gradient_len: usize,
    out: *mut ssim_result,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { single(params, x, y, config, gradient, gradient_len, out) })
}

/// As `ssim_gradient_u8`, for `float` samples (`SSIM_ERROR_NON_FINITE_SAMPLE` for NaN or
/// infinite samples).
///
/// # Safety
///
/// As `ssim_gradient_u8`.
#[no_mangle]
pub unsafe extern "C" fn ssim_gradient_f32(
    params: *const ssim_params,
    x: *const ssim_image_f32,
    y: *const ssim_image_f32,
    config: *const ssim_config,
    gradient: *mut f32,
    gradient_len: usize,
    out: *mut ssim_result,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { single(params, x, y, config, gradient, gradient_len, out) })
}

/// Computes MS-SSIM of two `uint8_t` images into `*out` and its exact gradient with respect
/// to the distorted image into `gradient` (as `ssim_gradient_u8`). Negative level means:
/// relu gives a zero gradient where it clamps, strict fails with `SSIM_ERROR_NEGATIVE_MEAN`,
/// nan gives NaN, normalize follows the chain rule. Errors: as `ssim_msssim_u8`, plus
/// `SSIM_ERROR_MAP_TOO_SMALL`; on error the outputs are untouched.
///
/// # Safety
///
/// As `ssim_msssim_u8` (without `levels`); `gradient` as in `ssim_gradient_u8`.
#[no_mangle]
pub unsafe extern "C" fn ssim_msssim_gradient_u8(
    params: *const ssim_msssim_params,
    x: *const ssim_image_u8,
    y: *const ssim_image_u8,
    config: *const ssim_config,
    gradient: *mut f32,
    gradient_len: usize,
    out: *mut ssim_msssim_result,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { multi(params, x, y, config, gradient, gradient_len, out) })
}

/// As `ssim_msssim_gradient_u8`, for `uint16_t` samples.
///
/// # Safety
///
/// As `ssim_msssim_gradient_u8`.
#[no_mangle]
pub unsafe extern "C" fn ssim_msssim_gradient_u16(
    params: *const ssim_msssim_params,
    x: *const ssim_image_u16,
    y: *const ssim_image_u16,
    config: *const ssim_config,
    gradient: *mut f32,
    gradient_len: usize,
    out: *mut ssim_msssim_result,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { multi(params, x, y, config, gradient, gradient_len, out) })
}

/// As `ssim_msssim_gradient_u8`, for `float` samples.
///
/// # Safety
///
/// As `ssim_msssim_gradient_u8`.
#[no_mangle]
pub unsafe extern "C" fn ssim_msssim_gradient_f32(
    params: *const ssim_msssim_params,
    x: *const ssim_image_f32,
    y: *const ssim_image_f32,
    config: *const ssim_config,
    gradient: *mut f32,
    gradient_len: usize,
    out: *mut ssim_msssim_result,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { multi(params, x, y, config, gradient, gradient_len, out) })
}

use crate::status::ssim_status;

/// Checks the buffer's length; the pointer is checked when it is written.
fn needed(w: usize, h: usize, len: usize) -> Result<usize, Failure> {
    let n = w
        .checked_mul(h)
        .ok_or(ssim_core::Error::DimensionOverflow {
            width: w,
            height: h,
        })?;
    if len < n {
        return Err(Failure::from(ssim_core::Error::GradientBufferSize {
            len,
            needed: n,
        }));
    }
    Ok(n)
}

unsafe fn single<I: CImage>(
    params: *const ssim_params,
    x: *const I,
    y: *const I,
    config: *const ssim_config,
    gradient: *mut f32,
    gradient_len: usize,
    out: *mut ssim_result,
) -> Result<(), Failure> {
    // SAFETY: forwarded contract.
    let ((p, xp, yp), cfg, out) = unsafe {
        (
            inputs(params, x, y)?,
            config_of(config)?,
            out_ptr(out, "out")?,
        )
    };
    let n = needed(yp.width(), yp.height(), gradient_len)?;
    let mut g = vec![0.0f32; n];
    let r = ssim_gradient_into(&p, &xp, &yp, &cfg, Convention::Exact, &mut g)?;
    // SAFETY: `gradient` is writable for `gradient_len >= n` floats (caller's contract).
    let dst = unsafe { out_slice(gradient, n, "gradient") }?;
    dst.copy_from_slice(&g);
    out.write(ssim_result::from(&r));
    Ok(())
}

unsafe fn multi<I: CImage>(
    params: *const ssim_msssim_params,
    x: *const I,
    y: *const I,
    config: *const ssim_config,
    gradient: *mut f32,
    gradient_len: usize,
    out: *mut ssim_msssim_result,
) -> Result<(), Failure> {
    // SAFETY: forwarded contract.
    let ((p, xp, yp), cfg, out) = unsafe {
        (
            ms_inputs(params, x, y)?,
            config_of(config)?,
            out_ptr(out, "out")?,
        )
    };
    let n = needed(yp.width(), yp.height(), gradient_len)?;
    let mut g = vec![0.0f32; n];
    let r = msssim_gradient_into(&p, &xp, &yp, &cfg, &mut g)?;
    // SAFETY: `gradient` is writable for `gradient_len >= n` floats (caller's contract).
    let dst = unsafe { out_slice(gradient, n, "gradient") }?;
    dst.copy_from_slice(&g);
    out.write(ssim_msssim_result::from_std(&r));
    Ok(())
}
