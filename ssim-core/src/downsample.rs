//! The 2x2-mean rules that build an MS-SSIM pyramid, one row at a time.
//!
//! A level-`k+1` row is the mean of 2x2 blocks of two level-`k` rows. The rules differ only in
//! where the blocks start on an odd axis and what fills the missing sample:
//!
//! ```text
//! Wang2003 (msssim.m, tf.image.ssim_multiscale), n = 5:   [0 1] [2 3] [4 4]
//!     imfilter(ones(2)/4, 'symmetric') then (1:2:end): the last odd row/column is averaged
//!     with itself.
//! PytorchMsssim (avg_pool2d(2, 2, padding = n % 2, count_include_pad)), n = 5:
//!                                                   [pad 0] [1 2] [3 4]
//!     one zero on each side of an odd axis (the trailing one is never read), every block
//!     divided by 4, so the first row/column has half the intensity.
//! Floor (avg_pool2d(2), no padding: torchmetrics, jorge-pessoa), n = 5:   [0 1] [2 3]
//!     an odd last row/column is dropped.
//! ReplicateStart, n = 5:                                   [0 0] [1 2] [3 4]
//!     one copy of the first sample before the axis, then Floor (an even axis gives
//!     [0 0] [1 2] ... and drops its last sample).
//! PiqMsssim (piq.multi_scale_ssim): ReplicateStart on both axes of a level with an odd
//!     side, else Floor (resolved per level by Downsample::for_level).
//! ```
//!
//! Wang2003 and PytorchMsssim give `ceil(n / 2)` samples, Floor `floor(n / 2)`,
//! ReplicateStart `floor((n + 1) / 2)` ([`Downsample::len`]). Dropped source rows get the
//! role of an output row past the end, which a caller never asks for. Streaming works in two steps per output row: the *first*
//! source row is reduced to horizontal pair sums ([`Downsample::first_row`]), and the *second*
//! adds its own pair sums and scales by 1/4 ([`Downsample::second_row`]); [`Downsample::role`]
//! says which step a source row takes. The sums are `(a0 + a1) + (b0 + b1)` then `* 0.25`:
//! exact for u8 and u16 samples at every level of a 5-level pyramid (level-5 values are
//! multiples of 1/256 below 2^16, which f32 holds exactly), so the pyramid of integer images
//! does not depend on the order of operations at all.
//!
//! The whole pairs of a row run in the backend's `downsample_*` kernels (see
//! `kernels::downsample`; [`Downsample::with_backend`] picks the backend); only the padded
//! blocks at the ends of an odd row are handled here. The kernels do the same IEEE operations
//! in the same order on every backend, so f32 images get the same bits everywhere too.

use crate::backend::{Backend, Kernels};
use crate::error::{Error, Result};
use crate::kernels::downsample::{scalar as kernel_scalar, Upper};
use crate::plane::{Sample, SampleSlice};

/// How the next MS-SSIM level is made from the current one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Downsample {
    /// Wang, Simoncelli & Bovik 2003, `msssim.m` and TensorFlow's `ssim_multiscale`: 2x2 means
    /// of blocks starting at even indices; an odd last row/column is averaged with itself.
    #[default]
    Wang2003,
    /// `pytorch_msssim.ms_ssim`: `avg_pool2d(kernel 2, stride 2, padding n % 2,
    /// count_include_pad=True)`: an odd axis gets one zero before it, blocks start at -1, and
    /// every block is divided by 4.
    PytorchMsssim,
    /// `avg_pool2d(2)` without padding (torchmetrics' MS-SSIM, jorge-pessoa/pytorch-msssim):
    /// blocks from (0, 0), an odd last row/column dropped; `floor(n / 2)` samples.
    Floor,
    /// The first row/column repeated once before the axis, then [`Floor`](Self::Floor):
    /// blocks `[0 0] [1 2] [3 4] ...`; `floor((n + 1) / 2)` samples.
    ReplicateStart,
    /// `piq.multi_scale_ssim`: a level with an odd width or height gets
    /// [`ReplicateStart`](Self::ReplicateStart) on **both** axes (piq pads both), an even
    /// one [`Floor`](Self::Floor). Resolve it per level with [`for_level`](Self::for_level)
    /// before streaming; on its own it streams as `ReplicateStart`.
    PiqMsssim,
}

/// What a source row does for the output row `q` it belongs to (see [`Downsample::role`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowRole {
    /// The upper row of output row `q`: keep its pair sums ([`Downsample::first_row`]).
    First(usize),
    /// The lower row of output row `q`: combine with the kept sums
    /// ([`Downsample::second_row`] with `Some(sums)`).
    Second(usize),
    /// Wang's odd last row: both rows of output row `q` (first, then second over itself).
    Both(usize),
    /// pytorch's odd first row: its partner is the zero padding
    /// ([`Downsample::second_row`] with `None`).
    Alone(usize),
}

impl RowRole {
    /// The output row this source row contributes to.
    ///
    /// ```
    /// use ssim_core::{Downsample, RowRole};
    /// assert_eq!(Downsample::Wang2003.role(5, 10).output(), 2);
    /// assert_eq!(RowRole::Alone(0).output(), 0);
    /// ```
    pub fn output(self) -> usize {
        match self {
            RowRole::First(q) | RowRole::Second(q) | RowRole::Both(q) | RowRole::Alone(q) => q,
        }
    }
}

impl Downsample {
    /// Samples of the next level along an axis of `n`: `ceil(n / 2)` for both rules.
    ///
    /// ```
    /// use ssim_core::Downsample;
    /// assert_eq!((Downsample::output_len(10), Downsample::output_len(11)), (5, 6));
    /// ```
    pub const fn output_len(n: usize) -> usize {
        n.div_ceil(2)
    }

    /// Samples of the next level along an axis of `n` under this rule.
    ///
    /// ```
    /// use ssim_core::Downsample;
    /// assert_eq!(Downsample::Wang2003.len(11), 6);
    /// assert_eq!(Downsample::Floor.len(11), 5);
    /// assert_eq!(Downsample::ReplicateStart.len(11), 6);
    /// assert_eq!(Downsample::ReplicateStart.len(10), 5);
    /// ```
    pub const fn len(self, n: usize) -> usize {
        match self {
            Downsample::Floor => n / 2,
            // floor((n + 1) / 2) for ReplicateStart is ceil(n / 2) too.
            _ => n.div_ceil(2),
        }
    }

    /// The concrete rule for a level of `width x height`: [`PiqMsssim`](Self::PiqMsssim)
    /// becomes `ReplicateStart` when a side is odd and `Floor` when both are even; the
    /// other rules do not depend on the level.
    ///
    /// ```
    /// use ssim_core::Downsample;
    /// assert_eq!(Downsample::PiqMsssim.for_level(161, 160), Downsample::ReplicateStart);
    /// assert_eq!(Downsample::PiqMsssim.for_level(160, 160), Downsample::Floor);
    /// assert_eq!(Downsample::Wang2003.for_level(161, 160), Downsample::Wang2003);
    /// ```
    pub const fn for_level(self, width: usize, height: usize) -> Downsample {
        match self {
            Downsample::PiqMsssim if width % 2 == 1 || height % 2 == 1 => {
                Downsample::ReplicateStart
            }
            Downsample::PiqMsssim => Downsample::Floor,
            other => other,
        }
    }

    /// The size of the next level of a `width x height` level under this rule.
    ///
    /// ```
    /// use ssim_core::Downsample;
    /// assert_eq!(Downsample::Floor.output_size(161, 160), (80, 80));
    /// assert_eq!(Downsample::Wang2003.output_size(161, 160), (81, 80));
    /// assert_eq!(Downsample::PiqMsssim.output_size(161, 160), (81, 80));
    /// ```
    pub const fn output_size(self, width: usize, height: usize) -> (usize, usize) {
        let rule = self.for_level(width, height);
        (rule.len(width), rule.len(height))
    }

    /// The name used by the CLI and the C API (`wang2003`, `pytorch-msssim`, `floor`,
    /// `replicate-start`, `piq`).
    ///
    /// ```
    /// use ssim_core::Downsample;
    /// assert_eq!(Downsample::PytorchMsssim.name(), "pytorch-msssim");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Downsample::Wang2003 => "wang2003",
            Downsample::PytorchMsssim => "pytorch-msssim",
            Downsample::Floor => "floor",
            Downsample::ReplicateStart => "replicate-start",
            Downsample::PiqMsssim => "piq",
        }
    }

    /// The role of source row `j` of an axis of `n` rows.
    ///
    /// ```
    /// use ssim_core::{Downsample, RowRole};
    /// // Five rows: Wang's rule pairs 0-1 and 2-3, and the odd last row is its own pair.
    /// assert_eq!(Downsample::Wang2003.role(3, 5), RowRole::Second(1));
    /// assert_eq!(Downsample::Wang2003.role(4, 5), RowRole::Both(2));
    /// // pytorch pads one zero row first: row 0 has no partner.
    /// assert_eq!(Downsample::PytorchMsssim.role(0, 5), RowRole::Alone(0));
    /// ```
    pub fn role(self, j: usize, n: usize) -> RowRole {
        let odd = n % 2 == 1;
        match self {
            Downsample::Wang2003 if j % 2 == 1 => RowRole::Second(j / 2),
            Downsample::Wang2003 if odd && j + 1 == n => RowRole::Both(j / 2),
            Downsample::Wang2003 => RowRole::First(j / 2),
            Downsample::PytorchMsssim if !odd && j.is_multiple_of(2) => RowRole::First(j / 2),
            Downsample::PytorchMsssim if !odd => RowRole::Second(j / 2),
            Downsample::PytorchMsssim if j == 0 => RowRole::Alone(0),
            Downsample::PytorchMsssim if j % 2 == 1 => RowRole::First(j.div_ceil(2)),
            Downsample::PytorchMsssim => RowRole::Second(j / 2),
            // An odd last row becomes First(n / 2), past the last output row: dropped.
            Downsample::Floor if j % 2 == 1 => RowRole::Second(j / 2),
            Downsample::Floor => RowRole::First(j / 2),
            // The repeated first row makes row 0 a block of its own; an even axis's last
            // row becomes First(n / 2), past the end: dropped.
            Downsample::ReplicateStart | Downsample::PiqMsssim if j == 0 => RowRole::Both(0),
            Downsample::ReplicateStart | Downsample::PiqMsssim if j % 2 == 1 => {
                RowRole::First(j.div_ceil(2))
            }
            Downsample::ReplicateStart | Downsample::PiqMsssim => RowRole::Second(j / 2),
        }
    }

    /// The source rows `lo..=hi` that output row `q` of an axis of `n` reads.
    ///
    /// ```
    /// use ssim_core::Downsample;
    /// assert_eq!(Downsample::Wang2003.sources(2, 5), (4, 4));
    /// assert_eq!(Downsample::PytorchMsssim.sources(1, 5), (1, 2));
    /// ```
    pub fn sources(self, q: usize, n: usize) -> (usize, usize) {
        match self {
            Downsample::Wang2003 => (2 * q, (2 * q + 1).min(n.saturating_sub(1))),
            Downsample::PytorchMsssim if n.is_multiple_of(2) => (2 * q, 2 * q + 1),
            Downsample::PytorchMsssim if q == 0 => (0, 0),
            Downsample::PytorchMsssim => (2 * q - 1, 2 * q),
            Downsample::Floor => (2 * q, 2 * q + 1),
            Downsample::ReplicateStart | Downsample::PiqMsssim if q == 0 => (0, 0),
            Downsample::ReplicateStart | Downsample::PiqMsssim => (2 * q - 1, 2 * q),
        }
    }

    /// One output row from both of its source rows at once, for a caller that holds them
    /// (an image in memory): the bits of [`first_row`](Self::first_row) on `upper` then
    /// [`second_row`](Self::second_row) on `lower`, without storing the pair sums in between.
    /// Both rows hold `width` pixels `step` apart. Runs on the fastest backend
    /// ([`Backend::detect`]); every backend gives the same bits.
    ///
    /// ```
    /// use ssim_core::Downsample;
    /// let (upper, lower) = ([1u8, 3, 5], [7u8, 9, 11]);
    /// let mut out = [0f32; 2];
    /// Downsample::Wang2003.block_row(&upper, &lower, 1, 3, &mut out)?;
    /// assert_eq!(out, [5.0, 8.0]); // (1+3+7+9)/4, (5+5+11+11)/4
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn block_row<T: Sample>(
        self,
        upper: &[T],
        lower: &[T],
        step: usize,
        width: usize,
        out: &mut [f32],
    ) -> Result<()> {
        self.with_backend(Backend::detect())?
            .block_row(upper, lower, step, width, out)
    }

    /// This rule on `backend`'s kernels (see [`DownsampleKernels`]); an error if this CPU cannot
    /// run the backend.
    ///
    /// ```
    /// use ssim_core::{Backend, Downsample};
    /// let k = Downsample::Wang2003.with_backend(Backend::Scalar)?;
    /// assert_eq!(k.backend(), Backend::Scalar);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn with_backend(self, backend: Backend) -> Result<DownsampleKernels> {
        Ok(DownsampleKernels {
            rule: self,
            kernels: backend.kernels()?,
        })
    }

    /// Horizontal pair sums of the upper source row: `sums[k]` is the sum of the two samples
    /// of block `k` (`output_len(width)` values). `row` holds `width` pixels `step` apart.
    /// Runs on the fastest backend ([`Backend::detect`]); every backend gives the same bits.
    ///
    /// ```
    /// use ssim_core::Downsample;
    /// let mut sums = [0f32; 2];
    /// Downsample::Wang2003.first_row(&[1u8, 2, 3], 1, 3, &mut sums)?;
    /// assert_eq!(sums, [3.0, 6.0]); // 1 + 2, and the odd last sample twice
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn first_row<T: Sample>(
        self,
        row: &[T],
        step: usize,
        width: usize,
        sums: &mut [f32],
    ) -> Result<()> {
        self.with_backend(Backend::detect())?
            .first_row(row, step, width, sums)
    }

    /// One output row: `out[k] = (first[k] + pair sum k of row) / 4`, where `first` holds the
    /// upper row's [`first_row`](Self::first_row) sums, or is `None` for pytorch's zero row.
    /// Runs on the fastest backend ([`Backend::detect`]); every backend gives the same bits.
    ///
    /// ```
    /// use ssim_core::Downsample;
    /// let mut out = [0f32; 2];
    /// Downsample::Wang2003.second_row(Some(&[3.0, 6.0]), &[5u8, 7, 9], 1, 3, &mut out)?;
    /// assert_eq!(out, [3.75, 6.0]); // (3 + 12) / 4, (6 + 18) / 4
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn second_row<T: Sample>(
        self,
        first: Option<&[f32]>,
        row: &[T],
        step: usize,
        width: usize,
        out: &mut [f32],
    ) -> Result<()> {
        self.with_backend(Backend::detect())?
            .second_row(first, row, step, width, out)
    }
}

/// A [`Downsample`] rule bound to one backend's kernels ([`Downsample::with_backend`]): the
/// streaming steps of the 2x2 mean, vectorised. Every backend gives the same bits (the sums
/// are IEEE additions in the rule's order, with no fused operation).
#[derive(Clone, Copy)]
pub struct DownsampleKernels {
    rule: Downsample,
    kernels: &'static Kernels,
}

impl core::fmt::Debug for DownsampleKernels {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DownsampleKernels")
            .field("rule", &self.rule)
            .field("backend", &self.kernels.backend)
            .finish()
    }
}

impl DownsampleKernels {
    /// The rule.
    ///
    /// ```
    /// use ssim_core::{Backend, Downsample};
    /// let k = Downsample::PytorchMsssim.with_backend(Backend::detect())?;
    /// assert_eq!(k.rule(), Downsample::PytorchMsssim);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn rule(&self) -> Downsample {
        self.rule
    }

    /// The backend running the kernels.
    ///
    /// ```
    /// use ssim_core::{Backend, Downsample};
    /// let k = Downsample::Wang2003.with_backend(Backend::Portable)?;
    /// assert_eq!(k.backend(), Backend::Portable);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn backend(&self) -> Backend {
        self.kernels.backend
    }

    /// [`Downsample::first_row`] on this backend.
    ///
    /// ```
    /// use ssim_core::{Backend, Downsample};
    /// let k = Downsample::Wang2003.with_backend(Backend::detect())?;
    /// let mut sums = [0f32; 2];
    /// k.first_row(&[10u16, 20, 30, 40], 1, 4, &mut sums)?;
    /// assert_eq!(sums, [30.0, 70.0]);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn first_row<T: Sample>(
        &self,
        row: &[T],
        step: usize,
        width: usize,
        sums: &mut [f32],
    ) -> Result<()> {
        check(self.rule, row, step, width, sums.len())?;
        pair_sums(self.kernels, self.rule, row, step, width, Upper::None, sums);
        Ok(())
    }

    /// [`Downsample::second_row`] on this backend.
    ///
    /// ```
    /// use ssim_core::{Backend, Downsample};
    /// let k = Downsample::Wang2003.with_backend(Backend::detect())?;
    /// let mut out = [0f32; 1];
    /// k.second_row(Some(&[2.0]), &[1.0f32, 1.0], 1, 2, &mut out)?;
    /// assert_eq!(out, [1.0]); // (2 + 1 + 1) / 4
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn second_row<T: Sample>(
        &self,
        first: Option<&[f32]>,
        row: &[T],
        step: usize,
        width: usize,
        out: &mut [f32],
    ) -> Result<()> {
        let n = self.rule.len(width);
        check(self.rule, row, step, width, out.len())?;
        match first {
            Some(f) if f.len() < n => Err(Error::BufferTooShort {
                len: f.len(),
                needed: n,
            }),
            Some(f) => {
                pair_sums(
                    self.kernels,
                    self.rule,
                    row,
                    step,
                    width,
                    Upper::Sums(f),
                    out,
                );
                Ok(())
            }
            None => {
                pair_sums(self.kernels, self.rule, row, step, width, Upper::None, out);
                out[..n].iter_mut().for_each(|v| *v *= 0.25);
                Ok(())
            }
        }
    }

    /// [`Downsample::block_row`] on this backend.
    ///
    /// ```
    /// use ssim_core::{Backend, Downsample};
    /// let k = Downsample::Wang2003.with_backend(Backend::detect())?;
    /// let mut out = [0f32; 1];
    /// k.block_row(&[1u8, 3], &[5u8, 7], 1, 2, &mut out)?;
    /// assert_eq!(out, [4.0]);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn block_row<T: Sample>(
        &self,
        upper: &[T],
        lower: &[T],
        step: usize,
        width: usize,
        out: &mut [f32],
    ) -> Result<()> {
        check(self.rule, upper, step, width, out.len())?;
        check(self.rule, lower, step, width, out.len())?;
        pair_sums(
            self.kernels,
            self.rule,
            lower,
            step,
            width,
            Upper::Row(upper),
            out,
        );
        Ok(())
    }
}

fn check<T>(rule: Downsample, row: &[T], step: usize, width: usize, out_len: usize) -> Result<()> {
    if width == 0 {
        return Err(Error::ZeroDimension { width, height: 1 });
    }
    if step == 0 {
        return Err(Error::ChannelStep { step });
    }
    let needed = (width - 1)
        .checked_mul(step)
        .and_then(|v| v.checked_add(1))
        .ok_or(Error::DimensionOverflow { width, height: 1 })?;
    if row.len() < needed {
        return Err(Error::BufferTooShort {
            len: row.len(),
            needed,
        });
    }
    let n = rule.len(width);
    if out_len < n {
        return Err(Error::BufferTooShort {
            len: out_len,
            needed: n,
        });
    }
    Ok(())
}

/// `out[k] = pair sum k` (`Upper::None`) or `(upper's pair sum k + pair sum k) * 0.25`: the
/// rule's padded blocks here, the whole pairs in between by the backend's kernel. Lengths
/// are checked by the callers.
fn pair_sums<T: Sample>(
    kernels: &Kernels,
    rule: Downsample,
    row: &[T],
    step: usize,
    width: usize,
    upper: Upper<'_, T>,
    out: &mut [f32],
) {
    // A padded block's sum, in the row `r`: `zero + r[0]` (pytorch's head), `v + v` (Wang's
    // odd tail, the replicated head).
    let replicate = matches!(rule, Downsample::ReplicateStart | Downsample::PiqMsssim);
    let head_sum = |r: &[T]| {
        let v = r[0].to_f32();
        if replicate {
            v + v
        } else {
            v
        }
    };
    let tail_sum = |r: &[T]| {
        let v = r[(width - 1) * step].to_f32();
        v + v
    };
    let put = |out: &mut f32, k: usize, sum: &dyn Fn(&[T]) -> f32| {
        let s = sum(row);
        *out = match upper {
            Upper::None => s,
            Upper::Sums(acc) => (acc[k] + s) * 0.25,
            Upper::Row(u) => (sum(u) + s) * 0.25,
        };
    };
    // Blocks made of two real samples start at `first_in`; `head` and `tail` are the blocks
    // with a padded sample.
    let odd = width % 2 == 1;
    let (head, first_in) = match rule {
        Downsample::PytorchMsssim if odd => (true, 1),
        _ if replicate => (true, 1),
        _ => (false, 0),
    };
    let tail = rule == Downsample::Wang2003 && odd;
    let k0 = head as usize;
    let pairs = (width - first_in) / 2;
    if head {
        put(&mut out[0], 0, &head_sum);
    }
    if pairs > 0 {
        let src = &row[first_in * step..];
        let dst = &mut out[k0..k0 + pairs];
        let (acc, above) = match upper {
            Upper::None => (None, None),
            Upper::Sums(a) => (Some(&a[k0..k0 + pairs]), None),
            Upper::Row(u) => (None, Some(&u[first_in * step..])),
        };
        match (T::slice(src), above.map(T::slice)) {
            (SampleSlice::U8(s), None) => (kernels.downsample_u8)(s, step, sums(acc), dst),
            #[cfg(feature = "u16")]
            (SampleSlice::U16(s), None) => (kernels.downsample_u16)(s, step, sums(acc), dst),
            (SampleSlice::F32(s), None) => (kernels.downsample_f32)(s, step, sums(acc), dst),
            (SampleSlice::U8(s), Some(SampleSlice::U8(u))) => {
                (kernels.downsample_u8)(s, step, Upper::Row(u), dst)
            }
            #[cfg(feature = "u16")]
            (SampleSlice::U16(s), Some(SampleSlice::U16(u))) => {
                (kernels.downsample_u16)(s, step, Upper::Row(u), dst)
            }
            (SampleSlice::F32(s), Some(SampleSlice::F32(u))) => {
                (kernels.downsample_f32)(s, step, Upper::Row(u), dst)
            }
            // Both rows are `&[T]`, so their slices are of one type: never taken, and right
            // anyway.
            _ => kernel_scalar(src, step, above.map_or(sums(acc), Upper::Row), dst),
        }
    }
    if tail {
        put(&mut out[pairs], pairs, &tail_sum);
    }
}

/// The upper row's kept pair sums, if any, for a kernel of any sample type.
fn sums<U>(acc: Option<&[f32]>) -> Upper<'_, U> {
    acc.map_or(Upper::None, Upper::Sums)
}

#[cfg(test)]
mod tests;
