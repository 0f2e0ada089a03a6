//! # ssim-capi
//!
//! The C ABI of the `ssim` workspace: `libssim.a`, `libssim.so` and the header
//! `include/ssim.h`, generated from this crate by cbindgen (`cbindgen.toml`) and checked in CI.
//! The Rust API (`ssim-std`) stays free of `repr(C)`; everything C-shaped lives here.
//!
//! Conventions of every function:
//!
//! - The return value is an `ssim_status`: `SSIM_OK` (0) or an `SSIM_ERROR_*` code.
//!   `ssim_status_str` names a code; `ssim_last_error_message` copies a sentence saying what
//!   was wrong and what was expected. On error, output arguments are left untouched.
//! - Pointers are checked for NULL and for alignment before use, and every size is computed
//!   with overflow checks before any memory is touched. Nothing panics across the boundary:
//!   with std every entry point runs inside `catch_unwind`, a panic becomes
//!   `SSIM_ERROR_INTERNAL`; without std a panic (a bug) goes to the panic handler, which the
//!   `panic-hook` feature provides (it calls the C function `ssim_panic_hook`).
//! - Without the default `std` feature the crate is `#![no_std]` over ssim-core alone: the
//!   functions that need a heap or threads are left out, and the header fences them with
//!   `#if defined(SSIM_STD)` (defined unless the C code defines `SSIM_NO_STD`).
//! - Images (`ssim_image_u8`, `ssim_image_u16`, `ssim_image_f32`) give the row stride and
//!   the channel step **in samples** (elements of the sample type), never in bytes: sample
//!   `(col, row)` is `data[row * stride + col * step]`.
//! - Nothing is allocated by the `*_scratch` functions: the caller hands in a buffer of
//!   `ssim_scratch_size` bytes (any alignment).
//!
//! `unsafe` here is the FFI boundary itself: turning checked C pointers into slices.
#![cfg_attr(not(any(feature = "std", test)), no_std)]
#![allow(non_camel_case_types)]
#![deny(missing_docs)]

mod backend;
mod compute;
mod ffmpeg;
#[cfg(feature = "std")]
mod gradient;
mod image;
mod msssim;
#[cfg(all(feature = "panic-hook", not(feature = "std"), not(test)))]
mod panic_hook;
mod params;
mod pyramid;
mod status;
mod stream;

use core::ffi::c_char;

pub use backend::*;
pub use compute::*;
pub use ffmpeg::*;
#[cfg(feature = "std")]
pub use gradient::*;
pub use image::*;
pub use msssim::*;
pub use params::*;
pub use status::*;
pub use stream::*;

use status::{guard, Failure, Message};

/// Major version of the library this header was generated from (also `ssim_version_major()`
/// at run time: compare the two to catch a header/library mismatch).
pub const SSIM_VERSION_MAJOR: u32 = 0;
/// Minor version of the header.
pub const SSIM_VERSION_MINOR: u32 = 1;
/// Patch version of the header.
pub const SSIM_VERSION_PATCH: u32 = 0;

/// `"MAJOR.MINOR.PATCH"` of the library, static and NUL-terminated.
#[no_mangle]
pub extern "C" fn ssim_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Major version of the library as linked.
#[no_mangle]
pub extern "C" fn ssim_version_major() -> u32 {
    parse_version(env!("CARGO_PKG_VERSION_MAJOR"))
}

/// Minor version of the library as linked.
#[no_mangle]
pub extern "C" fn ssim_version_minor() -> u32 {
    parse_version(env!("CARGO_PKG_VERSION_MINOR"))
}

/// Patch version of the library as linked.
#[no_mangle]
pub extern "C" fn ssim_version_patch() -> u32 {
    parse_version(env!("CARGO_PKG_VERSION_PATCH"))
}

fn parse_version(s: &str) -> u32 {
    s.parse().unwrap_or(0)
}

/// Checks a pointer argument for NULL and alignment and returns it as a reference.
///
/// # Safety
///
/// `p` must be NULL or point to a valid, initialised `T` that outlives `'a` and is not
/// written while the reference lives.
pub(crate) unsafe fn ref_ptr<'a, T>(p: *const T, name: &'static str) -> Result<&'a T, Failure> {
    check_ptr(p, name)?;
    // SAFETY: non-NULL and aligned (checked above); valid and initialised by the caller's
    // contract.
    Ok(unsafe { &*p })
}

/// Like [`ref_ptr`], but NULL is allowed and gives `None`.
///
/// # Safety
///
/// As [`ref_ptr`].
pub(crate) unsafe fn opt_ptr<'a, T>(
    p: *const T,
    name: &'static str,
) -> Result<Option<&'a T>, Failure> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract.
    unsafe { ref_ptr(p, name) }.map(Some)
}

/// A checked pointer to caller memory that is only ever written (it may be uninitialised).
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// Writes the value (the caller's memory may be uninitialised, so no reference is made).
    pub(crate) fn write(self, v: T) {
        // SAFETY: `out_ptr` checked NULL and alignment; writability is the caller's contract.
        unsafe { self.0.write(v) }
    }
}

/// Checks an output pointer for NULL and alignment.
///
/// # Safety
///
/// `p` must be NULL or valid for one write of `T`.
pub(crate) unsafe fn out_ptr<T>(p: *mut T, name: &'static str) -> Result<Out<T>, Failure> {
    check_ptr(p, name)?;
    Ok(Out(p))
}

fn check_ptr<T>(p: *const T, name: &'static str) -> Result<(), Failure> {
    if p.is_null() {
        return Err(Failure {
            status: SSIM_ERROR_NULL_POINTER,
            message: Message::Null(name),
        });
    }
    if !(p as usize).is_multiple_of(core::mem::align_of::<T>()) {
        return Err(Failure {
            status: SSIM_ERROR_MISALIGNED_POINTER,
            message: Message::Misaligned(name),
        });
    }
    Ok(())
}

/// A mutable slice over `len` caller values of `T` that the library only writes (maps).
/// Zero-fills them first so that no reference to uninitialised memory is ever made.
///
/// # Safety
///
/// `p` must be NULL or valid for writes of `len` values of `T`, not aliased during `'a`.
pub(crate) unsafe fn out_slice<'a, T: Copy>(
    p: *mut T,
    len: usize,
    name: &'static str,
) -> Result<&'a mut [T], Failure> {
    check_ptr(p, name)?;
    check_object_size::<T>(p as usize, len)?;
    // SAFETY: `p` is non-NULL, aligned and valid for `len` writes (caller), the byte size fits
    // in `isize` and does not wrap (checked); writing zero bytes makes every value initialised
    // (T is plain data here: floats, integers and structs of them, valid as all-zero bytes).
    unsafe {
        core::ptr::write_bytes(p, 0, len);
        Ok(core::slice::from_raw_parts_mut(p, len))
    }
}

/// `len` values of `T` at `addr` must fit in one object: at most `isize::MAX` bytes, not
/// wrapping the address space (the conditions of `slice::from_raw_parts`).
pub(crate) fn check_object_size<T>(addr: usize, len: usize) -> Result<(), Failure> {
    let fits = len
        .checked_mul(core::mem::size_of::<T>())
        .filter(|&b| b <= isize::MAX as usize)
        .and_then(|b| addr.checked_add(b))
        .is_some();
    if fits {
        Ok(())
    } else {
        Err(status::fail(
            SSIM_ERROR_DIMENSION_OVERFLOW,
            "buffer size overflows: expected a layout whose size in bytes fits in PTRDIFF_MAX",
        ))
    }
}

/// Splits room for `n` values of `T` off the front of the caller's scratch `bytes` (skipping
/// what alignment needs), fills each with `init()`, and returns them; `bytes` keeps the rest.
/// `None` if the bytes are too few ([`place_bytes`] counts what is needed).
pub(crate) fn place<'s, T>(
    bytes: &mut &'s mut [u8],
    n: usize,
    mut init: impl FnMut() -> T,
) -> Option<&'s mut [T]> {
    let skip = bytes.as_ptr().align_offset(core::mem::align_of::<T>());
    let size = n.checked_mul(core::mem::size_of::<T>())?;
    if skip.checked_add(size)? > bytes.len() {
        return None;
    }
    let (head, rest) = core::mem::take(bytes).split_at_mut(skip + size);
    *bytes = rest;
    let p = head[skip..].as_mut_ptr().cast::<T>();
    for i in 0..n {
        // SAFETY: `p` is aligned for `T` (`align_offset`), and `head[skip..]` holds exactly
        // `n * size_of::<T>()` bytes that this function borrows mutably for `'s`; element `i`
        // lies inside it. Writing (not assigning) drops nothing old.
        unsafe { p.add(i).write(init()) };
    }
    // SAFETY: every one of the `n` values was initialised above; the memory is borrowed
    // mutably for `'s` and not reachable through `bytes` any more.
    Some(unsafe { core::slice::from_raw_parts_mut(p, n) })
}

/// [`place`] for one value moved in.
pub(crate) fn place_one<'s, T>(bytes: &mut &'s mut [u8], value: T) -> Option<&'s mut T> {
    let mut value = Some(value);
    let slot = place(bytes, 1, || None::<T>)?;
    let v = slot[0].insert(value.take()?);
    Some(v)
}

/// Bytes [`place`] needs for `n` values of `T`, alignment included.
pub(crate) fn place_bytes<T>(n: usize) -> Option<usize> {
    n.checked_mul(core::mem::size_of::<T>())?
        .checked_add(core::mem::align_of::<T>() - 1)
}

/// The caller's scratch as bytes, after the NULL, size and object-size checks.
///
/// # Safety
///
/// `scratch` must be NULL or writable for `scratch_bytes` bytes, overlapping nothing the call
/// reads or writes otherwise, for `'s`.
pub(crate) unsafe fn scratch_slice<'s>(
    scratch: *mut core::ffi::c_void,
    scratch_bytes: usize,
    needed: usize,
) -> Result<&'s mut [u8], Failure> {
    if scratch.is_null() {
        return Err(Failure {
            status: SSIM_ERROR_NULL_POINTER,
            message: Message::Null("scratch"),
        });
    }
    if scratch_bytes < needed {
        return Err(Failure {
            status: SSIM_ERROR_SCRATCH_TOO_SMALL,
            message: Message::Scratch {
                given: scratch_bytes,
                needed,
            },
        });
    }
    check_object_size::<u8>(scratch as usize, needed)?;
    // SAFETY: `scratch` is non-NULL, writable for `scratch_bytes >= needed` bytes (caller),
    // and `needed` bytes fit in one object (checked). Zero-filling first makes the bytes
    // initialised, so the slice is a valid `&mut [u8]`.
    unsafe {
        core::ptr::write_bytes(scratch.cast::<u8>(), 0, needed);
        Ok(core::slice::from_raw_parts_mut(
            scratch.cast::<u8>(),
            needed,
        ))
    }
}
