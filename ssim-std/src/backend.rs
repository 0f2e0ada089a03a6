//! The `SSIM_BACKEND` environment override, for tests, benchmarks and bug reports: run any
//! program on a chosen backend without recompiling it.
//!
//! `SSIM_BACKEND=scalar|portable|neon|avx2|avx512` forces that backend (case-insensitive);
//! unset, empty or `auto` means the fastest one the CPU supports. A name that is not a backend,
//! or one this CPU cannot run, is an error rather than a silent fallback, so a test run that
//! asks for AVX-512 never quietly measures something else.

use ssim_core::{Backend, Error, Result};

/// The environment variable read by [`backend_from_env`].
pub const BACKEND_ENV: &str = "SSIM_BACKEND";

/// The backend `SSIM_BACKEND` asks for: `Ok(None)` when it is unset, empty or `auto`.
///
/// `SSIM_BACKEND=scalar|portable|neon|avx2|avx512` forces that backend (case-insensitive),
/// so any program can be run on a chosen backend without recompiling it. A name that is not
/// a backend, or one this CPU cannot run, is an error rather than a silent fallback.
///
/// Errors: [`Error::InvalidParameter`] for a name that is not a backend (or not valid
/// Unicode), [`Error::BackendUnsupported`] for a backend this CPU or build cannot run.
///
/// ```
/// use ssim_std::{backend_from_env, Backend, BACKEND_ENV};
/// match std::env::var(BACKEND_ENV) {
///     Err(_) => assert_eq!(backend_from_env(), Ok(None)),
///     Ok(name) => {
///         let chosen: Option<Backend> = backend_from_env()?;
///         assert!(chosen.is_none_or(|b| b.name().eq_ignore_ascii_case(name.trim())));
///     }
/// }
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn backend_from_env() -> Result<Option<Backend>> {
    match std::env::var_os(BACKEND_ENV) {
        None => Ok(None),
        Some(v) => parse(v.to_str().ok_or(Error::InvalidParameter {
            name: "SSIM_BACKEND",
            expected: "a backend name: scalar, portable, neon, avx2, avx512 or auto",
        })?),
    }
}

/// Parses a value of `SSIM_BACKEND` (see [`backend_from_env`]).
pub(crate) fn parse(value: &str) -> Result<Option<Backend>> {
    let value = value.trim();
    if value.is_empty() || value.eq_ignore_ascii_case("auto") {
        return Ok(None);
    }
    let b = Backend::from_name(value).ok_or(Error::InvalidParameter {
        name: "SSIM_BACKEND",
        expected: "a backend name: scalar, portable, neon, avx2, avx512 or auto",
    })?;
    if !b.is_supported() {
        return Err(Error::BackendUnsupported { backend: b.name() });
    }
    Ok(Some(b))
}

/// The backend used when the caller names none: `SSIM_BACKEND` if set, else
/// [`Backend::detect`].
pub(crate) fn default_backend() -> Result<Backend> {
    Ok(backend_from_env()?.unwrap_or_else(Backend::detect))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_auto_and_rejects_the_rest() {
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse(" Auto "), Ok(None));
        assert_eq!(parse("SCALAR"), Ok(Some(Backend::Scalar)));
        assert_eq!(parse("portable"), Ok(Some(Backend::Portable)));
        let err = parse("sse9").unwrap_err();
        assert!(err.to_string().contains("SSIM_BACKEND"), "{err}");
        for b in Backend::ALL {
            let r = parse(b.name());
            if b.is_supported() {
                assert_eq!(r, Ok(Some(*b)));
            } else {
                assert_eq!(r, Err(Error::BackendUnsupported { backend: b.name() }));
            }
        }
    }
}
