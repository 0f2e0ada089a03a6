//! The row-streaming API: an engine in the caller's scratch, fed any number of rows per call
//! (camera DMA, a decoder), without the image ever being whole in memory. Available with and
//! without std; it allocates nothing.
//!
//! The stream lives at the start of the scratch (a small header holding the engine), followed
//! by the engine's rows. Each push is checked in full before any row enters the engine, so a
//! rejected push changes nothing and the stream can go on.

use core::ffi::c_void;

use ssim_core::{
    scratch_len, Error, Image, Options, OutputRow, Params, Plane, RowSink, Sample, SampleKind,
    ScratchBlock, Ssim,
};

use crate::backend::{forced, ssim_backend};
use crate::compute::{map_slices, ssim_result, MapArgs};
use crate::image::{plane_from, ssim_image_f32, ssim_image_u16, ssim_image_u8, CImage};
use crate::image::{DISTORTED, REFERENCE};
use crate::params::ssim_params;
use crate::status::{
    fail, guard, ssim_status, Failure, SSIM_ERROR_ROWS_MISSING, SSIM_ERROR_SAMPLE_TYPE,
    SSIM_ERROR_SIZE_MISMATCH, SSIM_ERROR_STREAM_STATE, SSIM_ERROR_TOO_MANY_ROWS,
};
use crate::{opt_ptr, out_ptr, place_bytes, place_one, ref_ptr, scratch_slice};

/// A stream being computed, inside the caller's scratch (`ssim_stream_begin`). Opaque: use
/// it only through the `ssim_stream_*` functions, and only while the scratch is untouched.
pub struct ssim_stream {
    _opaque: [u8; 0],
}

/// Called once per finished map row, in order, when a stream has a row callback:
/// `ctx` as given, `row` the map row index (`0 .. map_height`), `ssim` and `cs` the row's
/// `width` values (`map_width`), valid only during the call.
pub type ssim_map_row_fn = Option<
    unsafe extern "C" fn(
        ctx: *mut c_void,
        row: usize,
        ssim: *const f32,
        cs: *const f32,
        width: usize,
    ),
>;

/// Where a stream's map rows go (`ssim_stream_begin`'s `map`, NULL for the mean only). Any
/// combination: a whole-map buffer (`ssim_map`, and optionally `cs_map`, of at least
/// `map_width * map_height` floats from `ssim_map_size`), a row callback, or both.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ssim_stream_map {
    /// NULL, or `ssim_map_len` floats receiving the SSIM map, rows top to bottom.
    pub ssim_map: *mut f32,
    /// Floats at `ssim_map`.
    pub ssim_map_len: usize,
    /// NULL, or `cs_map_len` floats receiving the cs map (needs `ssim_map`).
    pub cs_map: *mut f32,
    /// Floats at `cs_map`.
    pub cs_map_len: usize,
    /// NULL, or a function called with each finished map row.
    pub row_fn: ssim_map_row_fn,
    /// Handed to `row_fn` unchanged.
    pub ctx: *mut c_void,
}

/// Marks memory that holds a live stream ("SSIS"); cleared at finish.
const MAGIC: u32 = 0x5353_4953;

/// What a stream keeps between calls.
struct State {
    magic: u32,
    engine: Option<Ssim<'static>>,
    sink: MapSink<'static>,
    width: usize,
    height: usize,
    pushed: usize,
    kind: Option<SampleKind>,
}

/// The map destinations of a stream, and of the whole-image calls (without a callback): one
/// sink type for every C entry point, so that a firmware links one copy of the engine's
/// generic row loop (about 2 KB of flash per sink type).
pub(crate) struct MapSink<'m> {
    ssim: &'m mut [f32],
    cs: Option<&'m mut [f32]>,
    row_fn: ssim_map_row_fn,
    ctx: *mut c_void,
}

impl<'m> MapSink<'m> {
    /// Rows into these maps (as wide as the rows), or nowhere (empty `ssim`, no `cs`).
    pub(crate) fn buffers(ssim: &'m mut [f32], cs: Option<&'m mut [f32]>) -> Self {
        MapSink {
            ssim,
            cs,
            row_fn: None,
            ctx: core::ptr::null_mut(),
        }
    }
}

impl RowSink for MapSink<'_> {
    fn row(&mut self, row: OutputRow<'_>) {
        let w = row.ssim.len();
        let span = row.index * w..(row.index + 1) * w;
        if let Some(dst) = self.ssim.get_mut(span.clone()) {
            dst.copy_from_slice(row.ssim);
        }
        if let Some(dst) = self.cs.as_deref_mut().and_then(|c| c.get_mut(span)) {
            dst.copy_from_slice(row.cs);
        }
        if let Some(f) = self.row_fn {
            // SAFETY: the caller's contract of `ssim_stream_begin`: `row_fn` is a function of
            // this signature; the rows are valid for `w` floats during the call.
            unsafe { f(self.ctx, row.index, row.ssim.as_ptr(), row.cs.as_ptr(), w) };
        }
    }
}

/// Scratch bytes for a stream over rows `width` pixels wide: the stream header plus what
/// `ssim_scratch_size` reports. `with_map`: whether `ssim_stream_begin` will get a map.
fn stream_bytes(p: &Params, width: usize, with_map: bool) -> Result<usize, Failure> {
    let blocks = scratch_len(p, width, with_map)?;
    blocks
        .checked_mul(ScratchBlock::BYTES)
        .and_then(|b| b.checked_add(ScratchBlock::BYTES - 1))
        .and_then(|b| b.checked_add(place_bytes::<Option<State>>(1)?))
        .ok_or_else(|| {
            Error::DimensionOverflow {
                width,
                height: p.window.size(),
            }
            .into()
        })
}

/// Writes to `*bytes` the scratch size, in bytes, of a stream over images `width` pixels wide
/// with these parameters (any height, sample type and backend). `with_map`: whether
/// `ssim_stream_begin` will be given a map. Includes the slack for any alignment.
///
/// Errors: as `ssim_scratch_size`.
///
/// # Safety
///
/// `params` must be NULL or point to a readable `ssim_params`; `bytes` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ssim_stream_scratch_size(
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
        out.write(stream_bytes(&p, width, with_map)?);
        Ok(())
    })
}

/// Starts a stream over a `width x height` image pair in the caller's `scratch` (at least
/// `ssim_stream_scratch_size(params, width, map != NULL, &n)` bytes, any alignment) and
/// writes its handle to `*stream` (it points into the scratch). Then push the rows of both
/// images in order, any number per call (`ssim_stream_push_u8` and friends, one sample type
/// per stream), and `ssim_stream_finish`. The result is bitwise the one of
/// `ssim_compute_*_scratch` on the whole images with the same backend, whatever the chunking.
///
/// `backend`: `SSIM_BACKEND_AUTO` or one to force. `map`: NULL, or where the map rows go.
/// Errors: `SSIM_ERROR_NULL_POINTER`, `_MISALIGNED_POINTER`, `_INVALID_PARAMETER`,
/// `_ZERO_DIMENSION`, `_DIMENSION_OVERFLOW`, `_IMAGE_SMALLER_THAN_WINDOW`,
/// `_BACKEND_UNSUPPORTED`, `_SCRATCH_TOO_SMALL`, `_MAP_TOO_SMALL`; then nothing is written.
///
/// # Safety
///
/// `params`, `map` NULL or readable; `stream` NULL or writable. `scratch` NULL or writable for
/// `scratch_bytes` bytes, and it, the map buffers and `map->ctx` must stay valid and otherwise
/// untouched until `ssim_stream_finish` returns (or the stream is abandoned); `row_fn` must be
/// a function of the `ssim_map_row_fn` signature.
#[no_mangle]
pub unsafe extern "C" fn ssim_stream_begin(
    params: *const ssim_params,
    width: usize,
    height: usize,
    backend: ssim_backend,
    map: *const ssim_stream_map,
    scratch: *mut c_void,
    scratch_bytes: usize,
    stream: *mut *mut ssim_stream,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe {
        begin(
            params,
            width,
            height,
            backend,
            map,
            scratch,
            scratch_bytes,
            stream,
        )
    })
}

#[allow(clippy::too_many_arguments)]
unsafe fn begin(
    params: *const ssim_params,
    width: usize,
    height: usize,
    backend: ssim_backend,
    map: *const ssim_stream_map,
    scratch: *mut c_void,
    scratch_bytes: usize,
    stream: *mut *mut ssim_stream,
) -> Result<(), Failure> {
    // SAFETY: the caller's contract for each pointer, checked for NULL and alignment.
    let (p, map, out) = unsafe {
        (
            ref_ptr(params, "params")?.checked()?,
            opt_ptr(map, "map")?.copied(),
            out_ptr(stream, "stream")?,
        )
    };
    let backend = Some(forced(backend)?.unwrap_or_else(ssim_core::Backend::detect));
    let with_map = map.is_some();
    // Dimensions first (before the scratch size, which reads only the width).
    ssim_core::map_size(&p, width, height, with_map)?;
    let needed = stream_bytes(&p, width, with_map)?;
    // SAFETY: forwarded contract; the scratch outlives the stream (caller).
    let mut bytes: &'static mut [u8] = unsafe { scratch_slice(scratch, scratch_bytes, needed) }?;
    let m = map.unwrap_or(ssim_stream_map {
        ssim_map: core::ptr::null_mut(),
        ssim_map_len: 0,
        cs_map: core::ptr::null_mut(),
        cs_map_len: 0,
        row_fn: None,
        ctx: core::ptr::null_mut(),
    });
    let args = MapArgs {
        ssim: m.ssim_map,
        ssim_len: m.ssim_map_len,
        cs: m.cs_map,
        cs_len: m.cs_map_len,
    };
    // SAFETY: forwarded contract: the buffers stay valid until finish.
    let (ssim, cs) = match unsafe { map_slices(&p, width, height, args) }? {
        Some((_, _, s, c)) => (s, c),
        None => (&mut [][..], None),
    };
    let Some(head_len) = place_bytes::<Option<State>>(1) else {
        return Err(internal_layout());
    };
    let (mut head, rest) = core::mem::take(&mut bytes).split_at_mut(head_len);
    let blocks = ScratchBlock::from_bytes(rest);
    let options = Options {
        backend,
        map: with_map,
        rows: None,
    };
    let engine = Ssim::with_options(&p, width, height, options, blocks)?;
    let state = place_one(
        &mut head,
        State {
            magic: MAGIC,
            engine: Some(engine),
            sink: MapSink {
                ssim,
                cs,
                row_fn: m.row_fn,
                ctx: m.ctx,
            },
            width,
            height,
            pushed: 0,
            kind: None,
        },
    )
    .ok_or_else(internal_layout)?;
    out.write((state as *mut State).cast());
    Ok(())
}

fn internal_layout() -> Failure {
    fail(
        crate::SSIM_ERROR_INTERNAL,
        "internal error: the scratch layout does not fit its own size (a bug; please report it)",
    )
}

/// The live state behind a handle.
///
/// # Safety
///
/// `stream` must be NULL or a handle from `ssim_stream_begin` whose scratch is still valid.
unsafe fn state<'s>(stream: *mut ssim_stream) -> Result<&'s mut State, Failure> {
    let p = stream.cast::<State>();
    // SAFETY: forwarded contract; `ref_ptr` checks NULL and alignment for `State`.
    unsafe { ref_ptr(p.cast_const(), "stream") }?;
    // SAFETY: non-NULL and aligned (checked); the caller's contract makes it a `State`
    // written by `begin`, or memory whose first word is not `MAGIC`, read as a plain `u32`.
    let magic = unsafe { core::ptr::addr_of!((*p).magic).read() };
    if magic != MAGIC {
        return Err(fail(
            SSIM_ERROR_STREAM_STATE,
            "`stream` is not a live stream: expected a handle from ssim_stream_begin that has not been finished",
        ));
    }
    // SAFETY: a live stream (magic checked) written by `begin`, borrowed for this call only.
    Ok(unsafe { &mut *p })
}

/// Pushes the next `x->height` rows of both images (`y->height` the same) into the stream:
/// the chunk's rows are the next rows of the image, `width` pixels each as given to
/// `ssim_stream_begin`; stride and step as for any `ssim_image_u8`. Map rows that become
/// complete go to the stream's map. Errors (and nothing is pushed): `SSIM_ERROR_NULL_POINTER`,
/// `_MISALIGNED_POINTER`, `_ZERO_DIMENSION`, `_CHANNEL_STEP`, `_STRIDE_TOO_SHORT`,
/// `_SIZE_MISMATCH` (x and y differ, or the width is not the stream's), `_TOO_MANY_ROWS`,
/// `_SAMPLE_TYPE` (the stream got another sample type before), `_STREAM_STATE` (finished).
///
/// # Safety
///
/// `stream` NULL or a handle from `ssim_stream_begin`; `x`, `y` NULL or readable images whose
/// data is readable for their layout.
#[no_mangle]
pub unsafe extern "C" fn ssim_stream_push_u8(
    stream: *mut ssim_stream,
    x: *const ssim_image_u8,
    y: *const ssim_image_u8,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { push(stream, x, y) })
}

/// As `ssim_stream_push_u8`, for `uint16_t` samples.
///
/// # Safety
///
/// As `ssim_stream_push_u8`.
#[no_mangle]
pub unsafe extern "C" fn ssim_stream_push_u16(
    stream: *mut ssim_stream,
    x: *const ssim_image_u16,
    y: *const ssim_image_u16,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { push(stream, x, y) })
}

/// As `ssim_stream_push_u8`, for `float` samples; a NaN or infinite sample anywhere in the
/// chunk gives `SSIM_ERROR_NON_FINITE_SAMPLE` and none of its rows is pushed.
///
/// # Safety
///
/// As `ssim_stream_push_u8`.
#[no_mangle]
pub unsafe extern "C" fn ssim_stream_push_f32(
    stream: *mut ssim_stream,
    x: *const ssim_image_f32,
    y: *const ssim_image_f32,
) -> ssim_status {
    // SAFETY: forwarded contract.
    guard(|| unsafe { push(stream, x, y) })
}

unsafe fn push<I: CImage>(
    stream: *mut ssim_stream,
    x: *const I,
    y: *const I,
) -> Result<(), Failure> {
    // SAFETY: forwarded contract.
    let s = unsafe { state(stream) }?;
    // SAFETY: forwarded contract.
    let (xp, yp) = unsafe { (plane_from(x, REFERENCE)?, plane_from(y, DISTORTED)?) };
    let Some(engine) = s.engine.as_mut() else {
        return Err(internal_layout());
    };
    if (xp.width(), xp.height()) != (yp.width(), yp.height()) {
        return Err(Error::SizeMismatch {
            reference: (xp.width(), xp.height()),
            distorted: (yp.width(), yp.height()),
        }
        .into());
    }
    if xp.width() != s.width {
        return Err(fail(
            SSIM_ERROR_SIZE_MISMATCH,
            "the pushed rows differ in width from the stream: expected the width given to ssim_stream_begin",
        ));
    }
    let pushed = s.pushed.checked_add(xp.height());
    if pushed.is_none_or(|n| n > s.height) {
        return Err(fail(
            SSIM_ERROR_TOO_MANY_ROWS,
            "more rows pushed than the image height: expected at most the height given to ssim_stream_begin in all",
        ));
    }
    if s.kind.is_some_and(|k| k != I::Sample::KIND) {
        return Err(fail(
            SSIM_ERROR_SAMPLE_TYPE,
            "rows of another sample type than the stream's: expected every push of a stream to use one ssim_stream_push_* function",
        ));
    }
    for (plane, image) in [(&xp, Image::Reference), (&yp, Image::Distorted)] {
        check_finite(plane, image, s.pushed)?;
    }
    s.kind = Some(I::Sample::KIND);
    engine.push_rows(&xp, &yp, &mut s.sink)?;
    s.pushed += xp.height();
    Ok(())
}

/// The whole chunk is checked before any row enters the engine (which checks row by row),
/// so that a rejected push leaves the stream as it was.
fn check_finite<T: Sample>(
    p: &Plane<'_, T>,
    image: Image,
    first_row: usize,
) -> Result<(), Failure> {
    if T::KIND != SampleKind::F32 {
        return Ok(());
    }
    for r in 0..p.height() {
        for c in 0..p.width() {
            if !p.get(c, r).to_f32().is_finite() {
                return Err(Error::NonFiniteSample {
                    image,
                    row: first_row + r,
                    col: c,
                }
                .into());
            }
        }
    }
    Ok(())
}

/// Ends the stream: every row must have been pushed (`SSIM_ERROR_ROWS_MISSING` otherwise,
/// and the stream stays open for the missing rows). Writes the mean to `*out` (as
/// `ssim_compute_u8_scratch` does); the map, if any, is complete. After success the handle is
/// dead (`SSIM_ERROR_STREAM_STATE` for any further call) and the scratch is free again.
///
/// # Safety
///
/// `stream` NULL or a handle from `ssim_stream_begin`; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ssim_stream_finish(
    stream: *mut ssim_stream,
    out: *mut ssim_result,
) -> ssim_status {
    guard(|| {
        // SAFETY: forwarded contract.
        let (s, out) = unsafe { (state(stream)?, out_ptr(out, "out")?) };
        if s.pushed < s.height {
            return Err(fail(
                SSIM_ERROR_ROWS_MISSING,
                "ssim_stream_finish before every row was pushed: expected as many rows in all as the height given to ssim_stream_begin",
            ));
        }
        let Some(engine) = s.engine.take() else {
            return Err(internal_layout());
        };
        let r = engine.finish();
        s.magic = 0;
        let r = r?;
        out.write(ssim_result::from(&r));
        Ok(())
    })
}
