//! The f64 backward pass of one SSIM level: window statistics, the per-pixel coefficient
//! maps `a, b, c`, and their adjoint filter, streamed row by row.
//!
//! With `mu`, `s` the window statistics and `pi` the pooling weight of a map pixel, the
//! derivative of `sum_p pi(p) T(p)` (`T` the SSIM or cs map) with respect to the distorted
//! sample `y(i)` is
//!
//! ```text
//! grad(i) = (W^T a)(i) + y(i) (W^T b)(i) + x(i) (W^T c)(i)
//! a = pi (dT/dmu_y - 2 f' mu_y dT/ds_yy - f' mu_x dT/ds_xy)
//! b = pi 2 f' dT/ds_yy
//! c = pi f' dT/ds_xy
//! ```
//!
//! `W` is the window filter including its padding, so `W^T` is the same symmetric filter
//! run over the map with the out-of-image taps folded back onto the pixels they copied
//! ([`Axis`]). `f'` is the covariance factor (`N / (N - 1)` or 1; scikit-image's gradient
//! uses 1 whatever the factor).
//!
//! The statistics are those of `u = x + y` and `d = x - y` (`mu_u, mu_d, E[u^2], E[d^2]`):
//! SSIM reads the second moments only as `s_xx + s_yy = (s_uu + s_dd) / 2` and
//! `s_xy = (s_uu - s_dd) / 4`, so four filtered rows carry what five of `x` and `y` would.
//!
//! Each output row is computed from the coefficient rows it needs, each coefficient row
//! from the image rows of its window (moments down the columns, `u`, `d` and their squares
//! formed per sample, then along the row: two rows of input per window row instead of four
//! rows of statistics); image rows and coefficient rows are kept in rings of `2r + 3` rows tagged
//! with their index and recomputed on a miss, so memory is O(width x window) plus the
//! output, and every output row is a pure function of the input: the same bits in
//! whichever band computes it.

use ssim_core::{AdjointKernels, CoefficientConsts, Padding, Plane, Sample, SampleSlice};
use std::cell::RefCell;

/// The statistics of one axis: which image samples each map position reads, with the
/// window weight folded over repeated samples (forward), and its transpose (adjoint).
#[derive(Debug)]
pub(crate) struct Axis {
    /// Number of map positions.
    pub map_len: usize,
    /// Window taps (`2r + 1`).
    taps: usize,
    /// The full window, left to right.
    g: Vec<f64>,
    /// Map positions whose taps are the plain window: `p` reads `p + fwd_shift + k` with
    /// weight `g[k]` (no padding). Filtered with contiguous loops.
    fwd_plain: Run,
    /// Image samples read by the plain window only: `i` is read by map positions
    /// `i - bwd_shift + k` with weight `g[k]` (the window is symmetric).
    bwd_plain: Run,
    fwd_off: Vec<usize>,
    fwd: Vec<(usize, f64)>,
    bwd_off: Vec<usize>,
    bwd: Vec<(usize, f64)>,
}

/// Where the map lies on an axis.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Extent {
    /// Positions whose whole window is inside: `n - 2r` of them.
    Valid,
    /// Every position, the window completed with this padding.
    Same(Padding),
}

impl Axis {
    /// The axis of an image side of `n` samples (`n >= 2r + 1` for `Extent::Valid`) and the
    /// full 1-D window `g` (`2r + 1` taps).
    pub(crate) fn new(n: usize, g: &[f64], extent: Extent) -> Axis {
        let r = g.len() / 2;
        let map_len = match extent {
            Extent::Valid => n - 2 * r,
            Extent::Same(_) => n,
        };
        let mut fwd_off = Vec::with_capacity(map_len + 1);
        let mut fwd: Vec<(usize, f64)> = Vec::with_capacity(map_len * g.len());
        let mut per_image: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        for p in 0..map_len {
            fwd_off.push(fwd.len());
            let start = fwd.len();
            for (k, &wk) in g.iter().enumerate() {
                let i = match extent {
                    Extent::Valid => p + k,
                    Extent::Same(pad) => pad.map_index(p as isize + k as isize - r as isize, n),
                };
                // Taps that copy the same sample share one weight (the fold).
                match fwd[start..].iter_mut().find(|e| e.0 == i) {
                    Some(e) => e.1 += wk,
                    None => fwd.push((i, wk)),
                }
            }
            for &(i, wt) in &fwd[start..] {
                per_image[i].push((p, wt));
            }
        }
        fwd_off.push(fwd.len());
        let mut bwd_off = Vec::with_capacity(n + 1);
        let mut bwd = Vec::with_capacity(fwd.len());
        for list in per_image {
            bwd_off.push(bwd.len());
            bwd.extend(list);
        }
        bwd_off.push(bwd.len());
        let fwd_plain = Run::find(map_len, |p| {
            let list = &fwd[fwd_off[p]..fwd_off[p + 1]];
            (list.len() == g.len()).then_some(())?;
            let shift = list[0].0 as isize - p as isize;
            let plain = list.iter().zip(g).enumerate().all(|(k, (&(i, w), &gk))| {
                i as isize == p as isize + shift + k as isize && w == gk
            });
            plain.then_some(shift)
        });
        let bwd_plain = Run::find(n, |i| {
            let list = &bwd[bwd_off[i]..bwd_off[i + 1]];
            (list.len() == g.len()).then_some(())?;
            let shift = i as isize - list[0].0 as isize;
            let plain = list.iter().zip(g).enumerate().all(|(k, (&(p, w), &gk))| {
                p as isize == i as isize - shift + k as isize && w == gk
            });
            plain.then_some(shift)
        });
        Axis {
            map_len,
            taps: g.len(),
            g: g.to_vec(),
            fwd_plain,
            bwd_plain,
            fwd_off,
            fwd,
            bwd_off,
            bwd,
        }
    }

    /// The image samples map position `p` reads, with their weights.
    fn forward(&self, p: usize) -> &[(usize, f64)] {
        &self.fwd[self.fwd_off[p]..self.fwd_off[p + 1]]
    }

    /// The map positions that read image sample `i`, with their weights.
    fn adjoint(&self, i: usize) -> &[(usize, f64)] {
        &self.bwd[self.bwd_off[i]..self.bwd_off[i + 1]]
    }
}

/// The longest run of consecutive indices that share one shift (empty if none).
#[derive(Clone, Copy, Debug, Default)]
struct Run {
    start: usize,
    end: usize,
    shift: isize,
}

impl Run {
    /// The longest run of `0..n` over which `plain(i)` gives the same `Some(shift)`.
    fn find(n: usize, plain: impl Fn(usize) -> Option<isize>) -> Run {
        let mut best = Run::default();
        let mut cur: Option<Run> = None;
        for i in 0..n {
            cur = match (plain(i), cur) {
                (Some(s), Some(c)) if c.shift == s && c.end == i => Some(Run { end: i + 1, ..c }),
                (Some(s), _) => Some(Run {
                    start: i,
                    end: i + 1,
                    shift: s,
                }),
                (None, _) => None,
            };
            if let Some(c) = cur {
                if c.end - c.start > best.end - best.start {
                    best = c;
                }
            }
        }
        best
    }

    fn contains(&self, i: usize) -> bool {
        self.start <= i && i < self.end
    }
}

/// `out[p] = sum_k g[k] src[p + shift + k]` for `p` in `run`, on the level's kernels.
#[inline]
fn fir(k: &AdjointKernels, out: &mut [f64], src: &[f64], g: &[f64], run: Run) {
    if run.start == run.end {
        return;
    }
    let o = &mut out[run.start..run.end];
    let base = (run.start as isize + run.shift) as usize;
    k.fir(&src[base..base + o.len() + g.len() - 1], g, o);
}

/// Rows of the two images, as f64.
pub(crate) trait Source: Sync {
    fn width(&self) -> usize;
    fn height(&self) -> usize;
    /// Row `i` of the reference into `x` and of the distorted image into `y`, converted on
    /// the kernels `k`.
    fn row(&self, k: &AdjointKernels, i: usize, x: &mut [f64], y: &mut [f64]);
}

/// Two planes of samples.
pub(crate) struct Planes<'a, 'b, T: Sample> {
    pub x: &'a Plane<'b, T>,
    pub y: &'a Plane<'b, T>,
}

impl<T: Sample> Source for Planes<'_, '_, T> {
    fn width(&self) -> usize {
        self.x.width()
    }
    fn height(&self) -> usize {
        self.x.height()
    }
    fn row(&self, k: &AdjointKernels, i: usize, x: &mut [f64], y: &mut [f64]) {
        widen(k, x, self.x.row(i), self.x.step());
        widen(k, y, self.y.row(i), self.y.step());
    }
}

/// Samples `step` apart to f64; contiguous 8-bit and float rows on the backend's kernels
/// (ssim-std itself is built for baseline x86-64, where this loop is two samples at a time).
fn widen<T: Sample>(k: &AdjointKernels, out: &mut [f64], row: &[T], step: usize) {
    if step == 1 {
        match T::slice(row) {
            SampleSlice::U8(r) => k.widen_u8(r, out),
            SampleSlice::F32(r) => k.widen_f32(r, out),
            SampleSlice::U16(_) => {
                for (o, s) in out.iter_mut().zip(row) {
                    *o = s.to_f64();
                }
            }
        }
    } else {
        for (o, s) in out.iter_mut().zip(row.iter().step_by(step)) {
            *o = s.to_f64();
        }
    }
}

/// Two packed images (pyramid levels, luma), in f32 where that is exact (the 2x2 means of
/// 8- and 16-bit samples) and f64 otherwise.
pub(crate) struct Packed<'a, E> {
    pub width: usize,
    pub height: usize,
    pub x: &'a [E],
    pub y: &'a [E],
}

impl<E: Out + Sync> Source for Packed<'_, E> {
    fn width(&self) -> usize {
        self.width
    }
    fn height(&self) -> usize {
        self.height
    }
    fn row(&self, k: &AdjointKernels, i: usize, x: &mut [f64], y: &mut [f64]) {
        let r = i * self.width..(i + 1) * self.width;
        E::widen_row(k, &self.x[r.clone()], x);
        E::widen_row(k, &self.y[r], y);
    }
}

/// Which mean is differentiated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Term {
    /// The SSIM map.
    Ssim,
    /// The contrast-structure map `cs = A2 / B2`.
    Cs,
}

/// Everything the backward pass of one level needs.
pub(crate) struct Level<'s, S: Source> {
    pub src: &'s S,
    pub rows: Axis,
    pub cols: Axis,
    /// The formula's constants, which map (`cs`) and its weight.
    pub consts: CoefficientConsts,
    /// The backend's f64 row kernels.
    pub kernels: AdjointKernels,
}

/// Window statistics of `u = x + y` and `d = x - y`: `mu_u, mu_d, E[u^2], E[d^2]`.
const STATS: usize = 4;
/// Coefficient maps `a, b, c`.
const COEFFS: usize = 3;

/// An f64 buffer whose first element sits on a 64-byte boundary. Rows whose length is a
/// multiple of 8 then start on cache lines, so an AVX-512 kernel's full-vector loads down
/// a column never straddle two lines (a straddling load costs two; glibc's large blocks are
/// only 16-byte aligned).
pub(crate) struct Aligned {
    buf: Vec<f64>,
    off: usize,
    len: usize,
}

impl Aligned {
    fn new(len: usize) -> Aligned {
        let buf = vec![0.0; len + 7];
        // `align_offset` may decline (usize::MAX); the buffer then stays as it is.
        let off = buf.as_ptr().align_offset(64);
        let off = if off < 8 { off } else { 0 };
        Aligned { buf, off, len }
    }

    /// A buffer of `len` values: the smallest of this thread's spares that holds them, else
    /// a new one. What it holds is unspecified (NaN in debug builds): the band writes every
    /// row before reading it.
    fn take(len: usize) -> Aligned {
        let spare = SPARE.with(|s| {
            let mut s = s.borrow_mut();
            let best = (0..s.len())
                .filter(|&k| s[k].buf.len() - s[k].off >= len)
                .min_by_key(|&k| s[k].buf.len());
            best.map(|k| s.swap_remove(k))
        });
        match spare {
            Some(mut b) => {
                b.len = len;
                if cfg!(debug_assertions) {
                    b.fill(f64::NAN);
                }
                b
            }
            None => Aligned::new(len),
        }
    }

    /// Keeps the buffer for this thread's next band, within [`SPARE_MAX_BYTES`] in all.
    fn give(self) {
        SPARE.with(|s| {
            let mut s = s.borrow_mut();
            let bytes: usize = s.iter().map(|b| b.buf.len() * 8).sum();
            if bytes + self.buf.len() * 8 <= SPARE_MAX_BYTES {
                s.push(self);
            }
        });
    }
}

thread_local! {
    /// The buffers of the last band this thread ran, for its next: a call then does not
    /// page-fault a megabyte of fresh rings in (a 1080p SSIM gradient touched ~300 pages,
    /// about 0.8 ms of CPU on the Emerald Rapids VM of BENCHMARKS.md).
    static SPARE: RefCell<Vec<Aligned>> = const { RefCell::new(Vec::new()) };
}

/// Most gradient memory a thread keeps between calls: a 3840-wide band's (about 2.5 MiB).
const SPARE_MAX_BYTES: usize = 4 << 20;

impl core::ops::Deref for Aligned {
    type Target = [f64];
    fn deref(&self) -> &[f64] {
        &self.buf[self.off..self.off + self.len]
    }
}

impl core::ops::DerefMut for Aligned {
    fn deref_mut(&mut self) -> &mut [f64] {
        &mut self.buf[self.off..self.off + self.len]
    }
}

/// A ring of rows tagged with the index they hold; each slot starts on a cache line.
struct Ring {
    tags: Vec<Option<usize>>,
    len: usize,
    /// Slot spacing: `len` rounded up to 8 samples (64 bytes).
    stride: usize,
    data: Aligned,
}

impl Ring {
    fn new(slots: usize, len: usize) -> Ring {
        let stride = len.div_ceil(8) * 8;
        Ring {
            tags: vec![None; slots],
            len,
            stride,
            data: Aligned::take(slots * stride),
        }
    }

    fn slot(&self, i: usize) -> usize {
        i % self.tags.len()
    }

    fn get(&self, i: usize) -> Option<&[f64]> {
        let s = self.slot(i);
        (self.tags[s] == Some(i)).then(|| &self.data[s * self.stride..s * self.stride + self.len])
    }

    /// Where row `i` starts in `data`, if the ring holds it.
    fn start(&self, i: usize) -> Option<usize> {
        let s = self.slot(i);
        (self.tags[s] == Some(i)).then_some(s * self.stride)
    }

    fn claim(&mut self, i: usize) -> &mut [f64] {
        let s = self.slot(i);
        self.tags[s] = Some(i);
        let at = s * self.stride;
        &mut self.data[at..at + self.len]
    }
}

/// One band's working memory: O(width x window).
struct Band<'l, 's, S: Source> {
    level: &'l Level<'s, S>,
    /// Image rows `x` then `y` (`2 x width`), by image row.
    inputs: Ring,
    coeffs: Ring,
    /// The vertical moments of up to two map rows (`2 x STATS x width`).
    vertical: Aligned,
    stats: Aligned,
    /// The coefficient maps of one map row (`COEFFS x map width`).
    coefficient_row: Aligned,
}

impl<'l, 's, S: Source> Band<'l, 's, S> {
    fn new(level: &'l Level<'s, S>) -> Self {
        let (w, mw) = (level.src.width(), level.cols.map_len);
        // A window's rows never collide in a ring of `2r + 3` slots: consecutive map rows
        // reuse each other's rows, and a miss only costs a recomputation.
        let slots = level.rows.taps + 2;
        Band {
            level,
            inputs: Ring::new(slots, 2 * w),
            coeffs: Ring::new(slots, COEFFS * w),
            vertical: Aligned::take(2 * STATS * w),
            stats: Aligned::take(STATS * mw),
            coefficient_row: Aligned::take(COEFFS * mw),
        }
    }

    /// Hands the band's buffers back to this thread's spares.
    fn release(self) {
        for b in [
            self.inputs.data,
            self.coeffs.data,
            self.vertical,
            self.stats,
            self.coefficient_row,
        ] {
            b.give();
        }
    }

    /// Makes sure image row `i` is in the ring.
    fn input(&mut self, i: usize) {
        if self.inputs.get(i).is_some() {
            return;
        }
        let w = self.level.src.width();
        let (x, y) = self.inputs.claim(i).split_at_mut(w);
        self.level.src.row(&self.level.kernels, i, x, y);
    }

    /// Makes sure the coefficient row of map row `p` is in the ring: the window's moments
    /// down the columns (of `u`, `d` and their squares formed per sample), then along the
    /// row, then the coefficients. Where the next map row reads a plain window too, it is
    /// computed in the same vertical pass (the window rows are then read from L2 once for
    /// both).
    fn coefficients(&mut self, p: usize) {
        if self.coeffs.get(p).is_some() {
            return;
        }
        let lv = self.level;
        let plain = lv.rows.fwd_plain;
        let pair = plain.contains(p) && plain.contains(p + 1) && self.coeffs.get(p + 1).is_none();
        let rows = if pair { 2 } else { 1 };
        let list = lv.rows.forward(p);
        let t = list.len();
        // A plain window's rows are consecutive: the next map row reads one more.
        let next = pair.then(|| list[t - 1].0 + 1);
        for &(i, _) in list {
            self.input(i);
        }
        if let Some(i) = next {
            self.input(i);
        }
        let w = lv.src.width();
        const CAP: usize = 2 * ssim_core::MAX_RADIUS + 2;
        let (mut starts, mut wts) = ([0usize; CAP], [0.0f64; CAP]);
        let rows_read = list.iter().map(|&(i, _)| i).chain(next);
        for (st, i) in starts.iter_mut().zip(rows_read) {
            *st = self.inputs.start(i).expect("window rows fit in the ring");
        }
        for (wt, &(_, weight)) in wts.iter_mut().zip(list) {
            *wt = weight;
        }
        lv.kernels.weighted_moments(
            &self.inputs.data,
            &starts[..t + rows - 1],
            &wts[..t],
            w,
            &mut self.vertical,
        );
        for r in 0..rows {
            self.coefficient_rows(p + r, r * STATS * w);
        }
    }

    /// The coefficient row of map row `p` from the vertical moments at `self.vertical[at..]`:
    /// along the row, the coefficients, and their horizontal adjoint into the ring.
    fn coefficient_rows(&mut self, p: usize, at: usize) {
        let lv = self.level;
        let (w, mw) = (lv.src.width(), lv.cols.map_len);
        let run = lv.cols.fwd_plain;
        for q in 0..STATS {
            let (src, out) = (
                &self.vertical[at + q * w..at + (q + 1) * w],
                &mut self.stats[q * mw..(q + 1) * mw],
            );
            fir(&lv.kernels, out, src, &lv.cols.g, run);
            // The positions whose window is padded: the folded tap lists.
            for p in (0..mw).filter(|&p| !run.contains(p)) {
                let mut acc = 0.0;
                for &(j, wt) in lv.cols.forward(p) {
                    acc += wt * src[j];
                }
                out[p] = acc;
            }
        }
        lv.kernels
            .coefficients(&self.stats, &lv.consts, &mut self.coefficient_row);
        // The horizontal adjoint of each map, so that the ring holds image-width rows.
        let out = self.coeffs.claim(p);
        let run = lv.cols.bwd_plain;
        // Plain samples: `sum_k g[k] c[j - shift + k]`, the same filter as forward.
        let plain = Run {
            shift: -run.shift,
            ..run
        };
        for m in 0..COEFFS {
            let (c, folded) = (
                &self.coefficient_row[m * mw..(m + 1) * mw],
                &mut out[m * w..(m + 1) * w],
            );
            fir(&lv.kernels, folded, c, &lv.cols.g, plain);
            for j in (0..w).filter(|&j| !run.contains(j)) {
                let mut f = 0.0;
                for &(q, wt) in lv.cols.adjoint(j) {
                    f += wt * c[q];
                }
                folded[j] = f;
            }
        }
    }

    /// The gradient of image row `i`, and of `i + 1` if that is before `end` and both read
    /// plain windows of coefficient rows, in f64, into `rows` (`2 x width`): the vertical
    /// adjoint of the folded coefficient rows, combined with the samples in one kernel.
    /// Returns how many rows it wrote.
    fn output_rows(&mut self, i: usize, end: usize, rows: &mut [f64]) -> usize {
        let lv = self.level;
        let plain = lv.rows.bwd_plain;
        let pair = i + 1 < end && plain.contains(i) && plain.contains(i + 1);
        let n = if pair { 2 } else { 1 };
        let list = lv.rows.adjoint(i);
        let t = list.len();
        let next = pair.then(|| list[t - 1].0 + 1);
        for &(p, _) in list {
            self.coefficients(p);
        }
        if let Some(p) = next {
            self.coefficients(p);
        }
        const CAP: usize = 2 * ssim_core::MAX_RADIUS + 2;
        let (mut starts, mut wts) = ([0usize; CAP], [0.0f64; CAP]);
        for (st, p) in starts
            .iter_mut()
            .zip(list.iter().map(|&(p, _)| p).chain(next))
        {
            *st = self.coeffs.start(p).expect("window rows fit in the ring");
        }
        for (wt, &(_, weight)) in wts.iter_mut().zip(list) {
            *wt = weight;
        }
        // The output rows' own samples, from the image ring (normally still there: their
        // coefficient rows' windows read them).
        let mut sample_starts = [0usize; 2];
        for r in 0..n {
            self.input(i + r);
        }
        for (st, r) in sample_starts.iter_mut().zip(0..n) {
            *st = self.inputs.start(i + r).expect("two rows fit in the ring");
        }
        let width = lv.src.width();
        lv.kernels.weighted_combine(
            &self.coeffs.data,
            &starts[..t + n - 1],
            &wts[..t],
            &self.inputs.data,
            &sample_starts[..n],
            &mut rows[..n * width],
        );
        n
    }
}

/// Map rows a band gets at least (as the value's bands).
const MIN_BAND_ROWS: usize = 16;

/// The gradient of the level into `out` (`width x height`, row-major), on up to `bands`
/// bands. `extra(i, row)` adds to the f64 row `i` before it is rounded (the coarser levels
/// of MS-SSIM); every output row is computed from the same inputs in the same order in any
/// band, so the result does not depend on `bands`.
pub(crate) fn run<S: Source, O: Out>(
    level: &Level<'_, S>,
    out: &mut [O],
    bands: usize,
    extra: &(dyn Fn(usize, &mut [f64]) + Sync),
) {
    use rayon::prelude::*;
    let (w, h) = (level.src.width(), level.src.height());
    debug_assert_eq!(out.len(), w * h);
    let n = bands.min(h / MIN_BAND_ROWS).max(1);
    let one = |start: usize, end: usize, chunk: &mut [O]| {
        let mut band = Band::new(level);
        let mut rows = Aligned::take(2 * w);
        let mut i = start;
        while i < end {
            let n = band.output_rows(i, end, &mut rows);
            for (r, row) in rows.chunks_exact_mut(w).take(n).enumerate() {
                extra(i + r, row);
                let at = (i + r - start) * w;
                O::narrow_row(&level.kernels, row, &mut chunk[at..at + w]);
            }
            i += n;
        }
        band.release();
        rows.give();
    };
    if n == 1 {
        one(0, h, out);
        return;
    }
    let mut parts = Vec::with_capacity(n);
    let mut rest = out;
    let mut start = 0;
    for b in 0..n {
        let end = h * (b + 1) / n;
        let (head, tail) = rest.split_at_mut((end - start) * w);
        parts.push((start, end, head));
        rest = tail;
        start = end;
    }
    parts
        .into_par_iter()
        .for_each(|(s, e, chunk)| one(s, e, chunk));
}

/// A stored sample type: f32 for the caller's gradient and the exact pyramid levels, f64
/// for the others.
pub(crate) trait Out: Send + Copy {
    fn from_f64(v: f64) -> Self;
    /// `out[i] = src[i] as Self` on the kernels `k`.
    fn narrow_row(k: &AdjointKernels, src: &[f64], out: &mut [Self]);
    /// `out[i] = src[i] as f64` on the kernels `k`.
    fn widen_row(k: &AdjointKernels, src: &[Self], out: &mut [f64]);
}

impl Out for f32 {
    fn from_f64(v: f64) -> f32 {
        v as f32
    }
    fn narrow_row(k: &AdjointKernels, src: &[f64], out: &mut [f32]) {
        k.narrow(src, out)
    }
    fn widen_row(k: &AdjointKernels, src: &[f32], out: &mut [f64]) {
        k.widen_f32(src, out)
    }
}

impl Out for f64 {
    fn from_f64(v: f64) -> f64 {
        v
    }
    fn narrow_row(_: &AdjointKernels, src: &[f64], out: &mut [f64]) {
        out.copy_from_slice(&src[..out.len()]);
    }
    fn widen_row(_: &AdjointKernels, src: &[f64], out: &mut [f64]) {
        out.copy_from_slice(&src[..out.len()]);
    }
}
