//! Single-scale SSIM: means, maps, and the allocation-free path with caller scratch.
//!
//! cbindgen reads the source without expanding macros, so each exported function is written
//! out; the bodies are one-line calls into the generic implementations at the end.

use core::ffi::c_void;

use ssim_core::{
    compute_with, map_size, scratch_len, Error, Options, Params, Plane, RowSink, ScratchBlock,
    SsimResult,
};
#[cfg(feature = "std")]
use ssim_std::{ssim_map_with, ssim_with, Config};

use crate::backend::{backend_id, forced, ssim_backend};
use crate::image::{
    plane_from, ssim_image_f32, ssim_image_u16, ssim_image_u8, CImage, DISTORTED, REFERENCE,
};
use crate::params::ssim_params;
use crate::status::{guard, ssim_status, Failure};
use crate::stream::MapSink;
use crate::{out_ptr, out_slice, ref_ptr, scratch_slice, SSIM_ERROR_NULL_POINTER};

/// How to run a computation. Pass NULL to any `config` argument for the defaults (all
/// fields zero).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ssim_config {
    /// `SSIM_BACKEND_AUTO` (0) for the fastest supported backend, or a backend to force
    /// (`SSIM_ERROR_BACKEND_UNSUPPORTED` if this CPU or build cannot run it).
    pub backend: ssim_backend,
    /// Most parallel bands of rows: 0 lets the library choose (the size of its thread pool,
    /// one thread per core), 1 computes on the calling thread only. Bands are at least 16
    /// map rows. The result is bitwise the same for any value.
    pub threads: u32,
}

/// The mean SSIM of an image pair.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ssim_result {
    /// Mean SSIM over the pooled region.
    pub ssim: f64,
    /// Mean contrast-structure term `cs` over the pooled region (what MS-SSIM uses at its
    /// finer levels).
    pub cs: f64,
    /// Number of pooled pixels (the valid region, or every pixel with same pooling).
    pub count: u64,
    /// The backend that computed it (`SSIM_BACKEND_*`).
    pub backend: ssim_backend,
}

impl From<&SsimResult> for ssim_result {
    fn from(r: &SsimResult) -> ssim_result {
        ssim_result {
            ssim: r.ssim,
            cs: r.cs,
            count: r.count,
            backend: backend_id(r.backend),
        }
    }
}

/// Writes the size of the map the compute functions produce for a `width x height` image:
/// `(width - 2r) x (height - 2r)` with valid pooling and `SSIM_PADDING_NONE` map padding
/// (`r` the window radius), `width x height` otherwise. Map buffers hold
/// `map_width * map_height` floats, rows top to bottom, each row `map_width` floats.
///
/// Returns `SSIM_ERROR_NULL_POINTER`, `SSIM_ERROR_INVALID_PARAMETER`,
/// `SSIM_ERROR_ZERO_DIMENSION`, `SSIM_ERROR_DIMENSION_OVERFLOW` or
/// `SSIM_ERROR_IMAGE_SMALLER_THAN_WINDOW` on failure.
///
/// # Safety
///
/// `params` must be NULL or point to a readable `ssim_params`; `map_width` and `map_height`
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ssim_map_size(
    params: *const ssim_params,
    width: usize,
    height: usize,
    map_width: *mut usize,
    map_height: *mut usize,
) -> ssim_status {
    guard(|| {
        // SAFETY: the caller's contract for each pointer; `ref_ptr`/`out_ptr` check NULL and
        // alignment.
        let (p, mw, mh) = unsafe {
            (
                ref_ptr(params, "params")?.checked()?,
                out_ptr(map_width, "map_width")?,
                out_ptr(map_height, "map_height")?,
            )
        };
        let (w, h) = map_size(&p, width, height, true)?;
        mw.write(w);
        mh.write(h);
        Ok(())
    })
}

/// Writes to `*bytes` the scratch size, in bytes, that the `*_scratch` functions need for
/// images `width` pixels wide with these parameters. It does not depend on the height, the
/// sample type or the backend. `with_map`: whether a map will be requested (maps with
/// `map_padding` need a little more). The size includes 63 bytes of slack so that any
/// address works (the library aligns internally to 64 bytes).
///
/// Returns `SSIM_ERROR_NULL_POINTER`, `SSIM_ERROR_INVALID_PARAMETER`,
/// `SSIM_ERROR_ZERO_DIMENSION`, `SSIM_ERROR_DIMENSION_OVERFLOW` or
/// `SSIM_ERROR_IMAGE_SMALLER_THAN_WINDOW` (valid pooling and `width` below the window size).
///
/// # Safety
///
/// `params` must be NULL or point to a readable `ssim_params`; `bytes` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ssim_scratch_size(
    params: *const ssim_params,
    width: usize,
    with_map: bool,
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
        out.write(scratch_bytes_for(&p, width, with_map)?);
        Ok(())
    })
}

/// Computes the mean SSIM and cs of two `uint8_t` images of equal size into `*out`,
/// allocating its working memory (per thread, what `ssim_scratch_size` reports: it grows
/// with the width, never with the height).
///
/// `params`: from `ssim_params_from_preset` (e.g. `SSIM_PRESET_WANG2004`, data range 255).
/// `x`: the reference image, `y`: the distorted one (stride and step in samples).
/// `config`: NULL for the defaults. On failure `*out` is untouched and the status says why:
/// `SSIM_ERROR_NULL_POINTER`, `_MISALIGNED_POINTER`, `_INVALID_PARAMETER`,
/// `_ZERO_DIMENSION`, `_CHANNEL_STEP`, `_STRIDE_TOO_SHORT`, `_DIMENSION_OVERFLOW`,
/// `_SIZE_MISMATCH`, `_IMAGE_SMALLER_THAN_WINDOW`, `_BACKEND_UNSUPPORTED`.
///
/// # Safety
///
/// Each pointer must be NULL or valid for its type: `params`, `x`, `y`, `config` readable,
/// each image's `data` readable for its whole layout, `out` writable.
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn ssim_compute_u8(
    params: *const ssim_params,
    x: *const ssim_image_u8,
    y: *const ssim_image_u8,
    config: *const ssim_config,
    out: *mut ssim_result,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { compute(params, x, y, config, out) })
}

/// As `ssim_compute_u8`, for `uint16_t` samples (data range e.g. 1023 for 10-bit, 65535 for
/// 16-bit).
///
/// # Safety
///
/// As `ssim_compute_u8`.
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn ssim_compute_u16(
    params: *const ssim_params,
    x: *const ssim_image_u16,
    y: *const ssim_image_u16,
    config: *const ssim_config,
    out: *mut ssim_result,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { compute(params, x, y, config, out) })
}

/// As `ssim_compute_u8`, for `float` samples (data range e.g. 1.0 for values in [0, 1]).
/// NaN or infinite samples give `SSIM_ERROR_NON_FINITE_SAMPLE`.
///
/// # Safety
///
/// As `ssim_compute_u8`.
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn ssim_compute_f32(
    params: *const ssim_params,
    x: *const ssim_image_f32,
    y: *const ssim_image_f32,
    config: *const ssim_config,
    out: *mut ssim_result,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { compute(params, x, y, config, out) })
}

/// Computes the SSIM map (and optionally the cs map) of two `uint8_t` images into caller
/// buffers, and the mean into `*out` (`out` may be NULL if only the maps are wanted).
///
/// `ssim_map` holds `ssim_map_len` floats, at least `map_width * map_height` from
/// `ssim_map_size`; `cs_map` is NULL or holds `cs_map_len` such floats. Rows are top to
/// bottom, `map_width` floats each. With valid pooling and a `map_padding` (scikit-image
/// presets) the map is `width x height` and its border pixels use that padding; they are not
/// part of the mean. Errors: as `ssim_compute_u8`, plus `SSIM_ERROR_MAP_TOO_SMALL`; on error
/// the map contents are unspecified.
///
/// # Safety
///
/// As `ssim_compute_u8`; `ssim_map` and `cs_map` must be NULL or writable for their lengths
/// and must not overlap the images.
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn ssim_map_u8(
    params: *const ssim_params,
    x: *const ssim_image_u8,
    y: *const ssim_image_u8,
    config: *const ssim_config,
    ssim_map: *mut f32,
    ssim_map_len: usize,
    cs_map: *mut f32,
    cs_map_len: usize,
    out: *mut ssim_result,
) -> ssim_status {
    let maps = MapArgs {
        ssim: ssim_map,
        ssim_len: ssim_map_len,
        cs: cs_map,
        cs_len: cs_map_len,
    };
    // SAFETY: forwarded contract.
    guard(|| unsafe { map(params, x, y, config, maps, out) })
}

/// As `ssim_map_u8`, for `uint16_t` samples.
///
/// # Safety
///
/// As `ssim_map_u8`.
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn ssim_map_u16(
    params: *const ssim_params,
    x: *const ssim_image_u16,
    y: *const ssim_image_u16,
    config: *const ssim_config,
    ssim_map: *mut f32,
    ssim_map_len: usize,
    cs_map: *mut f32,
    cs_map_len: usize,
    out: *mut ssim_result,
) -> ssim_status {
    let maps = MapArgs {
        ssim: ssim_map,
        ssim_len: ssim_map_len,
        cs: cs_map,
        cs_len: cs_map_len,
    };
    // SAFETY: forwarded contract.
    guard(|| unsafe { map(params, x, y, config, maps, out) })
}

/// As `ssim_map_u8`, for `float` samples.
///
/// # Safety
///
/// As `ssim_map_u8`.
#[cfg(feature = "std")]
#[no_mangle]
pub unsafe extern "C" fn ssim_map_f32(
    params: *const ssim_params,
    x: *const ssim_image_f32,
    y: *const ssim_image_f32,
    config: *const ssim_config,
    ssim_map: *mut f32,
    ssim_map_len: usize,
    cs_map: *mut f32,
    cs_map_len: usize,
    out: *mut ssim_result,
) -> ssim_status {
    let maps = MapArgs {
        ssim: ssim_map,
        ssim_len: ssim_map_len,
        cs: cs_map,
        cs_len: cs_map_len,
    };
    // SAFETY: forwarded contract.
    guard(|| unsafe { map(params, x, y, config, maps, out) })
}

/// The allocation-free path: SSIM of two `uint8_t` images using only the caller's
/// `scratch` memory (no heap, no threads; for firmware and real-time callers).
///
/// `scratch` points to `scratch_bytes` bytes of any alignment and content, at least what
/// `ssim_scratch_size(params, width, with_map, &n)` reports, `with_map` true when
/// `ssim_map` is not NULL. `backend`: `SSIM_BACKEND_AUTO` or one to force. `ssim_map` and
/// `cs_map` are optional (NULL) map buffers as in `ssim_map_u8` (a cs map needs an SSIM map).
/// `*out` receives the mean. Errors: as `ssim_map_u8`, plus `SSIM_ERROR_SCRATCH_TOO_SMALL`.
/// The scratch contents are overwritten; one buffer may be reused for any number of calls
/// but not by two calls at once.
///
/// # Safety
///
/// As `ssim_map_u8`; `scratch` must be NULL or writable for `scratch_bytes` bytes and
/// overlap nothing else.
#[no_mangle]
pub unsafe extern "C" fn ssim_compute_u8_scratch(
    params: *const ssim_params,
    x: *const ssim_image_u8,
    y: *const ssim_image_u8,
    backend: ssim_backend,
    scratch: *mut c_void,
    scratch_bytes: usize,
    ssim_map: *mut f32,
    ssim_map_len: usize,
    cs_map: *mut f32,
    cs_map_len: usize,
    out: *mut ssim_result,
) -> ssim_status {
    let maps = MapArgs {
        ssim: ssim_map,
        ssim_len: ssim_map_len,
        cs: cs_map,
        cs_len: cs_map_len,
    };
    // SAFETY: forwarded contract.
    guard(|| unsafe { compute_scratch(params, x, y, backend, scratch, scratch_bytes, maps, out) })
}

/// As `ssim_compute_u8_scratch`, for `uint16_t` samples.
///
/// # Safety
///
/// As `ssim_compute_u8_scratch`.
#[no_mangle]
pub unsafe extern "C" fn ssim_compute_u16_scratch(
    params: *const ssim_params,
    x: *const ssim_image_u16,
    y: *const ssim_image_u16,
    backend: ssim_backend,
    scratch: *mut c_void,
    scratch_bytes: usize,
    ssim_map: *mut f32,
    ssim_map_len: usize,
    cs_map: *mut f32,
    cs_map_len: usize,
    out: *mut ssim_result,
) -> ssim_status {
    let maps = MapArgs {
        ssim: ssim_map,
        ssim_len: ssim_map_len,
        cs: cs_map,
        cs_len: cs_map_len,
    };
    // SAFETY: forwarded contract.
    guard(|| unsafe { compute_scratch(params, x, y, backend, scratch, scratch_bytes, maps, out) })
}

/// As `ssim_compute_u8_scratch`, for `float` samples.
///
/// # Safety
///
/// As `ssim_compute_u8_scratch`.
#[no_mangle]
pub unsafe extern "C" fn ssim_compute_f32_scratch(
    params: *const ssim_params,
    x: *const ssim_image_f32,
    y: *const ssim_image_f32,
    backend: ssim_backend,
    scratch: *mut c_void,
    scratch_bytes: usize,
    ssim_map: *mut f32,
    ssim_map_len: usize,
    cs_map: *mut f32,
    cs_map_len: usize,
    out: *mut ssim_result,
) -> ssim_status {
    let maps = MapArgs {
        ssim: ssim_map,
        ssim_len: ssim_map_len,
        cs: cs_map,
        cs_len: cs_map_len,
    };
    // SAFETY: forwarded contract.
    guard(|| unsafe { compute_scratch(params, x, y, backend, scratch, scratch_bytes, maps, out) })
}

/// Scratch bytes for the `*_scratch` functions: whole blocks plus alignment slack.
pub(crate) fn scratch_bytes_for(
    p: &Params,
    width: usize,
    with_map: bool,
) -> Result<usize, Failure> {
    let blocks = scratch_len(p, width, with_map)?;
    blocks
        .checked_mul(ScratchBlock::BYTES)
        .and_then(|b| b.checked_add(ScratchBlock::BYTES - 1))
        .ok_or_else(|| {
            Error::DimensionOverflow {
                width,
                height: p.window.size(),
            }
            .into()
        })
}

/// Checked parameters and both images.
pub(crate) type Inputs<'a, T> = (Params, Plane<'a, T>, Plane<'a, T>);

/// Parameters and both planes, checked in argument order.
///
/// # Safety
///
/// As `ssim_compute_u8` for these three pointers.
pub(crate) unsafe fn inputs<'a, I: CImage>(
    params: *const ssim_params,
    x: *const I,
    y: *const I,
) -> Result<Inputs<'a, I::Sample>, Failure> {
    // SAFETY: forwarded contract.
    let (p, xp, yp) = unsafe {
        (
            ref_ptr(params, "params")?.checked()?,
            plane_from(x, REFERENCE)?,
            plane_from(y, DISTORTED)?,
        )
    };
    if (xp.width(), xp.height()) != (yp.width(), yp.height()) {
        return Err(Error::SizeMismatch {
            reference: (xp.width(), xp.height()),
            distorted: (yp.width(), yp.height()),
        }
        .into());
    }
    Ok((p, xp, yp))
}

/// The run options of a (possibly NULL) config.
///
/// # Safety
///
/// `config` must be NULL or readable.
#[cfg(feature = "std")]
pub(crate) unsafe fn config_of(config: *const ssim_config) -> Result<Config, Failure> {
    // SAFETY: forwarded contract.
    let c = unsafe { crate::opt_ptr(config, "config") }?
        .copied()
        .unwrap_or_default();
    Ok(Config {
        // Resolved here, not left to the Rust library, whose default also honours the
        // SSIM_BACKEND environment variable: the scratch path cannot read the environment
        // (that allocates), and every C entry point must mean the same thing by AUTO.
        backend: Some(forced(c.backend)?.unwrap_or_else(ssim_core::Backend::detect)),
        threads: (c.threads != 0).then_some(c.threads as usize),
    })
}

#[cfg(feature = "std")]
unsafe fn compute<I: CImage>(
    params: *const ssim_params,
    x: *const I,
    y: *const I,
    config: *const ssim_config,
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
    let r = ssim_with(&p, &xp, &yp, &cfg)?;
    out.write(ssim_result::from(&r));
    Ok(())
}

/// The caller's map buffers.
#[derive(Clone, Copy)]
pub(crate) struct MapArgs {
    pub(crate) ssim: *mut f32,
    pub(crate) ssim_len: usize,
    pub(crate) cs: *mut f32,
    pub(crate) cs_len: usize,
}

/// Map width, height, the SSIM map and the optional cs map, each exactly the map size.
pub(crate) type MapBuffers<'a> = (usize, usize, &'a mut [f32], Option<&'a mut [f32]>);

/// Checks the map buffers against the map size and returns them as slices of exactly the
/// map size (NULL `ssim` gives no maps; NULL `cs` no cs map).
///
/// # Safety
///
/// Each pointer NULL or writable for its length, not overlapping anything else.
pub(crate) unsafe fn map_slices<'a>(
    p: &Params,
    width: usize,
    height: usize,
    maps: MapArgs,
) -> Result<Option<MapBuffers<'a>>, Failure> {
    if maps.ssim.is_null() {
        if !maps.cs.is_null() {
            return Err(crate::status::fail(
                SSIM_ERROR_NULL_POINTER,
                "`ssim_map` is NULL but `cs_map` is not: a cs map is produced only together with an SSIM map",
            ));
        }
        return Ok(None);
    }
    let (mw, mh) = map_size(p, width, height, true)?;
    let needed = mw
        .checked_mul(mh)
        .ok_or(Error::DimensionOverflow { width, height })?;
    for (ptr, len) in [(maps.ssim, maps.ssim_len), (maps.cs, maps.cs_len)] {
        if !ptr.is_null() && len < needed {
            return Err(Error::MapTooSmall { len, needed }.into());
        }
    }
    // SAFETY: forwarded contract; only `needed <= len` values are made into slices.
    let ssim = unsafe { out_slice(maps.ssim, needed, "ssim_map") }?;
    let cs = if maps.cs.is_null() {
        None
    } else {
        // SAFETY: as above.
        Some(unsafe { out_slice(maps.cs, needed, "cs_map") }?)
    };
    Ok(Some((mw, mh, ssim, cs)))
}

#[cfg(feature = "std")]
unsafe fn map<I: CImage>(
    params: *const ssim_params,
    x: *const I,
    y: *const I,
    config: *const ssim_config,
    maps: MapArgs,
    out: *mut ssim_result,
) -> Result<(), Failure> {
    // SAFETY: forwarded contract.
    let ((p, xp, yp), cfg) = unsafe { (inputs(params, x, y)?, config_of(config)?) };
    let out = if out.is_null() {
        None
    } else {
        // SAFETY: forwarded contract.
        Some(unsafe { out_ptr(out, "out") }?)
    };
    if maps.ssim.is_null() {
        return Err(Failure {
            status: SSIM_ERROR_NULL_POINTER,
            message: crate::status::Message::Null("ssim_map"),
        });
    }
    // SAFETY: forwarded contract.
    let Some((mw, mh, ssim, cs)) = unsafe { map_slices(&p, xp.width(), xp.height(), maps) }? else {
        return Ok(());
    };
    let m = ssim_map_with(&p, &xp, &yp, &cfg)?;
    if (m.width, m.height) != (mw, mh) || m.ssim.len() != ssim.len() {
        return Err(crate::status::fail(
            crate::SSIM_ERROR_INTERNAL,
            "internal error: the map differs in size from ssim_map_size (a bug; please report it)",
        ));
    }
    ssim.copy_from_slice(&m.ssim);
    if let Some(cs) = cs {
        cs.copy_from_slice(&m.cs);
    }
    let r = m.result;
    if let Some(out) = out {
        out.write(ssim_result::from(&r));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
unsafe fn compute_scratch<I: CImage>(
    params: *const ssim_params,
    x: *const I,
    y: *const I,
    backend: ssim_backend,
    scratch: *mut c_void,
    scratch_bytes: usize,
    maps: MapArgs,
    out: *mut ssim_result,
) -> Result<(), Failure> {
    // SAFETY: forwarded contract.
    let (p, xp, yp) = unsafe { inputs(params, x, y) }?;
    let backend = Some(forced(backend)?.unwrap_or_else(ssim_core::Backend::detect));
    // SAFETY: forwarded contract.
    let out = unsafe { out_ptr(out, "out") }?;
    let with_map = !maps.ssim.is_null();
    let needed = scratch_bytes_for(&p, xp.width(), with_map)?;
    // SAFETY: forwarded contract.
    let bytes = unsafe { scratch_slice(scratch, scratch_bytes, needed) }?;
    // SAFETY: forwarded contract.
    let map = unsafe { map_slices(&p, xp.width(), xp.height(), maps) }?;
    let blocks = ScratchBlock::from_bytes(bytes);
    // `map_slices` made each map exactly `mw x mh`.
    let mut sink = match map {
        Some((_, _, ssim, cs)) => MapSink::buffers(ssim, cs),
        None => MapSink::buffers(&mut [], None),
    };
    let r = run(&p, &xp, &yp, backend, with_map, blocks, &mut sink)?;
    out.write(ssim_result::from(&r));
    Ok(())
}

fn run<T: ssim_core::Sample>(
    p: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    backend: Option<ssim_core::Backend>,
    map: bool,
    scratch: &mut [ScratchBlock],
    sink: &mut impl RowSink,
) -> Result<SsimResult, Failure> {
    let options = Options {
        backend,
        map,
        rows: None,
    };
    Ok(compute_with(p, x, y, options, scratch, sink)?)
}
