//! One band: engines for its map rows at every level, fed from one pass over the
//! full-resolution rows it needs, and the sink that keeps what the band hands back.

use super::direct::DirectLevel;
use super::memory::{carve, BandMemory};
use super::pyramid::{Downsampling, LevelRows, PairSums, Pyramid, CHUNK_ROWS};
use super::source::{RowBuf, RowSource};
use super::{Job, Span};
use ssim_core::{scratch_len, Backend, Options, OutputRow, Result, RowSink, Ssim};

/// Image and map size of one pyramid level.
pub(super) struct LevelGeometry {
    pub width: usize,
    pub height: usize,
    pub map_width: usize,
    pub map_height: usize,
}

/// What one band hands back for one level.
#[derive(Default)]
pub(super) struct BandLevel {
    /// `(ssim_sum, cs_sum)` of every pooled row, in row order.
    pub sums: Vec<(f64, f64)>,
    pub count: u64,
    pub ssim: Vec<f32>,
    pub cs: Vec<f32>,
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

/// Which band of how many.
#[derive(Clone, Copy)]
pub(super) struct BandIndex {
    pub band: usize,
    pub bands: usize,
}

impl BandIndex {
    /// This band's share of `m` map rows from row `base` (`None`: no rows).
    fn span(self, base: usize, m: usize) -> Option<Span> {
        let start = base + m * self.band / self.bands;
        let end = base + m * (self.band + 1) / self.bands;
        (start < end).then_some(Span { start, end })
    }
}

impl BandLevel {
    /// An empty sink for `rows` map rows of `job`: one pair of sums per row, sized once
    /// instead of grown row by row.
    fn for_rows(job: &Job<'_>, rows: usize) -> BandLevel {
        BandLevel {
            sums: Vec::with_capacity(rows),
            keep_ssim: job.ssim_map,
            keep_cs: job.cs_map,
            ..BandLevel::default()
        }
    }
}

/// Runs one band of `job` on `backend`.
pub(super) fn run_band<S: RowSource>(
    src: &S,
    job: &Job<'_>,
    levels: &[LevelGeometry],
    backend: Backend,
    at: BandIndex,
) -> Result<Vec<BandLevel>> {
    let nl = levels.len();
    let out_rows: Vec<Option<Span>> = levels
        .iter()
        .enumerate()
        .map(|(k, l)| {
            // The band's share of the level's rows, or of the job's span of them.
            let (base, m) = match job.rows {
                Some(s) if k == 0 => (s.start, s.end - s.start),
                _ => (0, l.map_height),
            };
            at.span(base, m)
        })
        .collect();
    let mut lens = Vec::with_capacity(nl);
    for (k, (l, r)) in levels.iter().zip(&out_rows).enumerate() {
        let direct = job.direct_taps.get(k).copied().flatten().is_some();
        lens.push(match r {
            Some(_) if !direct => scratch_len(job.params(k), l.width, job.map)?,
            _ => 0,
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
    let mut direct: Vec<Option<DirectLevel>> = Vec::with_capacity(nl);
    for (k, ((l, r), &len)) in levels.iter().zip(&out_rows).zip(&lens).enumerate() {
        let s = carve(&mut blocks, len);
        let taps = job.direct_taps.get(k).copied().flatten();
        direct.push(match (r, taps) {
            (Some(span), Some(taps)) if k > 0 => Some(DirectLevel::new(
                job.params(k),
                l.width,
                l.height,
                taps,
                (span.start, span.end),
            )?),
            (_, Some(_)) if k == 0 => {
                return Err(ssim_core::Error::InvalidParameter {
                    name: "level_window",
                    expected: "a first level at least as large as the window",
                })
            }
            _ => None,
        });
        engines.push(match r {
            Some(_) if taps.is_some() => None,
            Some(span) => {
                let options = Options {
                    backend: Some(backend),
                    map: job.map,
                    rows: Some((span.start, span.end)),
                };
                Some(Ssim::with_options(
                    job.params(k),
                    l.width,
                    l.height,
                    options,
                    s,
                )?)
            }
            None => None,
        });
    }
    let input: Vec<Option<Span>> = engines
        .iter()
        .zip(&direct)
        .map(|(e, d)| {
            let rows = match (e, d) {
                (Some(e), _) => Some(e.input_rows()),
                (None, Some(d)) => Some(d.input_rows()),
                (None, None) => None,
            };
            rows.map(|(start, end)| Span { start, end })
        })
        .collect();
    // Rows each level must produce: its engine's input, and the sources of the next level's.
    let mut need: Vec<Option<Span>> = vec![None; nl];
    need[nl - 1] = input[nl - 1];
    for k in (0..nl - 1).rev() {
        let src_rows = need[k + 1].map(|s| {
            let (w, h) = (levels[k].width, levels[k].height);
            let rule = job.downsample.for_level(w, h);
            Span {
                start: rule.sources(s.start, h).0,
                end: rule.sources(s.end - 1, h).1 + 1,
            }
        });
        need[k] = Span::hull(input[k], src_rows);
    }
    let sinks: Vec<BandLevel> = out_rows
        .iter()
        .map(|r| BandLevel::for_rows(job, r.map_or(0, |s| s.end - s.start)))
        .collect();
    let mut pending: Vec<LevelRows> = Vec::with_capacity(nl);
    let mut sums: Vec<PairSums> = Vec::with_capacity(nl);
    pending.push(LevelRows::default());
    for l in &levels[1..] {
        let w = l.width;
        pending.push(LevelRows {
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
    let Some(first) = need[0] else {
        return Ok(sinks);
    };
    let mut pyramid = Pyramid {
        input: &input,
        engines,
        direct,
        sinks,
        downsampling: Downsampling {
            kernels: levels
                .iter()
                .map(|l| {
                    job.downsample
                        .for_level(l.width, l.height)
                        .with_backend(backend)
                })
                .collect::<Result<Vec<_>>>()?,
            levels,
            need: &need,
            sums,
            pending,
        },
    };
    let mut buf = RowBuf::default();
    for j in first.start..first.end {
        let rows = src.rows(j, &mut buf)?;
        if pyramid.first_level_row(src, j, &rows)? {
            pyramid.flush(1)?;
        }
    }
    for k in 1..nl {
        pyramid.flush(k)?;
    }
    let Pyramid {
        engines,
        direct,
        mut sinks,
        ..
    } = pyramid;
    for ((e, d), s) in engines.into_iter().zip(direct).zip(sinks.iter_mut()) {
        if let Some(e) = e {
            s.count = e.finish()?.count;
        }
        if let Some(d) = d {
            s.count = d.finish(s)?;
        }
    }
    memory.keep();
    Ok(sinks)
}

/// Input rows each engine of [`run_band_channels`] gets before the next: the other channels'
/// samples of those rows are then still in L2 (at 1024 columns of RGB, about 100 KB), and
/// switching engines less often costs fewer L1 refills (BENCHMARKS.md, "Colour against
/// gray").
const LOCKSTEP_ROWS: usize = 16;

/// One band of a single-level `job` over several sources of the same size (the channels of
/// one interleaved image): an engine per source, all fed input rows `j..j + 16` before any
/// is fed the next ones. The channels of a pixel share its cache lines, so each line comes
/// from memory once for all of them instead of once per channel pass. Each engine sees the
/// rows and computes the bits it would alone; per-row sums stay per source.
pub(super) fn run_band_channels<S: RowSource>(
    srcs: &[S],
    job: &Job<'_>,
    level: &LevelGeometry,
    backend: Backend,
    at: BandIndex,
) -> Result<Vec<BandLevel>> {
    let Some(Span { start, end }) = at.span(0, level.map_height) else {
        return Ok(srcs.iter().map(|_| BandLevel::for_rows(job, 0)).collect());
    };
    let mut sinks: Vec<BandLevel> = srcs
        .iter()
        .map(|_| BandLevel::for_rows(job, end - start))
        .collect();
    let params = job.params(0);
    let len = scratch_len(params, level.width, job.map)?;
    let mut memory = BandMemory::take(len * srcs.len(), 0);
    let mut blocks = &mut memory.blocks[..];
    let options = Options {
        backend: Some(backend),
        map: job.map,
        rows: Some((start, end)),
    };
    let mut engines = Vec::with_capacity(srcs.len());
    for _ in srcs {
        let s = carve(&mut blocks, len);
        engines.push(Ssim::with_options(
            params,
            level.width,
            level.height,
            options,
            s,
        )?);
    }
    // Every engine has the same geometry, so the same input rows.
    let (first, last) = engines[0].input_rows();
    let mut bufs: Vec<RowBuf> = srcs.iter().map(|_| RowBuf::default()).collect();
    for j0 in (first..last).step_by(LOCKSTEP_ROWS) {
        let engines = engines.iter_mut().zip(&mut sinks);
        let j1 = (j0 + LOCKSTEP_ROWS).min(last);
        let next = (j1..(j1 + LOCKSTEP_ROWS).min(last)).len();
        let parts = srcs.len();
        for (c, ((src, (e, sink)), buf)) in srcs.iter().zip(engines).zip(&mut bufs).enumerate() {
            // Where the source holds whole planes, every channel fetches its share (a
            // `parts`-th of the columns, whose lines hold every channel's samples) of the
            // next block's rows while it filters this block's: the first channel's loads
            // otherwise wait on memory (BENCHMARKS.md, "Colour against gray").
            if let (Some(rows), Some(ahead)) = (src.chunk(j0, j1 - j0), src.chunk(j1, next)) {
                let w = ahead.x.width();
                let (a, b) = (w * c / parts, w * (c + 1) / parts);
                if let (Ok(ax), Ok(ay)) = (ahead.x.columns(a, b - a), ahead.y.columns(a, b - a)) {
                    e.push_rows_ahead(&rows.x, &rows.y, (&ax, &ay), sink)?;
                    continue;
                }
            }
            for j in j0..j1 {
                let rows = src.rows(j, buf)?;
                e.push_rows(&rows.x, &rows.y, sink)?;
            }
        }
    }
    for (e, s) in engines.into_iter().zip(sinks.iter_mut()) {
        s.count = e.finish()?.count;
    }
    memory.keep();
    Ok(sinks)
}
