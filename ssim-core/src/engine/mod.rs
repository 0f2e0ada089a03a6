//! The streaming engine: rows in, a ring of window statistics, map rows out.
//!
//! ```text
//! push row j --load--> padded x, y rows --horizontal--> ring slot j mod (2r + 4)
//!                                                            | once rows i-r..=i+r are in
//!                                                            v
//!        sink <-- ssim, cs rows (4 map rows per pass) <-- vertical pass + formula
//! ```
//!
//! Nothing here scales with the image height: the memory is `scratch_len(width)` blocks.
//! Each output row is a pure function of its window rows, so any chunking of the input, and
//! any split of the output rows into bands, gives bitwise identical rows; the mean is the sum
//! of per-row f64 sums taken in row order.
//!
//! Files: `geometry.rs` (map extent, pooled region, scratch layout), `push.rs` (the push API
//! and row loading), `ring.rs` (the ring, its [`RingPath`](ring::RingPath) and the vertical
//! passes), `sink.rs` (results, row sinks, the map writer). `docs/ARCHITECTURE.md` has the
//! whole data flow.

mod geometry;
mod push;
mod ring;
mod sink;

pub use geometry::{map_size, scratch_len};
pub use sink::{MapWriter, OutputRow, RowSink, SsimResult};

use crate::backend::{Backend, Kernels};
use crate::error::{Error, Result};
use crate::kernels::FormulaConsts;
use crate::params::{covariance_factor, HalfWeights, Params};
use crate::plane::{Plane, Sample, SampleKind};
use crate::scratch::ScratchBlock;
use geometry::{layout, Geometry};
use ring::{Carry, RingPath};
use sink::Totals;

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
    /// Taps of the box side, for box windows.
    box_size: Option<usize>,
    /// Sample type of the first `push_rows`; box windows keep it (their sums depend on it).
    kind: Option<SampleKind>,
    /// What the ring holds, chosen at the first push.
    path: RingPath,
    /// The window sums the last [`RingPath::NarrowBox`] pass left for the next.
    carry: Option<Carry>,
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
    ///
    /// ```
    /// use ssim_core::{scratch_len, Params, ScratchBlock, Ssim};
    /// let params = Params::wang2004(255.0);
    /// let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, 64, false)?];
    /// let engine = Ssim::new(&params, 64, 48, &mut scratch)?;
    /// assert_eq!(engine.input_rows(), (0, 48));
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn new(
        params: &Params,
        width: usize,
        height: usize,
        scratch: &'s mut [ScratchBlock],
    ) -> Result<Self> {
        Self::with_options(params, width, height, Options::default(), scratch)
    }

    /// An engine with explicit [`Options`].
    ///
    /// ```
    /// use ssim_core::{scratch_len, Backend, Options, Params, ScratchBlock, Ssim};
    /// let params = Params::wang2004(255.0);
    /// let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, 64, false)?];
    /// let options = Options {
    ///     backend: Some(Backend::Scalar),
    ///     rows: Some((0, 19)),
    ///     ..Options::default()
    /// };
    /// let engine = Ssim::with_options(&params, 64, 48, options, &mut scratch)?;
    /// assert_eq!(engine.backend(), Backend::Scalar);
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn with_options(
        params: &Params,
        width: usize,
        height: usize,
        options: Options,
        scratch: &'s mut [ScratchBlock],
    ) -> Result<Self> {
        let mut geo = Geometry::new(params, width, height, options.map)?;
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
        geo.fit_centre_group(&weights.f32);
        let size = params.window.size();
        let in_rows = geo.input_rows(out_rows);
        let (xrow, yrow) = (cast(xrow, geo.padded_w()), cast(yrow, geo.padded_w()));
        // The columns past the map are computed but never delivered; zeros keep them finite.
        xrow.fill(0.0);
        yrow.fill(0.0);
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
            path: RingPath::Moments,
            carry: None,
            out_rows,
            in_rows,
            next_in: in_rows.0,
            next_out: out_rows.0,
            totals: Totals::default(),
            xrow,
            yrow,
            ring,
            stats,
            ssim_row: cast(ssim_row, geo.cols),
            cs_row: cast(cs_row, geo.cols),
            geo,
        })
    }

    /// The input rows this engine reads, `start..end`: push exactly these, in order.
    ///
    /// ```
    /// use ssim_core::{scratch_len, Options, Params, ScratchBlock, Ssim};
    /// let params = Params::wang2004(255.0);
    /// let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, 64, false)?];
    /// // Map rows 10..20 of a valid map read input rows 10..30 (a window of 11 rows each).
    /// let options = Options { rows: Some((10, 20)), ..Options::default() };
    /// let engine = Ssim::with_options(&params, 64, 48, options, &mut scratch)?;
    /// assert_eq!(engine.input_rows(), (10, 30));
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn input_rows(&self) -> (usize, usize) {
        self.in_rows
    }

    /// The map rows this engine produces, `start..end`.
    ///
    /// ```
    /// use ssim_core::{scratch_len, Params, ScratchBlock, Ssim};
    /// let params = Params::wang2004(255.0);
    /// let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, 64, false)?];
    /// assert_eq!(Ssim::new(&params, 64, 48, &mut scratch)?.output_rows(), (0, 38));
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn output_rows(&self) -> (usize, usize) {
        self.out_rows
    }

    /// Width and height of the full map.
    ///
    /// ```
    /// use ssim_core::{scratch_len, Params, ScratchBlock, Ssim};
    /// let params = Params::matlab(255.0);
    /// let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, 64, false)?];
    /// assert_eq!(Ssim::new(&params, 64, 48, &mut scratch)?.map_size(), (64, 48));
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn map_size(&self) -> (usize, usize) {
        (self.geo.map_w, self.geo.map_h)
    }

    /// The backend running the kernels.
    ///
    /// ```
    /// use ssim_core::{scratch_len, Backend, Params, ScratchBlock, Ssim};
    /// let params = Params::wang2004(255.0);
    /// let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, 64, false)?];
    /// assert_eq!(Ssim::new(&params, 64, 48, &mut scratch)?.backend(), Backend::detect());
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
    pub fn backend(&self) -> Backend {
        self.kernels.backend
    }

    /// Ends the computation: every input row must have been pushed.
    ///
    /// ```
    /// use ssim_core::{scratch_len, Error, Params, Plane, ScratchBlock, Ssim};
    /// let params = Params::wang2004(255.0);
    /// let x = vec![100u8; 16 * 16];
    /// let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, 16, false)?];
    /// let mut engine = Ssim::new(&params, 16, 16, &mut scratch)?;
    /// let p = Plane::new(&x, 16, 12)?;
    /// engine.push_rows(&p, &p, &mut ())?;
    /// // Four rows are still missing.
    /// assert!(matches!(engine.finish(), Err(Error::RowsMissing { .. })));
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
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
///
/// ```
/// use ssim_core::{compute_with, map_size, scratch_len};
/// use ssim_core::{MapWriter, Options, Params, Plane, ScratchBlock};
/// let params = Params::wang2004(255.0);
/// let (w, h) = (24, 20);
/// let x: Vec<u8> = (0..w * h).map(|i| (i * 5 % 256) as u8).collect();
/// let (mw, mh) = map_size(&params, w, h, false)?;
/// let mut map = vec![0f32; mw * mh];
/// let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, w, false)?];
/// let p = Plane::new(&x, w, h)?;
/// let mut sink = MapWriter::new(mw, mh, &mut map, None)?;
/// let r = compute_with(&params, &p, &p, Options::default(), &mut scratch, &mut sink)?;
/// assert_eq!(r.ssim, 1.0);
/// assert!(map.iter().all(|&v| v == 1.0));
/// # Ok::<(), ssim_core::Error>(())
/// ```
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
