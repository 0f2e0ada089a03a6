//! The scalar backend: each kernel written out plainly, in the operation order every other
//! backend follows. It is the oracle the SIMD backends are tested against.

use super::{Backend, FormulaConsts, Kernels, MOMENTS};

pub(crate) static KERNELS: Kernels = Kernels {
    backend: Backend::Scalar,
    load_u8: load::<u8>,
    load_u16: load::<u16>,
    load_f32,
    horizontal,
    vertical,
    formula,
    box_horizontal,
    box_vertical,
    box_horizontal_narrow,
    box_vertical_narrow,
    box_formula,
};

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

pub(crate) fn horizontal(x: &[f32], y: &[f32], w: &[f32], n: usize, out: &mut [f32]) {
    let r = w.len() - 1;
    let (mx, rest) = out.split_at_mut(n);
    let (my, rest) = rest.split_at_mut(n);
    let (vx, rest) = rest.split_at_mut(n);
    let (vy, cxy) = rest.split_at_mut(n);
    for o in 0..n {
        let c = o + r;
        let (sx, sy) = (x[c], y[c]);
        let (mut a, mut b, mut qxx, mut qyy, mut qxy) = (0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for k in 1..=r {
            let wk = w[k];
            let (dx1, dx2) = (x[c - k] - sx, x[c + k] - sx);
            let (dy1, dy2) = (y[c - k] - sy, y[c + k] - sy);
            a = ma(wk, dx1 + dx2, a);
            b = ma(wk, dy1 + dy2, b);
            qxx = ma(wk, ma(dx1, dx1, dx2 * dx2), qxx);
            qyy = ma(wk, ma(dy1, dy1, dy2 * dy2), qyy);
            qxy = ma(wk, ma(dx1, dy1, dx2 * dy2), qxy);
        }
        mx[o] = sx + a;
        my[o] = sy + b;
        vx[o] = ma(-a, a, qxx);
        vy[o] = ma(-b, b, qyy);
        cxy[o] = ma(-a, b, qxy);
    }
}

pub(crate) fn vertical(ring: &[f32], slots: &[usize], w: &[f32], n: usize, out: &mut [f32]) {
    let size = 2 * (w.len() - 1) + 1;
    for k in 0..=slots.len() - size {
        let out = &mut out[k * MOMENTS * n..][..MOMENTS * n];
        vertical_row(ring, &slots[k..k + size], w, n, out);
    }
}

fn vertical_row(ring: &[f32], slots: &[usize], w: &[f32], n: usize, out: &mut [f32]) {
    let r = w.len() - 1;
    let slot = |s: usize, m: usize| &ring[(s * MOMENTS + m) * n..][..n];
    let centre = slots[r];
    let (cmx, cmy) = (slot(centre, 0), slot(centre, 1));
    let (mux, rest) = out.split_at_mut(n);
    let (muy, rest) = rest.split_at_mut(n);
    let (sxx, rest) = rest.split_at_mut(n);
    let (syy, sxy) = rest.split_at_mut(n);
    for i in 0..n {
        let (cx, cy) = (cmx[i], cmy[i]);
        let w0 = w[0];
        let mut vx = w0 * slot(centre, 2)[i];
        let mut vy = w0 * slot(centre, 3)[i];
        let mut cv = w0 * slot(centre, 4)[i];
        let (mut a, mut b, mut qxx, mut qyy, mut qxy) = (0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for k in 1..=r {
            let wk = w[k];
            let (s1, s2) = (slots[r - k], slots[r + k]);
            let (dx1, dx2) = (slot(s1, 0)[i] - cx, slot(s2, 0)[i] - cx);
            let (dy1, dy2) = (slot(s1, 1)[i] - cy, slot(s2, 1)[i] - cy);
            a = ma(wk, dx1 + dx2, a);
            b = ma(wk, dy1 + dy2, b);
            qxx = ma(wk, ma(dx1, dx1, dx2 * dx2), qxx);
            qyy = ma(wk, ma(dy1, dy1, dy2 * dy2), qyy);
            qxy = ma(wk, ma(dx1, dy1, dx2 * dy2), qxy);
            vx = ma(wk, slot(s1, 2)[i] + slot(s2, 2)[i], vx);
            vy = ma(wk, slot(s1, 3)[i] + slot(s2, 3)[i], vy);
            cv = ma(wk, slot(s1, 4)[i] + slot(s2, 4)[i], cv);
        }
        mux[i] = cx + a;
        muy[i] = cy + b;
        sxx[i] = vx + ma(-a, a, qxx);
        syy[i] = vy + ma(-b, b, qyy);
        sxy[i] = cv + ma(-a, b, qxy);
    }
}

pub(crate) fn formula(
    stats: &[f32],
    n: usize,
    k: &FormulaConsts,
    pool: (usize, usize),
    ssim: &mut [f32],
    cs: &mut [f32],
) -> (f64, f64) {
    let (c1, c2, cov) = (k.c1 as f32, k.c2 as f32, k.cov as f32);
    let row = |m: usize| &stats[m * n..][..n];
    let (mux, muy, sxx, syy, sxy) = (row(0), row(1), row(2), row(3), row(4));
    for i in 0..n {
        let (mx, my) = (mux[i], muy[i]);
        // Unfused and in this order on every backend: with mx == my the numerator and the
        // denominator round identically, so SSIM(x, x) is exactly 1.
        let l = (2.0 * mx * my + c1) / ((mx * mx + my * my) + c1);
        let c = ma(2.0 * cov, sxy[i], c2) / ma(cov, sxx[i] + syy[i], c2);
        cs[i] = c;
        ssim[i] = l * c;
    }
    row_sums(ssim, cs, pool)
}

/// f64 sums over `pool` in a fixed order every backend follows: column `pool.0 + j` goes to
/// accumulator `j mod 8`, each accumulator adds its columns left to right, and [`combine8`]
/// adds the eight. Eight lanes are one AVX-512 f64 vector, two AVX2 ones, four NEON ones, so
/// each backend reproduces these bits, and the mean does not depend on the lane count.
pub(crate) fn row_sums(ssim: &[f32], cs: &[f32], pool: (usize, usize)) -> (f64, f64) {
    let (mut s, mut c) = ([0.0f64; 8], [0.0f64; 8]);
    for (j, i) in (pool.0..pool.1).enumerate() {
        s[j % 8] += ssim[i] as f64;
        c[j % 8] += cs[i] as f64;
    }
    (combine8(&s), combine8(&c))
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

/// The first map row of the pass adds its `size` window rows; each next one adds the row
/// entering the window and subtracts the one leaving it. The sums are integers below 2^53, so
/// both ways are exact and give the same bits.
pub(crate) fn box_vertical(ring: &[f64], slots: &[usize], size: usize, n: usize, out: &mut [f64]) {
    let row = |s: usize, m: usize| &ring[(s * MOMENTS + m) * n..][..n];
    for m in 0..MOMENTS {
        let o = &mut out[m * n..][..n];
        o.copy_from_slice(row(slots[0], m));
        for &s in &slots[1..size] {
            for (acc, v) in o.iter_mut().zip(row(s, m)) {
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

/// [`box_horizontal`] in f32 for 8-bit samples: the sums (running, as there) are integers
/// below 2^24, exact in f32 whatever the order, so they equal the f64 ones.
pub(crate) fn box_horizontal_narrow(x: &[f32], y: &[f32], size: usize, n: usize, out: &mut [f32]) {
    let (sx, rest) = out.split_at_mut(n);
    let (sy, rest) = rest.split_at_mut(n);
    let (sxx, rest) = rest.split_at_mut(n);
    let (syy, sxy) = rest.split_at_mut(n);
    let (mut a, mut b, mut aa, mut bb, mut ab) = (0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32);
    for j in 0..size {
        let (p, q) = (x[j], y[j]);
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
            let (p, q) = (x[o], y[o]);
            let (pn, qn) = (x[o + size], y[o + size]);
            a += pn - p;
            b += qn - q;
            aa += pn * pn - p * p;
            bb += qn * qn - q * q;
            ab += pn * qn - p * q;
        }
    }
}

/// [`box_vertical`] over an f32 ring of exact 8-bit sums: they are integers below 2^24, so
/// summing them in f64 gives the same values as summing them in f32.
pub(crate) fn box_vertical_narrow(
    ring: &[f32],
    slots: &[usize],
    size: usize,
    n: usize,
    out: &mut [f64],
) {
    let row = |s: usize, m: usize| &ring[(s * MOMENTS + m) * n..][..n];
    for m in 0..MOMENTS {
        let o = &mut out[m * n..][..n];
        for (acc, v) in o.iter_mut().zip(row(slots[0], m)) {
            *acc = *v as f64;
        }
        for &s in &slots[1..size] {
            for (acc, v) in o.iter_mut().zip(row(s, m)) {
                *acc += *v as f64;
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
                *acc = prev[m * n + i] + enter[i] as f64 - leave[i] as f64;
            }
        }
    }
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
