//! Backend ids: query, names, forcing.

use core::ffi::c_char;

use ssim_core::Backend;

use crate::status::{fail, guard_value, Failure, SSIM_ERROR_BACKEND_UNSUPPORTED};

/// A set of kernels (`SSIM_BACKEND_*`). The ids are stable; a build knows some of them and a
/// CPU supports some of those (`ssim_backend_is_supported`).
pub type ssim_backend = u32;
/// Pick the fastest supported backend (`ssim_backend_detect`), the same for every function.
/// (The C API reads no environment variable: the Rust library's `SSIM_BACKEND` testing
/// override does not apply; force a backend through `ssim_config` instead.)
pub const SSIM_BACKEND_AUTO: ssim_backend = 0;
/// Plain code, one value at a time: the reference every other backend is tested against.
/// Always supported.
pub const SSIM_BACKEND_SCALAR: ssim_backend = 1;
/// Portable SIMD (SSE2 on x86-64, NEON on AArch64, SIMD128 on WebAssembly), compiled for the
/// baseline of the target.
pub const SSIM_BACKEND_PORTABLE: ssim_backend = 2;
/// x86-64 AVX2 + FMA.
pub const SSIM_BACKEND_AVX2: ssim_backend = 3;
/// x86-64 AVX-512 (F).
pub const SSIM_BACKEND_AVX512: ssim_backend = 4;
/// AArch64 NEON.
pub const SSIM_BACKEND_NEON: ssim_backend = 5;
/// Reported for a backend of the Rust library that this C API has no id for yet.
pub const SSIM_BACKEND_OTHER: ssim_backend = 255;

/// Id, C name, and the Rust names (`Backend::name`) that map to it.
const TABLE: [(ssim_backend, &str, &[&str]); 7] = [
    (SSIM_BACKEND_AUTO, "auto\0", &[]),
    (SSIM_BACKEND_SCALAR, "scalar\0", &["scalar"]),
    (SSIM_BACKEND_PORTABLE, "portable\0", &["portable"]),
    (SSIM_BACKEND_AVX2, "avx2\0", &["avx2"]),
    (SSIM_BACKEND_AVX512, "avx512\0", &["avx512"]),
    (SSIM_BACKEND_NEON, "neon\0", &["neon"]),
    (SSIM_BACKEND_OTHER, "other\0", &[]),
];

/// The C id of a Rust backend.
pub(crate) fn backend_id(b: Backend) -> ssim_backend {
    let name = b.name();
    TABLE
        .iter()
        .find(|(_, _, rust)| rust.iter().any(|r| r.eq_ignore_ascii_case(name)))
        .map_or(SSIM_BACKEND_OTHER, |e| e.0)
}

/// The Rust backend of a C id, if this build has it.
fn backend_of(id: ssim_backend) -> Option<Backend> {
    let (_, _, rust) = TABLE.iter().find(|e| e.0 == id)?;
    Backend::ALL
        .iter()
        .copied()
        .find(|b| rust.iter().any(|r| r.eq_ignore_ascii_case(b.name())))
}

/// `None` for `SSIM_BACKEND_AUTO`, the backend for a supported id, an error otherwise.
pub(crate) fn forced(id: ssim_backend) -> Result<Option<Backend>, Failure> {
    if id == SSIM_BACKEND_AUTO {
        return Ok(None);
    }
    match backend_of(id) {
        Some(b) if b.is_supported() => Ok(Some(b)),
        Some(_) => Err(fail(
            SSIM_ERROR_BACKEND_UNSUPPORTED,
            "the forced backend is not supported by this CPU: expected SSIM_BACKEND_AUTO or an id for which ssim_backend_is_supported() is true",
        )),
        None => Err(fail(
            SSIM_ERROR_BACKEND_UNSUPPORTED,
            "the forced backend is not part of this build: expected SSIM_BACKEND_AUTO or an id for which ssim_backend_is_supported() is true",
        )),
    }
}

/// The backend `SSIM_BACKEND_AUTO` selects on this CPU (the fastest supported one).
#[no_mangle]
pub extern "C" fn ssim_backend_detect() -> ssim_backend {
    guard_value(SSIM_BACKEND_SCALAR, || backend_id(Backend::detect()))
}

/// Whether `backend` can be forced on this CPU with this build: true for
/// `SSIM_BACKEND_AUTO` and `SSIM_BACKEND_SCALAR`, false for unknown ids.
#[no_mangle]
pub extern "C" fn ssim_backend_is_supported(backend: ssim_backend) -> bool {
    guard_value(false, || {
        backend == SSIM_BACKEND_AUTO || matches!(forced(backend), Ok(Some(_)))
    })
}

/// The name of a backend id (`"auto"`, `"scalar"`, `"avx2"`, ...), static and
/// NUL-terminated; `"unknown"` for ids this header does not define.
#[no_mangle]
pub extern "C" fn ssim_backend_name(backend: ssim_backend) -> *const c_char {
    let name = TABLE
        .iter()
        .find(|e| e.0 == backend)
        .map_or("unknown\0", |e| e.1);
    name.as_ptr().cast()
}
