//! Sizes: where the map lies relative to the image, which rows and columns are pooled, which
//! input rows a map row needs, and how the scratch memory is carved into buffers.

use crate::error::{Error, Result};
use crate::kernels::{MOMENTS, ROWS_PER_PASS, UD_MOMENTS};
use crate::params::{Padding, Params, Pooling};
use crate::scratch::blocks_for;

/// Where the map lies relative to the image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Extent {
    /// `(H - 2r) x (W - 2r)`, window always inside.
    Valid,
    /// `H x W`, window padded.
    Same(Padding),
}

/// f32 columns per 64 bytes. A vector load that straddles two cache lines costs two: with
/// rows of an odd length (the valid map of 1920 columns has 1910) most loads of the vertical
/// pass did, which made the valid map slower than the larger full one (see BENCHMARKS.md).
pub(super) const COLUMN_ALIGN: usize = 16;

/// The columns the kernels compute for a map of `map_w`: whole groups of [`COLUMN_ALIGN`],
/// and not a multiple of 16 groups (1 KB). A vertical pass loads the same column of 44 ring
/// rows; with a row stride of a multiple of 1 KB those rows fall into a quarter of the L1
/// sets or fewer, more than their ways hold (a 256-column map ran 45 % slower than one of
/// 246 columns), so such widths get one group more.
fn kernel_columns(map_w: usize) -> usize {
    let groups = map_w.div_ceil(COLUMN_ALIGN);
    let groups = if groups.is_multiple_of(16) {
        groups + 1
    } else {
        groups
    };
    groups * COLUMN_ALIGN
}

/// Sizes derived from the parameters and the image size.
#[derive(Clone, Copy, Debug)]
pub(super) struct Geometry {
    pub(super) width: usize,
    pub(super) height: usize,
    pub(super) radius: usize,
    pub(super) extent: Extent,
    pub(super) map_w: usize,
    /// Columns the kernels compute ([`kernel_columns`]): every moment row in the ring starts
    /// on a 64-byte boundary. The columns past `map_w` read zeros and are never delivered.
    pub(super) cols: usize,
    pub(super) map_h: usize,
    /// Columns of the map that are pooled.
    pool_cols: (usize, usize),
    /// Rows of the map that are pooled.
    pool_rows: (usize, usize),
    /// Bytes per ring value: 8 for box windows (exact integer sums in f64), else 4.
    ring_bytes: usize,
    /// Rows per centring group ([`Geometry::centre_group`]).
    group: usize,
}

/// The least normalised weight a window row may have when the window's second moments are
/// centred on it (see [`centre_group_for`]).
const MIN_CENTRE_WEIGHT: f32 = 1.0 / 32.0;

/// Rows per centring group for a window of half-weights `w` (centre first) and radius `r`:
/// the most (up to [`ROWS_PER_PASS`] and `2r + 1`) for which every map row's window gives the
/// shared centre row a weight of at least [`MIN_CENTRE_WEIGHT`]. The centred second moment
/// `E[(u - c)^2] - (mu - c)^2` loses about `eps (mu - c)^2` to cancellation, and the centre
/// row's share of the window's variance bounds `(mu - c)^2` by `var / w_d` (`w_d`: the weight
/// of the row `d` rows from the window's centre), so the error stays within `32 eps` of the
/// window's own variance. A peaked window (a Gaussian of tiny sigma) gives rows two away
/// almost no weight: it gets smaller groups, down to one row centred on itself.
fn centre_group_for(w: &[f32], r: usize) -> usize {
    let mut g = ROWS_PER_PASS.min(2 * r + 1);
    // The centre is a group's second row: its rows lie at most `max(1, g - 2)` rows from it.
    while g > 1 && w[1.max(g - 2)] < MIN_CENTRE_WEIGHT {
        g -= 1;
    }
    g
}

impl Geometry {
    pub(super) fn new(params: &Params, width: usize, height: usize, map: bool) -> Result<Geometry> {
        params.validate()?;
        if width == 0 || height == 0 {
            return Err(Error::ZeroDimension { width, height });
        }
        params.validate_size(width, height)?;
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
            cols: kernel_columns(map_w),
            pool_cols,
            pool_rows,
            ring_bytes: if matches!(params.window, crate::Window::Box { .. }) {
                8
            } else {
                4
            },
            group: ROWS_PER_PASS.min(2 * r + 1),
        })
    }

    /// Fits the centring groups to the window's half-weights `w` ([`centre_group_for`]); until
    /// then they are as large as the radius allows.
    pub(super) fn fit_centre_group(&mut self, w: &[f32]) {
        self.group = centre_group_for(w, self.radius);
    }

    /// Length of the padded input rows the horizontal kernels read: `cols + 2r`.
    pub(super) fn padded_w(&self) -> usize {
        self.cols + 2 * self.radius
    }

    /// Input rows a band of map rows needs.
    pub(super) fn input_rows(&self, rows: (usize, usize)) -> (usize, usize) {
        let r = self.radius;
        match self.extent {
            Extent::Valid => (rows.0, rows.1 + 2 * r),
            Extent::Same(_) => (rows.0.saturating_sub(r), (rows.1 + r).min(self.height)),
        }
    }

    /// Input rows that must have been pushed before map row `i` can be computed.
    #[inline]
    pub(super) fn rows_needed(&self, i: usize) -> usize {
        let r = self.radius;
        match self.extent {
            Extent::Valid => i + 2 * r + 1,
            Extent::Same(_) => (i + r + 1).min(self.height),
        }
    }

    /// The pooled columns of map row `i`, if it is a pooled row.
    #[inline]
    pub(super) fn pool(&self, i: usize) -> Option<(usize, usize)> {
        (self.pool_rows.0..self.pool_rows.1)
            .contains(&i)
            .then_some(self.pool_cols)
    }

    /// Whether the window of map row `i` is the window of row `i - 1` moved down by one
    /// input row (its top `2r` rows are the previous window's bottom `2r`): always in a
    /// valid map, not next to a reflected border of a padded one.
    #[inline]
    pub(super) fn shifts(&self, i: usize) -> bool {
        let r = self.radius as isize;
        self.extent == Extent::Valid
            || (-r..r).all(|t| self.source_row(i, t) == self.source_row(i - 1, t + 1))
    }

    /// Rows per centring group: the Gaussian passes over the map rows whose window centres
    /// are the input rows of one group all centre on the means of one input row,
    /// [`Geometry::centre_row`]. At most [`ROWS_PER_PASS`], and at most `2r + 1`, so that the
    /// centre lies in every window of the group (within two rows of each window's centre),
    /// and fewer for peaked windows ([`centre_group_for`]).
    /// The groups start at the input rows `r + k G` (`k` any integer), so that the passes of a
    /// valid map, whose first window centre is row `r`, are all whole but the last.
    #[inline]
    pub(super) fn centre_group(&self) -> usize {
        self.group
    }

    /// How far input row `c` lies into its centring group.
    #[inline]
    fn depth_in_group(&self, c: usize) -> usize {
        let g = self.centre_group();
        (c + g - self.radius % g) % g
    }

    /// The rows of the centring group of input row `c` from `c` to the group's end.
    #[inline]
    pub(super) fn group_rows_left(&self, c: usize) -> usize {
        self.centre_group() - self.depth_in_group(c)
    }

    /// The input row whose means centre map row `i`: the second row of the centring group of
    /// its window's centre row (the row itself in a group of one; clamped to the image). A function of the window alone, not of
    /// where a band or a pass starts, nor of the map's extent (a pixel of the valid map and
    /// the same pixel of the padded map have one window), so that every split into bands and
    /// both extents give the same bits.
    #[inline]
    pub(super) fn centre_row(&self, i: usize) -> usize {
        let c = self.source_row(i, 0);
        // The second row of the group; a group of one row centres on itself.
        let second = 1.min(self.centre_group() - 1);
        ((c + second).saturating_sub(self.depth_in_group(c))).min(self.height - 1)
    }

    /// The input row at vertical offset `t` from the centre of map row `i`.
    #[inline]
    pub(super) fn source_row(&self, i: usize, t: isize) -> usize {
        match self.extent {
            Extent::Valid => (i as isize + self.radius as isize + t) as usize,
            Extent::Same(p) => p.map_index(i as isize + t, self.height),
        }
    }
}

/// Scratch blocks needed by an engine over rows of `width` pixels: the two padded input rows,
/// the ring of `2r + 4` moment rows, the rows of one vertical pass (four map rows) and two
/// output rows. It does not depend on the height. `map`: as [`Options::map`](super::Options::map).
///
/// Box windows keep exact integer sums in f64 (twice the ring memory of the f32 Gaussian
/// path); the size covers every sample type.
///
/// ```
/// use ssim_core::{scratch_len, Params, ScratchBlock};
/// let params = Params::wang2004(255.0);
/// let scratch = vec![ScratchBlock::ZERO; scratch_len(&params, 1920, false)?];
/// assert!(!scratch.is_empty());
/// # Ok::<(), ssim_core::Error>(())
/// ```
pub fn scratch_len(params: &Params, width: usize, map: bool) -> Result<usize> {
    // The height does not matter for the size; use one that passes the window check.
    let size = params.window.size();
    let g = Geometry::new(params, width, size.max(1), map)?;
    layout(&g).map(|l| l.total).ok_or(Error::DimensionOverflow {
        width,
        height: size,
    })
}

/// The map that [`Ssim`](super::Ssim) produces for these parameters: `(width, height)`.
///
/// ```
/// use ssim_core::{map_size, Params};
/// // The valid map of an 11x11 window loses 5 pixels on each side.
/// assert_eq!(map_size(&Params::wang2004(255.0), 64, 48, false)?, (54, 38));
/// assert_eq!(map_size(&Params::matlab(255.0), 64, 48, false)?, (64, 48));
/// # Ok::<(), ssim_core::Error>(())
/// ```
pub fn map_size(params: &Params, width: usize, height: usize, map: bool) -> Result<(usize, usize)> {
    let g = Geometry::new(params, width, height, map)?;
    Ok((g.map_w, g.map_h))
}

/// Scratch blocks of each buffer of an engine, in the order they are carved from the scratch.
pub(super) struct Layout {
    /// Each padded input row (x and y).
    pub(super) row: usize,
    /// The ring of `2r + ROWS_PER_PASS` slots.
    pub(super) ring: usize,
    /// The rows of one vertical pass: statistics, or SSIM and cs rows and carried sums.
    pub(super) stats: usize,
    /// Each output row (SSIM and cs) of the f64 box path.
    pub(super) out: usize,
    pub(super) total: usize,
}

pub(super) fn layout(g: &Geometry) -> Option<Layout> {
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
        slots.checked_mul(moments)?.checked_mul(g.cols)?,
        g.ring_bytes,
    )?;
    let stats = blocks_for((ROWS_PER_PASS * moments).checked_mul(g.cols)?, g.ring_bytes)?;
    let out = blocks_for(g.cols, 4)?;
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
