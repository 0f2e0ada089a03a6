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
//!   every entry point runs inside `catch_unwind`, a panic becomes `SSIM_ERROR_INTERNAL`.
//! - Images (`ssim_image_u8`, `ssim_image_u16`, `ssim_image_f32`) give the row stride and
//!   the channel step **in samples** (elements of the sample type), never in bytes: sample
//!   `(col, row)` is `data[row * stride + col * step]`.
//! - Nothing is allocated by the `*_scratch` functions: the caller hands in a buffer of
//!   `ssim_scratch_size` bytes (any alignment).
//!
//! `unsafe` here is the FFI boundary itself: turning checked C pointers into slices.
#![allow(non_camel_case_types)]
#![deny(missing_docs)]

mod backend;
mod compute;
mod image;
mod msssim;
mod params;
mod status;

use core::ffi::c_char;

pub use backend::*;
pub use compute::*;
pub use image::*;
pub use msssim::*;
pub use params::*;
pub use status::*;

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
