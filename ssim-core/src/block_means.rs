//! The size-dependent block-mean stage of [`AutoDownsample`] on one backend's kernels: the
//! `f` source rows of an output row are added column by column ([`BlockMeanKernels::add_row`],
//! a kernel of the list: it touches every input sample), then each output sample is the sum
//! of its block's `f` column sums over `f^2` ([`BlockMeanKernels::means`], once per output
//! row). Memory is one row of column sums: nothing of the image is stored.

use crate::backend::{Backend, Kernels};
use crate::error::{Error, Result};
use crate::params::{AutoDownsample, Padding};
use crate::plane::{Plane, Sample, SampleKind, SampleSlice};

/// The column sums of the source rows of one output row, in the precision the samples need:
/// f32 for u8 and u16 samples where every sum stays an integer below 2^24
/// ([`BlockMeanKernels::exact_in_f32`]), f64 otherwise.
#[derive(Debug)]
pub enum ColumnSums<'a> {
    /// Exact integer sums held in f32 (twice the lanes of f64).
    F32(&'a mut [f32]),
    /// f64 sums: f32 samples, or integer samples whose sums could reach 2^24.
    F64(&'a mut [f64]),
}

impl ColumnSums<'_> {
    fn len(&self) -> usize {
        match self {
            ColumnSums::F32(s) => s.len(),
            ColumnSums::F64(s) => s.len(),
        }
    }

    /// Sets every sum to zero, for the next output row.
    ///
    /// ```
    /// use ssim_core::ColumnSums;
    /// let mut acc = [3.0f32, 4.0];
    /// ColumnSums::F32(&mut acc).clear();
    /// assert_eq!(acc, [0.0, 0.0]);
    /// ```
    pub fn clear(&mut self) {
        match self {
            ColumnSums::F32(s) => s.fill(0.0),
            ColumnSums::F64(s) => s.fill(0.0),
        }
    }
}

/// An [`AutoDownsample`] rule with its factor, bound to one backend's kernels. Every backend
/// gives the same bits (the column sums are IEEE additions in row order, exact for integer
/// samples in f32; the block sums are scalar f64).
#[derive(Clone, Copy)]
pub struct BlockMeanKernels {
    rule: AutoDownsample,
    f: usize,
    kernels: &'static Kernels,
}

impl core::fmt::Debug for BlockMeanKernels {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BlockMeanKernels")
            .field("rule", &self.rule)
            .field("f", &self.f)
            .field("backend", &self.kernels.backend)
            .finish()
    }
}

impl BlockMeanKernels {
    /// The stage of `rule` with factor `f` (at least 1) on `backend`; an error if this CPU
    /// cannot run the backend.
    ///
    /// ```
    /// use ssim_core::{AutoDownsample, Backend, BlockMeanKernels};
    /// let k = BlockMeanKernels::new(AutoDownsample::Piq, 4, Backend::detect())?;
    /// assert_eq!(k.factor(), 4);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn new(rule: AutoDownsample, f: usize, backend: Backend) -> Result<Self> {
        if f == 0 {
            return Err(Error::InvalidParameter {
                name: "auto_downsample",
                expected: "a block-mean factor of at least 1",
            });
        }
        Ok(BlockMeanKernels {
            rule,
            f,
            kernels: backend.kernels()?,
        })
    }

    /// The factor `f`.
    ///
    /// ```
    /// use ssim_core::{AutoDownsample, Backend, BlockMeanKernels};
    /// let k = BlockMeanKernels::new(AutoDownsample::Wang2009, 3, Backend::Scalar)?;
    /// assert_eq!(k.factor(), 3);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn factor(&self) -> usize {
        self.f
    }

    /// Whether samples of `kind` may be summed in [`ColumnSums::F32`]: integers whose sums
    /// over `f` rows stay below 2^24 (exact). f32 samples always need [`ColumnSums::F64`].
    ///
    /// ```
    /// use ssim_core::{AutoDownsample, Backend, BlockMeanKernels, SampleKind};
    /// let k = BlockMeanKernels::new(AutoDownsample::Piq, 8, Backend::Scalar)?;
    /// assert!(k.exact_in_f32(SampleKind::U16));
    /// assert!(!k.exact_in_f32(SampleKind::F32));
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn exact_in_f32(&self, kind: SampleKind) -> bool {
        let max = match kind {
            SampleKind::U8 => 255,
            SampleKind::U16 => 65535,
            SampleKind::F32 => return false,
        };
        self.f.checked_mul(max).is_some_and(|m| m < 1 << 24)
    }

    /// Adds one source row (`row.width()` pixels; its first row is used) to `sums`, one sum
    /// per source column.
    ///
    /// Errors: [`Error::BufferTooShort`] if `sums` does not hold `row.width()` values,
    /// [`Error::InvalidParameter`] for [`ColumnSums::F32`] where
    /// [`exact_in_f32`](Self::exact_in_f32) does not hold.
    ///
    /// ```
    /// use ssim_core::{AutoDownsample, Backend, BlockMeanKernels, ColumnSums, Plane};
    /// let k = BlockMeanKernels::new(AutoDownsample::Piq, 2, Backend::detect())?;
    /// let mut acc = [0f32; 3];
    /// k.add_row(&Plane::new(&[1u8, 2, 3], 3, 1)?, &mut ColumnSums::F32(&mut acc))?;
    /// k.add_row(&Plane::new(&[4u8, 5, 6], 3, 1)?, &mut ColumnSums::F32(&mut acc))?;
    /// assert_eq!(acc, [5.0, 7.0, 9.0]);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn add_row<T: Sample>(&self, row: &Plane<'_, T>, sums: &mut ColumnSums<'_>) -> Result<()> {
        let w = row.width();
        if sums.len() != w {
            return Err(Error::BufferTooShort {
                len: sums.len(),
                needed: w,
            });
        }
        let (src, step, k) = (T::slice(row.row(0)), row.step(), self.kernels);
        match sums {
            ColumnSums::F32(acc) => {
                if !self.exact_in_f32(T::KIND) {
                    return Err(Error::InvalidParameter {
                        name: "sums",
                        expected: "f64 column sums for f32 samples or sums that reach 2^24",
                    });
                }
                match src {
                    SampleSlice::U8(s) => (k.block_add_u8)(s, step, acc),
                    #[cfg(feature = "u16")]
                    SampleSlice::U16(s) => (k.block_add_u16)(s, step, acc),
                    #[cfg(not(feature = "u16"))]
                    SampleSlice::U16(s) => crate::kernels::scalar::block_add(s, step, acc),
                    SampleSlice::F32(_) => unreachable!("exact_in_f32 is false for f32"),
                }
            }
            ColumnSums::F64(acc) => match src {
                SampleSlice::F32(s) => (k.block_add_f32)(s, step, acc),
                SampleSlice::U8(s) => add_f64(s, step, acc),
                SampleSlice::U16(s) => add_f64(s, step, acc),
            },
        }
        Ok(())
    }

    /// The output row from the column sums of its `f` source rows: `out[k]` is the sum of
    /// block `k`'s columns (mirrored at the edges as the rule says) over `f^2`, in f64, rounded
    /// to f32. `out` holds the rule's `output_len(sums.len(), f)` values.
    ///
    /// ```
    /// use ssim_core::{AutoDownsample, Backend, BlockMeanKernels, ColumnSums};
    /// let k = BlockMeanKernels::new(AutoDownsample::Piq, 2, Backend::detect())?;
    /// let mut acc = [5.0f32, 7.0, 9.0];
    /// let mut out = [0f32; 1];
    /// k.means(&ColumnSums::F32(&mut acc), &mut out)?;
    /// assert_eq!(out, [3.0]); // (5 + 7) / 4; piq drops the odd last column
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn means(&self, sums: &ColumnSums<'_>, out: &mut [f32]) -> Result<()> {
        let (w, f) = (sums.len(), self.f);
        let n = self.rule.output_len(w, f);
        if out.len() != n || w == 0 {
            return Err(Error::BufferTooShort {
                len: out.len(),
                needed: n,
            });
        }
        let scale = 1.0 / (f * f) as f64;
        match sums {
            ColumnSums::F32(acc) => {
                // Exact integer sums of f^2 samples: any order gives the same f32 while they
                // stay below 2^24; past that, the f64 path.
                let (lo, hi) = self.interior(w, n);
                if lo < hi
                    && f.checked_mul(65535)
                        .and_then(|m| m.checked_mul(f))
                        .is_some_and(|m| m < 1 << 24)
                {
                    let base = (self.rule.block_start(lo, f)) as usize;
                    let (acc_in, out_in) = (&acc[base..base + (hi - lo) * f], &mut out[lo..hi]);
                    match f {
                        2 | 4 | 8 => (self.kernels.block_sums)(acc_in, f.trailing_zeros(), out_in),
                        3 => interior::<3>(acc_in, scale, out_in),
                        5 => interior::<5>(acc_in, scale, out_in),
                        6 => interior::<6>(acc_in, scale, out_in),
                        7 => interior::<7>(acc_in, scale, out_in),
                        _ => self.blocks(acc, w, scale, out, lo..hi, |v| v as f64),
                    }
                } else {
                    self.blocks(acc, w, scale, out, lo..hi, |v| v as f64);
                }
                self.blocks(acc, w, scale, out, 0..lo, |v| v as f64);
                self.blocks(acc, w, scale, out, hi..n, |v| v as f64);
            }
            ColumnSums::F64(acc) => self.blocks(acc, w, scale, out, 0..n, |v| v),
        }
        Ok(())
    }

    /// The outputs `lo..hi` whose blocks lie inside a row of `w` (the others cross an edge).
    fn interior(&self, w: usize, n: usize) -> (usize, usize) {
        let f = self.f;
        let inside = |m: usize| {
            let s = self.rule.block_start(m, f);
            s >= 0 && s as usize + f <= w
        };
        // The inside blocks are one run; the edge ones are at most a few at either end.
        let lo = (0..n).find(|&m| inside(m)).unwrap_or(n);
        let hi = (lo..n).rev().find(|&m| inside(m)).map_or(lo, |m| m + 1);
        (lo, hi)
    }

    /// Block sums along one row of column sums for the outputs `range`: the blocks inside
    /// the row read a slice, the ones that cross an edge go through the mirrored index.
    fn blocks<V: Copy>(
        &self,
        acc: &[V],
        w: usize,
        scale: f64,
        out: &mut [f32],
        range: core::ops::Range<usize>,
        wide: impl Fn(V) -> f64,
    ) {
        let f = self.f;
        for m in range {
            let start = self.rule.block_start(m, f);
            let sum: f64 = if start >= 0 && start as usize + f <= w {
                let s = start as usize;
                acc[s..s + f].iter().map(|&v| wide(v)).sum()
            } else {
                (0..f as isize)
                    .map(|t| wide(acc[Padding::Reflect.map_index(start + t, w)]))
                    .sum()
            };
            out[m] = (sum * scale) as f32;
        }
    }
}

/// Whole blocks of `F` exact integer column sums, summed in f32 (exact), scaled in f64 as
/// [`BlockMeanKernels::blocks`] does: the same bits. `F` a constant, so the compiler keeps
/// a block in registers and interleaves the outputs (the generic loop was a chain of
/// dependent f64 additions per output, half the stage's time).
fn interior<const F: usize>(acc: &[f32], scale: f64, out: &mut [f32]) {
    for (o, block) in out.iter_mut().zip(acc.chunks_exact(F)) {
        let sum: f32 = block.iter().sum();
        *o = (sum as f64 * scale) as f32;
    }
}

/// Integer samples into f64 sums (factors too large for exact f32 sums: never on real
/// images, so scalar).
fn add_f64<T: Sample>(src: &[T], step: usize, acc: &mut [f64]) {
    for (i, a) in acc.iter_mut().enumerate() {
        *a += src[i * step].to_f64();
    }
}
