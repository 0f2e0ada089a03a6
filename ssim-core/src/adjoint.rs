//! The f64 row kernels of the gradient's backward pass (used by ssim-std), bound to a
//! backend. Every backend gives the scalar kernel's bits: separate IEEE multiplies and adds
//! in one fixed order.

use crate::backend::{Backend, Kernels};
use crate::error::Result;

/// Constants of the gradient's coefficient maps ([`AdjointKernels::coefficients`]).
///
/// ```
/// use ssim_core::CoefficientConsts;
/// let k = CoefficientConsts { c1: 6.5025, c2: 58.5225, cov: 1.0, dcov: 1.0, weight: 1e-6,
///     cs: false };
/// assert!(!k.cs);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CoefficientConsts {
    /// `C1` of the formula.
    pub c1: f64,
    /// `C2` of the formula.
    pub c2: f64,
    /// Covariance factor of the statistics (1, or `N / (N - 1)` for sample covariance).
    pub cov: f64,
    /// Covariance factor in the derivative (`cov`, or 1 for scikit-image's convention).
    pub dcov: f64,
    /// `d value / d (mean of the map)` divided by the number of pooled pixels.
    pub weight: f64,
    /// Differentiate the contrast-structure map `cs` instead of the SSIM map.
    pub cs: bool,
}

/// A backend's gradient row kernels ([`AdjointKernels::new`]).
#[derive(Clone, Copy)]
pub struct AdjointKernels {
    kernels: &'static Kernels,
}

impl core::fmt::Debug for AdjointKernels {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AdjointKernels")
            .field("backend", &self.kernels.backend)
            .finish()
    }
}

impl AdjointKernels {
    /// The kernels of `backend` ([`crate::Error::BackendUnsupported`] if this CPU cannot run
    /// it).
    ///
    /// ```
    /// use ssim_core::{AdjointKernels, Backend};
    /// let k = AdjointKernels::new(Backend::detect())?;
    /// let mut out = [0.0; 2];
    /// k.fir(&[1.0, 2.0, 3.0, 4.0], &[0.5, 0.5, 0.0], &mut out);
    /// assert_eq!(out, [1.5, 2.5]);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn new(backend: Backend) -> Result<AdjointKernels> {
        Ok(AdjointKernels {
            kernels: backend.kernels()?,
        })
    }

    /// `out[p] = sum_k g[k] * src[p + k]` for every `p` of `out`, taps in order from 0.0; if
    /// `g` reads the same both ways, each pair of equal taps adds its two samples before the
    /// one multiply (outermost pair first, the odd centre last).
    ///
    /// # Panics
    ///
    /// If `src` is shorter than `out.len() + g.len() - 1`.
    ///
    /// ```
    /// use ssim_core::{AdjointKernels, Backend};
    /// let k = AdjointKernels::new(Backend::Scalar)?;
    /// let mut out = [0.0; 1];
    /// k.fir(&[2.0, 4.0], &[0.25, 0.75], &mut out);
    /// assert_eq!(out, [3.5]);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn fir(&self, src: &[f64], g: &[f64], out: &mut [f64]) {
        (self.kernels.fir_f64)(src, g, out)
    }

    /// `out[q] = sum_t w[t] * ring[starts[t] + q]` for every `q` of `out`, rows in order from
    /// 0.0 (`starts` and `w` of equal length), paired as in [`AdjointKernels::fir`] if `w`
    /// reads the same both ways.
    ///
    /// # Panics
    ///
    /// If a row `ring[starts[t]..starts[t] + out.len()]` is out of bounds.
    ///
    /// ```
    /// use ssim_core::{AdjointKernels, Backend};
    /// let k = AdjointKernels::new(Backend::Scalar)?;
    /// let ring = [1.0, 2.0, 10.0, 20.0];
    /// let mut out = [0.0; 2];
    /// k.weighted_rows(&ring, &[0, 2], &[1.0, 0.5], &mut out);
    /// assert_eq!(out, [6.0, 12.0]);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn weighted_rows(&self, ring: &[f64], starts: &[usize], w: &[f64], out: &mut [f64]) {
        (self.kernels.weighted_rows_f64)(ring, starts, w, out)
    }

    /// The window moments down a column, in sum and difference form: with
    /// `x_t = ring[starts[t] + q]`, `y_t = ring[starts[t] + n + q]`, `u_t = x_t + y_t` and
    /// `d_t = x_t - y_t`, the four rows of `out` (each `n` long) get `sum_t w[t] u_t`,
    /// `sum_t w[t] d_t`, `sum_t w[t] u_t^2` and `sum_t w[t] d_t^2`, rows in order from 0.0
    /// (paired as in [`AdjointKernels::fir`] if `w` reads the same both ways:
    /// `w[t] (u_t u_t + u_s u_s)` and so on). SSIM reads the variances only as
    /// `s_xx + s_yy = (s_uu + s_dd) / 2` and `s_xy = (s_uu - s_dd) / 4`, so four statistics
    /// carry the five of `x` and `y`.
    ///
    /// With `m = starts.len() + 1 - w.len()` greater than 1, `out` gets `m` such blocks of
    /// four rows, block `r` from the window `starts[r..r + w.len()]` (the same bits as `m`
    /// calls): consecutive map rows share their window's rows, which are then read once.
    ///
    /// # Panics
    ///
    /// If a row pair `ring[starts[t]..starts[t] + 2 n]` is out of bounds or `out` is
    /// shorter than `4 n m`.
    ///
    /// ```
    /// use ssim_core::{AdjointKernels, Backend};
    /// let k = AdjointKernels::new(Backend::detect())?;
    /// // Two rows of one column: (x, y) = (1, 2) and (3, 4), so (u, d) = (3, -1) and (7, -1).
    /// let ring = [1.0, 2.0, 3.0, 4.0];
    /// let mut out = [0.0; 4];
    /// k.weighted_moments(&ring, &[0, 2], &[0.5, 0.5], 1, &mut out);
    /// assert_eq!(out, [5.0, -1.0, 29.0, 1.0]);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn weighted_moments(
        &self,
        ring: &[f64],
        starts: &[usize],
        w: &[f64],
        n: usize,
        out: &mut [f64],
    ) {
        (self.kernels.weighted_moments_f64)(ring, starts, w, n, out)
    }

    /// The gradient's output row: with the row triples `a_t, b_t, c_t` (each
    /// `n = out.len()` long, one after the other from `ring[starts[t]]`) and the samples
    /// `x = samples[sample_starts[0]..][..n]`, `y` just after it,
    /// `out[q] = (A[q] + y[q] B[q]) + x[q] C[q]` where `A = sum_t w[t] a_t` and so on, each
    /// sum in the order of [`AdjointKernels::weighted_rows`]. The samples are addressed like
    /// the triples so that both can stay in the caller's rings.
    ///
    /// With `m = starts.len() + 1 - w.len()` greater than 1, `out` holds `m` rows of
    /// `n = out.len() / m`, and output row `r` reads the triples `starts[r..r + w.len()]`
    /// and the samples at `sample_starts[r]` (the same bits as `m` calls).
    ///
    /// # Panics
    ///
    /// If a triple or a sample pair is out of bounds, or `sample_starts` has fewer than `m`
    /// entries.
    ///
    /// ```
    /// use ssim_core::{AdjointKernels, Backend};
    /// let k = AdjointKernels::new(Backend::detect())?;
    /// // One triple of one column: a = 1, b = 2, c = 3; x = 10, y = 100.
    /// let mut out = [0.0];
    /// k.weighted_combine(&[1.0, 2.0, 3.0], &[0], &[0.5], &[10.0, 100.0], &[0], &mut out);
    /// assert_eq!(out, [0.5 + 100.0 * 1.0 + 10.0 * 1.5]);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn weighted_combine(
        &self,
        ring: &[f64],
        starts: &[usize],
        w: &[f64],
        samples: &[f64],
        sample_starts: &[usize],
        out: &mut [f64],
    ) {
        (self.kernels.weighted_combine_f64)(ring, starts, w, samples, sample_starts, out)
    }

    /// The coefficient rows `a, b, c` of the backward pass (`out`: three rows of
    /// `n = out.len() / 3`) from the window statistics of `u = x + y` and `d = x - y`,
    /// `mu_u, mu_d, E[u^2], E[d^2]` (`stats`: four rows of `n`, as
    /// [`AdjointKernels::weighted_moments`] then the row filter give them). Every backend
    /// gives the scalar bits.
    ///
    /// # Panics
    ///
    /// If `stats` is shorter than `4 * n`.
    ///
    /// ```
    /// use ssim_core::{AdjointKernels, Backend, CoefficientConsts};
    /// let k = AdjointKernels::new(Backend::detect())?;
    /// let consts = CoefficientConsts { c1: 1.0, c2: 1.0, cov: 1.0, dcov: 1.0, weight: 1.0,
    ///     cs: true };
    /// // mu_x = mu_y = 0, E[x^2] = E[y^2] = 1, E[xy] = 0 (so E[u^2] = E[d^2] = 2): cs = 1 / 3.
    /// let mut out = [0.0; 3];
    /// k.coefficients(&[0.0, 0.0, 2.0, 2.0], &consts, &mut out);
    /// // d cs / d s_xy = 2 / 3, d cs / d s_yy = -1 / 9.
    /// let want = [0.0, -2.0 / 9.0, 2.0 / 3.0];
    /// assert!(out.iter().zip(want).all(|(o, w)| (o - w).abs() < 1e-15));
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn coefficients(&self, stats: &[f64], consts: &CoefficientConsts, out: &mut [f64]) {
        (self.kernels.adjoint_coefficients)(stats, consts, out)
    }

    /// `out[i] = src[i]` as f64 (exact) for `i < min(src.len(), out.len())`.
    ///
    /// ```
    /// use ssim_core::{AdjointKernels, Backend};
    /// let k = AdjointKernels::new(Backend::detect())?;
    /// let mut out = [0.0; 3];
    /// k.widen_u8(&[0, 7, 255], &mut out);
    /// assert_eq!(out, [0.0, 7.0, 255.0]);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn widen_u8(&self, src: &[u8], out: &mut [f64]) {
        (self.kernels.widen_u8_f64)(src, out)
    }

    /// `out[i] = src[i]` as f64 (exact) for `i < min(src.len(), out.len())`.
    ///
    /// ```
    /// use ssim_core::{AdjointKernels, Backend};
    /// let k = AdjointKernels::new(Backend::detect())?;
    /// let mut out = [0.0; 2];
    /// k.widen_f32(&[0.1, -2.5], &mut out);
    /// assert_eq!(out, [0.1f32 as f64, -2.5]);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn widen_f32(&self, src: &[f32], out: &mut [f64]) {
        (self.kernels.widen_f32_f64)(src, out)
    }

    /// `out[i] = src[i] as f32` (to nearest, ties to even) for
    /// `i < min(src.len(), out.len())`.
    ///
    /// ```
    /// use ssim_core::{AdjointKernels, Backend};
    /// let k = AdjointKernels::new(Backend::detect())?;
    /// let mut out = [0.0f32; 2];
    /// k.narrow(&[0.1, 1e300], &mut out);
    /// assert_eq!(out, [0.1f32, f32::INFINITY]);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn narrow(&self, src: &[f64], out: &mut [f32]) {
        (self.kernels.narrow_f32)(src, out)
    }
}
