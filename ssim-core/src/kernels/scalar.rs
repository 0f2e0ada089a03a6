//! The scalar backend: each kernel written out plainly, in the operation order every other
//! backend follows. It is the oracle the SIMD backends are tested against.

use super::{ud_at, ud_slot, FormulaConsts, MOMENTS, UD_MOMENTS};

pub(crate) use super::downsample::scalar as downsample;
pub(crate) use super::x264::scalar::{blocks as x264_blocks_u8, windows as x264_windows_u8};

/// `a * b + c`, rounded twice: core has no FMA without `std` or a target feature, and the
/// scalar path must give the same bits on every target.
#[inline(always)]
fn ma(a: f32, b: f32, c: f32) -> f32 {
    a * b + c
}

pub(crate) fn load<T: crate::Sample>(src: &[T], step: usize, out: &mut [f32]) {
    for (o, s) in out.iter_mut().zip(src.iter().step_by(step)) {
        *o = s.to_f32();
    }
}

pub(crate) fn load_f32(src: &[f32], step: usize, out: &mut [f32]) -> Option<usize> {
    let mut bad = None;
    for (i, (o, &s)) in out.iter_mut().zip(src.iter().step_by(step)).enumerate() {
        if !s.is_finite() && bad.is_none() {
            bad = Some(i);
        }
        *o = s;
    }
    bad
}

/// Centred horizontal moments of `u = x + y` and `d = x - y` (`x`, `y` are overwritten with
/// them): per output column the local means `mu, md` and variances `vu, vd`, each accumulated
/// relative to the centre sample so that f32 never subtracts two large, nearly equal numbers.
///
/// Four moments instead of the usual five (`mx, my, vx, vy, cxy`): SSIM needs the variances
/// only as `vx + vy = (vu + vd) / 2` and `cxy = (vu - vd) / 4`, and the means as
/// `mx my = (mu^2 - md^2) / 4`, `mx^2 + my^2 = (mu^2 + md^2) / 2`.
pub(crate) fn horizontal(x: &mut [f32], y: &mut [f32], w: &[f32], n: usize, out: &mut [f32]) {
    let r = w.len() - 1;
    sum_difference(&mut x[..n + 2 * r], &mut y[..n + 2 * r]);
    let (u, d) = (&*x, &*y);
    let out = &mut out[..ud_slot(n)];
    for o in 0..n {
        let c = o + r;
        let (su, sd) = (u[c], d[c]);
        let (mut a, mut b, mut qu, mut qd) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for k in 1..=r {
            let wk = w[k];
            let (du1, du2) = (u[c - k] - su, u[c + k] - su);
            let (dd1, dd2) = (d[c - k] - sd, d[c + k] - sd);
            a = ma(wk, du1 + du2, a);
            b = ma(wk, dd1 + dd2, b);
            qu = ma(wk, ma(du1, du1, du2 * du2), qu);
            qd = ma(wk, ma(dd1, dd1, dd2 * dd2), qd);
        }
        out[ud_at(0, o)] = su + a;
        out[ud_at(1, o)] = sd + b;
        out[ud_at(2, o)] = ma(-a, a, qu);
        out[ud_at(3, o)] = ma(-b, b, qd);
    }
}

/// The four statistics `mu, md, vu, vd` of column `i` from the window rows `slots`.
#[inline(always)]
fn vertical_pixel(
    ring: &[f32],
    slots: &[usize],
    w: &[f32],
    n: usize,
    i: usize,
) -> [f32; UD_MOMENTS] {
    let r = w.len() - 1;
    let at = |s: usize, m: usize| ring[s * ud_slot(n) + ud_at(m, i)];
    let centre = slots[r];
    let (cu, cd) = (at(centre, 0), at(centre, 1));
    let w0 = w[0];
    let mut vu = w0 * at(centre, 2);
    let mut vd = w0 * at(centre, 3);
    let (mut a, mut b, mut qu, mut qd) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    for k in 1..=r {
        let wk = w[k];
        let (s1, s2) = (slots[r - k], slots[r + k]);
        let (du1, du2) = (at(s1, 0) - cu, at(s2, 0) - cu);
        let (dd1, dd2) = (at(s1, 1) - cd, at(s2, 1) - cd);
        a = ma(wk, du1 + du2, a);
        b = ma(wk, dd1 + dd2, b);
        qu = ma(wk, ma(du1, du1, du2 * du2), qu);
        qd = ma(wk, ma(dd1, dd1, dd2 * dd2), qd);
        vu = ma(wk, at(s1, 2) + at(s2, 2), vu);
        vd = ma(wk, at(s1, 3) + at(s2, 3), vd);
    }
    [cu + a, cd + b, vu + ma(-a, a, qu), vd + ma(-b, b, qd)]
}

/// The vertical combination ([`vertical_pixel`]) and the formula ([`formula_pixel`]) of the
/// map rows of one pass: map row `k` of the pass gets its SSIM row in `out[2k n..]` and its cs
/// row in `out[(2k + 1) n..]`.
pub(crate) fn vertical_formula(
    ring: &[f32],
    slots: &[usize],
    w: &[f32],
    n: usize,
    k: &FormulaConsts,
    out: &mut [f32],
) {
    let size = 2 * (w.len() - 1) + 1;
    // Blocks of columns: the statistics go through a small buffer so that the formula runs
    // as its own loop, which the compiler vectorises (the division is the costly part).
    const B: usize = 64;
    // One buffer for the whole pass: built per block it cost a 1 KB memset per 64 pixels.
    let mut st = [[0f32; UD_MOMENTS]; B];
    for row in 0..=slots.len() - size {
        let (ssim, cs) = out[2 * row * n..][..2 * n].split_at_mut(n);
        let win = &slots[row..row + size];
        for i0 in (0..n).step_by(B) {
            let len = B.min(n - i0);
            for (j, m) in st.iter_mut().enumerate().take(len) {
                *m = vertical_pixel(ring, win, w, n, i0 + j);
            }
            let (ssim, cs) = (&mut ssim[i0..i0 + len], &mut cs[i0..i0 + len]);
            for ((m, s), c) in st.iter().zip(ssim).zip(cs) {
                (*s, *c) = formula_pixel(*m, k);
            }
        }
    }
}

/// SSIM and cs of one pixel from its statistics `mu, md, vu, vd` (see [`horizontal`]):
///
/// ```text
/// l  = ((mu^2 - md^2) + 2 C1) / ((mu^2 + md^2) + 2 C1)
/// cs = (cov (vu - vd) + 2 C2) / (cov (vu + vd) + 2 C2)
/// ```
///
/// Unfused and in this order on every backend (only `cov * v + 2 C2` may fuse): with
/// `x == y`, `d = 0`, so `md = vd = 0` and numerator and denominator round identically:
/// SSIM(x, x) is exactly 1.
#[inline(always)]
fn formula_pixel(m: [f32; UD_MOMENTS], k: &FormulaConsts) -> (f32, f32) {
    let [mu, md, vu, vd] = m;
    let (c1, c2, cov) = (2.0 * (k.c1 as f32), 2.0 * (k.c2 as f32), k.cov as f32);
    let (pu, pd) = (mu * mu, md * md);
    let l = ((pu - pd) + c1) / ((pu + pd) + c1);
    let c = ma(cov, vu - vd, c2) / ma(cov, vu + vd, c2);
    (l * c, c)
}

/// Columns per block of the f32 partial sums of [`row_sums`]: eight per accumulator.
pub(crate) const SUM_BLOCK: usize = 128;

/// Sums over `pool` in a fixed order every backend follows, with no per-pixel double
/// precision (software on single-precision FPUs such as the Cortex-M4F's, where widening and
/// adding every pixel in f64 cost a quarter of the instructions): within each block of
/// [`SUM_BLOCK`] columns from `pool.0`, column `j` of the block goes to f32 accumulator
/// `j mod 16`, each adding its columns left to right; at the end of the block [`widen16`]
/// adds the sixteen, in f64, to eight f64 accumulators, which [`combine8`] adds. Sixteen lanes
/// are one AVX-512 vector, two AVX2 ones, four NEON ones, so each backend reproduces these
/// bits. An f32 accumulator holds at most eight values of magnitude <= 1, so its rounding
/// error stays below 2^-18 per block (a mean error below 5e-7 in the worst case, far less in
/// practice; the accuracy tests hold the 1e-6 bound).
pub(crate) fn row_sums(ssim: &[f32], cs: &[f32], pool: (usize, usize)) -> (f64, f64) {
    let (mut s, mut c) = ([0.0f64; 8], [0.0f64; 8]);
    if pool.0 < pool.1 {
        let (ssim, cs) = (&ssim[pool.0..pool.1], &cs[pool.0..pool.1]);
        for (bs, bc) in ssim.chunks(SUM_BLOCK).zip(cs.chunks(SUM_BLOCK)) {
            let (mut ps, mut pc) = ([0.0f32; 16], [0.0f32; 16]);
            for (j, (&a, &b)) in bs.iter().zip(bc).enumerate() {
                ps[j % 16] += a;
                pc[j % 16] += b;
            }
            widen16(&mut s, &ps);
            widen16(&mut c, &pc);
        }
    }
    (combine8(&s), combine8(&c))
}

/// Adds sixteen f32 partial sums to eight f64 accumulators: lane `l` and then lane `l + 8`
/// to accumulator `l`.
#[inline(always)]
pub(crate) fn widen16(acc: &mut [f64; 8], p: &[f32; 16]) {
    for l in 0..8 {
        acc[l] += p[l] as f64;
        acc[l] += p[l + 8] as f64;
    }
}

/// The sum of eight accumulators, as a fixed pairwise tree.
#[inline(always)]
pub(crate) fn combine8(a: &[f64; 8]) -> f64 {
    ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
}

pub(crate) fn box_horizontal(x: &[f32], y: &[f32], size: usize, n: usize, out: &mut [f64]) {
    let (sx, rest) = out.split_at_mut(n);
    let (sy, rest) = rest.split_at_mut(n);
    let (sxx, rest) = rest.split_at_mut(n);
    let (syy, sxy) = rest.split_at_mut(n);
    // Integer-valued f64 sums are exact below 2^53, so running sums never drift.
    let (mut a, mut b, mut aa, mut bb, mut ab) = (0.0f64, 0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for j in 0..size {
        let (p, q) = (x[j] as f64, y[j] as f64);
        a += p;
        b += q;
        aa += p * p;
        bb += q * q;
        ab += p * q;
    }
    for o in 0..n {
        sx[o] = a;
        sy[o] = b;
        sxx[o] = aa;
        syy[o] = bb;
        sxy[o] = ab;
        if o + 1 < n {
            let (p, q) = (x[o] as f64, y[o] as f64);
            let (pn, qn) = (x[o + size] as f64, y[o + size] as f64);
            a += pn - p;
            b += qn - q;
            aa += pn * pn - p * p;
            bb += qn * qn - q * q;
            ab += pn * qn - p * q;
        }
    }
}

/// The exact 8-bit box sums of the fused path, in sum/difference form: with `u = x + y` and
/// `d = x - y` (overwriting `x` and `y`, `n + size - 1` values each), the four rows
/// `Su, Sd, Suu, Sdd` of `n` window sums each ([`UD_MOMENTS`](super::UD_MOMENTS)).
/// They are integers below 2^24 for boxes up to [`NARROW_BOX_MAX`](super::NARROW_BOX_MAX)
/// taps, so f32 holds them exactly and every order of summation gives the same bits.
///
/// Four moments instead of five: SSIM needs `Sxx` and `Syy` only through their sum, and
/// `Sxx + Syy = (Suu + Sdd) / 2`, `Sxy = (Suu - Sdd) / 4`, `Sx Sy = (Su^2 - Sd^2) / 4`.
pub(crate) fn box_horizontal_narrow(
    x: &mut [f32],
    y: &mut [f32],
    size: usize,
    n: usize,
    out: &mut [f32],
) {
    sum_difference(&mut x[..n + size - 1], &mut y[..n + size - 1]);
    let (u, d) = (&*x, &*y);
    let (su, rest) = out.split_at_mut(n);
    let (sd, rest) = rest.split_at_mut(n);
    let (suu, sdd) = rest.split_at_mut(n);
    let sdd = &mut sdd[..n];
    let (mut a, mut b, mut aa, mut bb) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    for j in 0..size {
        let (p, q) = (u[j], d[j]);
        a += p;
        b += q;
        aa += p * p;
        bb += q * q;
    }
    for o in 0..n {
        su[o] = a;
        sd[o] = b;
        suu[o] = aa;
        sdd[o] = bb;
        if o + 1 < n {
            let (p, q) = (u[o], d[o]);
            let (pn, qn) = (u[o + size], d[o + size]);
            a += pn - p;
            b += qn - q;
            aa += pn * pn - p * p;
            bb += qn * qn - q * q;
        }
    }
}

/// `x, y <- x + y, x - y`, lane by lane (exact for integer samples below 2^23).
#[inline(always)]
pub(crate) fn sum_difference(x: &mut [f32], y: &mut [f32]) {
    for (p, q) in x.iter_mut().zip(y) {
        (*p, *q) = (*p + *q, *p - *q);
    }
}

/// The first map row of the pass adds its `size` window rows; each next one adds the row
/// entering the window and subtracts the one leaving it. The sums are integers below 2^53, so
/// both ways are exact and give the same bits.
pub(crate) fn box_vertical(ring: &[f64], slots: &[usize], size: usize, n: usize, out: &mut [f64]) {
    let row = |s: usize, m: usize| &ring[(s * MOMENTS + m) * n..][..n];
    for m in 0..MOMENTS {
        let o = &mut out[m * n..][..n];
        for (acc, &v) in o.iter_mut().zip(row(slots[0], m)) {
            *acc = v;
        }
        for &s in &slots[1..size] {
            for (acc, &v) in o.iter_mut().zip(row(s, m)) {
                *acc += v;
            }
        }
    }
    for k in 1..=slots.len() - size {
        let (done, rest) = out.split_at_mut(k * MOMENTS * n);
        let prev = &done[(k - 1) * MOMENTS * n..];
        for m in 0..MOMENTS {
            let (enter, leave) = (row(slots[k + size - 1], m), row(slots[k - 1], m));
            let o = &mut rest[m * n..][..n];
            for (i, acc) in o.iter_mut().enumerate() {
                *acc = prev[m * n + i] + enter[i] - leave[i];
            }
        }
    }
}

/// The vertical window sums of [`box_horizontal_narrow`]'s rows and the formula in one pass
/// (8-bit samples, boxes up to [`NARROW_BOX_MAX`](super::NARROW_BOX_MAX) taps): map row `k`
/// of the pass gets its SSIM row in `out[2k n..]` and its cs row in `out[(2k + 1) n..]` (see
/// [`box_pixel_narrow`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn box_narrow_formula(
    ring: &[f32],
    slots: &[usize],
    size: usize,
    n: usize,
    k: &FormulaConsts,
    carry_in: Option<&[f32]>,
    carry_out: &mut [f32],
    out: &mut [f32],
) {
    let nf = NarrowConsts::new(k);
    let row = |s: usize| &ring[s * UD_MOMENTS * n..][..UD_MOMENTS * n];
    // `carry_out` holds the running window sums, row after row; they are exact integers,
    // so adding and subtracting whole rows gives the same values as summing each window.
    let acc = &mut carry_out[..UD_MOMENTS * n];
    match carry_in {
        Some(c) => {
            for ((a, c), v) in acc.iter_mut().zip(c).zip(row(slots[size - 1])) {
                *a = c + v;
            }
        }
        None => {
            acc.copy_from_slice(row(slots[0]));
            for &s in &slots[1..size] {
                for (a, v) in acc.iter_mut().zip(row(s)) {
                    *a += v;
                }
            }
        }
    }
    let rows = slots.len() + 1 - size;
    for r in 0..rows {
        if r > 0 {
            let (enter, leave) = (row(slots[r + size - 1]), row(slots[r - 1]));
            for ((a, e), l) in acc.iter_mut().zip(enter).zip(leave) {
                *a = *a + e - l;
            }
        }
        let (ssim, cs) = out[2 * r * n..][..2 * n].split_at_mut(n);
        let (su, rest) = acc.split_at(n);
        let (sd, rest) = rest.split_at(n);
        let (suu, sdd) = rest.split_at(n);
        for i in 0..n {
            let m = [su[i], sd[i], suu[i], sdd[i]];
            (ssim[i], cs[i]) = box_pixel_narrow(m, &nf);
        }
    }
    // What the next pass carries: the last window without its top row.
    for (a, v) in acc.iter_mut().zip(row(slots[rows - 1])) {
        *a -= v;
    }
}

/// The f32 constants of [`box_pixel_narrow`].
#[derive(Clone, Copy)]
pub(crate) struct NarrowConsts {
    /// Taps `t` of the window.
    pub taps: i32,
    /// `2 C1 t^2` and `2 C2 t^2`, rounded to f32.
    pub c1: f32,
    pub c2: f32,
    /// The covariance factor.
    pub cov: f32,
}

impl NarrowConsts {
    pub(crate) fn new(k: &FormulaConsts) -> NarrowConsts {
        let t2 = k.taps * k.taps;
        NarrowConsts {
            taps: k.taps as i32,
            c1: (2.0 * k.c1 * t2) as f32,
            c2: (2.0 * k.c2 * t2) as f32,
            cov: k.cov as f32,
        }
    }
}

/// SSIM and cs of one pixel from its exact 8-bit window sums `Su, Sd, Suu, Sdd` (see
/// [`box_horizontal_narrow`]).
///
/// With `A = Su^2`, `B = Sd^2`, `U = t Suu - A` and `D = t Sdd - B` (`t` taps), the formula
/// scaled by `4 t^2` is
///
/// ```text
/// l  = ((A - B) + 2 C1 t^2) / ((A + B) + 2 C1 t^2)
/// cs = (cov (U - D) + 2 C2 t^2) / (cov (U + D) + 2 C2 t^2)
/// ```
///
/// since `A - B = 4 Sx Sy`, `A + B = 2 (Sx^2 + Sy^2)`, `U - D = 4 (t Sxy - Sx Sy)` and
/// `U + D = 2 (t Sxx - Sx^2 + t Syy - Sy^2)`. For 8-bit samples in boxes up to 7x7 these
/// four integers are below 2^31: they are computed exactly in i32 and each rounded once to
/// f32. The rest runs in f32, unfused, in this order on every backend, so the bits are the
/// same everywhere. With `x == y`, `d = 0`, so `B = D = 0` and the numerators equal the
/// denominators bit for bit: SSIM(x, x) is exactly 1.
#[inline(always)]
pub(crate) fn box_pixel_narrow(m: [f32; UD_MOMENTS], k: &NarrowConsts) -> (f32, f32) {
    // The SIMD kernels use i32; f64 holds the same integers exactly (below 2^31 < 2^53), and
    // rounding an exact integer to f32 gives the same bits from either (and converts faster
    // here than a saturating f32-to-i32 cast).
    let [su, sd, suu, sdd] = m.map(|v| v as f64);
    let t = k.taps as f64;
    let (a, b) = (su * su, sd * sd);
    let (u, d) = (t * suu - a, t * sdd - b);
    let (ln, ld) = ((a - b) as f32, (a + b) as f32);
    let (cn, cd) = ((u - d) as f32, (u + d) as f32);
    let l = (ln + k.c1) / (ld + k.c1);
    let c = (k.cov * cn + k.c2) / (k.cov * cd + k.c2);
    (l * c, c)
}

/// SSIM and cs of one pixel from its exact box sums, in f64. Every backend evaluates these
/// operations in this order without fusing, so the bits are the same everywhere.
#[inline(always)]
pub(crate) fn box_pixel(
    a: f64,
    b: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
    k: &FormulaConsts,
) -> (f64, f64) {
    let t = k.taps;
    // Moments as exact-integer numerators over t^2: var = (t*Sxx - Sx^2) / t^2. The
    // numerators are exact in f64 for u8 and u16 with windows up to 7x7 (below 2^53).
    let inv_t2 = 1.0 / (t * t);
    let cov = k.cov * inv_t2;
    let vx = t * sxx - a * a;
    let vy = t * syy - b * b;
    let vxy = t * sxy - a * b;
    let l = (2.0 * a * b * inv_t2 + k.c1) / ((a * a + b * b) * inv_t2 + k.c1);
    let c = (2.0 * cov * vxy + k.c2) / (cov * (vx + vy) + k.c2);
    (l * c, c)
}

/// Overwrites the first two rows of `sums` with the f64 SSIM and cs values, whose pooled
/// columns are then summed as in [`row_sums`].
pub(crate) fn box_formula(
    sums: &mut [f64],
    n: usize,
    k: &FormulaConsts,
    pool: (usize, usize),
    ssim: &mut [f32],
    cs: &mut [f32],
) -> (f64, f64) {
    for i in 0..n {
        let m = |j: usize| sums[j * n + i];
        let (s, c) = box_pixel(m(0), m(1), m(2), m(3), m(4), k);
        sums[i] = s;
        sums[n + i] = c;
        ssim[i] = s as f32;
        cs[i] = c as f32;
    }
    let (mut s, mut c) = ([0.0f64; 8], [0.0f64; 8]);
    for (j, i) in (pool.0..pool.1).enumerate() {
        s[j % 8] += sums[i];
        c[j % 8] += sums[n + i];
    }
    (combine8(&s), combine8(&c))
}
