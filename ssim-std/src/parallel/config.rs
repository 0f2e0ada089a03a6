//! [`Config`]: which kernels and how many threads. Never changes a value.

use ssim_core::{Backend, Error, Result};

/// How a computation runs: which kernels and how many threads. Never changes the value.
///
/// ```
/// use ssim_std::{ssim_with, Backend, Config, Params, Plane};
/// let x: Vec<u8> = (0..64 * 48).map(|i| (i % 251) as u8).collect();
/// let y: Vec<u8> = x.iter().map(|&v| v / 2).collect();
/// let (xp, yp) = (Plane::new(&x, 64, 48)?, Plane::new(&y, 64, 48)?);
/// let p = Params::wang2004(255.0);
/// let one = Config { backend: Some(Backend::Scalar), threads: Some(1) };
/// let four = Config { backend: Some(Backend::Scalar), threads: Some(4) };
/// // Bitwise the same value for any number of threads...
/// assert_eq!(ssim_with(&p, &xp, &yp, &one)?.ssim, ssim_with(&p, &xp, &yp, &four)?.ssim);
/// // ...and within rounding on any backend.
/// let fastest = ssim_with(&p, &xp, &yp, &Config::default())?.ssim;
/// assert!((ssim_with(&p, &xp, &yp, &one)?.ssim - fastest).abs() < 1e-5);
/// # Ok::<(), ssim_std::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Kernels to use. `None`: the `SSIM_BACKEND` environment variable if set, else the
    /// fastest this CPU supports.
    pub backend: Option<Backend>,
    /// Most bands (parallel tasks) to split the rows into. `None`: the size of the current
    /// rayon pool. `Some(1)` computes on the calling thread and never spawns.
    pub threads: Option<usize>,
}

impl Config {
    /// The backend this config selects.
    pub(crate) fn resolve_backend(&self) -> Result<Backend> {
        let b = match self.backend {
            Some(b) => b,
            None => crate::backend::default_backend()?,
        };
        if !b.is_supported() {
            return Err(Error::BackendUnsupported { backend: b.name() });
        }
        Ok(b)
    }

    /// The most bands to use.
    pub(crate) fn max_bands(&self) -> Result<usize> {
        match self.threads {
            None => Ok(rayon::current_num_threads().max(1)),
            Some(0) => Err(Error::InvalidParameter {
                name: "threads",
                expected: "at least 1 (None: the size of the current rayon pool)",
            }),
            Some(n) => Ok(n),
        }
    }
}
