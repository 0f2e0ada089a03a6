//! The MS-SSIM pyramid inside one band: level rows made by the 2x2 mean as the finer rows
//! stream past, buffered [`CHUNK_ROWS`] at a time, and fed to each level's engine in place.

use super::band::{BandLevel, LevelGeometry};
use super::direct::DirectLevel;
use super::source::{RowPair, RowSource};
use super::Span;
use ssim_core::{DownsampleKernels, Result, RowRole, Sample, Ssim};

/// Rows of the coarser levels are produced into a buffer of this many rows and consumed a
/// buffer at a time: one level's ring stays in cache while it works, instead of every level's
/// ring being touched for every full-resolution row (BENCHMARKS.md has the measurements).
pub(super) const CHUNK_ROWS: usize = 16;

/// The upper row's pair sums between level `k` and `k + 1`, of x and of y.
pub(super) struct PairSums<'m> {
    pub x: &'m mut [f32],
    pub y: &'m mut [f32],
}

/// Level rows produced and not yet consumed: rows `start..start + len`.
#[derive(Default)]
pub(super) struct LevelRows<'m> {
    pub x: &'m mut [f32],
    pub y: &'m mut [f32],
    pub width: usize,
    pub start: usize,
    pub len: usize,
}

impl LevelRows<'_> {
    /// The next free row (never called on a full buffer: it is flushed first).
    fn slot(&mut self) -> (&mut [f32], &mut [f32]) {
        let (w, o) = (self.width, self.len * self.width);
        (&mut self.x[o..o + w], &mut self.y[o..o + w])
    }

    fn commit(&mut self, q: usize) {
        if self.len == 0 {
            self.start = q;
        }
        debug_assert_eq!(q, self.start + self.len, "level rows are produced in order");
        self.len += 1;
    }

    /// Row `r` of the buffer, of x and of y.
    fn row(&self, r: usize) -> SourceRow<'_, f32> {
        let span = r * self.width..(r + 1) * self.width;
        SourceRow {
            x: &self.x[span.clone()],
            y: &self.y[span],
            x_step: 1,
            y_step: 1,
        }
    }
}

/// One row of both images, each with its own pixel step (a gray plane against one channel
/// of packed RGB).
#[derive(Clone, Copy)]
pub(super) struct SourceRow<'r, T> {
    pub x: &'r [T],
    pub y: &'r [T],
    pub x_step: usize,
    pub y_step: usize,
}

impl<'r, T: Sample> SourceRow<'r, T> {
    fn of(p: &RowPair<'r, T>) -> Self {
        SourceRow {
            x: p.x.row(0),
            y: p.y.row(0),
            x_step: p.x.step(),
            y_step: p.y.step(),
        }
    }
}

/// The pyramid's 2x2 means between levels, and the rows in flight.
pub(super) struct Downsampling<'a, 'm> {
    /// The 2x2 mean from each level to the next, on the band's backend.
    pub kernels: Vec<DownsampleKernels>,
    pub levels: &'a [LevelGeometry],
    /// Rows each level must produce.
    pub need: &'a [Option<Span>],
    /// `sums[k]`: the upper row's pair sums towards level `k + 1`.
    pub sums: Vec<PairSums<'m>>,
    /// `pending[k]`: produced level-`k` rows (`k >= 1`).
    pub pending: Vec<LevelRows<'m>>,
}

impl Downsampling<'_, '_> {
    /// Feeds level-`k` row `j` to the 2x2 mean; true when level `k + 1`'s buffer is full.
    ///
    /// `above` is row `j - 1` in the same layout when it is still at hand (the lower row of a
    /// block then reads it again); `keep_sums` asks an upper row to keep its pair sums
    /// because its lower row will not get it back.
    fn row<T: Sample>(
        &mut self,
        k: usize,
        j: usize,
        row: SourceRow<'_, T>,
        above: Option<SourceRow<'_, T>>,
        keep_sums: bool,
    ) -> Result<bool> {
        let (height, width) = (self.levels[k].height, self.levels[k].width);
        let role = self.kernels[k].rule().role(j, height);
        let q = role.output();
        let next = &mut self.pending[k + 1];
        if !self.need[k + 1].is_some_and(|s| s.contains(q)) {
            return Ok(next.len == CHUNK_ROWS);
        }
        let (d, acc) = (&self.kernels[k], &mut self.sums[k]);
        let (sx, sy) = (row.x_step, row.y_step);
        let out = next.slot();
        match (role, above) {
            (RowRole::First(_), _) => {
                if keep_sums {
                    d.first_row(row.x, sx, width, acc.x)?;
                    d.first_row(row.y, sy, width, acc.y)?;
                }
                return Ok(next.len == CHUNK_ROWS);
            }
            // The upper row is `j - 1`, and it kept no sums if it was at hand.
            (RowRole::Second(_), Some(up)) => {
                d.block_row(up.x, row.x, sx, width, out.0)?;
                d.block_row(up.y, row.y, sy, width, out.1)?;
            }
            (RowRole::Second(_), None) => {
                d.second_row(Some(acc.x), row.x, sx, width, out.0)?;
                d.second_row(Some(acc.y), row.y, sy, width, out.1)?;
            }
            (RowRole::Both(_), _) => {
                d.block_row(row.x, row.x, sx, width, out.0)?;
                d.block_row(row.y, row.y, sy, width, out.1)?;
            }
            (RowRole::Alone(_), _) => {
                d.second_row(None, row.x, sx, width, out.0)?;
                d.second_row(None, row.y, sy, width, out.1)?;
            }
        }
        next.commit(q);
        Ok(next.len == CHUNK_ROWS)
    }
}

/// One band's engines and the rows in flight between its levels.
pub(super) struct Pyramid<'a, 's, 'm> {
    /// Input rows of each level's engine.
    pub input: &'a [Option<Span>],
    pub engines: Vec<Option<Ssim<'s>>>,
    /// Levels computed directly instead of by an engine (even windows).
    pub direct: Vec<Option<DirectLevel>>,
    pub sinks: Vec<BandLevel>,
    pub downsampling: Downsampling<'a, 'm>,
}

impl Pyramid<'_, '_, '_> {
    /// Level-0 row `j`: to the first engine if it reads the row, and to the 2x2 mean while
    /// that engine has the row in L1 (after its load, before its filters; the 2x2 mean
    /// would otherwise be the first to wait for the row from memory, or fetch it again after
    /// the filters). True when level 1's buffer is full.
    pub fn first_level_row<S: RowSource>(
        &mut self,
        src: &S,
        j: usize,
        rows: &RowPair<'_, S::T>,
    ) -> Result<bool> {
        let Pyramid {
            input,
            engines,
            sinks,
            downsampling,
            ..
        } = self;
        let engine = engines[0]
            .as_mut()
            .filter(|_| input[0].is_some_and(|s| s.contains(j)));
        if downsampling.levels.len() == 1 {
            if let Some(e) = engine {
                e.push_rows(&rows.x, &rows.y, &mut sinks[0])?;
            }
            return Ok(false);
        }
        // A source that keeps its rows hands the upper row of a block back to the lower.
        let above = j.checked_sub(1).and_then(|i| src.row_again(i));
        let above = above.as_ref().map(SourceRow::of);
        let row = SourceRow::of(rows);
        let mut down = || downsampling.row(0, j, row, above, !S::KEEPS_ROWS);
        match engine {
            Some(e) => {
                let mut full = false;
                e.push_rows_with(&rows.x, &rows.y, &mut sinks[0], |_| {
                    full = down()?;
                    Ok(())
                })?;
                Ok(full)
            }
            None => down(),
        }
    }

    /// Consumes level `k`'s buffered rows: the next level's 2x2 means, then its engine,
    /// which works in the buffer itself (the rows are not needed after it).
    pub fn flush(&mut self, k: usize) -> Result<()> {
        let mut p = std::mem::take(&mut self.downsampling.pending[k]);
        if p.len > 0 {
            if k + 1 < self.downsampling.levels.len() {
                for r in 0..p.len {
                    // Both rows of a block in this buffer: the lower row reads the upper one
                    // again; an upper row at its end keeps its pair sums for the next buffer.
                    let above = r.checked_sub(1).map(|a| p.row(a));
                    let keep_sums = r + 1 == p.len;
                    if self
                        .downsampling
                        .row(k, p.start + r, p.row(r), above, keep_sums)?
                    {
                        self.flush(k + 1)?;
                    }
                }
            }
            if let Some(s) = self.input[k] {
                let (lo, hi) = (s.start.max(p.start), s.end.min(p.start + p.len));
                if lo < hi {
                    let span = (lo - p.start) * p.width..(hi - p.start) * p.width;
                    let (x, y) = (&mut p.x[span.clone()], &mut p.y[span]);
                    if let Some(e) = self.engines[k].as_mut() {
                        e.push_rows_in_place(x, y, &mut self.sinks[k])?;
                    } else if let Some(d) = self.direct[k].as_mut() {
                        d.push(x, y);
                    }
                }
            }
            p.len = 0;
        }
        self.downsampling.pending[k] = p;
        Ok(())
    }
}
