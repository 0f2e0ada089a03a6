//! The ring: each input row filtered horizontally into a slot of window statistics, and the
//! vertical passes that turn `2r + 1` slots into a map row, [`ROWS_PER_PASS`] map rows at a
//! time.
//!
//! The ring has `2r + ROWS_PER_PASS` slots; input row `j` goes to slot `j mod (2r +
//! ROWS_PER_PASS)`, so a pass finds the window rows of its map rows still in place. What a slot
//! holds depends on the [`RingPath`], chosen once per engine.

use super::geometry::{Extent, Geometry};
use super::sink::RowSink;
use super::Ssim;
use crate::kernels::{ud_slot, FormulaConsts, MOMENTS, NARROW_BOX_MAX, ROWS_PER_PASS, UD_MOMENTS};
use crate::params::MAX_RADIUS;
use crate::SampleKind;

/// What the ring holds and which kernels fill and read it. Chosen at the first push, from the
/// window, the sample type and the constants; it never changes afterwards (box windows keep
/// their sample type, see `Ssim::sample_kind`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum RingPath {
    /// Gaussian windows, and f32 samples in any window: four centred f32 moments per pixel
    /// (`horizontal`, then `vertical_formula`).
    Moments,
    /// 8-bit samples in boxes up to [`NARROW_BOX_MAX`] taps: exact window sums of `u = x + y`,
    /// `d = x - y` and their squares in i32, the vertical sums carried from pass to pass
    /// (`box_horizontal_narrow`, then `box_narrow_formula`).
    NarrowBox {
        /// Taps of the box side.
        size: usize,
    },
    /// The same windows on a valid map, where every window is the previous one shifted:
    /// no ring of window sums, but running column sums of the last `size` input rows
    /// (`box_columns_u8` as each row comes in) and one `size`-tap sum along them per map row
    /// (`box_columns_formula`), in fewer operations per pixel than `NarrowBox` on the vector
    /// backends, with the same bits. The ring buffer holds the `size` input rows as `x | y <<
    /// 16` pairs ([`columns_stride`] each), then the three rows of column sums.
    #[cfg(feature = "box-columns")]
    BoxColumns {
        /// Taps of the box side.
        size: usize,
    },
    /// Other integer samples in a box: exact f64 sums of `x, y, x^2, y^2, xy`
    /// (`box_horizontal`, `box_vertical`, then `box_formula` row by row).
    WideBox {
        /// Taps of the box side.
        size: usize,
    },
}

impl RingPath {
    /// The path for samples of `kind` in a window of `box_size` taps (`None`: Gaussian) on
    /// a map of `extent`.
    pub(super) fn choose(
        box_size: Option<usize>,
        kind: SampleKind,
        k: &FormulaConsts,
        extent: Extent,
    ) -> Self {
        match box_size {
            Some(size) if kind == SampleKind::U8 && size <= NARROW_BOX_MAX && narrow_fits(k) => {
                #[cfg(feature = "box-columns")]
                if extent == Extent::Valid && crate::kernels::scalar::columns_fit(k) {
                    return RingPath::BoxColumns { size };
                }
                let _ = extent;
                RingPath::NarrowBox { size }
            }
            Some(size) if kind != SampleKind::F32 => RingPath::WideBox { size },
            _ => RingPath::Moments,
        }
    }
}

/// Whether `2 C1 t^2` and `2 C2 t^2` are finite f32 values, as the fused 8-bit box formula
/// needs them. With C near the 1e38 that validation allows they are not (C2 = 1e36 in a 5x5
/// box gave inf / inf = NaN, found by the `params` fuzz target); such engines take the f64
/// formula instead, on every backend alike.
fn narrow_fits(k: &FormulaConsts) -> bool {
    let t2 = k.taps * k.taps;
    ((2.0 * k.c1 * t2) as f32).is_finite() && ((2.0 * k.c2 * t2) as f32).is_finite()
}

/// Columns per row of the [`RingPath::BoxColumns`] buffers: the map's `cols` and the `size -
/// 1 <= 15` columns the last window reaches past them, in whole 16-column groups (so every
/// backend's vectors tile a row).
#[cfg(feature = "box-columns")]
pub(super) fn columns_stride(cols: usize) -> usize {
    cols + 16
}

/// Which of the two carry buffers of [`RingPath::NarrowBox`] holds the carried sums.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum CarryBuffer {
    First,
    Second,
}

/// The vertical window sums a [`RingPath::NarrowBox`] pass leaves for the next one.
#[derive(Clone, Copy, Debug)]
pub(super) struct Carry {
    /// The map row whose window, without its bottom row, the sums hold.
    row: usize,
    /// Where they are.
    buffer: CarryBuffer,
}

/// The rows [`Ssim::filter_row`] filters.
pub(super) enum InRows<'a> {
    /// The engine's own padded rows as `push_row` loaded them: the samples `x, y`, or (`ud`,
    /// integer samples on the Gaussian path) already `u = x + y`, `d = x - y`.
    Own {
        /// Whether the rows hold `u, d`.
        ud: bool,
    },
    /// The caller's f32 rows of exactly the padded width, holding `x, y`.
    Caller(&'a mut [f32], &'a mut [f32]),
}

impl Ssim<'_> {
    /// Filters the next input row into its ring slot. The rows are overwritten. `ahead`: the
    /// bytes of later input rows, if the caller named them (a prefetch hint).
    pub(super) fn filter_row(&mut self, rows: InRows<'_>, ahead: [&[u8]; 2]) {
        let g = self.geo;
        let r = g.radius;
        let (x, y, ud) = match rows {
            InRows::Caller(x, y) => (x, y, false),
            InRows::Own { ud } => (&mut *self.xrow, &mut *self.yrow, ud),
        };
        let slot = self.next_in % (2 * r + ROWS_PER_PASS);
        let n = g.cols;
        match self.path {
            RingPath::Moments => {
                // Whole 16-column groups (`Geometry::cols`), so a slot of the grouped layout
                // (`kernels::ud_slot`) is exactly `UD_MOMENTS n` long.
                debug_assert_eq!(ud_slot(n), UD_MOMENTS * n);
                let ring: &mut [f32] = bytemuck::cast_slice_mut(self.ring);
                let out = &mut ring[slot * UD_MOMENTS * n..][..UD_MOMENTS * n];
                let wts = &self.weights.f32[..=r];
                if ud {
                    (self.kernels.horizontal_ud)(x, y, wts, n, out, ahead);
                } else {
                    (self.kernels.horizontal)(x, y, wts, n, out, ahead);
                }
            }
            RingPath::NarrowBox { size } => {
                let ring: &mut [i32] = bytemuck::cast_slice_mut(self.ring);
                let out = &mut ring[slot * UD_MOMENTS * n..][..UD_MOMENTS * n];
                (self.kernels.box_horizontal_narrow)(x, y, size, n, out);
            }
            RingPath::WideBox { size } => {
                let ring: &mut [f64] = bytemuck::cast_slice_mut(self.ring);
                let out = &mut ring[slot * MOMENTS * n..][..MOMENTS * n];
                (self.kernels.box_horizontal)(x, y, size, n, out);
            }
            // `push_row` added the row to the column sums already.
            #[cfg(feature = "box-columns")]
            RingPath::BoxColumns { .. } => {}
        }
        self.next_in += 1;
    }

    /// Emits the map rows whose input rows are in, `ROWS_PER_PASS` at a time: one vertical
    /// pass over the ring serves several output rows, so each ring row is read from L2 once
    /// per pass instead of once per output row (the vertical pass is bound by that traffic).
    /// Waits for a full pass while more input can come; the ring has room for it.
    pub(super) fn drain(&mut self, sink: &mut impl RowSink) {
        let g = self.geo;
        while self.next_out < self.out_rows.1 && g.rows_needed(self.next_out) <= self.next_in {
            let want = self.pass_limit().min(self.out_rows.1 - self.next_out);
            let mut ready = 1;
            while ready < want && g.rows_needed(self.next_out + ready) <= self.next_in {
                ready += 1;
            }
            if ready < want && self.next_in < self.in_rows.1 {
                break;
            }
            self.emit(ready, sink);
        }
    }

    /// The most map rows the next pass may compute: [`ROWS_PER_PASS`], and for Gaussian
    /// moments no further than the end of the centring group (`Geometry::centre_group`), so
    /// that a pass has one centre. (Where windows stop being shifts of each other, next to a
    /// reflected border, `emit` cuts the pass shorter still.) The column path holds the sums
    /// of one map row at a time.
    fn pass_limit(&self) -> usize {
        match self.path {
            #[cfg(feature = "box-columns")]
            RingPath::BoxColumns { .. } => 1,
            RingPath::Moments => self
                .geo
                .group_rows_left(self.geo.source_row(self.next_out, 0)),
            _ => ROWS_PER_PASS,
        }
    }

    /// Computes up to `rows` map rows from `next_out` on in one vertical pass.
    fn emit(&mut self, rows: usize, sink: &mut impl RowSink) {
        let g = self.geo;
        let i0 = self.next_out;
        // Next to a padded border the windows of neighbouring rows are not shifts of each
        // other (reflected rows); the pass then ends early and the next one picks up.
        let rows = (1..rows).find(|&k| !g.shifts(i0 + k)).unwrap_or(rows);
        // Common radii fit the small array, which is then all that is initialised.
        let (mut small, mut large) = ([0usize; 2 * 8 + ROWS_PER_PASS], None);
        let slots: &mut [usize] = if 2 * g.radius + ROWS_PER_PASS <= small.len() {
            &mut small
        } else {
            large.insert([0usize; 2 * MAX_RADIUS + ROWS_PER_PASS])
        };
        let slots = window_slots(&g, i0, rows, slots);
        match self.path {
            RingPath::Moments => {
                let ring: &[f32] = bytemuck::cast_slice(self.ring);
                let out: &mut [f32] = bytemuck::cast_slice_mut(self.stats);
                let out = &mut out[..rows * 2 * g.cols];
                let wts = &self.weights.f32[..=g.radius];
                let k = &self.consts;
                // Window row `t` of map row `i0` is `source_row(i0, t - r)`; the centre row
                // is an input row within two rows of that window's centre, so it is at
                // `t = r + c - source_row(i0, 0)`.
                let centre = g.radius + g.centre_row(i0) - g.source_row(i0, 0);
                (self.kernels.vertical_formula)(ring, slots, centre, wts, g.cols, k, out);
                self.deliver_fused(rows, sink);
            }
            RingPath::NarrowBox { size } => {
                self.narrow_pass(slots, size, rows);
                self.deliver_fused(rows, sink);
            }
            RingPath::WideBox { size } => self.wide_pass(slots, size, rows, sink),
            #[cfg(feature = "box-columns")]
            RingPath::BoxColumns { size } => {
                // The column sums hold the last `size` input rows: this map row's window.
                debug_assert_eq!(g.rows_needed(i0), self.next_in);
                let n = g.cols;
                let m = columns_stride(n);
                let ring: &[i32] = bytemuck::cast_slice(self.ring);
                let sums = &ring[size * m..][..3 * m];
                let out: &mut [f32] = bytemuck::cast_slice_mut(self.stats);
                let k = &self.consts;
                (self.kernels.box_columns_formula)(sums, size, n, k, &mut out[..2 * n]);
                self.deliver_fused(1, sink);
            }
        }
        self.next_out += rows;
    }

    /// The vertical pass of [`RingPath::NarrowBox`]: SSIM and cs rows into the statistics
    /// buffer, the window sums carried over when the previous pass ended just above and this
    /// window is a shift of the last one.
    fn narrow_pass(&mut self, slots: &[usize], size: usize, rows: usize) {
        let (i0, n) = (self.next_out, self.geo.cols);
        let ring: &[i32] = bytemuck::cast_slice(self.ring);
        // The statistics buffer is sized for the f64 box path (`ROWS_PER_PASS * MOMENTS * n`
        // f64): the output rows take `2 ROWS_PER_PASS n` f32, the two i32 carry buffers
        // `UD_MOMENTS n` each after them.
        let stats: &mut [f32] = bytemuck::cast_slice_mut(self.stats);
        let (out, carry) = stats.split_at_mut(2 * ROWS_PER_PASS * n);
        let carry: &mut [i32] = bytemuck::cast_slice_mut(carry);
        let (first, second) = carry[..2 * UD_MOMENTS * n].split_at_mut(UD_MOMENTS * n);
        let from = match self.carry {
            Some(c) if c.row == i0 && self.geo.shifts(i0) => Some(c.buffer),
            _ => None,
        };
        let (carry_in, carry_out, to) = match from {
            Some(CarryBuffer::First) => (Some(&*first), second, CarryBuffer::Second),
            Some(CarryBuffer::Second) => (Some(&*second), first, CarryBuffer::First),
            None => (None, first, CarryBuffer::First),
        };
        let out = &mut out[..rows * 2 * n];
        let k = &self.consts;
        (self.kernels.box_narrow_formula)(ring, slots, size, n, k, carry_in, carry_out, out);
        self.carry = Some(Carry {
            row: i0 + rows,
            buffer: to,
        });
    }

    /// Hands the SSIM and cs rows a fused pass left in the statistics buffer (row `k` of the
    /// pass at `2k n`, its cs row after it) to the totals and the sink.
    fn deliver_fused(&mut self, rows: usize, sink: &mut impl RowSink) {
        let (g, n) = (self.geo, self.geo.cols);
        let stats: &[f32] = bytemuck::cast_slice(&*self.stats);
        for k in 0..rows {
            let i = self.next_out + k;
            let (ssim, cs) = stats[2 * k * n..][..2 * n].split_at(n);
            let (ssim, cs) = (&ssim[..g.map_w], &cs[..g.map_w]);
            let sums = self
                .kernels
                .pooled_sums(ssim, cs, g.pool(i).unwrap_or((0, 0)));
            self.totals.deliver(&g, i, (ssim, cs), sums, sink);
        }
    }

    /// The vertical pass of [`RingPath::WideBox`]: exact f64 window sums, then the f64
    /// formula row by row into the output rows.
    fn wide_pass(&mut self, slots: &[usize], size: usize, rows: usize, sink: &mut impl RowSink) {
        let (g, n) = (self.geo, self.geo.cols);
        let stats: &mut [f64] = bytemuck::cast_slice_mut(self.stats);
        let sums = &mut stats[..rows * MOMENTS * n];
        let ring: &[f64] = bytemuck::cast_slice(self.ring);
        (self.kernels.box_vertical)(ring, slots, size, n, sums);
        for (k, sums) in sums.chunks_exact_mut(MOMENTS * n).enumerate() {
            let i = self.next_out + k;
            let (ssim, cs) = (&mut *self.ssim_row, &mut *self.cs_row);
            let pool = g.pool(i).unwrap_or((0, 0));
            let row_sums = (self.kernels.box_formula)(sums, n, &self.consts, pool, ssim, cs);
            let (ssim, cs) = (&ssim[..g.map_w], &cs[..g.map_w]);
            self.totals.deliver(&g, i, (ssim, cs), row_sums, sink);
        }
    }
}

/// The ring slots of the window rows of map rows `i0..i0 + rows`, top to bottom, in `buf`:
/// map row `i0 + k` uses `slots[k..k + 2r + 1]`. The windows must be shifts of each other
/// ([`Geometry::shifts`]).
fn window_slots<'a>(g: &Geometry, i0: usize, rows: usize, buf: &'a mut [usize]) -> &'a [usize] {
    let r = g.radius;
    let nslots = 2 * r + ROWS_PER_PASS;
    let at = |i: usize, t: usize| g.source_row(i, t as isize - r as isize);
    if g.extent == Extent::Valid {
        // Consecutive input rows, so consecutive slots modulo the ring, worked out without a
        // division per row: this runs for every pass of every MS-SSIM level, however narrow.
        let mut slot = at(i0, 0) % nslots;
        for s in buf.iter_mut().take(2 * r + rows) {
            *s = slot;
            slot = if slot + 1 == nslots { 0 } else { slot + 1 };
        }
    } else {
        for (t, s) in buf.iter_mut().take(2 * r + 1).enumerate() {
            *s = at(i0, t) % nslots;
        }
        for k in 1..rows {
            buf[2 * r + k] = at(i0 + k, 2 * r) % nslots;
        }
    }
    &buf[..2 * r + rows]
}
