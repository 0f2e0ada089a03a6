//! Row sources: where the full-resolution rows of the two images come from (borrowed from
//! planes, or converted on the fly, as luma is).

use ssim_core::{
    AutoDownsample, Backend, BlockMeanKernels, ColumnSums, Error, Padding, Plane, Result, Sample,
};

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
    /// Rows `j..j + count` of both images as they are, if the source holds whole planes
    /// (`None`: ask for them one by one with [`rows`](Self::rows)). An engine pushed
    /// several rows at once prefetches each next row while it filters one.
    fn chunk(&self, _j: usize, _count: usize) -> Option<RowPair<'_, Self::T>> {
        None
    }
}

/// Per-band space a [`RowSource`] may convert rows into.
#[derive(Default)]
pub(crate) struct RowBuf {
    pub x: Vec<f32>,
    pub y: Vec<f32>,
    /// f64 column sums of a block-mean row (x then y), for [`BlockMeans`].
    pub acc: Vec<f64>,
    /// The same in f32, exact for integer samples.
    pub acc32: Vec<f32>,
    /// The wrapped source's own conversion space, for [`BlockMeans`].
    pub inner: Option<Box<RowBuf>>,
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
    fn chunk(&self, j: usize, count: usize) -> Option<RowPair<'_, T>> {
        Some(RowPair {
            x: self.x.rows(j, count).ok()?,
            y: self.y.rows(j, count).ok()?,
        })
    }
}

/// The size-dependent block-mean stage of [`AutoDownsample`] over another source: row `m`
/// is made from the `f` source rows of its block as it is asked for, so no image is stored
/// (the rows of a band are asked for in order, each once). The source rows are added column
/// by column on the backend's kernels ([`BlockMeanKernels`]), then the blocks are summed
/// once per output row.
pub(crate) struct BlockMeans<'s, S: RowSource> {
    src: &'s S,
    kernels: BlockMeanKernels,
    /// Integer samples with exact f32 column sums (else f64).
    exact: bool,
    rule: AutoDownsample,
    f: usize,
    width: usize,
    height: usize,
}

impl<'s, S: RowSource> BlockMeans<'s, S> {
    pub fn new(src: &'s S, rule: AutoDownsample, f: usize, backend: Backend) -> Result<Self> {
        let (width, height) = (
            rule.output_len(src.width(), f),
            rule.output_len(src.height(), f),
        );
        if width == 0 || height == 0 {
            return Err(Error::ZeroDimension { width, height });
        }
        let kernels = BlockMeanKernels::new(rule, f, backend)?;
        Ok(BlockMeans {
            src,
            exact: kernels.exact_in_f32(S::T::KIND),
            kernels,
            rule,
            f,
            width,
            height,
        })
    }
}

impl<S: RowSource> RowSource for BlockMeans<'_, S> {
    type T = f32;
    fn width(&self) -> usize {
        self.width
    }
    fn height(&self) -> usize {
        self.height
    }
    fn rows<'a>(&'a self, m: usize, buf: &'a mut RowBuf) -> Result<RowPair<'a, f32>> {
        let (sw, sh, w) = (self.src.width(), self.src.height(), self.width);
        let inner = buf.inner.get_or_insert_with(Box::default);
        // x's sums then y's, zeroed for this output row.
        let (mut sx, mut sy) = if self.exact {
            buf.acc32.clear();
            buf.acc32.resize(2 * sw, 0.0);
            let (x, y) = buf.acc32.split_at_mut(sw);
            (ColumnSums::F32(x), ColumnSums::F32(y))
        } else {
            buf.acc.clear();
            buf.acc.resize(2 * sw, 0.0);
            let (x, y) = buf.acc.split_at_mut(sw);
            (ColumnSums::F64(x), ColumnSums::F64(y))
        };
        let start = self.rule.block_start(m, self.f);
        for t in 0..self.f as isize {
            let rows = self
                .src
                .rows(Padding::Reflect.map_index(start + t, sh), inner)?;
            self.kernels.add_row(&rows.x, &mut sx)?;
            self.kernels.add_row(&rows.y, &mut sy)?;
        }
        buf.x.resize(w, 0.0);
        buf.y.resize(w, 0.0);
        self.kernels.means(&sx, &mut buf.x[..w])?;
        self.kernels.means(&sy, &mut buf.y[..w])?;
        Ok(RowPair {
            x: Plane::new(&buf.x[..w], w, 1)?,
            y: Plane::new(&buf.y[..w], w, 1)?,
        })
    }
}
