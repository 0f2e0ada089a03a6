//! The f32 moment kernels of Gaussian windows and f32 samples: centred horizontal moments,
//! then the centred vertical combination fused with the formula.

use super::{chunks, pass_rows, MAX_PASS_ROWS};
use crate::kernels::{scalar, ud_at, FormulaConsts, ROWS_PER_PASS, UD_GROUP, UD_MOMENTS};
use crate::lanes::{Lanes, Rows};
use crate::params::MAX_RADIUS;

#[inline(always)]
pub(crate) fn horizontal<S: Lanes>(
    s: S,
    x: &mut [f32],
    y: &mut [f32],
    w: &[f32],
    n: usize,
    out: &mut [f32],
    ahead: [&[u8]; 2],
) {
    let r = w.len() - 1;
    let (u, d) = sum_difference(s, &mut x[..n + 2 * r], &mut y[..n + 2 * r]);
    horizontal_ud(s, u, d, w, n, out, ahead)
}

/// Prefetches the cache lines of `ahead` spread evenly over the `iters` steps of a loop
/// (Bresenham's stepping: no division per step). The loads of the next rows then leave the
/// core a few at a time while the arithmetic runs, instead of all at once when the next
/// row is loaded: an interleaved colour row comes from L3 or memory in one burst that the
/// line-fill buffers serialise (BENCHMARKS.md, "Colour against gray", session 10).
struct Spread<'a> {
    ahead: [&'a [u8]; 2],
    lines: usize,
    iters: usize,
    acc: usize,
    next: usize,
}

impl<'a> Spread<'a> {
    #[inline(always)]
    fn new(ahead: [&'a [u8]; 2], iters: usize) -> Self {
        let len = ahead[0].len().max(ahead[1].len());
        // One line more than the bytes span: the rows need not start on a line boundary.
        let lines = if len == 0 { 0 } else { len.div_ceil(64) + 1 };
        Spread {
            ahead,
            lines,
            iters: iters.max(1),
            acc: 0,
            next: 0,
        }
    }

    /// The lines due by the end of this step.
    #[inline(always)]
    fn step<S: Lanes>(&mut self, s: S) {
        self.acc += self.lines;
        while self.acc >= self.iters {
            self.acc -= self.iters;
            for a in self.ahead {
                s.prefetch(a.as_ptr().wrapping_add(self.next * 64));
            }
            self.next += 1;
        }
    }
}

/// [`horizontal`] of rows already transformed to `u = x + y`, `d = x - y` (integer samples,
/// loaded so by `load_ud`): the same values, so the same bits, without the pass over the rows.
#[inline(always)]
pub(crate) fn horizontal_ud<S: Lanes>(
    s: S,
    u: &[f32],
    d: &[f32],
    w: &[f32],
    n: usize,
    out: &mut [f32],
    ahead: [&[u8]; 2],
) {
    // Whole groups only: the vectors then never straddle two (the engine's rows always are).
    if n < S::F || !n.is_multiple_of(UD_GROUP) {
        return scalar::horizontal_ud(u, d, w, n, out, ahead);
    }
    let r = w.len() - 1;
    // The common radii as constants: the tap loop unrolls with fixed offsets.
    match r {
        5 => horizontal_sized(s, u, d, w, 5, n, out, ahead),
        3 => horizontal_sized(s, u, d, w, 3, n, out, ahead),
        r => horizontal_sized(s, u, d, w, r, n, out, ahead),
    }
}

/// [`scalar::sum_difference`] with vectors (the same operations, so the same bits); returns
/// the rows, now `u` and `d`.
#[inline(always)]
pub(super) fn sum_difference<'a, S: Lanes>(
    s: S,
    x: &'a mut [f32],
    y: &'a mut [f32],
) -> (&'a [f32], &'a [f32]) {
    let len = x.len().min(y.len());
    // In place, so no overlapping last vector: the tail takes the scalar operations.
    let full = len / S::F * S::F;
    for i in (0..full).step_by(S::F) {
        let (p, q) = (s.load(x, i), s.load(y, i));
        s.store(s.add(p, q), x, i);
        s.store(s.sub(p, q), y, i);
    }
    scalar::sum_difference(&mut x[full..len], &mut y[full..len]);
    (x, y)
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn horizontal_sized<S: Lanes>(
    s: S,
    u: &[f32],
    d: &[f32],
    w: &[f32],
    r: usize,
    n: usize,
    out: &mut [f32],
    ahead: [&[u8]; 2],
) {
    let out = &mut out[..UD_MOMENTS * n];
    let w = &w[..=r];
    let zero = s.splat(0.0);
    let mut spread = Spread::new(ahead, n.div_ceil(S::F));
    for o in chunks(n, S::F) {
        spread.step(s);
        // One bounds check per vector of columns: with `r` a constant the tap loads'
        // checks fold away.
        let (uw, dw) = (&u[o..o + S::F + 2 * r], &d[o..o + S::F + 2 * r]);
        let (su, sd) = (s.load(uw, r), s.load(dw, r));
        let (mut a, mut b, mut qu, mut qd) = (zero, zero, zero, zero);
        for (k, &wk) in w.iter().enumerate().skip(1) {
            // Splatted where used rather than from an array built per call: a broadcast load
            // costs the same as a vector load, and the array cost a 4 KB memset per row.
            let wk = s.splat(wk);
            let (du1, du2) = (s.sub(s.load(uw, r - k), su), s.sub(s.load(uw, r + k), su));
            let (dd1, dd2) = (s.sub(s.load(dw, r - k), sd), s.sub(s.load(dw, r + k), sd));
            a = s.mul_add(wk, s.add(du1, du2), a);
            b = s.mul_add(wk, s.add(dd1, dd2), b);
            qu = s.mul_add(wk, s.mul_add(du1, du1, s.mul(du2, du2)), qu);
            qd = s.mul_add(wk, s.mul_add(dd1, dd1, s.mul(dd2, dd2)), qd);
        }
        // The four moments of these columns, side by side in their group.
        let g = &mut out[ud_at(0, o)..][..UD_MOMENTS * UD_GROUP - o % UD_GROUP];
        s.store(s.add(su, a), g, 0);
        s.store(s.add(sd, b), g, UD_GROUP);
        s.store(s.neg_mul_add(a, a, qu), g, 2 * UD_GROUP);
        s.store(s.neg_mul_add(b, b, qd), g, 3 * UD_GROUP);
    }
}

/// The centred vertical combination of the means `ms` (0: `u`, 1: `d`) for every map row of
/// the pass, columns `g..g + F` of the slots' groups, into `st[j][m]` (mean) and
/// `st[j][m + 2]` (variance): [`scalar::vertical_formula`]'s operations, ring row by ring row,
/// each row's centred mean and second moment made once and added into the accumulators of
/// the map rows whose window holds it, which stay in registers. (No closures here: they do
/// not inherit the caller's target features, and their intrinsics became calls.)
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn sweep<S: Lanes, const CAP: usize, const P: usize>(
    s: S,
    ring: &Rows<'_, CAP>,
    wf: &[f32],
    rows: usize,
    centre: usize,
    g: usize,
    ms: [usize; P],
    st: &mut [[S::V; UD_MOMENTS]; ROWS_PER_PASS],
) {
    let zero = s.splat(0.0);
    let mut c = [zero; P];
    for (c, &m) in c.iter_mut().zip(&ms) {
        *c = s.load_at(ring, centre, g + m * UD_GROUP);
    }
    let mut acc = [[[zero; 2]; P]; ROWS_PER_PASS];
    let sw = Sweep {
        s,
        ring,
        wf,
        g,
        ms,
        c,
    };
    sw.pass(&mut acc, rows, None);
    for (st, acc) in st.iter_mut().zip(&acc).take(rows) {
        for ((&m, a), &c) in ms.iter().zip(acc).zip(&c) {
            [st[m], st[m + 2]] = stats(s, c, *a);
        }
    }
}

/// A window's mean and variance from its centre `c` and its sums of `e = m - c` (`a`) and
/// of `e^2 + var` (`z`): `c + a` and `z - a^2`.
#[inline(always)]
fn stats<S: Lanes>(s: S, c: S::V, [a, z]: [S::V; 2]) -> [S::V; 2] {
    [s.add(c, a), s.neg_mul_add(a, a, z)]
}

/// What [`sweep`] reads, for its steps.
struct Sweep<'r, 'a, S: Lanes, const CAP: usize, const P: usize> {
    s: S,
    ring: &'r Rows<'a, CAP>,
    wf: &'r [f32],
    g: usize,
    ms: [usize; P],
    c: [S::V; P],
}

impl<S: Lanes, const CAP: usize, const P: usize> Sweep<'_, '_, S, CAP, P> {
    /// Every ring row of a pass of `rows` map rows into `acc`; with `finish`, the previous
    /// column's map rows ([`finish_rows`]) a few ring rows in.
    #[inline(always)]
    fn pass(
        &self,
        acc: &mut [[[S::V; 2]; P]; ROWS_PER_PASS],
        rows: usize,
        finish: Option<Finish<'_, S::V>>,
    ) {
        let span = self.wf.len();
        if rows == ROWS_PER_PASS {
            // A full pass in three runs of ring rows (entering windows, in every window,
            // leaving them), each with constant map rows, so that the accumulators stay in
            // registers.
            const _: () = assert!(ROWS_PER_PASS == 4);
            self.step(acc, 0, 0..1);
            self.step(acc, 1, 0..2);
            self.step(acc, 2, 0..3);
            // Windows of three rows have no ring row in all four map rows.
            let early = span.min(4);
            for t in 3..early {
                self.step(acc, t, 0..4);
            }
            if let Some((fc, out, prev)) = finish {
                finish_rows(self.s, fc, rows, out, prev);
            }
            for t in early..span {
                self.step(acc, t, 0..4);
            }
            self.step(acc, span, 1..4);
            self.step(acc, span + 1, 2..4);
            self.step(acc, span + 2, 3..4);
        } else {
            if let Some((fc, out, prev)) = finish {
                finish_rows(self.s, fc, rows, out, prev);
            }
            for t in 0..span + rows - 1 {
                self.step(acc, t, t.saturating_sub(span - 1)..rows.min(t + 1));
            }
        }
    }

    /// Ring row `t`, centred (`e = mean - c`, `z = e^2 + variance`), into the accumulators
    /// of map rows `js` (window row `t - j`).
    #[inline(always)]
    fn step(
        &self,
        acc: &mut [[[S::V; 2]; P]; ROWS_PER_PASS],
        t: usize,
        js: core::ops::Range<usize>,
    ) {
        let s = self.s;
        let mut v = [[self.c[0]; 2]; P];
        for ((v, &m), &c) in v.iter_mut().zip(&self.ms).zip(&self.c) {
            let e = s.sub(s.load_at(self.ring, t, self.g + m * UD_GROUP), c);
            let var = s.load_at(self.ring, t, self.g + (m + 2) * UD_GROUP);
            *v = [e, s.mul_add(e, e, var)];
        }
        for j in js {
            // Splatted where used: a broadcast load (or operand) costs a vector load.
            let wk = s.splat(self.wf[t - j]);
            for (a, v) in acc[j].iter_mut().zip(&v) {
                a[0] = s.mul_add(wk, v[0], a[0]);
                a[1] = s.mul_add(wk, v[1], a[1]);
            }
        }
    }
}

/// The formula's constants as vectors: `2 C1`, `2 C2` and the covariance factor.
#[derive(Clone, Copy)]
struct FormulaVec<V> {
    c1: V,
    c2: V,
    cov: V,
}

impl<V: Copy> FormulaVec<V> {
    #[inline(always)]
    fn new<S: Lanes<V = V>>(s: S, k: &FormulaConsts) -> Self {
        FormulaVec {
            c1: s.splat(2.0 * (k.c1 as f32)),
            c2: s.splat(2.0 * (k.c2 as f32)),
            cov: s.splat(k.cov as f32),
        }
    }
}

/// SSIM and cs of a vector of pixels from their statistics `mu, md, vu, vd`, in the order of
/// `scalar::formula_pixel`.
#[inline(always)]
fn formula_vec<S: Lanes>(s: S, k: &FormulaVec<S::V>, m: [S::V; UD_MOMENTS]) -> (S::V, S::V) {
    let [mu, md, vu, vd] = m;
    // Unfused, as in the scalar kernel: md == 0 must give numerator == denominator.
    let (pu, pd) = (s.mul(mu, mu), s.mul(md, md));
    let l = s.div(s.add(s.sub(pu, pd), k.c1), s.add(s.add(pu, pd), k.c1));
    let c = s.div(
        s.mul_add(k.cov, s.sub(vu, vd), k.c2),
        s.mul_add(k.cov, s.add(vu, vd), k.c2),
    );
    (s.mul(l, c), c)
}

/// [`scalar::vertical_formula`] with vectors: the vertical combination and the formula in one
/// pass, the statistics kept in registers instead of going through a row in memory.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn vertical_formula<S: Lanes>(
    s: S,
    ring: &[f32],
    slots: &[usize],
    centre: usize,
    w: &[f32],
    n: usize,
    k: &FormulaConsts,
    out: &mut [f32],
) {
    if n < S::F || !n.is_multiple_of(UD_GROUP) {
        return scalar::vertical_formula(ring, slots, centre, w, n, k, out);
    }
    // The common radii and the full pass as constants: the ring-row loops unroll, and the
    // pass's rows fit a small `Rows`.
    let (r, rows) = (w.len() - 1, slots.len() - 2 * (w.len() - 1));
    match (r, rows) {
        (5, ROWS_PER_PASS) => vertical_formula_sized::<S, { pass_rows(11) }>(
            s,
            ring,
            slots,
            centre,
            w,
            5,
            ROWS_PER_PASS,
            n,
            k,
            out,
        ),
        (3, ROWS_PER_PASS) => vertical_formula_sized::<S, { pass_rows(7) }>(
            s,
            ring,
            slots,
            centre,
            w,
            3,
            ROWS_PER_PASS,
            n,
            k,
            out,
        ),
        _ => vertical_formula_sized::<S, MAX_PASS_ROWS>(
            s, ring, slots, centre, w, r, rows, n, k, out,
        ),
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn vertical_formula_sized<S: Lanes, const CAP: usize>(
    s: S,
    ring: &[f32],
    slots: &[usize],
    centre: usize,
    w: &[f32],
    r: usize,
    rows: usize,
    n: usize,
    k: &FormulaConsts,
    out: &mut [f32],
) {
    let span = 2 * r + 1;
    // The window's weights top to bottom, so that ring row `t` weighs `wf[t - j]` in map row
    // `j`. Once per pass.
    let mut wf = [0f32; 2 * MAX_RADIUS + 1];
    for (t, v) in wf[..span].iter_mut().enumerate() {
        *v = w[t.abs_diff(r)];
    }
    let wf = &wf[..span];
    let zero = s.splat(0.0);
    let fc = FormulaVec::new(s, k);
    let out = &mut out[..rows * 2 * n];
    let offsets = slots[..span + rows - 1].iter().map(|&slot| slot * UD_MOMENTS * n);
    let ring = Rows::<CAP>::new(ring, UD_MOMENTS * n, offsets);
    // The previous vector's column, centres and accumulators, finished by the next sweep.
    let mut pending = None;
    for i in chunks(n, S::F) {
        let g = ud_at(0, i);
        // With 32 vector registers (AVX-512, NEON) the sum and the difference together, the
        // map rows' formulas in the next vector's sweep (same operations, same bits); with 16
        // (AVX2, SSE2) one after the other, the window folded up to `FOLD_TAPS`, then the
        // formula.
        if S::REGISTERS >= 32 {
            let prev = pending.take();
            let o = (&mut *out, n);
            pending = Some(sweep_formula(s, &ring, wf, rows, centre, (g, i), &fc, o, prev));
            continue;
        }
        let mut st = [[zero; UD_MOMENTS]; ROWS_PER_PASS];
        if wf.len() <= FOLD_TAPS {
            sweep_folded(s, &ring, wf, rows, centre, g, 0, &mut st);
            sweep_folded(s, &ring, wf, rows, centre, g, 1, &mut st);
        } else {
            sweep(s, &ring, wf, rows, centre, g, [0], &mut st);
            sweep(s, &ring, wf, rows, centre, g, [1], &mut st);
        }
        for (row, m) in st.iter().enumerate().take(rows) {
            let (v, c) = formula_vec(s, &fc, *m);
            s.store(v, out, 2 * row * n + i);
            s.store(c, out, (2 * row + 1) * n + i);
        }
    }
    if let Some(prev) = pending {
        finish_rows(s, &fc, rows, (&mut *out, n), prev);
    }
}

/// The largest window [`sweep_folded`] takes.
const FOLD_TAPS: usize = 11;

/// [`sweep`] of mean `m` with the window folded, for the 16-register backends (AVX2, SSE2)
/// and windows up to [`FOLD_TAPS`] taps, in every pass whatever its rows (so that a map
/// row's bits do not depend on the band split): every ring row's `e` and `z` made once, then
/// per map row `w_k (v[mid - k] + v[mid + k])`, outermost pair first, the centre last. Half
/// the multiply-adds become additions, which those cores also issue on a port without FMA.
/// The sums round differently from `sweep`'s (and the scalar kernel's) chain of products.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn sweep_folded<S: Lanes, const CAP: usize>(
    s: S,
    ring: &Rows<'_, CAP>,
    wf: &[f32],
    rows: usize,
    centre: usize,
    g: usize,
    m: usize,
    st: &mut [[S::V; UD_MOMENTS]; ROWS_PER_PASS],
) {
    let (span, r) = (wf.len(), wf.len() / 2);
    let c = s.load_at(ring, centre, g + m * UD_GROUP);
    let mut ez = [[c; 2]; pass_rows(FOLD_TAPS)];
    for (t, ez) in ez.iter_mut().enumerate().take(span + rows - 1) {
        let e = s.sub(s.load_at(ring, t, g + m * UD_GROUP), c);
        let var = s.load_at(ring, t, g + (m + 2) * UD_GROUP);
        *ez = [e, s.mul_add(e, e, var)];
    }
    for (j, st) in st.iter_mut().enumerate().take(rows) {
        let v = &ez[j..j + span];
        let wr = s.splat(wf[0]);
        let mut a = s.mul(wr, s.add(v[0][0], v[span - 1][0]));
        let mut z = s.mul(wr, s.add(v[0][1], v[span - 1][1]));
        for k in (1..r).rev() {
            let wk = s.splat(wf[r - k]);
            a = s.mul_add(wk, s.add(v[r - k][0], v[r + k][0]), a);
            z = s.mul_add(wk, s.add(v[r - k][1], v[r + k][1]), z);
        }
        let w0 = s.splat(wf[r]);
        a = s.mul_add(w0, v[r][0], a);
        z = s.mul_add(w0, v[r][1], z);
        [st[m], st[m + 2]] = stats(s, c, [a, z]);
    }
}

/// A vector column's centres and accumulators, all map rows of a pass, waiting for their
/// formula: `(column, centres, accumulators)`.
type Pending<V> = (usize, [V; 2], [[[V; 2]; 2]; ROWS_PER_PASS]);

/// What [`finish_rows`] takes besides the lanes and the row count: the formula's constants,
/// the output rows with their width, and the column to finish.
type Finish<'o, V> = (&'o FormulaVec<V>, (&'o mut [f32], usize), Pending<V>);

/// [`sweep`] of both means at column `i` (group offset `g`); returns its accumulators, and
/// finishes ([`finish_rows`]) the previous column's (`prev`) a few ring rows in, so that
/// their divisions, slow and unpipelined at 512 bits, overlap this sweep's multiply-adds
/// instead of waiting at the end of a pass.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn sweep_formula<S: Lanes, const CAP: usize>(
    s: S,
    ring: &Rows<'_, CAP>,
    wf: &[f32],
    rows: usize,
    centre: usize,
    (g, i): (usize, usize),
    fc: &FormulaVec<S::V>,
    out: (&mut [f32], usize),
    prev: Option<Pending<S::V>>,
) -> Pending<S::V> {
    let zero = s.splat(0.0);
    let c = [
        s.load_at(ring, centre, g),
        s.load_at(ring, centre, g + UD_GROUP),
    ];
    let mut acc = [[[zero; 2]; 2]; ROWS_PER_PASS];
    let sw = Sweep {
        s,
        ring,
        wf,
        g,
        ms: [0, 1],
        c,
    };
    sw.pass(&mut acc, rows, prev.map(|p| (fc, out, p)));
    (i, c, acc)
}

/// The `rows` map rows of a [`Pending`] column: SSIM row `j` into `out[2 j n + i..]`, cs
/// into `out[(2 j + 1) n + i..]`.
#[inline(always)]
fn finish_rows<S: Lanes>(
    s: S,
    fc: &FormulaVec<S::V>,
    rows: usize,
    (out, n): (&mut [f32], usize),
    (i, c, acc): Pending<S::V>,
) {
    for (j, acc) in acc.iter().enumerate().take(rows) {
        finish_row(s, fc, c, *acc, &mut out[2 * j * n..2 * (j + 1) * n], i);
    }
}

/// One map row of [`finish_rows`] from its accumulators: the statistics as [`sweep`] makes
/// them, then the formula; SSIM into `out[i..]`, cs into `out[n + i..]` (`out`: `2 n`).
#[inline(always)]
fn finish_row<S: Lanes>(
    s: S,
    fc: &FormulaVec<S::V>,
    c: [S::V; 2],
    acc: [[S::V; 2]; 2],
    out: &mut [f32],
    i: usize,
) {
    let ([mu, vu], [md, vd]) = (stats(s, c[0], acc[0]), stats(s, c[1], acc[1]));
    let m = [mu, md, vu, vd];
    let (v, cs) = formula_vec(s, fc, m);
    let n = out.len() / 2;
    s.store(v, out, i);
    s.store(cs, out, n + i);
}
