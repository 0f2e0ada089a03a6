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
//! Each output row is computed from the coefficient rows it needs, each coefficient row
//! from the horizontal statistics of its window rows; both are kept in rings of `2r + 1`
//! rows tagged with their index and recomputed on a miss, so memory is O(width x window)
//! plus the output, and every output row is a pure function of the input: the same bits in
//! whichever band computes it.

use ssim_core::{Padding, Plane, Sample};

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

/// `out[p] = sum_k g[k] src[p + shift + k]` for `p` in `run` (contiguous, vectorisable).
#[inline]
fn fir(out: &mut [f64], src: &[f64], g: &[f64], run: Run) {
    if run.start == run.end {
        return;
    }
    let o = &mut out[run.start..run.end];
    o.fill(0.0);
    let base = (run.start as isize + run.shift) as usize;
    for (k, &gk) in g.iter().enumerate() {
        let s = &src[base + k..base + k + o.len()];
        for (a, &b) in o.iter_mut().zip(s) {
            *a += gk * b;
        }
    }
}

/// Rows of the two images, as f64.
pub(crate) trait Source: Sync {
    fn width(&self) -> usize;
    fn height(&self) -> usize;
    /// Row `i` of the reference into `x` and of the distorted image into `y`.
    fn row(&self, i: usize, x: &mut [f64], y: &mut [f64]);
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
    fn row(&self, i: usize, x: &mut [f64], y: &mut [f64]) {
        let (sx, sy) = (self.x.step(), self.y.step());
        for (o, s) in x.iter_mut().zip(self.x.row(i).iter().step_by(sx)) {
            *o = s.to_f64();
        }
        for (o, s) in y.iter_mut().zip(self.y.row(i).iter().step_by(sy)) {
            *o = s.to_f64();
        }
    }
}

/// Two packed f64 images (pyramid levels, luma).
pub(crate) struct Packed<'a> {
    pub width: usize,
    pub height: usize,
    pub x: &'a [f64],
    pub y: &'a [f64],
}

impl Source for Packed<'_> {
    fn width(&self) -> usize {
        self.width
    }
    fn height(&self) -> usize {
        self.height
    }
    fn row(&self, i: usize, x: &mut [f64], y: &mut [f64]) {
        let r = i * self.width..(i + 1) * self.width;
        x.copy_from_slice(&self.x[r.clone()]);
        y.copy_from_slice(&self.y[r]);
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
    pub c1: f64,
    pub c2: f64,
    /// Covariance factor of the statistics.
    pub cov: f64,
    /// Covariance factor in the derivative (`cov`, or 1 for scikit-image's convention).
    pub dcov: f64,
    /// Clamp the variances at 0 (their derivative is then 0 where clamped).
    pub clamp: bool,
    pub term: Term,
    /// `d(value)/d(mean of the term)` divided by the number of pooled pixels.
    pub weight: f64,
}

/// Statistics per horizontal row: `mu_x, mu_y, E[x^2], E[y^2], E[xy]`.
const STATS: usize = 5;
/// Coefficient maps `a, b, c`.
const COEFFS: usize = 3;

/// A ring of rows tagged with the index they hold.
struct Ring {
    tags: Vec<Option<usize>>,
    len: usize,
    data: Vec<f64>,
}

impl Ring {
    fn new(slots: usize, len: usize) -> Ring {
        Ring {
            tags: vec![None; slots],
            len,
            data: vec![0.0; slots * len],
        }
    }

    fn slot(&self, i: usize) -> usize {
        i % self.tags.len()
    }

    fn get(&self, i: usize) -> Option<&[f64]> {
        let s = self.slot(i);
        (self.tags[s] == Some(i)).then(|| &self.data[s * self.len..(s + 1) * self.len])
    }

    fn claim(&mut self, i: usize) -> &mut [f64] {
        let s = self.slot(i);
        self.tags[s] = Some(i);
        &mut self.data[s * self.len..(s + 1) * self.len]
    }
}

/// One band's working memory: O(width x window).
struct Band<'l, 's, S: Source> {
    level: &'l Level<'s, S>,
    horizontal: Ring,
    coeffs: Ring,
    x: Vec<f64>,
    y: Vec<f64>,
    stats: Vec<f64>,
    products: Vec<f64>,
    acc: Vec<f64>,
    folded: Vec<f64>,
}

impl<'l, 's, S: Source> Band<'l, 's, S> {
    fn new(level: &'l Level<'s, S>) -> Self {
        let (w, mw) = (level.src.width(), level.cols.map_len);
        // A window's rows never collide in a ring of `2r + 3` slots: consecutive map rows
        // reuse each other's rows, and a miss only costs a recomputation.
        let slots = level.rows.taps + 2;
        Band {
            level,
            horizontal: Ring::new(slots, STATS * mw),
            coeffs: Ring::new(slots, COEFFS * mw),
            x: vec![0.0; w],
            y: vec![0.0; w],
            stats: vec![0.0; STATS * mw],
            products: vec![0.0; 3 * w],
            acc: vec![0.0; COEFFS * mw],
            folded: vec![0.0; COEFFS * w],
        }
    }

    /// Makes sure the horizontal statistics of image row `i` are in the ring.
    fn horizontal(&mut self, i: usize) {
        if self.horizontal.get(i).is_some() {
            return;
        }
        let lv = self.level;
        lv.src.row(i, &mut self.x, &mut self.y);
        let (w, mw) = (self.x.len(), lv.cols.map_len);
        for j in 0..w {
            let (a, b) = (self.x[j], self.y[j]);
            self.products[j] = a * a;
            self.products[w + j] = b * b;
            self.products[2 * w + j] = a * b;
        }
        let out = self.horizontal.claim(i);
        let run = lv.cols.fwd_plain;
        let sources: [&[f64]; STATS] = [
            &self.x,
            &self.y,
            &self.products[..w],
            &self.products[w..2 * w],
            &self.products[2 * w..],
        ];
        for (q, src) in sources.iter().enumerate() {
            fir(&mut out[q * mw..(q + 1) * mw], src, &lv.cols.g, run);
        }
        // The positions whose window is padded: the folded tap lists.
        for p in (0..mw).filter(|&p| !run.contains(p)) {
            for (q, src) in sources.iter().enumerate() {
                let mut acc = 0.0;
                for &(j, wt) in lv.cols.forward(p) {
                    acc += wt * src[j];
                }
                out[q * mw + p] = acc;
            }
        }
    }

    /// Makes sure the coefficient row of map row `p` is in the ring.
    fn coefficients(&mut self, p: usize) {
        if self.coeffs.get(p).is_some() {
            return;
        }
        let lv = self.level;
        self.stats.fill(0.0);
        for &(i, w) in lv.rows.forward(p) {
            self.horizontal(i);
            let h = self.horizontal.get(i).expect("row just computed");
            for (s, &v) in self.stats.iter_mut().zip(h) {
                *s += w * v;
            }
        }
        let mw = lv.cols.map_len;
        let st = &self.stats;
        let out = self.coeffs.claim(p);
        for q in 0..mw {
            let [a, b, c] = coefficients(
                lv,
                [
                    st[q],
                    st[mw + q],
                    st[2 * mw + q],
                    st[3 * mw + q],
                    st[4 * mw + q],
                ],
            );
            out[q] = a;
            out[mw + q] = b;
            out[2 * mw + q] = c;
        }
    }

    /// The gradient of image row `i`, in f64, into `row`.
    fn output_row(&mut self, i: usize, row: &mut [f64]) {
        let lv = self.level;
        self.acc.fill(0.0);
        for &(p, w) in lv.rows.adjoint(i) {
            self.coefficients(p);
            let c = self.coeffs.get(p).expect("row just computed");
            for (s, &v) in self.acc.iter_mut().zip(c) {
                *s += w * v;
            }
        }
        let (width, mw) = (lv.src.width(), lv.cols.map_len);
        let run = lv.cols.bwd_plain;
        for m in 0..COEFFS {
            let (acc, folded) = (
                &self.acc[m * mw..(m + 1) * mw],
                &mut self.folded[m * width..(m + 1) * width],
            );
            // Plain samples: `sum_k g[k] acc[j - shift + k]`, the same filter as forward.
            let plain = Run {
                shift: -run.shift,
                ..run
            };
            fir(folded, acc, &lv.cols.g, plain);
            for j in (0..width).filter(|&j| !run.contains(j)) {
                let mut f = 0.0;
                for &(q, wt) in lv.cols.adjoint(j) {
                    f += wt * acc[q];
                }
                folded[j] = f;
            }
        }
        lv.src.row(i, &mut self.x, &mut self.y);
        for (j, o) in row.iter_mut().enumerate() {
            *o = self.folded[j]
                + self.y[j] * self.folded[width + j]
                + self.x[j] * self.folded[2 * width + j];
        }
    }
}

/// `a, b, c` of one map pixel from `mu_x, mu_y, E[x^2], E[y^2], E[xy]`.
#[inline]
fn coefficients<S: Source>(lv: &Level<'_, S>, s: [f64; STATS]) -> [f64; COEFFS] {
    let [mx, my, exx, eyy, exy] = s;
    let mut vx = lv.cov * (exx - mx * mx);
    let mut vy = lv.cov * (eyy - my * my);
    let vxy = lv.cov * (exy - mx * my);
    let mut vy_live = 1.0;
    if lv.clamp {
        vx = vx.max(0.0);
        if vy < 0.0 {
            vy = 0.0;
            vy_live = 0.0;
        }
    }
    let a1 = 2.0 * mx * my + lv.c1;
    let a2 = 2.0 * vxy + lv.c2;
    let b1 = mx * mx + my * my + lv.c1;
    let b2 = vx + vy + lv.c2;
    let (d_my, d_vxy, d_vyy) = match lv.term {
        Term::Ssim => {
            let d = b1 * b2;
            let s = a1 * a2 / d;
            (2.0 * mx * a2 / d - 2.0 * my * s / b1, 2.0 * a1 / d, -s / b2)
        }
        Term::Cs => {
            let cs = a2 / b2;
            (0.0, 2.0 / b2, -cs / b2)
        }
    };
    let d_vyy = d_vyy * vy_live;
    let f = lv.dcov;
    let pi = lv.weight;
    [
        pi * (d_my - 2.0 * f * my * d_vyy - f * mx * d_vxy),
        pi * 2.0 * f * d_vyy,
        pi * f * d_vxy,
    ]
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
        let mut row = vec![0.0f64; w];
        for (i, o) in (start..end).zip(chunk.chunks_exact_mut(w)) {
            band.output_row(i, &mut row);
            extra(i, &mut row);
            for (d, &v) in o.iter_mut().zip(&row) {
                *d = O::from_f64(v);
            }
        }
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

/// An output sample type: f32 for the caller, f64 between pyramid levels.
pub(crate) trait Out: Send + Copy {
    fn from_f64(v: f64) -> Self;
}

impl Out for f32 {
    fn from_f64(v: f64) -> f32 {
        v as f32
    }
}

impl Out for f64 {
    fn from_f64(v: f64) -> f64 {
        v
    }
}
