//! Each kernel on every available backend against the scalar kernel, on random inputs.
//!
//! Exact (bitwise) where the contract says so: loads, the row sums, and the whole integer box
//! path. Within a stated bound for the f32 Gaussian kernels, whose only difference from the
//! scalar ones is fused multiply-add. `SSIM_REQUIRE_BACKENDS=avx2,avx512` turns a named backend
//! that this machine cannot run into a failure instead of a skip.

extern crate std;

#[cfg(feature = "gradient")]
mod adjoint;
#[cfg(feature = "block-means")]
mod block_means;
mod boxes;
mod downsample;
mod x264;

use super::{Backend, Kernels};
use crate::kernels::{ud_at, ud_slot, FormulaConsts, ROWS_PER_PASS, UD_MOMENTS};
use std::vec::Vec;
use std::{eprintln, format, vec};

/// The non-scalar backends to test, after checking `SSIM_REQUIRE_BACKENDS`.
pub(super) fn backends() -> Vec<(Backend, &'static Kernels)> {
    if let Ok(req) = std::env::var("SSIM_REQUIRE_BACKENDS") {
        for name in req.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let b = Backend::from_name(name)
                .unwrap_or_else(|| panic!("SSIM_REQUIRE_BACKENDS names unknown backend {name}"));
            assert!(
                b.is_supported(),
                "SSIM_REQUIRE_BACKENDS requires {name}, which this machine cannot run"
            );
        }
    }
    let skipped: Vec<&str> = Backend::ALL
        .iter()
        .filter(|b| !b.is_supported())
        .map(|b| b.name())
        .collect();
    if !skipped.is_empty() {
        eprintln!("kernel tests: skipped backends not available here: {skipped:?}");
    }
    Backend::available()
        .filter(|b| *b != Backend::Scalar)
        .map(|b| (b, b.kernels().unwrap()))
        .collect()
}

pub(super) fn scalar() -> &'static Kernels {
    Backend::Scalar.kernels().unwrap()
}

/// xorshift64*: reproducible inputs without a dependency.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(super) fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// Lengths around every lane count and its multiples.
pub(super) const LENGTHS: &[usize] = &[
    1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 64, 100, 272,
];

#[test]
fn loads_are_identical() {
    let mut rng = Rng(1);
    for (b, k) in backends() {
        for &n in LENGTHS {
            // Steps 2 to 4 have their own strided loads (interleaved channels), 5 the generic.
            for step in 1..=5 {
                let len = (n - 1) * step + 1;
                let u8s: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                let u16s: Vec<u16> = (0..len).map(|_| rng.next() as u16).collect();
                let mut f32s: Vec<f32> = (0..len).map(|_| rng.unit() * 300.0 - 20.0).collect();
                let (mut a, mut e) = (vec![0f32; n], vec![0f32; n]);
                (k.load_u8)(&u8s, step, &mut a);
                (scalar().load_u8)(&u8s, step, &mut e);
                assert_eq!(a, e, "{b} load_u8 n={n} step={step}");
                (k.load_u16)(&u16s, step, &mut a);
                (scalar().load_u16)(&u16s, step, &mut e);
                assert_eq!(a, e, "{b} load_u16 n={n} step={step}");
                let bad = [
                    None,
                    Some(f32::NAN),
                    Some(f32::INFINITY),
                    Some(-f32::INFINITY),
                ];
                let poison = bad[rng.below(4)];
                if let Some(v) = poison {
                    f32s[rng.below(n) * step] = v;
                }
                let ra = (k.load_f32)(&f32s, step, &mut a);
                let re = (scalar().load_f32)(&f32s, step, &mut e);
                assert_eq!(ra, re, "{b} load_f32 bad index n={n} step={step}");
                if re.is_none() {
                    assert_eq!(a, e, "{b} load_f32 n={n} step={step}");
                }
            }
        }
    }
}

fn half_weights(r: usize) -> Vec<f32> {
    let sigma = r as f64 / 3.0 + 0.5;
    let g: Vec<f64> = (0..=r)
        .map(|k| (-((k * k) as f64) / (2.0 * sigma * sigma)).exp())
        .collect();
    let sum = g[0] + 2.0 * g[1..].iter().sum::<f64>();
    g.iter().map(|v| (v / sum) as f32).collect()
}

/// Largest |a - e| relative to the row's scale `1 + max |e|`, per row of `n` (each moment
/// row has its own scale: a variance near zero is compared with the row's variances).
fn rel_err_rows(a: &[f32], e: &[f32], n: usize) -> f64 {
    a.chunks(n)
        .zip(e.chunks(n))
        .map(|(a, e)| {
            let scale = 1.0 + e.iter().fold(0f64, |m, v| m.max((*v as f64).abs()));
            a.iter()
                .zip(e)
                .map(|(a, e)| (*a as f64 - *e as f64).abs() / scale)
                .fold(0.0, f64::max)
        })
        .fold(0.0, f64::max)
}

/// f32 Gaussian kernels: FMA moves each result (moments, and the SSIM and cs values made
/// from them) by a few ulps of its row's largest value.
const MOMENT_BOUND: f64 = 2e-5;

#[test]
fn horizontal_within_bound() {
    let mut rng = Rng(2);
    for (b, k) in backends() {
        let mut worst = 0f64;
        for &n in LENGTHS {
            for r in [1, 2, 3, 5, 7, 63] {
                let w = half_weights(r);
                let base = rng.unit() * 255.0;
                let row = |rng: &mut Rng| -> Vec<f32> {
                    (0..n + 2 * r)
                        .map(|_| (base + rng.unit() * 40.0).floor())
                        .collect()
                };
                let (x, y) = (row(&mut rng), row(&mut rng));
                let (mut a, mut e) = (vec![0f32; ud_slot(n)], vec![0f32; ud_slot(n)]);
                let (mut xa, mut ya, mut xe, mut ye) = (x.clone(), y.clone(), x, y);
                // The prefetch hint: bytes the kernels may only prefetch, never read.
                let ahead: Vec<u8> = (0..n).map(|i| i as u8).collect();
                (k.horizontal)(&mut xa, &mut ya, &w, n, &mut a, [&ahead, &ahead[..n / 2]]);
                (scalar().horizontal)(&mut xe, &mut ye, &w, n, &mut e, [&[], &[]]);
                // Both replaced the rows by the same sums and differences.
                assert_eq!((&xa, &ya), (&xe, &ye), "{b} horizontal n={n} r={r}: u, d");
                let err = rel_err_rows(&planar(&a, n), &planar(&e, n), n);
                assert!(err <= MOMENT_BOUND, "{b} horizontal n={n} r={r}: {err:.3e}");
                worst = worst.max(err);
            }
        }
        eprintln!("{b}: horizontal worst relative difference {worst:.3e}");
    }
}

/// `horizontal_ud` on rows loaded as `u, d` by `load_u8_ud` gives the bits of `horizontal`
/// on the same samples loaded as `x, y`, on every backend: the engine's 8-bit Gaussian path
/// relies on it for unchanged values.
#[test]
fn horizontal_ud_equals_horizontal() {
    // Extremes too: `x + y` up to 510 and `x - y` down to -255.
    let sample = |rng: &mut Rng, mode| match mode {
        0 => rng.next() as u8,
        1 => [0, 255][rng.below(2)],
        _ => 100 + rng.below(8) as u8,
    };
    let load = |k: &Kernels, s: &[u8], o: &mut [f32]| (k.load_u8)(s, 1, o);
    let load_ud = |k: &Kernels, x: &[u8], y: &[u8], u: &mut [f32], d: &mut [f32]| {
        (k.load_u8_ud)(x, 1, y, 1, u, d)
    };
    ud_cases(Rng(12), &[1, 3, 5, 7, 63], "u8", sample, load, load_ud);
}

/// As [`horizontal_ud_equals_horizontal`], for 16-bit samples (`load_u16_ud`).
#[cfg(feature = "u16")]
#[test]
fn horizontal_ud_equals_horizontal_u16() {
    let sample = |rng: &mut Rng, mode| match mode {
        0 => rng.next() as u16,
        1 => [0, 65535][rng.below(2)],
        _ => 30000 + rng.below(64) as u16,
    };
    let load = |k: &Kernels, s: &[u16], o: &mut [f32]| (k.load_u16)(s, 1, o);
    let load_ud = |k: &Kernels, x: &[u16], y: &[u16], u: &mut [f32], d: &mut [f32]| {
        (k.load_u16_ud)(x, 1, y, 1, u, d)
    };
    ud_cases(Rng(13), &[1, 3, 5, 63], "u16", sample, load, load_ud);
}

/// Rows of samples drawn by `sample(rng, mode)` (one of three modes per row pair) through
/// `load` and `horizontal`, against the same samples through `load_ud` and `horizontal_ud`,
/// on every backend and the scalar one, for every length and each radius of `radii`.
fn ud_cases<T: Copy>(
    mut rng: Rng,
    radii: &[usize],
    label: &str,
    sample: impl Fn(&mut Rng, usize) -> T,
    load: impl Fn(&Kernels, &[T], &mut [f32]),
    load_ud: impl Fn(&Kernels, &[T], &[T], &mut [f32], &mut [f32]),
) {
    let mut all = backends();
    all.push((Backend::Scalar, scalar()));
    for (b, k) in all {
        for &n in LENGTHS {
            for &r in radii {
                let len = n + 2 * r;
                let mode = rng.below(3);
                let x: Vec<T> = (0..len).map(|_| sample(&mut rng, mode)).collect();
                let y: Vec<T> = (0..len).map(|_| sample(&mut rng, mode)).collect();
                let (mut xs, mut ys) = (vec![0f32; len], vec![0f32; len]);
                load(k, &x, &mut xs);
                load(k, &y, &mut ys);
                let (mut u, mut d) = (vec![0f32; len], vec![0f32; len]);
                load_ud(k, &x, &y, &mut u, &mut d);
                let ctx = format!("{b} horizontal_ud {label} n={n} r={r} mode={mode}");
                assert_ud_bits(k, (xs, ys), (u, d), r, n, &ctx);
            }
        }
    }
}

/// `horizontal` of the rows `x, y` and `horizontal_ud` of the rows `u, d` give the same
/// moments, bit for bit.
fn assert_ud_bits(
    k: &Kernels,
    (mut x, mut y): (Vec<f32>, Vec<f32>),
    (u, d): (Vec<f32>, Vec<f32>),
    r: usize,
    n: usize,
    ctx: &str,
) {
    let w = half_weights(r);
    let (mut want, mut got) = (vec![0f32; ud_slot(n)], vec![0f32; ud_slot(n)]);
    (k.horizontal)(&mut x, &mut y, &w, n, &mut want, [&[], &[]]);
    // With a prefetch hint (the colour path's): a hint changes no value.
    let ahead: Vec<u8> = (0..3 * n).map(|i| i as u8).collect();
    (k.horizontal_ud)(&u, &d, &w, n, &mut got, [&ahead, &ahead[n..]]);
    let (got, want) = (planar(&got, n), planar(&want, n));
    for (i, (g, e)) in got.iter().zip(&want).enumerate() {
        let (m, col) = (i / n, i % n);
        assert_eq!(g.to_bits(), e.to_bits(), "{ctx}: moment {m} col {col}");
    }
}

/// The moment rows `mu, md, vu, vd` of a Gaussian ring slot of `n` columns, one after the
/// other (the slot holds them in 16-column groups, `kernels::ud_at`).
fn planar(slot: &[f32], n: usize) -> Vec<f32> {
    (0..UD_MOMENTS)
        .flat_map(|m| (0..n).map(move |o| slot[ud_at(m, o)]))
        .collect()
}

/// A random ring of `slots` rows of `mu, md, vu, vd` (means of x + y and x - y, their
/// variances), `n` wide, in the slot layout of `kernels::ud_at`.
fn ud_ring(rng: &mut Rng, slots: usize, n: usize) -> Vec<f32> {
    let mut ring = vec![0f32; slots * ud_slot(n)];
    for s in 0..slots {
        for i in 0..n {
            let at = |m: usize| s * ud_slot(n) + ud_at(m, i);
            ring[at(0)] = 200.0 + rng.unit() * 100.0;
            ring[at(1)] = (rng.unit() - 0.5) * 50.0;
            ring[at(2)] = rng.unit() * 800.0;
            ring[at(3)] = rng.unit() * 800.0;
        }
    }
    ring
}

pub(super) fn consts(rng: &mut Rng) -> FormulaConsts {
    let l = [1.0, 255.0, 1023.0, 65535.0][rng.below(4)];
    FormulaConsts {
        c1: (0.01f64 * l).powi(2),
        c2: (0.03f64 * l).powi(2),
        cov: [1.0, 49.0 / 48.0, 121.0 / 120.0][rng.below(3)],
        taps: 49.0,
    }
}

/// The fused vertical pass and formula on every backend against the scalar kernel, within the
/// bound (they differ only by fused multiply-adds).
#[test]
fn vertical_formula_within_bound() {
    let mut rng = Rng(3);
    for (b, k) in backends() {
        let mut worst = 0f64;
        for &n in LENGTHS {
            // Every pass length for every radius: the kernels unroll full passes of the
            // common radii, and a window of three rows is shorter than a full pass.
            for (r, rows) in [1, 3, 5, 7, 63]
                .into_iter()
                .flat_map(|r| (1..=ROWS_PER_PASS).map(move |rows| (r, rows)))
            {
                let w = half_weights(r);
                let slots = 2 * r + rows;
                let ring = ud_ring(&mut rng, slots, n);
                // A rotated ring, as the engine has it after some rows.
                let rot = rng.below(slots);
                let order: Vec<usize> = (0..slots).map(|t| (t + rot) % slots).collect();
                // A centre in every window of the pass, as the engine picks it.
                let lo = (rows - 1).min(2 * r);
                let centre = lo + rng.below(2 * r + 1 - lo);
                let kc = consts(&mut rng);
                let (mut a, mut e) = (vec![0f32; rows * 2 * n], vec![0f32; rows * 2 * n]);
                (k.vertical_formula)(&ring, &order, centre, &w, n, &kc, &mut a);
                (scalar().vertical_formula)(&ring, &order, centre, &w, n, &kc, &mut e);
                let err = rel_err_rows(&a, &e, n);
                assert!(
                    err <= MOMENT_BOUND,
                    "{b} vertical_formula n={n} r={r} rows={rows}: {err:.3e}"
                );
                worst = worst.max(err);
            }
        }
        eprintln!("{b}: vertical_formula worst relative difference {worst:.3e}");
    }
}

/// The row sums of every backend take the scalar kernel's fixed order: the same bits.
#[test]
fn row_sums_are_identical() {
    let mut rng = Rng(4);
    for (b, k) in backends() {
        for &n in LENGTHS {
            let row =
                |rng: &mut Rng| -> Vec<f32> { (0..n).map(|_| rng.unit() * 2.0 - 1.0).collect() };
            let (ssim, cs) = (row(&mut rng), row(&mut rng));
            let p0 = rng.below(n.min(6));
            let pool = (p0, n - rng.below(n - p0));
            let got = (k.row_sums)(&ssim, &cs, pool);
            let want = (scalar().row_sums)(&ssim, &cs, pool);
            assert_eq!(got, want, "{b} row sums n={n} pool={pool:?}");
        }
    }
}

/// The f32 partial row sums over many blocks of 128 columns and odd tails: every backend gives
/// the scalar bits, and they stay within 1e-6 per pixel of the f64 sums.
#[test]
fn row_sums_are_identical_over_many_blocks() {
    let mut rng = Rng(17);
    for (b, k) in backends() {
        for n in [127usize, 128, 129, 143, 300, 1000, 4099] {
            let ssim: Vec<f32> = (0..n).map(|_| rng.unit() * 2.0 - 1.0).collect();
            let cs: Vec<f32> = (0..n).map(|_| rng.unit()).collect();
            for _ in 0..4 {
                let p0 = rng.below(n.min(40));
                let pool = (p0, n - rng.below(n - p0));
                let got = (k.row_sums)(&ssim, &cs, pool);
                let want = (scalar().row_sums)(&ssim, &cs, pool);
                assert_eq!(got, want, "{b} row sums n={n} pool={pool:?}");
                let exact: f64 = ssim[pool.0..pool.1].iter().map(|&v| v as f64).sum();
                let count = (pool.1 - pool.0) as f64;
                assert!(
                    (got.0 - exact).abs() <= 1e-6 * count,
                    "{b} n={n}: f32 partial sum {} vs f64 {exact}",
                    got.0
                );
            }
        }
    }
}

/// A row cut into strips of `ROW_SUM_SEGMENT` columns, each strip summed alone and the strips'
/// sums added left to right, gives the whole row's bits (`Kernels::pooled_sums`, what the
/// engine calls) on every backend: what ssim-std's colour strips rely on. Values of very different magnitudes, so that the f64 additions
/// round and the order shows (segments summed into one running total would differ).
#[test]
fn row_sums_of_strips_add_up_to_the_row() {
    let seg = crate::ROW_SUM_SEGMENT;
    let mut rng = Rng(23);
    for (b, k) in backends() {
        for n in [seg - 1, seg, seg + 1, 2 * seg + 77, 3 * seg] {
            // One magnitude per block of 128 (f32 block sums widened to f64 add exactly
            // unless whole blocks differ in magnitude).
            let scales: Vec<f32> = (0..n.div_ceil(128))
                .map(|_| [1e-9f32, 1.0, 3e7][rng.below(3)])
                .collect();
            let row = |rng: &mut Rng| -> Vec<f32> {
                (0..n)
                    .map(|i| (rng.unit() * 2.0 - 1.0) * scales[i / 128])
                    .collect()
            };
            let (ssim, cs) = (row(&mut rng), row(&mut rng));
            let whole = k.pooled_sums(&ssim, &cs, (0, n));
            let mut strips = (0..n).step_by(seg).map(|c0| {
                let end = (c0 + seg).min(n);
                k.pooled_sums(&ssim[c0..end], &cs[c0..end], (0, end - c0))
            });
            let first = strips.next().unwrap_or_default();
            let added = strips.fold(first, |(s, c), (ps, pc)| (s + ps, c + pc));
            assert_eq!(whole, added, "{b} n={n}");
            if n <= seg {
                // One segment: the kernel alone, the bits of every release before.
                assert_eq!(whole, (k.row_sums)(&ssim, &cs, (0, n)), "{b} n={n}");
            }
        }
    }
}

/// The scalar fused pass against a direct evaluation of the definition in f64: the centred
/// weighted moments of the window and the SSIM formula, with no shared code.
#[test]
fn scalar_vertical_formula_is_the_definition() {
    let mut rng = Rng(9);
    for r in [1, 2, 5] {
        let n = 7;
        let w = half_weights(r);
        let slots = 2 * r + 1;
        let ring = ud_ring(&mut rng, slots, n);
        let order: Vec<usize> = (0..slots).rev().collect();
        let kc = consts(&mut rng);
        let mut got = vec![0f32; 2 * n];
        // Any centre gives the definition (only the rounding depends on it).
        let centre = rng.below(slots);
        (scalar().vertical_formula)(&ring, &order, centre, &w, n, &kc, &mut got);
        for i in 0..n {
            // Window row t (top to bottom) is ring slot order[t]; its weight is w[|t - r|].
            let at = |t: usize, m: usize| ring[order[t] * ud_slot(n) + ud_at(m, i)] as f64;
            let wt = |t: usize| w[t.abs_diff(r)] as f64;
            let mean = |m: usize| (0..slots).map(|t| wt(t) * at(t, m)).sum::<f64>();
            let (mu, md) = (mean(0), mean(1));
            // Law of total variance: mean of the row variances plus variance of the row means.
            let var = |m: usize, mean: f64| {
                (0..slots)
                    .map(|t| wt(t) * (at(t, m + 2) + (at(t, m) - mean).powi(2)))
                    .sum::<f64>()
            };
            let (vu, vd) = (var(0, mu), var(1, md));
            let (c1, c2) = (2.0 * kc.c1, 2.0 * kc.c2);
            let l = (mu * mu - md * md + c1) / (mu * mu + md * md + c1);
            let cs = (kc.cov * (vu - vd) + c2) / (kc.cov * (vu + vd) + c2);
            let (s, c) = (got[i] as f64, got[n + i] as f64);
            assert!((c - cs).abs() <= 1e-4, "cs r={r} i={i}: {c} vs {cs}");
            assert!(
                (s - l * cs).abs() <= 1e-4,
                "ssim r={r} i={i}: {s} vs {}",
                l * cs
            );
        }
    }
}

#[test]
fn unsupported_backends_are_errors() {
    for b in Backend::ALL {
        match b.kernels() {
            Ok(k) => assert!(b.is_supported() && k.backend == *b),
            Err(e) => {
                assert!(!b.is_supported());
                assert!(format!("{e}").contains(b.name()));
            }
        }
    }
    assert!(Backend::detect().is_supported());
    #[cfg(not(target_arch = "aarch64"))]
    assert!(Backend::Neon.kernels().is_err());
    #[cfg(not(target_arch = "x86_64"))]
    assert!(Backend::Avx2.kernels().is_err() && Backend::Avx512.kernels().is_err());
}
