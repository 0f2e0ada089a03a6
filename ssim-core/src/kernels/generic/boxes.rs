//! The exact box-sum kernels of u8/u16 samples: f64 sums with the f64 formula, and the fused
//! 8-bit path (i32 sums and numerators). Every backend gives the scalar bits.

use super::{chunks, pass_rows, row_sums_d, Widen, MAX_PASS_ROWS};
use crate::kernels::{scalar, FormulaConsts, MOMENTS, NARROW_BOX_MAX, UD_MOMENTS};
use crate::lanes::Lanes;

/// Window sums computed directly (`size` taps per column) rather than by running sums: the
/// values are integers below 2^53, so every order gives the same, exact sums.
#[inline(always)]
pub(crate) fn box_horizontal<S: Lanes>(
    s: S,
    x: &[f32],
    y: &[f32],
    size: usize,
    n: usize,
    out: &mut [f64],
) {
    if n < S::F {
        return scalar::box_horizontal(x, y, size, n, out);
    }
    // Sums of squares below 2^24 are exact in f32, which has twice the lanes of f64: true
    // for 8-bit samples with any box up to 127 taps, and for 10-bit ones up to 7 taps.
    let top = row_max(s, x, y, n + size - 1) as f64;
    if size as f64 * top * top < (1u32 << 24) as f64 {
        return box_horizontal_f32(s, x, y, size, n, out);
    }
    let (x, y) = (&x[..n + size - 1], &y[..n + size - 1]);
    let (sx, rest) = out.split_at_mut(n);
    let (sy, rest) = rest.split_at_mut(n);
    let (sxx, rest) = rest.split_at_mut(n);
    let (syy, rest) = rest.split_at_mut(n);
    let sxy = &mut rest[..n];
    let zero = s.splat_d(0.0);
    for o in chunks(n, S::D) {
        let (mut a, mut b, mut aa, mut bb, mut ab) = (zero, zero, zero, zero, zero);
        for j in 0..size {
            let (p, q) = (s.widen_d(x, o + j), s.widen_d(y, o + j));
            a = s.add_d(a, p);
            b = s.add_d(b, q);
            aa = s.add_d(aa, s.mul_d(p, p));
            bb = s.add_d(bb, s.mul_d(q, q));
            ab = s.add_d(ab, s.mul_d(p, q));
        }
        s.store_d(a, sx, o);
        s.store_d(b, sy, o);
        s.store_d(aa, sxx, o);
        s.store_d(bb, syy, o);
        s.store_d(ab, sxy, o);
    }
}

/// The largest of the first `len` values of both rows (samples are >= 0).
#[inline(always)]
fn row_max<S: Lanes>(s: S, x: &[f32], y: &[f32], len: usize) -> f32 {
    let mut top = s.splat(0.0);
    for row in [&x[..len], &y[..len]] {
        for i in chunks(len, S::F) {
            top = s.max(top, s.load(row, i));
        }
    }
    let mut lanes = [0f32; 16];
    s.store(top, &mut lanes, 0);
    lanes.iter().fold(0.0, |m, &v| m.max(v))
}

/// [`box_horizontal`] in f32: every sum is an integer below 2^24 (checked by the caller), so
/// f32 holds it exactly, fused or not, and the f64 results are the same bits.
#[inline(always)]
fn box_horizontal_f32<S: Lanes>(
    s: S,
    x: &[f32],
    y: &[f32],
    size: usize,
    n: usize,
    out: &mut [f64],
) {
    let (x, y) = (&x[..n + size - 1], &y[..n + size - 1]);
    let zero = s.splat(0.0);
    let mut tmp = [0f32; 16];
    for o in chunks(n, S::F) {
        let (mut a, mut b, mut aa, mut bb, mut ab) = (zero, zero, zero, zero, zero);
        for j in 0..size {
            let (p, q) = (s.load(x, o + j), s.load(y, o + j));
            a = s.add(a, p);
            b = s.add(b, q);
            aa = s.mul_add(p, p, aa);
            bb = s.mul_add(q, q, bb);
            ab = s.mul_add(p, q, ab);
        }
        for (m, v) in [a, b, aa, bb, ab].into_iter().enumerate() {
            s.store(v, &mut tmp, 0);
            for h in 0..S::F / S::D {
                let d = s.widen_d(&tmp, h * S::D);
                s.store_d(d, out, m * n + o + h * S::D);
            }
        }
    }
}

/// [`scalar::box_vertical`] with vectors: exact integer sums, so the same bits.
#[inline(always)]
pub(crate) fn box_vertical<S: Lanes>(
    s: S,
    ring: &[f64],
    slots: &[usize],
    size: usize,
    n: usize,
    out: &mut [f64],
) {
    if n < S::D {
        return scalar::box_vertical(ring, slots, size, n, out);
    }
    // The common sizes as constants: the window loop unrolls, and the pass's row offsets
    // fit a small array.
    match size {
        7 => box_vertical_sized::<S, { pass_rows(7) }>(s, ring, slots, 7, n, out),
        3 => box_vertical_sized::<S, { pass_rows(3) }>(s, ring, slots, 3, n, out),
        _ => box_vertical_sized::<S, MAX_PASS_ROWS>(s, ring, slots, size, n, out),
    }
}

#[inline(always)]
fn box_vertical_sized<S: Lanes, const CAP: usize>(
    s: S,
    ring: &[f64],
    slots: &[usize],
    size: usize,
    n: usize,
    out: &mut [f64],
) {
    let rows = slots.len() + 1 - size;
    let out = &mut out[..rows * MOMENTS * n];
    // Offsets of each window row's slot; moment m of row t starts at `base[t] + m * n`.
    // Multiplying at each load instead costs more than this (small) array.
    let mut base = [0usize; CAP];
    for (b, &slot) in base.iter_mut().zip(slots) {
        *b = slot * MOMENTS * n;
    }
    let base = &base[..slots.len()];
    for m in 0..MOMENTS {
        for i in chunks(n, S::D) {
            let at = m * n + i;
            let mut acc = s.load_d(ring, base[0] + at);
            for &b in &base[1..size] {
                acc = s.add_d(acc, s.load_d(ring, b + at));
            }
            s.store_d(acc, out, at);
            for k in 1..rows {
                let enter = s.load_d(ring, base[k + size - 1] + at);
                let leave = s.load_d(ring, base[k - 1] + at);
                acc = s.sub_d(s.add_d(acc, enter), leave);
                s.store_d(acc, out, k * MOMENTS * n + at);
            }
        }
    }
}

/// [`scalar::box_horizontal_narrow`] with vectors (exact, so the same bits).
#[inline(always)]
pub(crate) fn box_horizontal_narrow<S: Lanes>(
    s: S,
    u: &[f32],
    d: &[f32],
    size: usize,
    n: usize,
    out: &mut [i32],
) {
    if n < S::F {
        // Only in tests (the engine's rows are whole 16-column groups): the scalar kernel,
        // in its column-by-column layout, turned into this module's rows.
        let mut cols = [0i32; UD_MOMENTS * 16];
        scalar::box_horizontal_narrow(u, d, size, n, &mut cols);
        to_rows(&cols, n, out);
        return;
    }
    // The common sizes as constants: the tap loop unrolls and its checks fold away.
    match size {
        7 => box_horizontal_narrow_sized(s, u, d, 7, n, out),
        3 => box_horizontal_narrow_sized(s, u, d, 3, n, out),
        _ => box_horizontal_narrow_sized(s, u, d, size, n, out),
    }
}

/// Window sums column by column (`scalar::box_horizontal_narrow`'s layout) to the
/// `UD_MOMENTS` rows of `n` of this module's kernels.
fn to_rows(cols: &[i32], n: usize, rows: &mut [i32]) {
    for (i, c) in cols[..UD_MOMENTS * n].chunks_exact(UD_MOMENTS).enumerate() {
        for (m, &v) in c.iter().enumerate() {
            rows[m * n + i] = v;
        }
    }
}

/// The inverse of [`to_rows`].
fn to_cols(rows: &[i32], n: usize, cols: &mut [i32]) {
    for (i, c) in cols[..UD_MOMENTS * n].chunks_exact_mut(UD_MOMENTS).enumerate() {
        for (m, v) in c.iter_mut().enumerate() {
            *v = rows[m * n + i];
        }
    }
}

/// [`scalar::load_ud`] with vectors (exact, so the same values).
#[inline(always)]
pub(crate) fn load_ud<S: Lanes, T: Widen>(
    s: S,
    x: &[T],
    xs: usize,
    y: &[T],
    ys: usize,
    u: &mut [f32],
    d: &mut [f32],
) {
    let n = u.len();
    if n < S::F {
        return scalar::load_ud(x, xs, y, ys, u, d);
    }
    if (xs, ys) != (1, 1) {
        // A channel of interleaved pixels in both images (colour): the backend's strided load
        // where it has one; the rest (all of it for two layouts, or without such a load) by
        // `load` for each image, then the transform.
        let done = match (xs, ys) {
            (2, 2) => load_ud_every::<S, T, 2>(s, x, y, u, d),
            (3, 3) => load_ud_every::<S, T, 3>(s, x, y, u, d),
            (4, 4) => load_ud_every::<S, T, 4>(s, x, y, u, d),
            _ => 0,
        };
        if done < n {
            let (u, d) = (&mut u[done..], &mut d[done..n]);
            super::load(s, &x[done * xs..], xs, u);
            super::load(s, &y[done * ys..], ys, d);
            super::gaussian::sum_difference(s, u, d);
        }
        return;
    }
    let (x, y, d) = (&x[..n], &y[..n], &mut d[..n]);
    // The input streams from memory; on a packed plane the next row starts right after
    // this one, so fetch it a row ahead (a hint only: a wrong guess costs nothing).
    let (x_ahead, y_ahead) = (x.as_ptr().wrapping_add(n), y.as_ptr().wrapping_add(n));
    for o in chunks(n, S::F) {
        s.prefetch(x_ahead.wrapping_add(o).cast());
        s.prefetch(y_ahead.wrapping_add(o).cast());
        let (p, q) = (T::widen(s, x, o), T::widen(s, y, o));
        s.store(s.add(p, q), u, o);
        s.store(s.sub(p, q), d, o);
    }
}

/// [`load_ud`] of samples `K` apart in both images by the backend's strided load, as far as
/// it goes: returns the pixels done (0 where the backend has none).
#[inline(always)]
fn load_ud_every<S: Lanes, T: Widen, const K: usize>(
    s: S,
    x: &[T],
    y: &[T],
    u: &mut [f32],
    d: &mut [f32],
) -> usize {
    let n = u.len();
    let mut done = 0;
    while done + S::F <= n {
        let p = T::widen_every::<S, K>(s, &x[done * K..]);
        let q = T::widen_every::<S, K>(s, &y[done * K..]);
        let (Some(p), Some(q)) = (p, q) else { break };
        s.store(s.add(p, q), u, done);
        s.store(s.sub(p, q), d, done);
        done += S::F;
    }
    done
}

/// The window sums of `u` and `d` (already transformed) and of their squares: exact in f32
/// (integers below 2^24), stored as the i32 they are.
#[inline(always)]
fn box_horizontal_narrow_sized<S: Lanes>(
    s: S,
    u: &[f32],
    d: &[f32],
    size: usize,
    n: usize,
    out: &mut [i32],
) {
    let out = &mut out[..UD_MOMENTS * n];
    let zero = s.splat(0.0);
    for o in chunks(n, S::F) {
        // One bounds check per vector of columns: with `size` a constant the tap loads'
        // checks fold away.
        let (uw, dw) = (&u[o..o + S::F + size - 1], &d[o..o + S::F + size - 1]);
        let (mut a, mut b, mut aa, mut bb) = (zero, zero, zero, zero);
        for j in 0..size {
            let (p, q) = (s.load(uw, j), s.load(dw, j));
            a = s.add(a, p);
            b = s.add(b, q);
            aa = s.mul_add(p, p, aa);
            bb = s.mul_add(q, q, bb);
        }
        for (m, v) in [a, b, aa, bb].into_iter().enumerate() {
            s.store_int(s.to_int(v), out, m * n + o);
        }
    }
}

/// [`scalar::box_formula`] lane by lane, with the scalar operation sequence and no fused
/// operation, so every backend gives the scalar bits.
#[inline(always)]
pub(crate) fn box_formula<S: Lanes>(
    s: S,
    sums: &mut [f64],
    n: usize,
    k: &FormulaConsts,
    pool: (usize, usize),
    ssim: &mut [f32],
    cs: &mut [f32],
) -> (f64, f64) {
    let sums = &mut sums[..MOMENTS * n];
    let (ssim, cs) = (&mut ssim[..n], &mut cs[..n]);
    let t = k.taps;
    let inv_t2 = 1.0 / (t * t);
    let covs = k.cov * inv_t2;
    let (tv, inv, c1, c2) = (
        s.splat_d(t),
        s.splat_d(inv_t2),
        s.splat_d(k.c1),
        s.splat_d(k.c2),
    );
    let (cov, two, two_cov) = (s.splat_d(covs), s.splat_d(2.0), s.splat_d(2.0 * covs));
    let whole = n / S::D * S::D;
    for i in (0..whole).step_by(S::D) {
        let (a, b) = (s.load_d(sums, i), s.load_d(sums, n + i));
        let (sxx, syy, sxy) = (
            s.load_d(sums, 2 * n + i),
            s.load_d(sums, 3 * n + i),
            s.load_d(sums, 4 * n + i),
        );
        let vx = s.sub_d(s.mul_d(tv, sxx), s.mul_d(a, a));
        let vy = s.sub_d(s.mul_d(tv, syy), s.mul_d(b, b));
        let vxy = s.sub_d(s.mul_d(tv, sxy), s.mul_d(a, b));
        let l = s.div_d(
            s.add_d(s.mul_d(s.mul_d(s.mul_d(two, a), b), inv), c1),
            s.add_d(s.mul_d(s.add_d(s.mul_d(a, a), s.mul_d(b, b)), inv), c1),
        );
        let c = s.div_d(
            s.add_d(s.mul_d(two_cov, vxy), c2),
            s.add_d(s.mul_d(cov, s.add_d(vx, vy)), c2),
        );
        let v = s.mul_d(l, c);
        s.store_d(v, sums, i);
        s.store_d(c, sums, n + i);
        s.store_narrow_d(v, ssim, i);
        s.store_narrow_d(c, cs, i);
    }
    for i in whole..n {
        let m = |j: usize| sums[j * n + i];
        let (v, c) = scalar::box_pixel(m(0), m(1), m(2), m(3), m(4), k);
        sums[i] = v;
        sums[n + i] = c;
        ssim[i] = v as f32;
        cs[i] = c as f32;
    }
    let (sv, cv) = sums.split_at(n);
    row_sums_d(s, sv, &cv[..n], pool)
}

/// [`scalar::box_narrow_formula`] with vectors: exact i32 window sums (running down the rows
/// of the pass) and numerators, then the f32 formula in the scalar order without fused
/// operations, so every backend gives the scalar bits.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn box_narrow_formula<S: Lanes>(
    s: S,
    ring: &[i32],
    slots: &[usize],
    size: usize,
    n: usize,
    k: &FormulaConsts,
    carry_in: Option<&[i32]>,
    carry_out: &mut [i32],
    out: &mut [f32],
) {
    if n < S::F {
        // As in `box_horizontal_narrow`: the scalar kernel on its own layout.
        const SLOTS: usize = pass_rows(NARROW_BOX_MAX);
        let len = UD_MOMENTS * n;
        let (mut ring_cols, mut local) = ([0i32; SLOTS * UD_MOMENTS * 16], [0usize; SLOTS]);
        for (t, (&slot, l)) in slots.iter().zip(&mut local).enumerate() {
            to_cols(&ring[slot * len..][..len], n, &mut ring_cols[t * len..][..len]);
            *l = t;
        }
        let (mut cin, mut cout) = ([0i32; UD_MOMENTS * 16], [0i32; UD_MOMENTS * 16]);
        let carry = carry_in.map(|c| {
            to_cols(c, n, &mut cin[..len]);
            &cin[..len]
        });
        let (ring_cols, local) = (&ring_cols[..slots.len() * len], &local[..slots.len()]);
        scalar::box_narrow_formula(ring_cols, local, size, n, k, carry, &mut cout, out);
        to_rows(&cout[..len], n, carry_out);
        return;
    }
    // The common sizes as constants: the window loops unroll, and the pass's rows fit a
    // small array.
    match size {
        7 => {
            let f = box_narrow_formula_sized::<S, { pass_rows(7) }>;
            f(s, ring, slots, 7, n, k, carry_in, carry_out, out)
        }
        3 => {
            let f = box_narrow_formula_sized::<S, { pass_rows(3) }>;
            f(s, ring, slots, 3, n, k, carry_in, carry_out, out)
        }
        _ => {
            let f = box_narrow_formula_sized::<S, MAX_PASS_ROWS>;
            f(s, ring, slots, size, n, k, carry_in, carry_out, out)
        }
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn box_narrow_formula_sized<S: Lanes, const CAP: usize>(
    s: S,
    ring: &[i32],
    slots: &[usize],
    size: usize,
    n: usize,
    k: &FormulaConsts,
    carry_in: Option<&[i32]>,
    carry_out: &mut [i32],
    out: &mut [f32],
) {
    let rows = slots.len() + 1 - size;
    let out = &mut out[..rows * 2 * n];
    let carry_out = &mut carry_out[..UD_MOMENTS * n];
    let carry_in = carry_in.map(|c| &c[..UD_MOMENTS * n]);
    // The pass's ring rows as slices of one length: each load's check is then against that
    // length, which does not change down a column, so the compiler hoists it.
    let slot_len = UD_MOMENTS * n;
    let mut ring_rows: [&[i32]; CAP] = [&[]; CAP];
    for (r, &t) in ring_rows.iter_mut().zip(slots) {
        *r = &ring[t * slot_len..][..slot_len];
    }
    let ring_rows = &ring_rows[..slots.len()];
    let nk = scalar::NarrowConsts::new(k);
    let taps = s.splat_int(nk.taps);
    let (c1, c2) = (s.splat(nk.c1), s.splat(nk.c2));
    for i in chunks(n, S::F) {
        let at = |t: usize, m: usize| s.load_int(ring_rows[t], m * n + i);
        let mut acc = [s.splat_int(0); UD_MOMENTS];
        match carry_in {
            Some(c) => {
                for (m, v) in acc.iter_mut().enumerate() {
                    *v = s.add_int(s.load_int(c, m * n + i), at(size - 1, m));
                }
            }
            None => {
                for (m, v) in acc.iter_mut().enumerate() {
                    *v = at(0, m);
                    for t in 1..size {
                        *v = s.add_int(*v, at(t, m));
                    }
                }
            }
        }
        for row in 0..rows {
            if row > 0 {
                for (m, v) in acc.iter_mut().enumerate() {
                    *v = s.sub_int(s.add_int(*v, at(row + size - 1, m)), at(row - 1, m));
                }
            }
            let [su, sd, suu, sdd] = acc;
            let (a, b) = (s.mul_int(su, su), s.mul_int(sd, sd));
            let u = s.sub_int(s.mul_int(taps, suu), a);
            let d = s.sub_int(s.mul_int(taps, sdd), b);
            let (ln, ld) = (s.to_float(s.sub_int(a, b)), s.to_float(s.add_int(a, b)));
            let (cn, cd) = (s.to_float(s.sub_int(u, d)), s.to_float(s.add_int(u, d)));
            let l = s.div(s.add(ln, c1), s.add(ld, c1));
            let c = s.div(s.add(cn, c2), s.add(cd, c2));
            s.store(s.mul(l, c), out, 2 * row * n + i);
            s.store(c, out, (2 * row + 1) * n + i);
        }
        for (m, v) in acc.into_iter().enumerate() {
            s.store_int(s.sub_int(v, at(rows - 1, m)), carry_out, m * n + i);
        }
    }
}

/// [`scalar::box_columns`] with vectors: the same integers, so the same buffers.
#[cfg(feature = "box-columns")]
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn box_columns<S: Lanes>(
    s: S,
    x: &[u8],
    xs: usize,
    y: &[u8],
    ys: usize,
    width: usize,
    taps: i32,
    first: bool,
    slide: bool,
    ring: &mut [i32],
    sums: &mut [i32],
) {
    if !ring.len().is_multiple_of(S::F) {
        return scalar::box_columns(x, xs, y, ys, width, taps, first, slide, ring, sums);
    }
    let xy = (x, xs, y, ys, width);
    // The three cases as constants, so that the loop has no branch on them.
    match (first, slide) {
        (true, _) => columns_update::<S, true, false>(s, xy, taps, ring, sums),
        (false, false) => columns_update::<S, false, false>(s, xy, taps, ring, sums),
        (false, true) => columns_update::<S, false, true>(s, xy, taps, ring, sums),
    }
}

#[cfg(feature = "box-columns")]
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn columns_update<S: Lanes, const FIRST: bool, const SLIDE: bool>(
    s: S,
    (x, xs, y, ys, width): (&[u8], usize, &[u8], usize, usize),
    taps: i32,
    ring: &mut [i32],
    sums: &mut [i32],
) {
    // `taps * sg` as one i32 product: the halves of `sg` are sums of samples (>= 0) and
    // `taps * 510 < 2^15`, so the low half never carries into the high one.
    let taps = s.splat_int(taps);
    let m = ring.len();
    let (c, rest) = sums[..3 * m].split_at_mut(m);
    let (q, r) = rest.split_at_mut(m);
    let packed = xs == 1 && ys == 1;
    // The input streams from memory; on a packed plane the next row starts right after this
    // one, so fetch it a row ahead (a hint only).
    let (x_ahead, y_ahead) = (x.as_ptr().wrapping_add(width), y.as_ptr().wrapping_add(width));
    let (mut bx, mut by) = ([0u8; 16], [0u8; 16]);
    for o in (0..m).step_by(S::F) {
        let new = if packed && o + S::F <= width {
            s.prefetch(x_ahead.wrapping_add(o));
            s.prefetch(y_ahead.wrapping_add(o));
            s.load_u8_xy(x, y, o)
        } else {
            // Strided samples, and the columns past the row (zeros).
            for (j, (a, b)) in bx.iter_mut().zip(&mut by).take(S::F).enumerate() {
                let i = o + j;
                (*a, *b) = if i < width {
                    (x[i * xs], y[i * ys])
                } else {
                    (0, 0)
                };
            }
            s.load_u8_xy(&bx, &by, 0)
        };
        let (d, sg) = if SLIDE {
            let old = s.load_int(ring, o);
            (s.sub_pairs(new, old), s.add_pairs(new, old))
        } else {
            (new, new)
        };
        let sg = s.mul_int(sg, taps);
        let dq = s.madd_pairs(d, sg);
        let dr = s.madd_pairs(d, s.swap_pairs(sg));
        if FIRST {
            s.store_int(d, c, o);
            s.store_int(dq, q, o);
            s.store_int(dr, r, o);
        } else {
            s.store_int(s.add_pairs(s.load_int(c, o), d), c, o);
            s.store_int(s.add_int(s.load_int(q, o), dq), q, o);
            s.store_int(s.add_int(s.load_int(r, o), dr), r, o);
        }
        s.store_int(new, ring, o);
    }
}

/// [`scalar::box_columns_formula`] with vectors: exact integer sums, then the f32 formula in
/// the scalar order without fused operations, so every backend gives the scalar bits.
#[cfg(feature = "box-columns")]
#[inline(always)]
pub(crate) fn box_columns_formula<S: Lanes>(
    s: S,
    sums: &[i32],
    size: usize,
    n: usize,
    k: &FormulaConsts,
    out: &mut [f32],
) {
    if n < S::F {
        return scalar::box_columns_formula(sums, size, n, k, out);
    }
    let m = sums.len() / 3;
    // The common sizes as constants: the tap loop unrolls and its checks fold away. (Seven
    // taps from pair sums `p[i] = v[i] + v[i + 1]` made once per row, `p[o] + p[o + 2] +
    // p[o + 4] + v[o + 6]`, take four additions per vector instead of six but were slower:
    // the extra walk over the three rows cost more.)
    match size {
        7 => columns_formula_sized(s, sums, m, 7, n, k, out),
        3 => columns_formula_sized(s, sums, m, 3, n, k, out),
        _ => columns_formula_sized(s, sums, m, size, n, k, out),
    }
}

#[cfg(feature = "box-columns")]
#[inline(always)]
fn columns_formula_sized<S: Lanes>(
    s: S,
    sums: &[i32],
    m: usize,
    size: usize,
    n: usize,
    k: &FormulaConsts,
    out: &mut [f32],
) {
    let (c, q, r) = (&sums[..m], &sums[m..2 * m], &sums[2 * m..3 * m]);
    let (ssim, cs) = out[..2 * n].split_at_mut(n);
    let nk = scalar::NarrowConsts::new(k);
    let (c1, c2) = (s.splat(nk.c1 * 0.5), s.splat(nk.c2 * 0.5));
    for o in chunks(n, S::F) {
        // One bounds check per vector of columns: with `size` a constant the tap loads'
        // checks fold away. The sums are integers, so any order gives the same ones.
        let len = S::F + size - 1;
        let (cw, qw, rw) = (&c[o..o + len], &q[o..o + len], &r[o..o + len]);
        let (mut sp, mut sq, mut sr) = (s.load_int(cw, 0), s.load_int(qw, 0), s.load_int(rw, 0));
        for j in 1..size {
            sp = s.add_pairs(sp, s.load_int(cw, j));
            sq = s.add_int(sq, s.load_int(qw, j));
            sr = s.add_int(sr, s.load_int(rw, j));
        }
        let ld = s.madd_pairs(sp, sp);
        let ln = s.madd_pairs(sp, s.swap_pairs(sp));
        // `sq` and `sr` come multiplied by `t` (`box_columns`).
        let cd = s.sub_int(sq, ld);
        let cn = s.sub_int(sr, ln);
        let l = s.div(s.add(s.to_float(ln), c1), s.add(s.to_float(ld), c1));
        let v = s.div(s.add(s.to_float(cn), c2), s.add(s.to_float(cd), c2));
        s.store(s.mul(l, v), ssim, o);
        s.store(v, cs, o);
    }
}
