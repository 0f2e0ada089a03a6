//! Row sources: where the full-resolution rows of the two images come from (borrowed from
//! planes, or converted on the fly, as luma is).

use ssim_core::{Error, Plane, Result, Sample};

/// Row `j` of both images, as one-row planes.
pub(crate) struct RowPair<'a, T: Sample> {
    pub x: Plane<'a, T>,
    pub y: Plane<'a, T>,
}

/// Rows of the two full-resolution images, produced one at a time.
pub(crate) trait RowSource: Sync {
    /// The sample type the rows are handed over as.
    type T: Sample;
    /// Image width.
    fn width(&self) -> usize;
    /// Image height.
    fn height(&self) -> usize;
    /// Row `j` of both images; `buf` is this band's conversion space.
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

    fn pair(&self, j: usize) -> Result<RowPair<'_, T>> {
        Ok(RowPair {
            x: self.x.rows(j, 1)?,
            y: self.y.rows(j, 1)?,
        })
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
        self.pair(j)
    }
    const KEEPS_ROWS: bool = true;
    fn row_again(&self, j: usize) -> Option<RowPair<'_, T>> {
        self.pair(j).ok()
    }
}
