//! Helpers shared by the tests of the workspace (dev-only, never published): which backends
//! to test, seeded random data, and test images.
//!
//! ```
//! use test_support::{textured, Rng};
//! let mut rng = Rng::new(7);
//! let img = textured(&mut rng, 32 * 16, 32);
//! assert_eq!(img.len(), 32 * 16);
//! assert!(img.iter().all(|v| (0.0..=1.0).contains(v)));
//! // The same seed gives the same data, on every platform.
//! assert_eq!(img, textured(&mut Rng::new(7), 32 * 16, 32));
//! ```

#![forbid(unsafe_code)]

use rand::rngs::StdRng;
use rand::{Rng as _, RngCore, SeedableRng};
use ssim_core::Backend;

/// The environment variable naming backends that must be tested (comma-separated): CI sets
/// it, so a backend that is not available fails the run instead of going silently untested.
pub const REQUIRE_ENV: &str = "SSIM_REQUIRE_BACKENDS";

/// Every backend this machine runs, scalar first, after checking [`REQUIRE_ENV`].
///
/// # Panics
///
/// When `SSIM_REQUIRE_BACKENDS` names a backend that does not exist or that this machine
/// (or build) cannot run: the test must fail, not skip.
///
/// ```
/// let all = test_support::backends();
/// assert_eq!(all[0], ssim_core::Backend::Scalar);
/// assert!(all.iter().all(|b| b.is_supported()));
/// ```
pub fn backends() -> Vec<Backend> {
    if let Ok(req) = std::env::var(REQUIRE_ENV) {
        check_required(&req).unwrap_or_else(|e| panic!("{e}"));
    }
    let skipped: Vec<Backend> = Backend::ALL
        .iter()
        .copied()
        .filter(|b| !b.is_supported())
        .collect();
    let tested: Vec<Backend> = Backend::available().collect();
    eprintln!("backends tested: {tested:?}; skipped (not available): {skipped:?}");
    tested
}

/// Checks a value of `SSIM_REQUIRE_BACKENDS`: every name must be a backend this machine runs.
///
/// ```
/// use test_support::check_required;
/// assert_eq!(check_required(" scalar, ,portable"), Ok(()));
/// assert!(check_required("sse9").unwrap_err().contains("unknown backend sse9"));
/// ```
pub fn check_required(value: &str) -> Result<(), String> {
    for name in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let b = Backend::from_name(name)
            .ok_or_else(|| format!("{REQUIRE_ENV} names unknown backend {name}"))?;
        if !b.is_supported() {
            return Err(format!(
                "{REQUIRE_ENV} requires {name}, which this machine cannot run"
            ));
        }
    }
    Ok(())
}

/// A seeded random stream (ChaCha12): the same numbers for a seed on every platform.
pub struct Rng(StdRng);

impl Rng {
    /// The stream of `seed`.
    ///
    /// ```
    /// let (mut a, mut b) = (test_support::Rng::new(1), test_support::Rng::new(1));
    /// assert_eq!(a.next_u64(), b.next_u64());
    /// ```
    pub fn new(seed: u64) -> Rng {
        Rng(StdRng::seed_from_u64(seed))
    }

    /// 64 random bits.
    ///
    /// ```
    /// let mut r = test_support::Rng::new(2);
    /// assert_ne!(r.next_u64(), r.next_u64());
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` (`n > 0`).
    ///
    /// ```
    /// let mut r = test_support::Rng::new(3);
    /// assert!((0..100).all(|_| r.below(5) < 5));
    /// ```
    pub fn below(&mut self, n: usize) -> usize {
        self.0.random_range(0..n)
    }

    /// Uniform in `[0, 1)`.
    ///
    /// ```
    /// let mut r = test_support::Rng::new(4);
    /// assert!((0..100).map(|_| r.unit()).all(|v| (0.0..1.0).contains(&v)));
    /// ```
    pub fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// Uniform in `[0, 1)`, as f32.
    ///
    /// ```
    /// let mut r = test_support::Rng::new(5);
    /// assert!((0..100).map(|_| r.unit_f32()).all(|v| (0.0..1.0).contains(&v)));
    /// ```
    pub fn unit_f32(&mut self) -> f32 {
        self.0.random::<f32>()
    }
}

/// A smooth random image with texture (a random sinusoid plus grain): `len` values in
/// `0..=1`, rows `width` values apart (the last row may be short, as in a strided plane).
///
/// ```
/// let img = test_support::textured(&mut test_support::Rng::new(9), 30, 8);
/// assert_eq!(img.len(), 30);
/// ```
pub fn textured(rng: &mut Rng, len: usize, width: usize) -> Vec<f64> {
    let (fx, fy, phase) = (rng.unit() * 0.5, rng.unit() * 0.5, rng.unit() * 6.0);
    let grain = rng.unit() * 0.3;
    (0..len)
        .map(|i| {
            let (c, r) = ((i % width) as f64, (i / width) as f64);
            let v =
                0.5 + 0.3 * (fx * c + phase).sin() * (fy * r).cos() + grain * (rng.unit() - 0.5);
            v.clamp(0.0, 1.0)
        })
        .collect()
}
