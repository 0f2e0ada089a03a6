//! The f64 row kernels of the gradient's backward pass (used by ssim-std), bound to a
//! backend. Every backend gives the scalar kernel's bits: separate IEEE multiplies and adds
//! in one fixed order.

use crate::backend::{Backend, Kernels};
use crate::error::Result;

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

    /// `out[p] = sum_k g[k] * src[p + k]` for every `p` of `out`, taps in order from 0.0.
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
    /// 0.0 (`starts` and `w` of equal length).
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
}
