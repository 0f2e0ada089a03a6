//! The streaming engine: rows in, a ring of window-height moment rows, output rows out.
//!
//! ```text
//! push row j ──load──► padded x, y rows ──horizontal──► ring slot j mod (2r+1)
//!                                                           │ when rows i-r..=i+r are in
//!                                                           ▼
//!            sink ◄── ssim, cs rows ◄──formula── stats row ◄──vertical
//! ```
//!
//! Nothing here scales with the image height: the memory is `scratch_len(width)` blocks.
//! Each output row is a pure function of its window rows, so any chunking of the input, and
//! any split of the output rows into bands, gives bitwise identical rows; the mean is the sum
//! of per-row f64 sums taken in row order.

use crate::backend::{Backend, Kernels};
use crate::error::{Error, Image, Result};
use crate::kernels::{FormulaConsts, MOMENTS, ROWS_PER_PASS, UD_MOMENTS};
use crate::params::{covariance_factor, HalfWeights, Padding, Params, Pooling, MAX_RADIUS};
use crate::plane::{Plane, Sample, SampleSlice};
use crate::scratch::{blocks_for, ScratchBlock};

/// The outcome of one SSIM computation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SsimResult {
    /// Mean SSIM over the pooled region.
    pub ssim: f64,
    /// Mean contrast-structure term `cs` over the pooled region (what MS-SSIM uses at the
    /// finer scales).
    pub cs: f64,
    /// Number of pooled pixels.
    pub count: u64,
    /// Sum of the pooled SSIM values (`ssim * count`, as accumulated).
    pub ssim_sum: f64,
    /// Sum of the pooled cs values.
    pub cs_sum: f64,
    /// The backend that computed it.
    pub backend: Backend,
}

/// One finished output row, handed to a [`RowSink`].
#[derive(Debug)]
pub struct OutputRow<'a> {
    /// Row index in the map (`0..map_height`).
    pub index: usize,
    /// SSIM of every map pixel of this row.
    pub ssim: &'a [f32],
    /// cs of every map pixel of this row.
    pub cs: &'a [f32],
    /// Whether the row belongs to the pooled region (its sums count towards the mean).
    pub pooled: bool,
    /// f64 sum of the pooled SSIM values of this row (0 when not pooled).
    pub ssim_sum: f64,
    /// f64 sum of the pooled cs values of this row (0 when not pooled).
    pub cs_sum: f64,
}

/// Receives output rows as the engine produces them (map writers, MS-SSIM, band merging).
pub trait RowSink {
    /// Called once per output row, in order.
    fn row(&mut self, row: OutputRow<'_>);
}

/// Discards rows: use when only the mean is wanted.
impl RowSink for () {
    fn row(&mut self, _: OutputRow<'_>) {}
}

/// Options of [`Ssim::with_options`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Options {
    /// Kernels to use; `None` picks [`Backend::detect`].
    pub backend: Option<Backend>,
    /// Produce the full-size map that `Params::map_padding` asks for (scikit-image style)
    /// instead of the cheaper valid-only rows. No effect with `Pooling::Same`.
    pub map: bool,
    /// Compute only the map rows `start..end` (a band, for threads). `None`: all rows.
    pub rows: Option<(usize, usize)>,
}

/// Where the map lies relative to the image.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Extent {
    /// `(H - 2r) x (W - 2r)`, window always inside.
    Valid,
    /// `H x W`, window padded.
    Same(Padding),
}

/// Sizes derived from the parameters and the image size.
#[derive(Clone, Copy, Debug)]
struct Geometry {
    width: usize,
    height: usize,
    radius: usize,
    extent: Extent,
    map_w: usize,
    map_h: usize,
    /// Columns of the map that are pooled.
    pool_cols: (usize, usize),
    /// Rows of the map that are pooled.
    pool_rows: (usize, usize),
    /// Bytes per ring value: 8 for box windows (exact integer sums in f64), else 4.
    ring_bytes: usize,
}

impl Geometry {
    fn new(params: &Params, width: usize, height: usize, map: bool) -> Result<Geometry> {
        params.validate()?;
        if width == 0 || height == 0 {
            return Err(Error::ZeroDimension { width, height });
        }
        let r = params.window.radius();
        let size = 2 * r + 1;
        let overflow = Error::DimensionOverflow { width, height };
        width
            .checked_add(2 * r)
            .and_then(|w| w.checked_mul(height))
            .ok_or(overflow)?;
        let (extent, pool_cols, pool_rows) = match params.pooling {
            Pooling::Same(p) => (Extent::Same(p), (0, width), (0, height)),
            Pooling::Valid => {
                if width < size || height < size {
                    return Err(Error::ImageSmallerThanWindow {
                        width,
                        height,
                        window: size,
                    });
                }
                match (map, params.map_padding) {
                    (true, Some(p)) => (Extent::Same(p), (r, width - r), (r, height - r)),
                    _ => (Extent::Valid, (0, width - 2 * r), (0, height - 2 * r)),
                }
            }
        };
        let (map_w, map_h) = match extent {
            Extent::Valid => (width - 2 * r, height - 2 * r),
            Extent::Same(_) => (width, height),
        };
        Ok(Geometry {
            width,
            height,
            radius: r,
            extent,
            map_w,
            map_h,
            pool_cols,
            pool_rows,
            ring_bytes: if matches!(params.window, crate::Window::Box { .. }) {
                8
            } else {
                4
            },
        })
    }

    fn padded_w(&self) -> usize {
        self.map_w + 2 * self.radius
    }

    /// Input rows a band of map rows needs.
    fn input_rows(&self, rows: (usize, usize)) -> (usize, usize) {
        let r = self.radius;
        match self.extent {
            Extent::Valid => (rows.0, rows.1 + 2 * r),
            Extent::Same(_) => (rows.0.saturating_sub(r), (rows.1 + r).min(self.height)),
        }
    }

    /// Input rows that must have been pushed before map row `i` can be computed.
    #[inline]
    fn rows_needed(&self, i: usize) -> usize {
        let r = self.radius;
        match self.extent {
            Extent::Valid => i + 2 * r + 1,
            Extent::Same(_) => (i + r + 1).min(self.height),
        }
    }

    /// The pooled columns of map row `i`, if it is a pooled row.
    #[inline]
    fn pool(&self, i: usize) -> Option<(usize, usize)> {
        (self.pool_rows.0..self.pool_rows.1)
            .contains(&i)
            .then_some(self.pool_cols)
    }

    /// Whether the window of map row `i` is the window of row `i - 1` moved down by one
    /// input row (its top `2r` rows are the previous window's bottom `2r`): always in a
    /// valid map, not next to a reflected border of a padded one.
    #[inline]
    fn shifts(&self, i: usize) -> bool {
        let r = self.radius as isize;
        self.extent == Extent::Valid
            || (-r..r).all(|t| self.source_row(i, t) == self.source_row(i - 1, t + 1))
    }

    /// The input row at vertical offset `t` from the centre of map row `i`.
    #[inline]
    fn source_row(&self, i: usize, t: isize) -> usize {
        match self.extent {
            Extent::Valid => (i as isize + self.radius as isize + t) as usize,
            Extent::Same(p) => p.map_index(i as isize + t, self.height),
        }
    }
}

/// The f64 sums of the pooled map pixels so far.
#[derive(Clone, Copy, Default)]
struct Totals {
    ssim_sum: f64,
    cs_sum: f64,
    count: u64,
}

impl Totals {
    /// Adds map row `i`'s sums (taken over the columns of [`Geometry::pool`], or over none
    /// outside the pooled rows) when it is pooled, and hands the row to `sink`.
    fn deliver(
        &mut self,
        g: &Geometry,
        i: usize,
        (ssim, cs): (&[f32], &[f32]),
        (s, c): (f64, f64),
        sink: &mut impl RowSink,
    ) {
        let pool = g.pool(i);
        if let Some((p0, p1)) = pool {
            self.ssim_sum += s;
            self.cs_sum += c;
            self.count += (p1 - p0) as u64;
        }
        sink.row(OutputRow {
            index: i,
            ssim,
            cs,
            pooled: pool.is_some(),
            ssim_sum: s,
            cs_sum: c,
        });
    }
}

/// Scratch blocks needed by an engine over rows of `width` pixels: the padded input rows, the
/// ring of `2r + 1` moment rows, one statistics row and the two output rows. It does not
/// depend on the height. `map`: as [`Options::map`].
///
/// Box windows keep exact integer sums in f64 (twice the ring memory of the f32 Gaussian
/// path); the size covers every sample type.
pub fn scratch_len(params: &Params, width: usize, map: bool) -> Result<usize> {
    // The height does not matter for the size; use one that passes the window check.
    let size = params.window.size();
    let g = Geometry::new(params, width, size.max(1), map)?;
    layout(&g).map(|l| l.total).ok_or(Error::DimensionOverflow {
        width,
        height: size,
    })
}

/// The map that [`Ssim`] produces for these parameters: `(width, height)`.
pub fn map_size(params: &Params, width: usize, height: usize, map: bool) -> Result<(usize, usize)> {
    let g = Geometry::new(params, width, height, map)?;
    Ok((g.map_w, g.map_h))
}

struct Layout {
    row: usize,
    ring: usize,
    stats: usize,
    out: usize,
    total: usize,
}

fn layout(g: &Geometry) -> Option<Layout> {
    let slots = 2 * g.radius + ROWS_PER_PASS;
    let row = blocks_for(g.padded_w(), 4)?;
    // Box windows: five f64 moment rows per slot (exact integer sums; the f32 paths of box
    // windows need less). Otherwise four f32 ones.
    let moments = if g.ring_bytes == 8 {
        MOMENTS
    } else {
        UD_MOMENTS
    };
    let ring = blocks_for(
        slots.checked_mul(moments)?.checked_mul(g.map_w)?,
        g.ring_bytes,
    )?;
    let stats = blocks_for(
        (ROWS_PER_PASS * moments).checked_mul(g.map_w)?,
        g.ring_bytes,
    )?;
    let out = blocks_for(g.map_w, 4)?;
    let total = row
        .checked_mul(2)?
        .checked_add(ring)?
        .checked_add(stats)?
        .checked_add(out.checked_mul(2)?)?;
    Some(Layout {
        row,
        ring,
        stats,
        out,
        total,
    })
}

/// The streaming SSIM engine over one pair of image channels.
///
/// ```
/// use ssim_core::{Params, Plane, ScratchBlock, Ssim, scratch_len};
/// let (w, h) = (16, 12);
/// let x: Vec<u8> = (0..w * h).map(|i| (i * 7 % 256) as u8).collect();
/// let y: Vec<u8> = x.iter().map(|&v| v.saturating_add(3)).collect();
/// let params = Params::wang2004(255.0);
/// let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, w, false).unwrap()];
/// let mut engine = Ssim::new(&params, w, h, &mut scratch).unwrap();
/// let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
/// // Rows may arrive in any chunks; here 5 then 7.
/// engine.push_rows(&xp.rows(0, 5).unwrap(), &yp.rows(0, 5).unwrap(), &mut ()).unwrap();
/// engine.push_rows(&xp.rows(5, 7).unwrap(), &yp.rows(5, 7).unwrap(), &mut ()).unwrap();
/// let r = engine.finish().unwrap();
/// assert!(r.ssim > 0.9 && r.ssim < 1.0);
/// ```
pub struct Ssim<'s> {
    kernels: &'static Kernels,
    weights: HalfWeights,
    consts: FormulaConsts,
    geo: Geometry,
    box_size: Option<usize>,
    /// Sample type of the first `push_rows`; box windows keep it (their sums depend on it).
    kind: Option<crate::SampleKind>,
    /// Exact box sums of 8-bit samples held in f32 (half the ring memory of f64).
    narrow: bool,
    /// The map row whose window (without its bottom row) the carried 8-bit box sums hold,
    /// and which of the two carry buffers holds them.
    carry: Option<(usize, usize)>,
    out_rows: (usize, usize),
    in_rows: (usize, usize),
    next_in: usize,
    next_out: usize,
    totals: Totals,
    xrow: &'s mut [f32],
    yrow: &'s mut [f32],
    ring: &'s mut [ScratchBlock],
    stats: &'s mut [ScratchBlock],
    ssim_row: &'s mut [f32],
    cs_row: &'s mut [f32],
}

impl<'s> Ssim<'s> {
    /// An engine for a `width x height` image pair, best backend, mean only.
    pub fn new(
        params: &Params,
        width: usize,
        height: usize,
        scratch: &'s mut [ScratchBlock],
    ) -> Result<Self> {
        Self::with_options(params, width, height, Options::default(), scratch)
    }

    /// An engine with explicit [`Options`].
    pub fn with_options(
        params: &Params,
        width: usize,
        height: usize,
        options: Options,
        scratch: &'s mut [ScratchBlock],
    ) -> Result<Self> {
        let geo = Geometry::new(params, width, height, options.map)?;
        let kernels = options.backend.unwrap_or_else(Backend::detect).kernels()?;
        let l = layout(&geo).ok_or(Error::DimensionOverflow { width, height })?;
        if scratch.len() < l.total {
            return Err(Error::ScratchTooSmall {
                len: scratch.len(),
                needed: l.total,
            });
        }
        let out_rows = match options.rows {
            None => (0, geo.map_h),
            Some((a, b)) if a < b && b <= geo.map_h => (a, b),
            Some(_) => {
                return Err(Error::InvalidParameter {
                    name: "rows",
                    expected: "a non-empty range of map rows within the map height",
                })
            }
        };
        let (xrow, rest) = scratch.split_at_mut(l.row);
        let (yrow, rest) = rest.split_at_mut(l.row);
        let (ring, rest) = rest.split_at_mut(l.ring);
        let (stats, rest) = rest.split_at_mut(l.stats);
        let (ssim_row, rest) = rest.split_at_mut(l.out);
        let (cs_row, _) = rest.split_at_mut(l.out);
        let cast = |b: &'s mut [ScratchBlock], n: usize| -> &'s mut [f32] {
            &mut bytemuck::cast_slice_mut::<ScratchBlock, f32>(b)[..n]
        };
        let weights = HalfWeights::new(&params.window);
        let size = params.window.size();
        let in_rows = geo.input_rows(out_rows);
        Ok(Ssim {
            kernels,
            consts: FormulaConsts {
                c1: params.c1(),
                c2: params.c2(),
                cov: covariance_factor(params.covariance, size),
                taps: (size * size) as f64,
            },
            weights,
            box_size: weights.is_box.then_some(size),
            kind: None,
            narrow: false,
            carry: None,
            out_rows,
            in_rows,
            next_in: in_rows.0,
            next_out: out_rows.0,
            totals: Totals::default(),
            xrow: cast(xrow, geo.padded_w()),
            yrow: cast(yrow, geo.padded_w()),
            ring,
            stats,
            ssim_row: cast(ssim_row, geo.map_w),
            cs_row: cast(cs_row, geo.map_w),
            geo,
        })
    }

    /// The input rows this engine reads, `start..end`: push exactly these, in order.
    pub fn input_rows(&self) -> (usize, usize) {
        self.in_rows
    }

    /// The map rows this engine produces, `start..end`.
    pub fn output_rows(&self) -> (usize, usize) {
        self.out_rows
    }

    /// Width and height of the full map.
    pub fn map_size(&self) -> (usize, usize) {
        (self.geo.map_w, self.geo.map_h)
    }

    /// The backend running the kernels.
    pub fn backend(&self) -> Backend {
        self.kernels.backend
    }

    /// Pushes the next rows of both images (equal-sized chunks of the image width), handing
    /// every map row that becomes complete to `sink`.
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
    /// memory a second time (the MS-SSIM pyramid's 2x2 means: measured, 2x2-mean samples
    /// 302 -> 218 of 22k in an MS-SSIM 1080p run). An error from `loaded` stops the push
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
        mut loaded: impl FnMut(usize) -> Result<()>,
    ) -> Result<()> {
        if x.width() != y.width() || x.height() != y.height() {
            return Err(Error::SizeMismatch {
                reference: (x.width(), x.height()),
                distorted: (y.width(), y.height()),
            });
        }
        let pushed = self.next_in.saturating_add(x.height());
        if x.width() != self.geo.width || pushed > self.in_rows.1 {
            return Err(Error::RowOverflow {
                height: self.in_rows.1,
                pushed,
            });
        }
        let int_box = self.sample_kind(T::KIND)?;
        for j in 0..x.height() {
            self.push_row((x.row(j), x.step()), (y.row(j), y.step()))?;
            loaded(j)?;
            self.filter_row(int_box, None);
            self.drain(int_box, sink);
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
    /// With a padded map (`Pooling::Same`, or [`Options::map`] with `Params::map_padding`)
    /// the engine needs room around each row; the rows are then copied and checked as by
    /// `push_rows`, and left as they were.
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
            return Err(Error::InvalidParameter {
                name: "rows",
                expected: "whole rows: a multiple of the engine's width of samples, packed",
            });
        }
        let rows = x.len() / w;
        if rows == 0 {
            return Ok(());
        }
        if self.geo.extent != Extent::Valid {
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
        let int_box = self.sample_kind(crate::SampleKind::F32)?;
        for (xr, yr) in x.chunks_exact_mut(w).zip(y.chunks_exact_mut(w)) {
            self.filter_row(int_box, Some((xr, yr)));
            self.drain(int_box, sink);
        }
        Ok(())
    }

    /// Records the sample type of the first push, and checks that box windows keep it (their
    /// exact sums depend on it). Returns whether the rows take the exact integer box path.
    fn sample_kind(&mut self, kind: crate::SampleKind) -> Result<bool> {
        // Integer samples in a box window take the exact integer-sum path.
        let int_box = self.box_size.is_some() && kind != crate::SampleKind::F32;
        match self.kind {
            None => {
                self.kind = Some(kind);
                // 8-bit window sums in boxes up to 7x7 take the fused f32 path (exact sums
                // below 2^24, numerators below 2^31), unless C1 or C2 is too large for f32.
                self.narrow = int_box
                    && kind == crate::SampleKind::U8
                    && self
                        .box_size
                        .is_some_and(|s| s <= crate::kernels::NARROW_BOX_MAX)
                    && narrow_consts_fit(&self.consts);
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
        Ok(int_box)
    }

    /// Ends the computation: every input row must have been pushed.
    pub fn finish(self) -> Result<SsimResult> {
        if self.next_out < self.out_rows.1 {
            return Err(Error::RowsMissing {
                height: self.in_rows.1,
                pushed: self.next_in,
            });
        }
        let t = self.totals;
        let n = t.count as f64;
        Ok(SsimResult {
            ssim: t.ssim_sum / n,
            cs: t.cs_sum / n,
            count: t.count,
            ssim_sum: t.ssim_sum,
            cs_sum: t.cs_sum,
            backend: self.kernels.backend,
        })
    }

    /// Loads one row of each image; each comes with its own pixel step (the two images may
    /// be laid out differently, e.g. a channel of packed RGB against a gray plane).
    fn push_row<T: Sample>(&mut self, x: (&[T], usize), y: (&[T], usize)) -> Result<()> {
        let g = self.geo;
        let (w, r) = (g.width, g.radius);
        let off = match g.extent {
            Extent::Valid => 0,
            Extent::Same(_) => r,
        };
        let row = self.next_in;
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
                SampleSlice::U16(s) => {
                    (self.kernels.load_u16)(s, step, out);
                    None
                }
                SampleSlice::F32(s) => (self.kernels.load_f32)(s, step, out),
            };
            if let Some(col) = bad {
                return Err(Error::NonFiniteSample { image, row, col });
            }
            if let Extent::Same(p) = g.extent {
                for t in 0..r {
                    dst[t] = dst[off + p.map_index(t as isize - r as isize, w)];
                    dst[off + w + t] = dst[off + p.map_index((w + t) as isize, w)];
                }
            }
        }
        Ok(())
    }

    /// Filters the next input row into its ring slot: the engine's own padded rows (`None`),
    /// or the caller's rows of exactly the padded width. Both rows are overwritten.
    fn filter_row(&mut self, int_box: bool, rows: Option<(&mut [f32], &mut [f32])>) {
        let g = self.geo;
        let r = g.radius;
        let (x, y) = match rows {
            Some((x, y)) => (x, y),
            None => (&mut *self.xrow, &mut *self.yrow),
        };
        let slots = 2 * r + ROWS_PER_PASS;
        let slot = self.next_in % slots;
        let n = g.map_w;
        if int_box && self.narrow {
            let ring: &mut [f32] = bytemuck::cast_slice_mut(self.ring);
            let out = &mut ring[slot * UD_MOMENTS * n..][..UD_MOMENTS * n];
            (self.kernels.box_horizontal_narrow)(x, y, 2 * r + 1, n, out);
        } else if int_box {
            let ring: &mut [f64] = bytemuck::cast_slice_mut(self.ring);
            let out = &mut ring[slot * MOMENTS * n..][..MOMENTS * n];
            (self.kernels.box_horizontal)(x, y, 2 * r + 1, n, out);
        } else {
            let ring: &mut [f32] = bytemuck::cast_slice_mut(self.ring);
            let out = &mut ring[slot * UD_MOMENTS * n..][..UD_MOMENTS * n];
            let wts = &self.weights.f32[..=r];
            (self.kernels.horizontal)(x, y, wts, n, out);
        }
        self.next_in += 1;
    }

    /// Emits the map rows whose input rows are in, `ROWS_PER_PASS` at a time: one vertical
    /// pass over the ring serves several output rows, so each ring row is read from L2 once
    /// per pass instead of once per output row (the vertical pass is bound by that traffic).
    /// Waits for a full pass while more input can come; the ring has room for it.
    fn drain(&mut self, int_box: bool, sink: &mut impl RowSink) {
        while self.next_out < self.out_rows.1 && self.geo.rows_needed(self.next_out) <= self.next_in
        {
            let want = ROWS_PER_PASS.min(self.out_rows.1 - self.next_out);
            let mut ready = 1;
            while ready < want && self.geo.rows_needed(self.next_out + ready) <= self.next_in {
                ready += 1;
            }
            if ready < want && self.next_in < self.in_rows.1 {
                break;
            }
            self.emit(ready, int_box, sink);
        }
    }

    /// Computes up to `rows` map rows from `next_out` on in one vertical pass.
    fn emit(&mut self, rows: usize, int_box: bool, sink: &mut impl RowSink) {
        let g = self.geo;
        let (r, n) = (g.radius, g.map_w);
        let nslots = 2 * r + ROWS_PER_PASS;
        let i0 = self.next_out;
        let at = |i: usize, t: usize| g.source_row(i, t as isize - r as isize);
        // Window rows of the pass, top to bottom: map row `i0 + k` uses `slots[k..k + 2r + 1]`.
        // Next to a padded border the windows of neighbouring rows are not shifts of each
        // other (reflected rows); the pass then ends early and the next one picks up. A valid
        // map has no border: its windows are consecutive input rows, consecutive slots
        // modulo the ring (worked out without a division per row: this runs for every 4
        // map rows of every MS-SSIM level, however narrow).
        // Common radii fit the small array, which is then all that is initialised.
        let (mut small, mut large) = ([0usize; 2 * 8 + ROWS_PER_PASS], None);
        let slots: &mut [usize] = if 2 * r + ROWS_PER_PASS <= small.len() {
            &mut small
        } else {
            large.insert([0usize; 2 * MAX_RADIUS + ROWS_PER_PASS])
        };
        let rows = (1..rows).find(|&k| !g.shifts(i0 + k)).unwrap_or(rows);
        if g.extent == Extent::Valid {
            let mut slot = at(i0, 0) % nslots;
            for s in slots.iter_mut().take(2 * r + rows) {
                *s = slot;
                slot = if slot + 1 == nslots { 0 } else { slot + 1 };
            }
        } else {
            for (t, s) in slots.iter_mut().take(2 * r + 1).enumerate() {
                *s = at(i0, t) % nslots;
            }
            for k in 1..rows {
                slots[2 * r + k] = at(i0 + k, 2 * r) % nslots;
            }
        }
        let slots = &slots[..2 * r + rows];
        let wts = &self.weights.f32[..=r];
        let size = 2 * r + 1;
        // The fused kernels write SSIM and cs rows straight into the statistics buffer.
        let fused = if !int_box {
            let ring: &[f32] = bytemuck::cast_slice(self.ring);
            let stats: &mut [f32] = bytemuck::cast_slice_mut(self.stats);
            let out = &mut stats[..rows * 2 * n];
            (self.kernels.vertical_formula)(ring, slots, wts, n, &self.consts, out);
            true
        } else if self.narrow {
            // The statistics buffer holds f64 rows here (40 n f32): the output rows take
            // 8 n, the two carry buffers 4 n each after them. The sums carry over when the
            // previous pass ended just above and this window is a shift of the last one.
            let ring: &[f32] = bytemuck::cast_slice(self.ring);
            let stats: &mut [f32] = bytemuck::cast_slice_mut(self.stats);
            let (out, carry) = stats.split_at_mut(2 * ROWS_PER_PASS * n);
            let (c0, c1) = carry[..2 * UD_MOMENTS * n].split_at_mut(UD_MOMENTS * n);
            let from = match self.carry {
                Some((next, buf)) if next == i0 && g.shifts(i0) => Some(buf),
                _ => None,
            };
            let (cin, cout, buf) = match from {
                Some(0) => (Some(&*c0), c1, 1),
                Some(_) => (Some(&*c1), c0, 0),
                None => (None, c0, 0),
            };
            let out = &mut out[..rows * 2 * n];
            (self.kernels.box_narrow_formula)(ring, slots, size, n, &self.consts, cin, cout, out);
            self.carry = Some((i0 + rows, buf));
            true
        } else {
            false
        };
        if fused {
            let stats: &[f32] = bytemuck::cast_slice(&*self.stats);
            for k in 0..rows {
                let i = i0 + k;
                let (ssim, cs) = stats[2 * k * n..][..2 * n].split_at(n);
                let sums = (self.kernels.row_sums)(ssim, cs, g.pool(i).unwrap_or((0, 0)));
                self.totals.deliver(&g, i, (ssim, cs), sums, sink);
            }
            self.next_out += rows;
            return;
        }
        // Exact box sums in f64 (16-bit samples, or 8-bit ones in boxes too large for the
        // fused kernel), then the f64 formula row by row.
        let stats: &mut [f64] = bytemuck::cast_slice_mut(self.stats);
        let out = &mut stats[..rows * MOMENTS * n];
        let ring: &[f64] = bytemuck::cast_slice(self.ring);
        (self.kernels.box_vertical)(ring, slots, size, n, out);
        for k in 0..rows {
            let i = i0 + k;
            let part = k * MOMENTS * n..(k + 1) * MOMENTS * n;
            let (ssim, cs) = (&mut *self.ssim_row, &mut *self.cs_row);
            let pool = g.pool(i).unwrap_or((0, 0));
            let sums = (self.kernels.box_formula)(&mut out[part], n, &self.consts, pool, ssim, cs);
            self.totals.deliver(&g, i, (ssim, cs), sums, sink);
        }
        self.next_out += rows;
    }
}

/// Whether `2 C1 t^2` and `2 C2 t^2` are finite f32 values, as the fused 8-bit box formula
/// needs them. With C near the 1e38 that validation allows they are not (C2 = 1e36 in a 5x5
/// box gave inf / inf = NaN, found by the `params` fuzz target); such engines take the f64
/// formula instead, on every backend alike.
fn narrow_consts_fit(k: &FormulaConsts) -> bool {
    let t2 = k.taps * k.taps;
    ((2.0 * k.c1 * t2) as f32).is_finite() && ((2.0 * k.c2 * t2) as f32).is_finite()
}

/// Mean SSIM of two whole images, in one call.
///
/// ```
/// use ssim_core::{compute, scratch_len, Params, Plane, ScratchBlock};
/// let x = [10u8; 12 * 12];
/// let params = Params::wang2004(255.0);
/// let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, 12, false).unwrap()];
/// let p = Plane::new(&x, 12, 12).unwrap();
/// assert_eq!(compute(&params, &p, &p, &mut scratch).unwrap().ssim, 1.0);
/// ```
pub fn compute<T: Sample>(
    params: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    scratch: &mut [ScratchBlock],
) -> Result<SsimResult> {
    compute_with(params, x, y, Options::default(), scratch, &mut ())
}

/// Whole images with explicit [`Options`] and a sink for the map rows.
pub fn compute_with<T: Sample>(
    params: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    options: Options,
    scratch: &mut [ScratchBlock],
    sink: &mut impl RowSink,
) -> Result<SsimResult> {
    if x.width() != y.width() || x.height() != y.height() {
        return Err(Error::SizeMismatch {
            reference: (x.width(), x.height()),
            distorted: (y.width(), y.height()),
        });
    }
    let mut engine = Ssim::with_options(params, x.width(), x.height(), options, scratch)?;
    let (a, b) = engine.input_rows();
    engine.push_rows(&x.rows(a, b - a)?, &y.rows(a, b - a)?, sink)?;
    engine.finish()
}

/// A [`RowSink`] that writes map rows into caller buffers (`map_width * map_height` values,
/// rows top to bottom). Rows outside an engine's band are left untouched.
///
/// A row that does not fit the map the writer was made for (another width, or an index past
/// the height) is skipped, never written out of bounds, and [`MapWriter::mismatched`] then
/// reports it: size the writer with [`map_size`] for the same parameters and `map` option.
pub struct MapWriter<'m> {
    width: usize,
    height: usize,
    mismatched: bool,
    ssim: &'m mut [f32],
    cs: Option<&'m mut [f32]>,
}

impl<'m> MapWriter<'m> {
    /// A writer for a map of `width x height`; checks that the buffers are large enough.
    pub fn new(
        width: usize,
        height: usize,
        ssim: &'m mut [f32],
        cs: Option<&'m mut [f32]>,
    ) -> Result<Self> {
        let needed = width.saturating_mul(height);
        for len in [Some(ssim.len()), cs.as_ref().map(|c| c.len())]
            .into_iter()
            .flatten()
        {
            if len < needed {
                return Err(Error::MapTooSmall { len, needed });
            }
        }
        Ok(MapWriter {
            width,
            height,
            mismatched: false,
            ssim,
            cs,
        })
    }

    /// Whether a row was skipped because it did not fit this map.
    pub fn mismatched(&self) -> bool {
        self.mismatched
    }
}

impl RowSink for MapWriter<'_> {
    fn row(&mut self, row: OutputRow<'_>) {
        if row.ssim.len() != self.width || row.index >= self.height {
            self.mismatched = true;
            return;
        }
        let start = row.index * self.width;
        self.ssim[start..start + self.width].copy_from_slice(row.ssim);
        if let Some(cs) = self.cs.as_deref_mut() {
            cs[start..start + self.width].copy_from_slice(row.cs);
        }
    }
}
