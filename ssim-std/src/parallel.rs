//! Bands of map rows on threads, and the row pump that feeds a pyramid of engines.
//!
//! The map rows of every level are split into `n` bands (band `b` of a level with `m` map rows
//! gets rows `m*b/n .. m*(b+1)/n`). Each band runs its own engines, with their own rings, over
//! the input rows its map rows need (the window halo is read twice, by the two bands that
//! share it). An MS-SSIM band also downsamples the rows its coarser levels need, from the
//! full-resolution samples up, as they stream: nothing of the size of an image is stored.
//!
//! Every map row is a pure function of its input rows, so it is bitwise the same in any band;
//! the bands hand back per-row f64 sums, and the sums are added in row order on the calling
//! thread. The mean is therefore bitwise identical for any number of threads, and identical to
//! the single-threaded engine's.
//!
//! Threads come from the caller's rayon pool (the global one unless the call runs inside
//! `ThreadPool::install`); no pool is created. `Config::threads` caps the number of bands, so
//! `Some(1)` never leaves the calling thread.
//!
//! Memory per band does not depend on the height ([`band_scratch_bytes`]): Gaussian 11,
//! 1920 / 3840 wide, single-scale 0.55 / 1.11 MiB, MS-SSIM (5 levels) 1.30 / 2.61 MiB with the
//! four-moment f32 ring (session 1 measured the peak heap of a whole one-thread call with the
//! five-moment ring: 0.73 / 1.47 and 1.62 / 3.25 MiB). A band's
//! memory is one allocation, and the thread that ran it keeps it for its next band (up to
//! 4 MiB, `SPARE_MAX_BYTES`): repeated calls neither allocate nor zero nor page-fault
//! megabytes before computing. The engines and the pyramid write every value before reading
//! it; debug builds poison the reused memory with NaN so that the tests would see a stale
//! read.
//!
//! The pyramid's 2x2 means run on the band's backend (`Downsampler`, vectorised, the same
//! bits on every backend). A full-resolution row reaches the 2x2 mean between the first
//! engine's load and its filters (`Ssim::push_rows_with`), while it is in L1; the lower row
//! of a block reads its upper row again where the source keeps its rows (planes, and level
//! rows within a buffer) instead of storing and reloading pair sums; and the level rows go
//! to their engines in place (`Ssim::push_rows_in_place`: no copy, no second finiteness
//! pass over rows made from checked ones). Measured (AVX-512, u8, 1080p, one thread; see
//! BENCHMARKS.md): MS-SSIM costs 1.377-1.383x SSIM in criterion's `msssim_cost`, 1.37-1.39x
//! in the CLI's medians; two threads run 1.95-1.98x one thread for SSIM and MS-SSIM at 1080p
//! and 2160p.

use rayon::prelude::*;
use ssim_core::{
    map_size, scratch_len, Backend, Downsample, Downsampler, Error, Options, OutputRow, Params,
    Plane, Result, RowRole, RowSink, Sample, ScratchBlock, Ssim, SsimResult,
};
use std::cell::RefCell;

/// How a computation runs: which kernels and how many threads. Never changes the value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Kernels to use. `None`: the `SSIM_BACKEND` environment variable if set, else the
    /// fastest this CPU supports.
    pub backend: Option<Backend>,
    /// Most bands (parallel tasks) to split the rows into. `None`: the size of the current
    /// rayon pool. `Some(1)` computes on the calling thread and never spawns.
    pub threads: Option<usize>,
}

/// Map rows a band gets at least: below this the halo (window rows read by two bands) costs
/// more than the parallelism gains.
const MIN_BAND_ROWS: usize = 16;

impl Config {
    /// The backend this config selects.
    pub(crate) fn resolve_backend(&self) -> Result<Backend> {
        let b = match self.backend {
            Some(b) => b,
            None => crate::backend::default_backend()?,
        };
        if !b.is_supported() {
            return Err(Error::BackendUnsupported { backend: b.name() });
        }
        Ok(b)
    }

    /// The most bands to use.
    pub(crate) fn max_bands(&self) -> Result<usize> {
        match self.threads {
            None => Ok(rayon::current_num_threads().max(1)),
            Some(0) => Err(Error::InvalidParameter {
                name: "threads",
                expected: "at least 1 (None: the size of the current rayon pool)",
            }),
            Some(n) => Ok(n),
        }
    }
}

/// Row `j` of both images, as one-row planes.
pub(crate) type RowPair<'a, T> = (Plane<'a, T>, Plane<'a, T>);

/// Rows of the two full-resolution images, produced one at a time (borrowed from planes, or
/// converted on the fly, as luma is).
pub(crate) trait RowSource: Sync {
    /// The sample type the rows are handed over as.
    type T: Sample;
    /// Image width.
    fn width(&self) -> usize;
    /// Image height.
    fn height(&self) -> usize;
    /// Row `j` of both images, as one-row planes; `buf` is this band's conversion space.
    fn rows<'a>(&'a self, j: usize, buf: &'a mut RowBuf) -> Result<RowPair<'a, Self::T>>;
    /// Whether [`row_again`](Self::row_again) gives rows back: the 2x2 mean then reads the
    /// upper row of a block again instead of keeping its pair sums.
    const KEEPS_ROWS: bool = false;
    /// Row `j` of both images once more, without converting anything (`None`: not kept).
    fn row_again(&self, _j: usize) -> Option<RowPair<'_, Self::T>> {
        None
    }
}

/// Per-band space a [`RowSource`] may convert rows into.
#[derive(Default)]
pub(crate) struct RowBuf {
    pub x: Vec<f32>,
    pub y: Vec<f32>,
}

/// Two planes as a row source: rows are borrowed, never copied.
pub(crate) struct PlanePair<'a, T: Sample> {
    pub x: Plane<'a, T>,
    pub y: Plane<'a, T>,
}

impl<'a, T: Sample> PlanePair<'a, T> {
    pub fn new(x: &Plane<'a, T>, y: &Plane<'a, T>) -> Result<Self> {
        if x.width() != y.width() || x.height() != y.height() {
            return Err(Error::SizeMismatch {
                reference: (x.width(), x.height()),
                distorted: (y.width(), y.height()),
            });
        }
        Ok(PlanePair { x: *x, y: *y })
    }
}

impl<T: Sample> RowSource for PlanePair<'_, T> {
    type T = T;
    fn width(&self) -> usize {
        self.x.width()
    }
    fn height(&self) -> usize {
        self.x.height()
    }
    fn rows<'a>(&'a self, j: usize, _: &'a mut RowBuf) -> Result<RowPair<'a, T>> {
        Ok((self.x.rows(j, 1)?, self.y.rows(j, 1)?))
    }
    const KEEPS_ROWS: bool = true;
    fn row_again(&self, j: usize) -> Option<RowPair<'_, T>> {
        Some((self.x.rows(j, 1).ok()?, self.y.rows(j, 1).ok()?))
    }
}

/// What to compute: `levels` levels of a pyramid (1 = single-scale SSIM).
pub(crate) struct Job<'p> {
    pub params: &'p Params,
    pub levels: usize,
    pub rule: Downsample,
    /// `Options::map` for the engines (full-size scikit-image maps).
    pub full_map: bool,
    /// Keep the SSIM map of every level.
    pub ssim_map: bool,
    /// Keep the cs map of every level.
    pub cs_map: bool,
    pub config: Config,
}

/// One level's outcome, bands merged.
pub(crate) struct LevelOut {
    /// Image size at this level.
    pub width: usize,
    pub height: usize,
    /// Map size at this level.
    pub map_w: usize,
    pub map_h: usize,
    pub result: SsimResult,
    pub ssim_map: Option<Vec<f32>>,
    pub cs_map: Option<Vec<f32>>,
}

/// Image sizes of the pyramid levels: `ceil(n / 2)` per level for both rules.
pub(crate) fn level_sizes(width: usize, height: usize, levels: usize) -> Vec<(usize, usize)> {
    let mut v = Vec::with_capacity(levels);
    let (mut w, mut h) = (width, height);
    for _ in 0..levels {
        v.push((w, h));
        (w, h) = (Downsample::output_len(w), Downsample::output_len(h));
    }
    v
}

struct Level {
    width: usize,
    height: usize,
    map_w: usize,
    map_h: usize,
}

/// Runs the job over `n` bands and merges them in row order.
pub(crate) fn run<S: RowSource>(src: &S, job: &Job<'_>) -> Result<Vec<LevelOut>> {
    let backend = job.config.resolve_backend()?;
    let levels = level_sizes(src.width(), src.height(), job.levels)
        .into_iter()
        .map(|(w, h)| {
            let (mw, mh) = map_size(job.params, w, h, job.full_map)?;
            Ok(Level {
                width: w,
                height: h,
                map_w: mw,
                map_h: mh,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let n = job
        .config
        .max_bands()?
        .min(levels[0].map_h / MIN_BAND_ROWS)
        .max(1);
    let bands: Vec<Vec<BandLevel>> = if n == 1 {
        vec![run_band(src, job, &levels, backend, 0, 1)?]
    } else {
        (0..n)
            .into_par_iter()
            .map(|b| run_band(src, job, &levels, backend, b, n))
            .collect::<Result<Vec<_>>>()?
    };
    let mut out = Vec::with_capacity(levels.len());
    for (k, lv) in levels.iter().enumerate() {
        let (mut s, mut c, mut count) = (0f64, 0f64, 0u64);
        for band in &bands {
            // Row order: bands are in order, rows within a band are in order.
            for &(rs, rc) in &band[k].sums {
                s += rs;
                c += rc;
            }
            count += band[k].count;
        }
        let join = |f: fn(&BandLevel) -> &Vec<f32>| {
            let mut m = Vec::with_capacity(lv.map_w * lv.map_h);
            bands.iter().for_each(|b| m.extend_from_slice(f(&b[k])));
            m
        };
        let n = count as f64;
        out.push(LevelOut {
            width: lv.width,
            height: lv.height,
            map_w: lv.map_w,
            map_h: lv.map_h,
            result: SsimResult {
                ssim: s / n,
                cs: c / n,
                count,
                ssim_sum: s,
                cs_sum: c,
                backend,
            },
            ssim_map: job.ssim_map.then(|| join(|b| &b.ssim)),
            cs_map: job.cs_map.then(|| join(|b| &b.cs)),
        });
    }
    Ok(out)
}

/// What one band hands back for one level.
#[derive(Default)]
struct BandLevel {
    /// `(ssim_sum, cs_sum)` of every pooled row, in row order.
    sums: Vec<(f64, f64)>,
    count: u64,
    ssim: Vec<f32>,
    cs: Vec<f32>,
    keep_ssim: bool,
    keep_cs: bool,
}

impl RowSink for BandLevel {
    fn row(&mut self, row: OutputRow<'_>) {
        if row.pooled {
            self.sums.push((row.ssim_sum, row.cs_sum));
        }
        if self.keep_ssim {
            self.ssim.extend_from_slice(row.ssim);
        }
        if self.keep_cs {
            self.cs.extend_from_slice(row.cs);
        }
    }
}

type Range = Option<(usize, usize)>;

fn contains(r: Range, i: usize) -> bool {
    r.is_some_and(|(a, b)| a <= i && i < b)
}

fn hull(a: Range, b: Range) -> Range {
    match (a, b) {
        (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
        (a, None) => a,
        (None, b) => b,
    }
}

/// Downsampling state between level `k` and `k + 1`: the upper row's pair sums.
struct PairSums<'m> {
    x: &'m mut [f32],
    y: &'m mut [f32],
}

/// Working memory of one band: the engines' scratch blocks and the pyramid's rows.
#[derive(Default)]
struct BandMemory {
    blocks: Vec<ScratchBlock>,
    rows: Vec<f32>,
}

thread_local! {
    /// The memory of the last band this thread ran, for the next one: a call then neither
    /// allocates nor zeroes megabytes (nor page-faults them in) before computing.
    static SPARE: RefCell<BandMemory> = const {
        RefCell::new(BandMemory {
            blocks: Vec::new(),
            rows: Vec::new(),
        })
    };
}

/// Most memory a thread keeps between calls: issue 4's budget for a 4K MS-SSIM band (which
/// needs about 3.3 MiB), so a pool of many threads keeps at most this much each. A larger
/// band's memory is freed when it ends.
const SPARE_MAX_BYTES: usize = 4 << 20;

impl BandMemory {
    /// At least `blocks` scratch blocks and `rows` floats: this thread's spare if large
    /// enough, else fresh.
    fn take(blocks: usize, rows: usize) -> BandMemory {
        let mut m = SPARE.with(|s| s.take());
        if m.blocks.len() < blocks {
            m.blocks = Vec::new();
            m.blocks = vec![ScratchBlock::ZERO; blocks];
        }
        if m.rows.len() < rows {
            m.rows = Vec::new();
            m.rows = vec![0f32; rows];
        }
        if cfg!(debug_assertions) {
            // Nothing may read what a previous call left (the engine writes before it reads,
            // and so does the pyramid): poisoned, a read before a write shows in the tests.
            m.blocks.fill(ScratchBlock([f32::NAN; 16]));
            m.rows.fill(f32::NAN);
        }
        m
    }

    /// Keeps the memory for this thread's next band, unless it is larger than
    /// [`SPARE_MAX_BYTES`].
    fn keep(self) {
        let bytes = self.blocks.len() * ScratchBlock::BYTES + self.rows.len() * 4;
        if bytes <= SPARE_MAX_BYTES {
            SPARE.with(|s| *s.borrow_mut() = self);
        }
    }
}

/// The first `n` values of `*rest`, which keeps the others.
fn carve<'m, T>(rest: &mut &'m mut [T], n: usize) -> &'m mut [T] {
    let (head, tail) = std::mem::take(rest).split_at_mut(n);
    *rest = tail;
    head
}

/// One band: engines for its map rows at every level, fed from one pass over the
/// full-resolution rows it needs.
fn run_band<S: RowSource>(
    src: &S,
    job: &Job<'_>,
    levels: &[Level],
    backend: Backend,
    band: usize,
    bands: usize,
) -> Result<Vec<BandLevel>> {
    let nl = levels.len();
    let out_rows: Vec<Range> = levels
        .iter()
        .map(|l| {
            let (a, b) = (l.map_h * band / bands, l.map_h * (band + 1) / bands);
            (a < b).then_some((a, b))
        })
        .collect();
    let mut lens = Vec::with_capacity(nl);
    for (l, r) in levels.iter().zip(&out_rows) {
        lens.push(match r {
            Some(_) => scratch_len(job.params, l.width, job.full_map)?,
            None => 0,
        });
    }
    // Per coarser level: CHUNK_ROWS buffered rows and one row of pair sums, of x and of y.
    let row_floats: usize = levels[1..]
        .iter()
        .map(|l| 2 * (CHUNK_ROWS + 1) * l.width)
        .sum();
    let mut memory = BandMemory::take(lens.iter().sum(), row_floats);
    let mut blocks = &mut memory.blocks[..];
    let mut rows = &mut memory.rows[..];
    let mut engines: Vec<Option<Ssim<'_>>> = Vec::with_capacity(nl);
    for ((l, r), &len) in levels.iter().zip(&out_rows).zip(&lens) {
        let s = carve(&mut blocks, len);
        engines.push(match r {
            Some(rows) => {
                let options = Options {
                    backend: Some(backend),
                    map: job.full_map,
                    rows: Some(*rows),
                };
                Some(Ssim::with_options(
                    job.params, l.width, l.height, options, s,
                )?)
            }
            None => None,
        });
    }
    let input: Vec<Range> = engines
        .iter()
        .map(|e| e.as_ref().map(Ssim::input_rows))
        .collect();
    // Rows each level must produce: its engine's input, and the sources of the next level's.
    let mut need: Vec<Range> = vec![None; nl];
    need[nl - 1] = input[nl - 1];
    for k in (0..nl - 1).rev() {
        let src_rows = need[k + 1].map(|(a, b)| {
            let h = levels[k].height;
            (job.rule.sources(a, h).0, job.rule.sources(b - 1, h).1 + 1)
        });
        need[k] = hull(input[k], src_rows);
    }
    let sinks: Vec<BandLevel> = out_rows
        .iter()
        .map(|r| BandLevel {
            // One pair of sums per map row: sized once instead of grown row by row.
            sums: Vec::with_capacity(r.map_or(0, |(a, b)| b - a)),
            keep_ssim: job.ssim_map,
            keep_cs: job.cs_map,
            ..BandLevel::default()
        })
        .collect();
    let mut pending: Vec<Pending> = Vec::with_capacity(nl);
    let mut sums: Vec<PairSums> = Vec::with_capacity(nl);
    pending.push(Pending::default());
    for l in &levels[1..] {
        let w = l.width;
        pending.push(Pending {
            x: carve(&mut rows, CHUNK_ROWS * w),
            y: carve(&mut rows, CHUNK_ROWS * w),
            width: w,
            start: 0,
            len: 0,
        });
        sums.push(PairSums {
            x: carve(&mut rows, w),
            y: carve(&mut rows, w),
        });
    }
    let Some((first, end)) = need[0] else {
        return Ok(sinks);
    };
    let mut pyramid = Pyramid {
        input: &input,
        engines,
        sinks,
        shrink: Shrink {
            down: job.rule.with_backend(backend)?,
            levels,
            need: &need,
            sums,
            pending,
        },
    };
    let mut buf = RowBuf::default();
    for j in first..end {
        let (xp, yp) = src.rows(j, &mut buf)?;
        if pyramid.first_level_row(src, j, &xp, &yp)? {
            pyramid.flush(1)?;
        }
    }
    for k in 1..nl {
        pyramid.flush(k)?;
    }
    let Pyramid {
        engines, mut sinks, ..
    } = pyramid;
    for (e, s) in engines.into_iter().zip(sinks.iter_mut()) {
        if let Some(e) = e {
            s.count = e.finish()?.count;
        }
    }
    memory.keep();
    Ok(sinks)
}

/// Rows of the coarser levels are produced into a buffer of this many rows and consumed a
/// buffer at a time: one level's ring stays in cache while it works, instead of every level's
/// ring being touched for every full-resolution row (measured: MS-SSIM 1080p about 10% faster
/// than row-by-row).
const CHUNK_ROWS: usize = 16;

/// Level rows produced and not yet consumed: rows `start..start + len`.
#[derive(Default)]
struct Pending<'m> {
    x: &'m mut [f32],
    y: &'m mut [f32],
    width: usize,
    start: usize,
    len: usize,
}

impl Pending<'_> {
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
}

/// One band's engines and the rows in flight between its levels.
struct Pyramid<'a, 's, 'm> {
    /// Input rows of each level's engine.
    input: &'a [Range],
    engines: Vec<Option<Ssim<'s>>>,
    sinks: Vec<BandLevel>,
    /// The 2x2 means and the rows in flight.
    shrink: Shrink<'a, 'm>,
}

impl Pyramid<'_, '_, '_> {
    /// Level-0 row `j`: to the first engine if it reads the row, and to the 2x2 mean while
    /// that engine has the row in L1 (after its load, before its filters; the 2x2 mean
    /// would otherwise be the first to wait for the row from memory, or fetch it again after
    /// the filters). True when level 1's buffer is full.
    fn first_level_row<S: RowSource>(
        &mut self,
        src: &S,
        j: usize,
        xp: &Plane<'_, S::T>,
        yp: &Plane<'_, S::T>,
    ) -> Result<bool> {
        let Pyramid {
            input,
            engines,
            sinks,
            shrink,
        } = self;
        let engine = engines[0].as_mut().filter(|_| contains(input[0], j));
        if shrink.levels.len() == 1 {
            if let Some(e) = engine {
                e.push_rows(xp, yp, &mut sinks[0])?;
            }
            return Ok(false);
        }
        // A source that keeps its rows hands the upper row of a block back to the lower.
        let above = j.checked_sub(1).and_then(|i| src.row_again(i));
        let above = above.as_ref().map(|(x, y)| (x.row(0), y.row(0)));
        let rows = (xp.row(0), yp.row(0), (xp.step(), yp.step()));
        let mut down = || shrink.down(0, j, rows, (above, !S::KEEPS_ROWS));
        match engine {
            Some(e) => {
                let mut full = false;
                e.push_rows_with(xp, yp, &mut sinks[0], |_| {
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
    fn flush(&mut self, k: usize) -> Result<()> {
        let mut p = std::mem::take(&mut self.shrink.pending[k]);
        if p.len > 0 {
            let w = p.width;
            if k + 1 < self.shrink.levels.len() {
                for r in 0..p.len {
                    let (x, y) = (row(p.x, r, w), row(p.y, r, w));
                    // Both rows of a block in this buffer: the lower row reads the upper one
                    // again; an upper row at its end keeps its pair sums for the next buffer.
                    let above = r.checked_sub(1).map(|a| (row(p.x, a, w), row(p.y, a, w)));
                    let hand = (above, r + 1 == p.len);
                    if self.shrink.down(k, p.start + r, (x, y, (1, 1)), hand)? {
                        self.flush(k + 1)?;
                    }
                }
            }
            if let (Some((a, b)), Some(e)) = (self.input[k], self.engines[k].as_mut()) {
                let (lo, hi) = (a.max(p.start), b.min(p.start + p.len));
                if lo < hi {
                    let span = (lo - p.start) * w..(hi - p.start) * w;
                    let (x, y) = (&mut p.x[span.clone()], &mut p.y[span]);
                    e.push_rows_in_place(x, y, &mut self.sinks[k])?;
                }
            }
            p.len = 0;
        }
        self.shrink.pending[k] = p;
        Ok(())
    }
}

/// The pyramid's 2x2 means between levels.
struct Shrink<'a, 'm> {
    /// The 2x2 mean on the band's backend.
    down: Downsampler,
    levels: &'a [Level],
    /// Rows each level must produce.
    need: &'a [Range],
    /// `sums[k]`: the upper row's pair sums towards level `k + 1`.
    sums: Vec<PairSums<'m>>,
    /// `pending[k]`: produced level-`k` rows (`k >= 1`).
    pending: Vec<Pending<'m>>,
}

impl Shrink<'_, '_> {
    /// Feeds level-`k` row `j` to the 2x2 mean; true when level `k + 1`'s buffer is full.
    fn down<T: Sample>(
        &mut self,
        k: usize,
        j: usize,
        rows: RowsAt<'_, T>,
        hand: AtHand<'_, T>,
    ) -> Result<bool> {
        let lk = &self.levels[k];
        let next = &mut self.pending[k + 1];
        let produced = downsample(
            &self.down,
            (j, lk.height, lk.width),
            rows,
            hand,
            self.need[k + 1],
            &mut self.sums[k],
            next.slot(),
        )?;
        if let Some(q) = produced {
            next.commit(q);
        }
        Ok(next.len == CHUNK_ROWS)
    }
}

/// Row `r` of a buffer of rows of `w` values.
fn row(v: &[f32], r: usize, w: usize) -> &[f32] {
    &v[r * w..(r + 1) * w]
}

/// One row of both images, each with its own pixel step (a gray plane against one channel
/// of packed RGB).
type RowsAt<'r, T> = (&'r [T], &'r [T], (usize, usize));

/// What the 2x2 mean has at hand besides the row: the row above it (same layout), if still
/// there, and whether an upper row must keep its pair sums because its lower row will not
/// get it back.
type AtHand<'r, T> = (Option<(&'r [T], &'r [T])>, bool);

/// Feeds source row `j` of an axis of `height` rows to the 2x2 mean; returns the next
/// level's row index when this row completes one (written to `out`).
fn downsample<T: Sample>(
    rule: &Downsampler,
    (j, height, width): (usize, usize, usize),
    (x, y, (sx, sy)): RowsAt<'_, T>,
    (above, keep_sums): AtHand<'_, T>,
    need_next: Range,
    acc: &mut PairSums<'_>,
    out: (&mut [f32], &mut [f32]),
) -> Result<Option<usize>> {
    let role = rule.rule().role(j, height);
    let q = role.output();
    if !contains(need_next, q) {
        return Ok(None);
    }
    match (role, above) {
        (RowRole::First(_), _) => {
            if keep_sums {
                rule.first_row(x, sx, width, acc.x)?;
                rule.first_row(y, sy, width, acc.y)?;
            }
            return Ok(None);
        }
        // The upper row is `j - 1`, and it kept no sums if it was at hand.
        (RowRole::Second(_), Some((ux, uy))) => {
            rule.block_row(ux, x, sx, width, out.0)?;
            rule.block_row(uy, y, sy, width, out.1)?;
        }
        (RowRole::Second(_), None) => {
            rule.second_row(Some(acc.x), x, sx, width, out.0)?;
            rule.second_row(Some(acc.y), y, sy, width, out.1)?;
        }
        (RowRole::Both(_), _) => {
            rule.block_row(x, x, sx, width, out.0)?;
            rule.block_row(y, y, sy, width, out.1)?;
        }
        (RowRole::Alone(_), _) => {
            rule.second_row(None, x, sx, width, out.0)?;
            rule.second_row(None, y, sy, width, out.1)?;
        }
    }
    Ok(Some(q))
}

/// Peak scratch of one band, in bytes: the engines' rings and rows of every level plus the
/// pyramid's row buffers. Does not depend on the height.
pub fn band_scratch_bytes(params: &Params, width: usize, levels: usize) -> Result<usize> {
    let mut total = 0usize;
    let block = std::mem::size_of::<ScratchBlock>();
    for (k, (w, _)) in level_sizes(width, 1, levels.max(1)).into_iter().enumerate() {
        total += scratch_len(params, w, false)? * block;
        if k > 0 {
            // The buffered rows and the pair sums of x and y.
            total += (2 * CHUNK_ROWS + 2) * w * std::mem::size_of::<f32>();
        }
    }
    Ok(total)
}

/// Single-scale SSIM over a row source, on bands.
pub(crate) fn ssim_source<S: RowSource>(
    params: &Params,
    src: &S,
    config: &Config,
    maps: bool,
) -> Result<LevelOut> {
    let job = Job {
        params,
        levels: 1,
        rule: Downsample::Wang2003,
        full_map: maps,
        ssim_map: maps,
        cs_map: maps,
        config: *config,
    };
    let mut out = run(src, &job)?;
    Ok(out.remove(0))
}

/// Mean SSIM of two image channels with an explicit [`Config`]: bands of rows on the current
/// rayon pool. The value is bitwise identical for any `threads`, and to [`crate::ssim`].
pub fn ssim_with_config<T: Sample>(
    params: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    config: &Config,
) -> Result<SsimResult> {
    Ok(ssim_source(params, &PlanePair::new(x, y)?, config, false)?.result)
}

/// SSIM and cs maps (as [`crate::ssim_map`]) with an explicit [`Config`].
pub fn ssim_map_with_config<T: Sample>(
    params: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    config: &Config,
) -> Result<crate::SsimMap> {
    let o = ssim_source(params, &PlanePair::new(x, y)?, config, true)?;
    Ok(crate::SsimMap {
        result: o.result,
        width: o.map_w,
        height: o.map_h,
        ssim: o.ssim_map.unwrap_or_default(),
        cs: o.cs_map.unwrap_or_default(),
    })
}
