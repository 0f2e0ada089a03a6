//! The push API: rows of both images in, checked, loaded into the engine's padded rows (or
//! used in place), then through the ring.

use super::geometry::Extent;
use super::ring::{InRows, RingPath};
use super::sink::RowSink;
use super::Ssim;
use crate::error::{Error, Image, Result};
use crate::plane::{Plane, Sample, SampleKind, SampleSlice};

impl Ssim<'_> {
    /// Pushes the next rows of both images (equal-sized chunks of the image width), handing
    /// every map row that becomes complete to `sink`.
    ///
    /// ```
    /// use ssim_core::{scratch_len, Params, Plane, ScratchBlock, Ssim};
    /// let params = Params::scikit_image(255.0);
    /// let x = vec![7u8; 16 * 16];
    /// let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, 16, false)?];
    /// let mut engine = Ssim::new(&params, 16, 16, &mut scratch)?;
    /// let p = Plane::new(&x, 16, 16)?;
    /// for top in (0..16).step_by(4) {
    ///     let chunk = p.rows(top, 4)?;
    ///     engine.push_rows(&chunk, &chunk, &mut ())?;
    /// }
    /// assert_eq!(engine.finish()?.ssim, 1.0);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn push_rows<T: Sample>(
        &mut self,
        x: &Plane<'_, T>,
        y: &Plane<'_, T>,
        sink: &mut impl RowSink,
    ) -> Result<()> {
        self.push_rows_with(x, y, sink, |_| Ok(()))
    }

    /// [`push_rows`](Self::push_rows), calling `loaded(j)` for row `j` of the chunk (`0..`)
    /// once the engine has read that row of both images and before it filters them. Other
    /// work on the same input rows then finds them in L1 instead of fetching them from
    /// memory a second time (the MS-SSIM pyramid's 2x2 means; BENCHMARKS.md has the
    /// measurement). An error from `loaded` stops the push
    /// and is returned; the rows before it are in.
    ///
    /// ```
    /// use ssim_core::{Params, Plane, ScratchBlock, Ssim, scratch_len};
    /// let (w, h) = (16, 12);
    /// let x: Vec<u8> = (0..w * h).map(|i| (i * 7 % 256) as u8).collect();
    /// let params = Params::wang2004(255.0);
    /// let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, w, false).unwrap()];
    /// let mut engine = Ssim::new(&params, w, h, &mut scratch).unwrap();
    /// let p = Plane::new(&x, w, h).unwrap();
    /// let mut seen = Vec::new();
    /// engine.push_rows_with(&p, &p, &mut (), |j| Ok(seen.push(j))).unwrap();
    /// assert_eq!(seen, (0..h).collect::<Vec<_>>());
    /// ```
    pub fn push_rows_with<T: Sample>(
        &mut self,
        x: &Plane<'_, T>,
        y: &Plane<'_, T>,
        sink: &mut impl RowSink,
        loaded: impl FnMut(usize) -> Result<()>,
    ) -> Result<()> {
        self.push_chunk(x, y, None, sink, loaded)
    }

    /// [`push_rows`](Self::push_rows), prefetching the rows of `ahead` (a later part of the
    /// images, any width and height) while it filters these: row `j` of the chunk fetches
    /// row `j` of `ahead` into the cache, a few lines at a time between the vector operations
    /// of its horizontal pass. For rows that come from L3 or memory in a pattern the
    /// hardware prefetcher does not follow, such as one channel of interleaved pixels in
    /// strips; a hint only, which changes no value. BENCHMARKS.md ("Colour against gray")
    /// has the measurement.
    ///
    /// ```
    /// use ssim_core::{scratch_len, Params, Plane, ScratchBlock, Ssim};
    /// let (w, h) = (32, 32);
    /// let x: Vec<u8> = (0..w * h).map(|i| (i * 7 % 256) as u8).collect();
    /// let params = Params::wang2004(255.0);
    /// let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, w, false)?];
    /// let mut engine = Ssim::new(&params, w, h, &mut scratch)?;
    /// let p = Plane::new(&x, w, h)?;
    /// for top in (0..h).step_by(8) {
    ///     let chunk = p.rows(top, 8)?;
    ///     // The next chunk, or nothing after the last.
    ///     let next = p.rows(top + 8, 8).unwrap_or(p.rows(0, 1)?);
    ///     engine.push_rows_ahead(&chunk, &chunk, (&next, &next), &mut ())?;
    /// }
    /// assert_eq!(engine.finish()?.ssim, 1.0);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn push_rows_ahead<T: Sample>(
        &mut self,
        x: &Plane<'_, T>,
        y: &Plane<'_, T>,
        ahead: (&Plane<'_, T>, &Plane<'_, T>),
        sink: &mut impl RowSink,
    ) -> Result<()> {
        self.push_chunk(x, y, Some(ahead), sink, |_| Ok(()))
    }

    fn push_chunk<T: Sample>(
        &mut self,
        x: &Plane<'_, T>,
        y: &Plane<'_, T>,
        ahead: Option<(&Plane<'_, T>, &Plane<'_, T>)>,
        sink: &mut impl RowSink,
        mut loaded: impl FnMut(usize) -> Result<()>,
    ) -> Result<()> {
        if x.width() != y.width() || x.height() != y.height() {
            return Err(Error::SizeMismatch {
                reference: (x.width(), x.height()),
                distorted: (y.width(), y.height()),
            });
        }
        if x.width() != self.geo.width {
            return Err(Error::ChunkWidth {
                width: x.width(),
                expected: self.geo.width,
            });
        }
        let pushed = self.next_in.saturating_add(x.height());
        if pushed > self.in_rows.1 {
            return Err(Error::RowOverflow {
                height: self.in_rows.1,
                pushed,
            });
        }
        self.sample_kind(T::KIND)?;
        for j in 0..x.height() {
            let ud = self.push_row((x.row(j), x.step()), (y.row(j), y.step()))?;
            loaded(j)?;
            let ahead = match ahead {
                Some((a, b)) if j < a.height() && j < b.height() => {
                    [bytes(a.row(j)), bytes(b.row(j))]
                }
                _ => [&[][..], &[][..]],
            };
            self.filter_row(InRows::Own { ud }, ahead);
            self.drain(sink);
        }
        Ok(())
    }

    /// Pushes the next rows of f32 samples, packed (`width` samples per row, rows one after
    /// the other), and lets the engine use them as its working rows: they are overwritten.
    /// This saves [`push_rows`](Self::push_rows)' copy of every row into the engine's own
    /// buffers, which is worth it for rows the caller computed itself and throws away next,
    /// such as the levels of an MS-SSIM pyramid.
    ///
    /// Unlike `push_rows`, the samples are **not** checked for NaN and infinity (the check
    /// is a pass over the rows of its own): a non-finite sample gives NaN in the map and the
    /// mean instead of [`Error::NonFiniteSample`]. Use it for rows made from checked ones.
    /// With a padded map (`Pooling::Same`, or [`Options::map`](super::Options::map) with
    /// `Params::map_padding`), or a map width that is not a multiple of 16, the engine needs
    /// room around or after each row; the rows are then copied and checked as by `push_rows`,
    /// and left as they were.
    ///
    /// ```
    /// use ssim_core::{Params, ScratchBlock, Ssim, scratch_len};
    /// let (w, h) = (16, 12);
    /// let params = Params::wang2004(1.0);
    /// let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, w, false).unwrap()];
    /// let mut engine = Ssim::new(&params, w, h, &mut scratch).unwrap();
    /// let mut x: Vec<f32> = (0..w * h).map(|i| (i % 7) as f32 / 7.0).collect();
    /// let mut y = x.clone();
    /// engine.push_rows_in_place(&mut x, &mut y, &mut ()).unwrap();
    /// assert_eq!(engine.finish().unwrap().ssim, 1.0);
    /// ```
    pub fn push_rows_in_place(
        &mut self,
        x: &mut [f32],
        y: &mut [f32],
        sink: &mut impl RowSink,
    ) -> Result<()> {
        let w = self.geo.width;
        if x.len() != y.len() {
            return Err(Error::SizeMismatch {
                reference: (w, x.len() / w),
                distorted: (w, y.len() / w),
            });
        }
        if !x.len().is_multiple_of(w) {
            return Err(Error::PartialRow {
                len: x.len(),
                width: w,
            });
        }
        let rows = x.len() / w;
        if rows == 0 {
            return Ok(());
        }
        // A padded map needs room around each row, and so does a map whose width is not a
        // multiple of `COLUMN_ALIGN` (the kernels compute whole aligned rows): copy then.
        if self.geo.extent != Extent::Valid || self.geo.cols != self.geo.map_w {
            let (xp, yp) = (Plane::new(x, w, rows)?, Plane::new(y, w, rows)?);
            return self.push_rows(&xp, &yp, sink);
        }
        let pushed = self.next_in.saturating_add(rows);
        if pushed > self.in_rows.1 {
            return Err(Error::RowOverflow {
                height: self.in_rows.1,
                pushed,
            });
        }
        self.sample_kind(SampleKind::F32)?;
        for (xr, yr) in x.chunks_exact_mut(w).zip(y.chunks_exact_mut(w)) {
            self.filter_row(InRows::Caller(xr, yr), [&[], &[]]);
            self.drain(sink);
        }
        Ok(())
    }

    /// Records the sample type of the first push and with it the ring path, and checks that
    /// box windows keep it (their exact sums depend on it).
    fn sample_kind(&mut self, kind: SampleKind) -> Result<()> {
        if kind == SampleKind::U16 && !cfg!(feature = "u16") {
            return Err(Error::SampleTypeNotBuilt { sample: "u16" });
        }
        match self.kind {
            None => {
                self.kind = Some(kind);
                self.path = RingPath::choose(self.box_size, kind, &self.consts, self.geo.extent);
            }
            Some(k) if k != kind && self.box_size.is_some() => {
                return Err(Error::InvalidParameter {
                    name: "samples",
                    expected: "the same sample type in every push_rows call of one engine \
                               (box windows keep type-specific exact sums)",
                });
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Loads one row of each image; each comes with its own pixel step (the two images may
    /// be laid out differently, e.g. a channel of packed RGB against a gray plane). Returns
    /// whether the engine's rows now hold `u = x + y`, `d = x - y` instead of `x, y`.
    fn push_row<T: Sample>(&mut self, x: (&[T], usize), y: (&[T], usize)) -> Result<bool> {
        let g = self.geo;
        let (w, r) = (g.width, g.radius);
        let off = match g.extent {
            Extent::Valid => 0,
            Extent::Same(_) => r,
        };
        let row = self.next_in;
        // The column path adds the 8-bit rows to its column sums as they load.
        #[cfg(feature = "box-columns")]
        if let (RingPath::BoxColumns { size }, SampleSlice::U8(xs), SampleSlice::U8(ys)) =
            (self.path, T::slice(x.0), T::slice(y.0))
        {
            let m = super::ring::columns_stride(g.cols);
            let added = row - self.in_rows.0;
            let ring: &mut [i32] = bytemuck::cast_slice_mut(self.ring);
            let (rows, sums) = ring.split_at_mut(size * m);
            // Row `row - size`, leaving the window now, is in the same slot.
            let slot = &mut rows[row % size * m..][..m];
            let (first, slide) = (added == 0, added >= size);
            let sums = &mut sums[..3 * m];
            let taps = (size * size) as i32;
            let f = self.kernels.box_columns_u8;
            f(xs, x.1, ys, y.1, w, taps, first, slide, slot, sums);
            return Ok(false);
        }
        // The fused 8-bit box path and the Gaussian one (8 and 16 bits) take `u = x + y` and
        // `d = x - y`, made as the rows load: exact integers in f32, the values the Gaussian
        // kernel's own transform of `x, y` gives, without its pass over the rows. Every
        // padding copies columns, so it commutes with the transform.
        let (u, d) = (&mut self.xrow[off..off + w], &mut self.yrow[off..off + w]);
        let ud = match (self.path, T::slice(x.0), T::slice(y.0)) {
            (
                RingPath::NarrowBox { .. } | RingPath::Moments,
                SampleSlice::U8(xs),
                SampleSlice::U8(ys),
            ) => {
                (self.kernels.load_u8_ud)(xs, x.1, ys, y.1, u, d);
                true
            }
            #[cfg(feature = "u16")]
            (RingPath::Moments, SampleSlice::U16(xs), SampleSlice::U16(ys)) => {
                (self.kernels.load_u16_ud)(xs, x.1, ys, y.1, u, d);
                true
            }
            _ => false,
        };
        if ud {
            for dst in [&mut *self.xrow, &mut *self.yrow] {
                pad(g.extent, dst, w, r);
            }
            return Ok(true);
        }
        for ((src, step), dst, image) in [
            (x, &mut *self.xrow, Image::Reference),
            (y, &mut *self.yrow, Image::Distorted),
        ] {
            let out = &mut dst[off..off + w];
            let bad = match T::slice(src) {
                SampleSlice::U8(s) => {
                    (self.kernels.load_u8)(s, step, out);
                    None
                }
                #[cfg(feature = "u16")]
                SampleSlice::U16(s) => {
                    (self.kernels.load_u16)(s, step, out);
                    None
                }
                // `sample_kind` rejected u16 rows already; this arm only keeps it an error.
                #[cfg(not(feature = "u16"))]
                SampleSlice::U16(_) => return Err(Error::SampleTypeNotBuilt { sample: "u16" }),
                SampleSlice::F32(s) => (self.kernels.load_f32)(s, step, out),
            };
            if let Some(col) = bad {
                return Err(Error::NonFiniteSample { image, row, col });
            }
            pad(g.extent, dst, w, r);
        }
        Ok(false)
    }
}

/// Fills the `r` columns on each side of a padded row (`Extent::Same`) from the loaded ones.
fn pad(extent: Extent, dst: &mut [f32], w: usize, r: usize) {
    if let Extent::Same(p) = extent {
        for t in 0..r {
            dst[t] = dst[r + p.map_index(t as isize - r as isize, w)];
            dst[r + w + t] = dst[r + p.map_index((w + t) as isize, w)];
        }
    }
}

/// The bytes of a row of samples (for prefetching them).
fn bytes<T: Sample>(row: &[T]) -> &[u8] {
    match T::slice(row) {
        SampleSlice::U8(s) => s,
        SampleSlice::U16(s) => bytemuck::cast_slice(s),
        SampleSlice::F32(s) => bytemuck::cast_slice(s),
    }
}
