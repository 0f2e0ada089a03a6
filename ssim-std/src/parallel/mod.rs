//! Bands of map rows on threads, and the row pump that feeds a pyramid of engines.
//!
//! The map rows of every level are split into bands; each band runs its own engines over the
//! input rows its map rows need, and an MS-SSIM band downsamples the rows its coarser levels
//! need as they stream. The bands hand back per-row sums, added in row order on the calling
//! thread, so the value is bitwise identical for any number of threads. docs/ARCHITECTURE.md
//! ("ssim-std: the pyramid, bands and threads") describes the design; the files are:
//!
//! - `config.rs`: [`Config`], backend and thread count;
//! - `source.rs`: where full-resolution rows come from (planes, or luma made per row);
//! - `band.rs`: one band's engines and sinks;
//! - `pyramid.rs`: the 2x2 means between levels inside a band;
//! - `memory.rs`: per-thread band memory, kept between calls.

mod band;
mod config;
mod direct;
mod memory;
mod pyramid;
mod source;

pub use config::Config;
pub(crate) use source::{BlockMeans, PlanePair, RowBuf, RowPair, RowSource};

use band::{run_band, run_band_channels, BandIndex, BandLevel, LevelGeometry};
use pyramid::CHUNK_ROWS;
use rayon::prelude::*;
use ssim_core::{
    map_size, scratch_len, Downsample, Params, Result, Sample, ScratchBlock, SsimResult,
    ROW_SUM_SEGMENT,
};

/// Map rows a band gets at least: below this the halo (window rows read by two bands) costs
/// more than the parallelism gains.
const MIN_BAND_ROWS: usize = 16;

/// Rows `start..end` of one level.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    fn contains(self, i: usize) -> bool {
        self.start <= i && i < self.end
    }

    /// The smallest span covering both.
    fn hull(a: Option<Span>, b: Option<Span>) -> Option<Span> {
        match (a, b) {
            (Some(a), Some(b)) => Some(Span {
                start: a.start.min(b.start),
                end: a.end.max(b.end),
            }),
            (a, None) => a,
            (None, b) => b,
        }
    }
}

/// What to compute: `levels` levels of a pyramid (1 = single-scale SSIM).
pub(crate) struct Job<'p> {
    /// The parameters of each level, finest first; the last entry serves every level past
    /// the end (one entry: the same parameters everywhere).
    pub params: &'p [Params],
    /// Per level, `Some(n)`: an even window of `n` taps centred at `n / 2`, computed by the
    /// direct f64 pass of `direct.rs` instead of an engine (jorge-pessoa's shrunken windows).
    pub direct_taps: &'p [Option<usize>],
    pub levels: usize,
    /// The 2x2-mean rule between levels (resolved per level, [`Downsample::for_level`]).
    pub downsample: Downsample,
    /// `Options::map` for the engines (full-size scikit-image maps).
    pub map: bool,
    /// Keep the SSIM map of every level.
    pub ssim_map: bool,
    /// Keep the cs map of every level.
    pub cs_map: bool,
    pub config: Config,
    /// Only these map rows of a single-level job (`None`: all of them).
    pub rows: Option<Span>,
}

impl Job<'_> {
    /// The parameters of level `k`.
    pub fn params(&self, k: usize) -> &Params {
        &self.params[k.min(self.params.len() - 1)]
    }
}

/// One level's outcome, bands merged.
pub(crate) struct LevelOut {
    /// Image size at this level.
    pub width: usize,
    pub height: usize,
    /// Map size at this level.
    pub map_width: usize,
    pub map_height: usize,
    pub result: SsimResult,
    pub ssim_map: Option<Vec<f32>>,
    pub cs_map: Option<Vec<f32>>,
}

/// Image sizes of the pyramid levels under `rule` ([`Downsample::output_size`]).
pub(crate) fn level_sizes(
    width: usize,
    height: usize,
    levels: usize,
    rule: Downsample,
) -> Vec<(usize, usize)> {
    let mut v = Vec::with_capacity(levels);
    let (mut w, mut h) = (width, height);
    for _ in 0..levels {
        v.push((w, h));
        (w, h) = rule.output_size(w, h);
    }
    v
}

/// Bands for `rows` map rows on at most `threads` threads: each gets at least
/// [`MIN_BAND_ROWS`] rows (one band always).
fn band_count(threads: usize, rows: usize) -> usize {
    threads.min(rows / MIN_BAND_ROWS).max(1)
}

/// `task(0..n)`, results in order of index: on the caller's rayon pool when `parallel` and
/// there is more than one, else on the calling thread (`threads: Some(1)` never leaves it).
fn run_tasks<T: Send>(
    n: usize,
    parallel: bool,
    task: impl Fn(usize) -> Result<T> + Sync + Send,
) -> Result<Vec<T>> {
    if parallel && n > 1 {
        (0..n).into_par_iter().map(task).collect()
    } else {
        (0..n).map(task).collect()
    }
}

/// Runs the job over bands and merges them in row order.
pub(crate) fn run<S: RowSource>(src: &S, job: &Job<'_>) -> Result<Vec<LevelOut>> {
    run_from(src, job, (0.0, 0.0, 0))
}

/// [`run`], level 0's sums continuing from `start` (`ssim_sum, cs_sum, count` of the rows
/// before `job.rows`), so a map computed span by span in order adds the same f64 sequence
/// as one run over all rows: the same bits.
pub(crate) fn run_from<S: RowSource>(
    src: &S,
    job: &Job<'_>,
    start: (f64, f64, u64),
) -> Result<Vec<LevelOut>> {
    let backend = job.config.resolve_backend()?;
    let levels = level_sizes(src.width(), src.height(), job.levels, job.downsample)
        .into_iter()
        .enumerate()
        .map(|(k, (width, height))| {
            let (map_width, map_height) = match job.direct_taps.get(k).copied().flatten() {
                Some(taps) => direct::DirectLevel::map_size(width, height, taps)?,
                None => map_size(job.params(k), width, height, job.map)?,
            };
            Ok(LevelGeometry {
                width,
                height,
                map_width,
                map_height,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let span = job.rows.unwrap_or(Span {
        start: 0,
        end: levels[0].map_height,
    });
    if job.rows.is_some() && (levels.len() != 1 || span.end > levels[0].map_height) {
        return Err(ssim_core::Error::InvalidParameter {
            name: "rows",
            expected: "a span of map rows of a single-level job",
        });
    }
    let n = band_count(job.config.max_bands()?, span.end - span.start);
    let band = |band| run_band(src, job, &levels, backend, BandIndex { band, bands: n });
    let bands: Vec<Vec<BandLevel>> = run_tasks(n, true, band)?;
    let mut out = Vec::with_capacity(levels.len());
    for (k, lv) in levels.iter().enumerate() {
        let (mut s, mut c, mut count) = if k == 0 { start } else { (0.0, 0.0, 0) };
        for band in &bands {
            // Row order: bands are in order, rows within a band are in order.
            for &(rs, rc) in &band[k].sums {
                s += rs;
                c += rc;
            }
            count += band[k].count;
        }
        let rows = if k == 0 {
            span.end - span.start
        } else {
            lv.map_height
        };
        let join = |f: fn(&BandLevel) -> &Vec<f32>| {
            let mut m = Vec::with_capacity(lv.map_width * rows);
            bands.iter().for_each(|b| m.extend_from_slice(f(&b[k])));
            m
        };
        let n = count as f64;
        out.push(LevelOut {
            width: lv.width,
            height: lv.height,
            map_width: lv.map_width,
            map_height: lv.map_height,
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

/// Mean SSIM of each of several plane pairs of one size (the channels of a colour image)
/// under a single-level job with a valid map, each with the bits [`run`] gives for that pair
/// alone.
///
/// The map is cut into vertical strips of [`ROW_SUM_SEGMENT`] columns and the strips (and,
/// for more threads than strips, bands of rows in them) are the tasks. A task keeps one
/// engine per channel and feeds them all input row `j` before any gets `j + 1`
/// ([`run_band_channels`]): the channels of a pixel share its cache lines, so each line is
/// read from memory once instead of once per channel pass, and a strip's three rings are
/// small enough to share the L2 cache that one full-width ring would fill. A strip's row sums
/// are one segment of the full row's, so adding them across strips in order, then the rows in
/// order, is the full-width order: the same bits, for any thread count.
pub(crate) fn run_channel_strips<'a, T: Sample>(
    pairs: &[PlanePair<'a, T>],
    job: &Job<'_>,
) -> Result<Vec<SsimResult>> {
    let Some(first) = pairs.first() else {
        return Ok(Vec::new());
    };
    let (width, height) = (first.width(), first.height());
    let params = job.params(0);
    let backend = job.config.resolve_backend()?;
    let (map_width, map_height) = map_size(params, width, height, false)?;
    let halo = width - map_width;
    let strips = map_width.div_ceil(ROW_SUM_SEGMENT);
    let threads = job.config.max_bands()?;
    // As many bands as threads in every strip: strips differ in width (the last is
    // narrower), and the smaller tasks let the pool even the load out.
    let bands = band_count(threads, map_height);
    let task = |t: usize| -> Result<Vec<BandLevel>> {
        let (strip, band) = (t / bands, t % bands);
        let c0 = strip * ROW_SUM_SEGMENT;
        let map_width = ROW_SUM_SEGMENT.min(map_width - c0);
        let cut = |p: &PlanePair<'a, T>| -> Result<PlanePair<'a, T>> {
            PlanePair::new(
                &p.x.columns(c0, map_width + halo)?,
                &p.y.columns(c0, map_width + halo)?,
            )
        };
        let srcs = pairs.iter().map(cut).collect::<Result<Vec<_>>>()?;
        let level = LevelGeometry {
            width: map_width + halo,
            height,
            map_width,
            map_height,
        };
        run_band_channels(&srcs, job, &level, backend, BandIndex { band, bands })
    };
    let done: Vec<Vec<BandLevel>> = run_tasks(strips * bands, threads > 1, task)?;
    let at = |strip: usize, band: usize, channel: usize| &done[strip * bands + band][channel];
    Ok((0..pairs.len())
        .map(|c| {
            let (mut s, mut cs, mut count) = (0.0f64, 0.0f64, 0u64);
            for band in 0..bands {
                // Row by row, the strips left to right (every strip has the band's rows).
                let mut rows = at(0, band, c).sums.clone();
                for strip in 1..strips {
                    for (row, &(ss, sc)) in rows.iter_mut().zip(&at(strip, band, c).sums) {
                        row.0 += ss;
                        row.1 += sc;
                    }
                }
                for (rs, rc) in rows {
                    s += rs;
                    cs += rc;
                }
                count += (0..strips)
                    .map(|strip| at(strip, band, c).count)
                    .sum::<u64>();
            }
            let n = count as f64;
            SsimResult {
                ssim: s / n,
                cs: cs / n,
                count,
                ssim_sum: s,
                cs_sum: cs,
                backend,
            }
        })
        .collect())
}

/// Peak scratch of one band, in bytes: the engines' rings and rows of every level plus the
/// pyramid's row buffers. Does not depend on the height.
///
/// ```
/// use ssim_std::{band_scratch_bytes, Params};
/// let p = Params::wang2004(255.0);
/// let ssim = band_scratch_bytes(&p, 1920, 1)?;
/// let msssim = band_scratch_bytes(&p, 1920, 5)?;
/// // The coarser levels add their (narrower) rings and the pyramid's row buffers.
/// assert!(msssim > ssim && msssim < 3 * ssim);
/// assert!(band_scratch_bytes(&p, 3840, 1)? > ssim);
/// # Ok::<(), ssim_std::Error>(())
/// ```
pub fn band_scratch_bytes(params: &Params, width: usize, levels: usize) -> Result<usize> {
    let mut total = 0usize;
    let block = std::mem::size_of::<ScratchBlock>();
    let rule = Downsample::Wang2003;
    for (k, (w, _)) in level_sizes(width, 1, levels.max(1), rule)
        .into_iter()
        .enumerate()
    {
        total += scratch_len(params, w, false)? * block;
        if k > 0 {
            // The buffered rows and the pair sums of x and y.
            total += (2 * CHUNK_ROWS + 2) * w * std::mem::size_of::<f32>();
        }
    }
    Ok(total)
}
