//! MS-SSIM in the caller's scratch, without std: one engine per level, and each level's rows
//! made from the finer level's rows as they stream (2x2 means), so no level is ever whole in
//! memory and the scratch is O(width).
//!
//! The per-level means are bitwise those of the std pyramid (ssim-std): every level's engine
//! sees the same rows (the 2x2 means give the same bits on every backend and in any order,
//! and an engine's result does not depend on how its rows are chunked). The product of the
//! powers uses `libm::pow`, the same on every target, so a firmware and its host agree bit for
//! bit; the std functions use the platform's `pow` and may differ in the last bit.

use ssim_core::{
    scratch_len, Backend, Downsample, DownsampleKernels, Error, Options, Params, Plane, Pooling,
    RowRole, Sample, ScratchBlock, Ssim, SsimResult,
};

use crate::status::Failure;
use crate::{place, place_bytes};

/// Most levels (`SSIM_MSSSIM_MAX_LEVELS`).
pub(crate) const MAX_LEVELS: usize = 16;

/// What to do with a negative per-level mean (`SSIM_NEGATIVE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Negative {
    Relu,
    Strict,
    Nan,
    Normalize,
}

/// Checked MS-SSIM parameters, without a heap.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MsParams {
    pub ssim: Params,
    pub levels: usize,
    pub weights: [f64; MAX_LEVELS],
    pub downsample: Downsample,
    pub negative: Negative,
    pub auto_levels: bool,
}

impl MsParams {
    pub(crate) fn weights(&self) -> &[f64] {
        &self.weights[..self.levels]
    }

    /// Smallest shorter image side for `levels` levels.
    fn min_size(&self, levels: usize) -> usize {
        match self.ssim.pooling {
            // Every level needs one whole window: ceil(n / 2^(levels-1)) >= size.
            Pooling::Valid => (self.ssim.window.size() - 1) * (1 << (levels.max(1) - 1)) + 1,
            Pooling::Same(_) => 1,
        }
    }

    /// Levels used for a `width x height` image (as the std pyramid decides).
    pub(crate) fn levels_for(&self, width: usize, height: usize) -> Result<usize, Error> {
        if width == 0 || height == 0 {
            return Err(Error::ZeroDimension { width, height });
        }
        let wanted = self.levels;
        let short = width.min(height);
        if short >= self.min_size(wanted) {
            return Ok(wanted);
        }
        let fit = (1..wanted).rev().find(|&l| short >= self.min_size(l));
        match fit {
            Some(l) if self.auto_levels => Ok(l),
            _ => Err(Error::TooSmallForLevels {
                width,
                height,
                levels: wanted,
                window: self.ssim.window.size(),
                min: self.min_size(wanted),
            }),
        }
    }
}

/// `(width, height)` of each of `levels` levels.
fn level_size(width: usize, height: usize, k: usize) -> (usize, usize) {
    let (mut w, mut h) = (width, height);
    for _ in 0..k {
        w = Downsample::output_len(w);
        h = Downsample::output_len(h);
    }
    (w, h)
}

/// Scratch bytes for MS-SSIM of a `width x height` image: the engines, each level's engine
/// rows, and per coarser level its pair sums and one row of x and y; plus alignment slack.
pub(crate) fn scratch_bytes(p: &MsParams, width: usize, height: usize) -> Result<usize, Failure> {
    let levels = p.levels_for(width, height)?;
    let overflow = || Failure::from(Error::DimensionOverflow { width, height });
    let mut blocks = 0usize;
    for k in 0..levels {
        let (w, _) = level_size(width, height, k);
        let mut b = scratch_len(&p.ssim, w, false)?;
        if k > 0 {
            // Pair sums and one row, of x and of y.
            b = b
                .checked_add((4 * w).div_ceil(ScratchBlock::BYTES / 4))
                .ok_or_else(overflow)?;
        }
        blocks = blocks.checked_add(b).ok_or_else(overflow)?;
    }
    blocks
        .checked_mul(ScratchBlock::BYTES)
        .and_then(|b| b.checked_add(ScratchBlock::BYTES - 1))
        .and_then(|b| b.checked_add(place_bytes::<Option<Ssim<'static>>>(levels)?))
        .ok_or_else(overflow)
}

/// One level's means.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LevelOut {
    pub width: usize,
    pub height: usize,
    pub result: SsimResult,
}

/// The levels in flight.
struct Pyramid<'s> {
    engines: &'s mut [Option<Ssim<'s>>],
    size: [(usize, usize); MAX_LEVELS],
    down: DownsampleKernels,
    /// `sums[k]`: pair sums of the upper source row of level `k`'s next row (x, y).
    sums: [(&'s mut [f32], &'s mut [f32]); MAX_LEVELS],
    /// `next[k]`: the level-`k` row being made (x, y).
    next: [(&'s mut [f32], &'s mut [f32]); MAX_LEVELS],
}

/// The 2x2-mean step for source row `j` (of `height` rows, `width` wide) into `sums` / `out`;
/// the output row index when `out` is complete.
fn shrink<T: Sample>(
    down: &DownsampleKernels,
    (j, width, height): (usize, usize, usize),
    (x, y, step): (&[T], &[T], (usize, usize)),
    sums: &mut (&mut [f32], &mut [f32]),
    out: &mut (&mut [f32], &mut [f32]),
) -> Result<Option<usize>, Error> {
    match down.rule().role(j, height) {
        RowRole::First(_) => {
            down.first_row(x, step.0, width, sums.0)?;
            down.first_row(y, step.1, width, sums.1)?;
            Ok(None)
        }
        RowRole::Second(q) => {
            down.second_row(Some(sums.0), x, step.0, width, out.0)?;
            down.second_row(Some(sums.1), y, step.1, width, out.1)?;
            Ok(Some(q))
        }
        // Wang's odd last row: both rows of the block (the bits of `block_row(x, x)`).
        RowRole::Both(q) => {
            down.first_row(x, step.0, width, sums.0)?;
            down.first_row(y, step.1, width, sums.1)?;
            down.second_row(Some(sums.0), x, step.0, width, out.0)?;
            down.second_row(Some(sums.1), y, step.1, width, out.1)?;
            Ok(Some(q))
        }
        RowRole::Alone(q) => {
            down.second_row(None, x, step.0, width, out.0)?;
            down.second_row(None, y, step.1, width, out.1)?;
            Ok(Some(q))
        }
    }
}

impl Pyramid<'_> {
    /// Feeds a finished level-`k` row (which the engine may overwrite) to the next level,
    /// then to level `k`'s engine.
    fn level_row(&mut self, k: usize, j: usize, x: &mut [f32], y: &mut [f32]) -> Result<(), Error> {
        if k + 1 < self.engines.len() {
            let (w, h) = self.size[k];
            let mut out = core::mem::take(&mut self.next[k + 1]);
            let made = shrink(
                &self.down,
                (j, w, h),
                (&*x, &*y, (1, 1)),
                &mut self.sums[k + 1],
                &mut out,
            );
            let fed = match made {
                Ok(Some(q)) => self.level_row(k + 1, q, out.0, out.1),
                Ok(None) => Ok(()),
                Err(e) => Err(e),
            };
            self.next[k + 1] = out;
            fed?;
        }
        match self.engines[k].as_mut() {
            Some(e) => e.push_rows_in_place(x, y, &mut ()),
            None => Ok(()),
        }
    }
}

/// MS-SSIM levels of two checked planes in `bytes` (at least [`scratch_bytes`]); writes each
/// level's means to `out` (at least `levels` entries) and returns the number of levels.
pub(crate) fn run<T: Sample>(
    p: &MsParams,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    backend: Backend,
    mut bytes: &mut [u8],
    out: &mut [Option<LevelOut>; MAX_LEVELS],
) -> Result<usize, Failure> {
    let (width, height) = (x.width(), x.height());
    let levels = p.levels_for(width, height)?;
    let layout = || Failure::from(Error::ScratchTooSmall { len: 0, needed: 0 });
    let engines = place(&mut bytes, levels, || None::<Ssim<'_>>).ok_or_else(layout)?;
    let mut blocks = ScratchBlock::from_bytes(bytes);
    let mut size = [(0, 0); MAX_LEVELS];
    let mut sums: [(&mut [f32], &mut [f32]); MAX_LEVELS] = Default::default();
    let mut next: [(&mut [f32], &mut [f32]); MAX_LEVELS] = Default::default();
    let options = Options {
        backend: Some(backend),
        map: false,
        rows: None,
    };
    for k in 0..levels {
        let (w, h) = level_size(width, height, k);
        size[k] = (w, h);
        let n = scratch_len(&p.ssim, w, false)?;
        let rows = if k > 0 {
            (4 * w).div_ceil(ScratchBlock::BYTES / 4)
        } else {
            0
        };
        if blocks.len() < n + rows {
            return Err(layout());
        }
        let (mine, rest) = core::mem::take(&mut blocks).split_at_mut(n);
        let (row_blocks, rest) = rest.split_at_mut(rows);
        blocks = rest;
        engines[k] = Some(Ssim::with_options(&p.ssim, w, h, options, mine)?);
        if k > 0 {
            let f: &mut [f32] = bytemuck::cast_slice_mut(row_blocks);
            let (sx, f) = f.split_at_mut(w);
            let (sy, f) = f.split_at_mut(w);
            let (nx, f) = f.split_at_mut(w);
            let (ny, _) = f.split_at_mut(w);
            sums[k] = (sx, sy);
            next[k] = (nx, ny);
        }
    }
    let mut pyr = Pyramid {
        engines,
        size,
        down: p.downsample.with_backend(backend)?,
        sums,
        next,
    };
    for j in 0..height {
        let (xr, yr) = (x.rows(j, 1)?, y.rows(j, 1)?);
        if levels > 1 {
            let mut o = core::mem::take(&mut pyr.next[1]);
            let made = shrink(
                &pyr.down,
                (j, width, height),
                (xr.row(0), yr.row(0), (x.step(), y.step())),
                &mut pyr.sums[1],
                &mut o,
            );
            let fed = match made {
                Ok(Some(q)) => pyr.level_row(1, q, o.0, o.1),
                Ok(None) => Ok(()),
                Err(e) => Err(e),
            };
            pyr.next[1] = o;
            fed?;
        }
        if let Some(e) = pyr.engines[0].as_mut() {
            e.push_rows(&xr, &yr, &mut ())?;
        }
    }
    for (k, e) in pyr.engines.iter_mut().enumerate() {
        let Some(e) = e.take() else {
            return Err(layout());
        };
        out[k] = Some(LevelOut {
            width: pyr.size[k].0,
            height: pyr.size[k].1,
            result: e.finish()?,
        });
    }
    Ok(levels)
}

/// The MS-SSIM index from the per-level means (cs at the finer levels, SSIM at the coarsest),
/// as the std pyramid combines them.
pub(crate) fn combine(p: &MsParams, means: &[(f64, f64)]) -> Result<f64, Error> {
    let levels = means.len();
    let all = p.weights();
    let used: f64 = all[..levels].iter().sum();
    let total: f64 = all.iter().sum();
    let mut value = 1.0f64;
    for (i, (&(ssim, cs), &w)) in means.iter().zip(all).enumerate() {
        // Fewer levels than weights (auto levels): renormalised to the sum of all of them.
        let wt = if levels == all.len() || used <= 0.0 {
            w
        } else {
            w * total / used
        };
        let last = i + 1 == levels;
        let (term, mean) = if last { ("ssim", ssim) } else { ("cs", cs) };
        let base = match p.negative {
            Negative::Relu => mean.max(0.0),
            Negative::Nan => mean,
            Negative::Normalize => (mean + 1.0) / 2.0,
            Negative::Strict if mean >= 0.0 => mean,
            Negative::Strict => {
                return Err(Error::NegativeLevelMean {
                    level: i + 1,
                    term,
                    value: mean,
                })
            }
        };
        value *= libm::pow(base, wt);
    }
    Ok(value)
}
