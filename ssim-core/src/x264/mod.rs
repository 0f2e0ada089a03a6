//! FFmpeg's `ssim` filter: x264's 8x8 approximation of SSIM, reproduced exactly.
//!
//! This is a different algorithm from the Gaussian and box windows of [`Params`](crate::Params),
//! not a parameter set of it, so it has its own entry points. For one plane of `W x H` integer
//! samples (FFmpeg's `libavfilter/vf_ssim.c`, x264's `pixel_ssim_wxh`):
//!
//! * 4x4 block sums on the 4-pixel grid: `s1 = sum a`, `s2 = sum b`, `ss = sum a^2 + sum b^2`,
//!   `s12 = sum a b`; columns and rows beyond the last multiple of 4 are ignored.
//! * Every 2x2 group of adjacent blocks is one 8x8 window (windows overlap by 4 pixels), and
//!   its sums `S1, S2, SS, S12` are the four blocks' sums.
//! * In exact integers: `vars = 64 SS - S1^2 - S2^2`, `covar = 64 S12 - S1 S2`, and
//!   `ssim_w = (2 S1 S2 + c1)(2 covar + c2) / ((S1^2 + S2^2 + c1)(vars + c2))` where FFmpeg
//!   converts each of the four factors to f32 and forms the two products and the quotient in
//!   f32; this module does the same, so a window gives FFmpeg's bits.
//! * `c1 = (int)(.01*.01*max*max*64 + .5)`, `c2 = (int)(.03*.03*max*max*64*63 + .5)` with
//!   `max = 2^depth - 1` (see [`constants`]).
//! * The plane's value is the mean of `ssim_w` over the `((W>>2)-1) x ((H>>2)-1)` windows:
//!   each row of windows summed in f64 (8-bit) or, as FFmpeg's high-bit-depth path does, in
//!   f32 from left to right (9 to 16 bits), and the rows in f64.
//!
//! In terms of window means this is SSIM with the *sample* covariance (divide by 63),
//! `C2 = (0.03 max)^2` and a luminance constant of `C1 / 64`: FFmpeg's and x264's numbers,
//! which differ from [`Params::wang2004`](crate::Params::wang2004) by design.
//!
//! The two planes enter the formula symmetrically, so which one is the reference does not
//! change the value.
//!
//! ```
//! use ssim_core::{x264, Plane};
//! let (w, h) = (64, 48);
//! let a: Vec<u8> = (0..w * h).map(|i| ((i * 7) % 256) as u8).collect();
//! let b: Vec<u8> = a.iter().map(|&v| v.saturating_add(3)).collect();
//! let v = x264::ssim(&Plane::new(&a, w, h)?, &Plane::new(&b, w, h)?, 8)?;
//! assert!(v > 0.9 && v < 1.0);
//! # Ok::<(), ssim_core::Error>(())
//! ```

use crate::backend::Kernels;
use crate::error::{Error, Result};
use crate::kernels::x264::{BlockRowU8, STRIP};
use crate::plane::{Plane, Sample, SampleSlice};
use crate::Backend;

#[cfg(test)]
mod tests;

/// Side of one window in pixels (windows start every 4 pixels).
pub const WINDOW: usize = 8;

// Windows per column strip (`kernels::x264::STRIP`). The strip's block sums live on the
// stack (two block rows of `STRIP + 1` blocks), so memory does not depend on the image and
// no scratch is needed.

/// FFmpeg's integer constants `(c1, c2)` for samples of `bit_depth` bits (8..=16).
///
/// ```
/// assert_eq!(ssim_core::x264::constants(8)?, (416, 235963));
/// assert_eq!(ssim_core::x264::constants(10)?, (6698, 3797644));
/// # Ok::<(), ssim_core::Error>(())
/// ```
pub fn constants(bit_depth: u32) -> Result<(i64, i64)> {
    if !(8..=16).contains(&bit_depth) {
        return Err(Error::InvalidParameter {
            name: "bit_depth",
            expected: "8..=16 (FFmpeg's ssim filter takes 8- to 16-bit integer samples)",
        });
    }
    let max = ((1u32 << bit_depth) - 1) as f64;
    // The C expressions, evaluated left to right in double and truncated.
    let c1 = (0.01 * 0.01 * max * max * 64.0 + 0.5) as i64;
    let c2 = (0.03 * 0.03 * max * max * 64.0 * 63.0 + 0.5) as i64;
    Ok((c1, c2))
}

/// The number of 8x8 windows across and down a `width x height` plane:
/// `((width >> 2) - 1, (height >> 2) - 1)`. Both sides must be at least 8.
///
/// ```
/// assert_eq!(ssim_core::x264::windows(1920, 1080)?, (479, 269));
/// assert!(ssim_core::x264::windows(7, 100).is_err());
/// # Ok::<(), ssim_core::Error>(())
/// ```
pub fn windows(width: usize, height: usize) -> Result<(usize, usize)> {
    if width < WINDOW || height < WINDOW {
        return Err(Error::ImageSmallerThanWindow {
            width,
            height,
            window: WINDOW,
        });
    }
    Ok(((width >> 2) - 1, (height >> 2) - 1))
}

/// FFmpeg's dB figure: `10 log10(weight / (weight - ssim))`, infinite when
/// `|weight - ssim| <= 1e-9`. Per frame `weight` is 1; for a sum over `n` frames it is `n`.
///
/// ```
/// let db = ssim_core::x264::ssim_db(0.984475, 1.0);
/// assert!((db - 18.0896).abs() < 1e-3);
/// assert!(ssim_core::x264::ssim_db(1.0, 1.0).is_infinite());
/// ```
pub fn ssim_db(ssim: f64, weight: f64) -> f64 {
    if libm::fabs(weight - ssim) > 1e-9 {
        10.0 * libm::log10(weight / (weight - ssim))
    } else {
        f64::INFINITY
    }
}

/// FFmpeg's SSIM of one plane of integer samples of `bit_depth` bits (8 for `u8`, 9..=16
/// for `u16`). Errors: f32 samples, a bit depth that does not fit the type, different
/// sizes, a side below 8.
///
/// ```
/// use ssim_core::{x264, Plane};
/// let a = vec![512u16; 16 * 16];
/// let p = Plane::new(&a, 16, 16)?;
/// assert_eq!(x264::ssim(&p, &p, 10)?, 1.0);
/// # Ok::<(), ssim_core::Error>(())
/// ```
pub fn ssim<T: Sample>(x: &Plane<'_, T>, y: &Plane<'_, T>, bit_depth: u32) -> Result<f64> {
    ssim_with(x, y, bit_depth, None)
}

/// [`ssim`] on a chosen backend (`None`: the fastest this CPU runs). Every backend gives the
/// same value to rounding of the f64 sums (the window values are the same bits):
/// [`Backend::Scalar`] is the window-by-window reference; the other backends run the
/// backend's block-sum and window kernels (all of them the same bits). Only 8-bit planes
/// with pixel step 1 have both; 9- to 12-bit planes with pixel step 1 have the block sums
/// (whose values are exact integers, so every backend gives the same bits there); others
/// always run the reference.
///
/// ```
/// use ssim_core::{x264, Backend, Plane};
/// let a: Vec<u8> = (0..32 * 32).map(|i| (i % 251) as u8).collect();
/// let b: Vec<u8> = a.iter().map(|&v| v ^ 3).collect();
/// let (x, y) = (Plane::new(&a, 32, 32)?, Plane::new(&b, 32, 32)?);
/// let s = x264::ssim_with(&x, &y, 8, Some(Backend::Scalar))?;
/// assert!((x264::ssim(&x, &y, 8)? - s).abs() < 1e-12);
/// # Ok::<(), ssim_core::Error>(())
/// ```
pub fn ssim_with<T: Sample>(
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    bit_depth: u32,
    backend: Option<Backend>,
) -> Result<f64> {
    let backend = match backend {
        Some(b) => {
            b.kernels()?;
            b
        }
        None => Backend::detect(),
    };
    if (x.width(), x.height()) != (y.width(), y.height()) {
        return Err(Error::SizeMismatch {
            reference: (x.width(), x.height()),
            distorted: (y.width(), y.height()),
        });
    }
    let (ww, wh) = windows(x.width(), x.height())?;
    let (c1, c2) = constants(bit_depth)?;
    let sum = match T::slice(x.row(0)) {
        SampleSlice::U8(_) => {
            if bit_depth != 8 {
                return Err(Error::InvalidParameter {
                    name: "bit_depth",
                    expected: "8 for u8 samples",
                });
            }
            if x.step() == 1 && y.step() == 1 && backend != Backend::Scalar {
                let c = (c1 as i32, c2 as i32);
                plane_sum_u8(x, y, ww, wh, c, backend.kernels()?)?
            } else {
                plane_sum::<u8, T>(x, y, ww, wh, c1, c2)?
            }
        }
        SampleSlice::U16(_) => {
            if bit_depth == 8 {
                return Err(Error::InvalidParameter {
                    name: "bit_depth",
                    expected: "9..=16 for u16 samples (8-bit data comes as u8)",
                });
            }
            plane_sum_high::<T>(x, y, ww, wh, bit_depth, (c1, c2), backend)?
        }
        SampleSlice::F32(_) => {
            return Err(Error::InvalidParameter {
                name: "sample type",
                expected: "u8 or u16 samples (FFmpeg's ssim filter has no float formats)",
            })
        }
    };
    Ok(sum / (ww * wh) as f64)
}

/// The integer sample types.
trait Int: Copy {
    fn widen(self) -> i64;
    fn of(s: SampleSlice<'_>) -> Option<&[Self]>;
}
impl Int for u8 {
    #[inline(always)]
    fn widen(self) -> i64 {
        self as i64
    }
    fn of(s: SampleSlice<'_>) -> Option<&[u8]> {
        match s {
            SampleSlice::U8(s) => Some(s),
            _ => None,
        }
    }
}
impl Int for u16 {
    #[inline(always)]
    fn widen(self) -> i64 {
        self as i64
    }
    fn of(s: SampleSlice<'_>) -> Option<&[u16]> {
        match s {
            SampleSlice::U16(s) => Some(s),
            _ => None,
        }
    }
}

/// The four sums of one block or window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Sums {
    pub(crate) s1: i64,
    pub(crate) s2: i64,
    pub(crate) ss: i64,
    pub(crate) s12: i64,
}

impl Sums {
    #[inline(always)]
    fn add(self, o: Sums) -> Sums {
        Sums {
            s1: self.s1 + o.s1,
            s2: self.s2 + o.s2,
            ss: self.ss + o.ss,
            s12: self.s12 + o.s12,
        }
    }
}

/// One window's value from its sums, with FFmpeg's rounding points (`ssim_end1` /
/// `ssim_end1x`): exact integers, each factor rounded once to f32, products and quotient in
/// f32.
#[inline(always)]
pub(crate) fn window(w: Sums, c1: i64, c2: i64) -> f32 {
    let Sums { s1, s2, ss, s12 } = w;
    let vars = ss * 64 - s1 * s1 - s2 * s2;
    let covar = s12 * 64 - s1 * s2;
    let num = (2 * s1 * s2 + c1) as f32 * (2 * covar + c2) as f32;
    let den = (s1 * s1 + s2 * s2 + c1) as f32 * (vars + c2) as f32;
    num / den
}

/// The four rows of block row `z` of both planes.
type Band<'a, R> = ([&'a [R]; 4], [&'a [R]; 4]);

fn band<'a, R: Int, T: Sample>(
    x: &Plane<'a, T>,
    y: &Plane<'a, T>,
    z: usize,
) -> Result<Band<'a, R>> {
    let wrong = Error::InvalidParameter {
        name: "sample type",
        expected: "one integer sample type for both planes",
    };
    let mut a: [&[R]; 4] = [&[]; 4];
    let mut b: [&[R]; 4] = [&[]; 4];
    for r in 0..4 {
        a[r] = R::of(T::slice(x.row(4 * z + r))).ok_or(wrong)?;
        b[r] = R::of(T::slice(y.row(4 * z + r))).ok_or(wrong)?;
    }
    Ok((a, b))
}

/// Block sums of blocks `b0..b0 + out.len()` of one band (`step` samples between pixels).
fn block_line<R: Int>(band: &Band<'_, R>, step: usize, b0: usize, out: &mut [Sums]) {
    let (a, b) = band;
    for (i, o) in out.iter_mut().enumerate() {
        let x0 = (b0 + i) * 4;
        let mut s = Sums::default();
        for r in 0..4 {
            for k in 0..4 {
                let p = (x0 + k) * step;
                let (u, v) = (a[r][p].widen(), b[r][p].widen());
                s.s1 += u;
                s.s2 += v;
                s.ss += u * u + v * v;
                s.s12 += u * v;
            }
        }
        *o = s;
    }
}

/// Sum of every window's value, strip by strip of [`STRIP`] windows, each row of a strip
/// summed in f64 before it is added to the total.
fn plane_sum<R: Int, T: Sample>(
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    ww: usize,
    wh: usize,
    c1: i64,
    c2: i64,
) -> Result<f64> {
    let step = same_step(x, y)?;
    let line = |band: &Band<'_, R>, x0: usize, out: &mut [Sums]| block_line(band, step, x0, out);
    let mut total = 0.0f64;
    strip_walk::<R, T>(x, y, ww, wh, line, |_, prev, cur| {
        let mut row = 0.0f64;
        for i in 0..prev.len() - 1 {
            row += window(quad(prev, cur, i), c1, c2) as f64;
        }
        total += row;
    })?;
    Ok(total)
}

/// The sums of window `i` from the block rows above and below it.
#[inline(always)]
fn quad(prev: &[Sums], cur: &[Sums], i: usize) -> Sums {
    prev[i].add(prev[i + 1]).add(cur[i]).add(cur[i + 1])
}

/// The pixel step both planes share.
fn same_step<T: Sample>(x: &Plane<'_, T>, y: &Plane<'_, T>) -> Result<usize> {
    if y.step() != x.step() {
        return Err(Error::InvalidParameter {
            name: "step",
            expected: "the same pixel step in both planes",
        });
    }
    Ok(x.step())
}

/// The walk of [`plane_sum`]: strip by strip of up to [`STRIP`] windows from the left, each
/// strip down the plane, every block row computed once by `line(band, first block, out)`;
/// `row(z, prev, cur)` gets row `z` of the strip's windows as the block rows above and below
/// it (one block more than windows).
fn strip_walk<R: Int, T: Sample>(
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    ww: usize,
    wh: usize,
    mut line: impl FnMut(&Band<'_, R>, usize, &mut [Sums]),
    mut row: impl FnMut(usize, &[Sums], &[Sums]),
) -> Result<()> {
    let mut prev = [Sums::default(); STRIP + 1];
    let mut cur = [Sums::default(); STRIP + 1];
    let mut x0 = 0;
    while x0 < ww {
        let n = (ww - x0).min(STRIP);
        line(&band::<R, T>(x, y, 0)?, x0, &mut prev[..=n]);
        for z in 1..=wh {
            line(&band::<R, T>(x, y, z)?, x0, &mut cur[..=n]);
            row(z - 1, &prev[..=n], &cur[..=n]);
            core::mem::swap(&mut prev, &mut cur);
        }
        x0 += n;
    }
    Ok(())
}

/// The high-bit-depth order of summation: every row of windows summed in f32 from left to
/// right (FFmpeg's `ssim_endn_16bit`), rows in f64. The row's windows are taken strip by strip,
/// each strip's upper block row computed again, so the stack still holds only two block rows
/// of one strip: twice the block sums of [`plane_sum`] for FFmpeg's exact value (its dB figure
/// in the 6th decimal can depend on these f32 roundings).
fn plane_sum_f32_rows<R: Int, T: Sample>(
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    ww: usize,
    wh: usize,
    c1: i64,
    c2: i64,
) -> Result<f64> {
    let step = x.step();
    if y.step() != step {
        return Err(Error::InvalidParameter {
            name: "step",
            expected: "the same pixel step in both planes",
        });
    }
    let mut top = [Sums::default(); STRIP + 1];
    let mut bottom = [Sums::default(); STRIP + 1];
    let mut total = 0.0f64;
    for z in 1..=wh {
        let (upper, lower) = (band::<R, T>(x, y, z - 1)?, band::<R, T>(x, y, z)?);
        let mut row = 0.0f32;
        let mut x0 = 0;
        while x0 < ww {
            let n = (ww - x0).min(STRIP);
            block_line(&upper, step, x0, &mut top[..=n]);
            block_line(&lower, step, x0, &mut bottom[..=n]);
            for i in 0..n {
                row += window(quad(&top, &bottom, i), c1, c2);
            }
            x0 += n;
        }
        total += row as f64;
    }
    Ok(total)
}

/// The 9- to 16-bit sums: the strip order when the rows of windows fit [`ROW_SUMS`], its block
/// sums on `backend`'s kernels for packed planes of at most 12 bits (exact in i32), the row
/// walk otherwise.
#[cfg_attr(not(feature = "u16"), allow(unused_variables))]
fn plane_sum_high<T: Sample>(
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    ww: usize,
    wh: usize,
    bit_depth: u32,
    (c1, c2): (i64, i64),
    backend: Backend,
) -> Result<f64> {
    let step = same_step(x, y)?;
    if wh > ROW_SUMS {
        return plane_sum_f32_rows::<u16, T>(x, y, ww, wh, c1, c2);
    }
    #[cfg(feature = "u16")]
    if step == 1 && bit_depth <= 12 {
        let k = backend.kernels()?;
        let mut blocks = BlockRowU8::ZERO;
        let line = |band: &Band<'_, u16>, x0: usize, out: &mut [Sums]| {
            (k.x264_blocks_u16)(&band.0, &band.1, 4 * x0, out.len(), &mut blocks);
            for (i, o) in out.iter_mut().enumerate() {
                *o = Sums {
                    s1: blocks.s1[i] as i64,
                    s2: blocks.s2[i] as i64,
                    ss: blocks.ss[i] as i64,
                    s12: blocks.s12[i] as i64,
                };
            }
        };
        return plane_sum_f32_strips::<u16, T>(x, y, ww, wh, (c1, c2), line);
    }
    let line = |band: &Band<'_, u16>, x0: usize, out: &mut [Sums]| block_line(band, step, x0, out);
    plane_sum_f32_strips::<u16, T>(x, y, ww, wh, (c1, c2), line)
}

/// Rows of windows whose f32 sums [`plane_sum_f32_strips`] keeps on the stack (4 KiB on
/// 64-bit targets, enough for planes up to 4,103 pixels high; taller planes, and every plane
/// on smaller targets, take [`plane_sum_f32_rows`]).
const ROW_SUMS: usize = if cfg!(target_pointer_width = "64") {
    1024
} else {
    0
};

/// [`plane_sum_f32_rows`]' sums (every row of windows in f32 from left to right, rows in
/// f64) with each block row computed once: strip by strip down the plane as [`plane_sum`],
/// each row's f32 sum carried from one strip to the next in `rows`. The windows of a row are
/// still added in order from left to right, so the bits are those of
/// [`plane_sum_f32_rows`], for half its block sums.
fn plane_sum_f32_strips<R: Int, T: Sample>(
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    ww: usize,
    wh: usize,
    (c1, c2): (i64, i64),
    line: impl FnMut(&Band<'_, R>, usize, &mut [Sums]),
) -> Result<f64> {
    let mut rows = [0.0f32; ROW_SUMS];
    let rows = rows.get_mut(..wh).ok_or(Error::InvalidParameter {
        name: "height",
        expected: "at most ROW_SUMS rows of windows for the strip order",
    })?;
    strip_walk::<R, T>(x, y, ww, wh, line, |z, prev, cur| {
        let sum = &mut rows[z];
        for i in 0..prev.len() - 1 {
            *sum += window(quad(prev, cur, i), c1, c2);
        }
    })?;
    let mut total = 0.0f64;
    for &row in rows.iter() {
        total += row as f64;
    }
    Ok(total)
}

/// Strips walked side by side, block row by block row, in [`plane_sum_u8`]: up to
/// `GROUP * STRIP` windows (`4 * GROUP * STRIP` pixels) of every pixel row are read in one
/// contiguous run. One strip walked down the whole height reads 516 bytes of each row, a
/// new 4 KiB page per row: at 4K (two planes of 2160 rows) that outgrows the TLB and gives
/// the prefetchers short runs (BENCHMARKS.md, video section). Each block row of a strip is
/// 2 KiB of stack, so small (32-bit) targets keep one strip at a time.
const GROUP: usize = if cfg!(target_pointer_width = "64") {
    8
} else {
    1
};

/// The 8-bit path for planes with pixel step 1, on a backend's kernels
/// (`kernels::x264`): the sums of [`plane_sum`] in i32 (FFmpeg's `ssim_end1` types), block
/// rows and window rows strip by strip ([`GROUP`] strips side by side), each strip's row
/// summed in four f64 lanes (window `i` into lane `i % 4`, as FFmpeg's SSE4
/// `ssim_end_line`). The order is fixed by the kernels, so every backend gives the same
/// bits.
fn plane_sum_u8<T: Sample>(
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    ww: usize,
    wh: usize,
    c: (i32, i32),
    k: &Kernels,
) -> Result<f64> {
    let mut rows = [[BlockRowU8::ZERO; GROUP]; 2];
    let mut total = 0.0f64;
    let mut g0 = 0;
    while g0 < ww {
        let gn = (ww - g0).min(GROUP * STRIP);
        let strips = gn.div_ceil(STRIP);
        // Strip `s` of the group: its first window and its number of windows.
        let strip = |s: usize| (g0 + s * STRIP, (gn - s * STRIP).min(STRIP));
        let [prev, cur] = &mut rows;
        // Swapped as references from row to row: the rows themselves never move.
        let (mut prev, mut cur) = (prev, cur);
        let (a, b) = band::<u8, T>(x, y, 0)?;
        for (s, row) in prev[..strips].iter_mut().enumerate() {
            let (x0, n) = strip(s);
            (k.x264_blocks_u8)(&a, &b, 4 * x0, n + 1, row);
        }
        for z in 1..=wh {
            let (a, b) = band::<u8, T>(x, y, z)?;
            for (s, (p, q)) in prev[..strips].iter().zip(&mut cur[..strips]).enumerate() {
                let (x0, n) = strip(s);
                (k.x264_blocks_u8)(&a, &b, 4 * x0, n + 1, q);
                total += (k.x264_windows_u8)(p, q, n, c);
            }
            core::mem::swap(&mut prev, &mut cur);
        }
        g0 += gn;
    }
    Ok(total)
}
