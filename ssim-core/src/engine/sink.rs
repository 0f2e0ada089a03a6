//! Where results go: the mean's running totals, the rows handed to a [`RowSink`], and
//! [`MapWriter`], the sink that writes them into a map.

use super::geometry::Geometry;
use crate::backend::Backend;
use crate::error::{Error, Result};

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

/// The f64 sums of the pooled map pixels so far.
#[derive(Clone, Copy, Default)]
pub(super) struct Totals {
    pub(super) ssim_sum: f64,
    pub(super) cs_sum: f64,
    pub(super) count: u64,
}

impl Totals {
    /// Adds map row `i`'s sums (taken over the columns of [`Geometry::pool`], or over none
    /// outside the pooled rows) when it is pooled, and hands the row to `sink`.
    pub(super) fn deliver(
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

/// A [`RowSink`] that writes map rows into caller buffers (`map_width * map_height` values,
/// rows top to bottom). Rows outside an engine's band are left untouched.
///
/// A row that does not fit the map the writer was made for (another width, or an index past
/// the height) is skipped, never written out of bounds, and [`MapWriter::mismatched`] then
/// reports it: size the writer with [`map_size`](crate::map_size) for the same parameters and
/// `map` option.
pub struct MapWriter<'m> {
    width: usize,
    height: usize,
    mismatched: bool,
    ssim: &'m mut [f32],
    cs: Option<&'m mut [f32]>,
}

impl<'m> MapWriter<'m> {
    /// A writer for a map of `width x height`; checks that the buffers are large enough.
    ///
    /// ```
    /// use ssim_core::{Error, MapWriter};
    /// let mut map = vec![0f32; 6 * 4];
    /// assert!(MapWriter::new(6, 4, &mut map, None).is_ok());
    /// let mut short = vec![0f32; 23];
    /// assert!(matches!(MapWriter::new(6, 4, &mut short, None), Err(Error::MapTooSmall { .. })));
    /// ```
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
    ///
    /// ```
    /// use ssim_core::{compute_with, scratch_len, MapWriter, Options, Params, Plane, ScratchBlock};
    /// let params = Params::wang2004(255.0);
    /// let x = vec![9u8; 16 * 16];
    /// let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, 16, false)?];
    /// // Sized for a full 16x16 map, but the valid map is 6x6.
    /// let mut map = vec![0f32; 16 * 16];
    /// let mut sink = MapWriter::new(16, 16, &mut map, None)?;
    /// let p = Plane::new(&x, 16, 16)?;
    /// compute_with(&params, &p, &p, Options::default(), &mut scratch, &mut sink)?;
    /// assert!(sink.mismatched());
    /// # Ok::<(), ssim_core::Error>(())
    /// ```
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
