//! Each kernel on every available backend against the scalar kernel, on random inputs.
//!
//! Exact (bitwise) where the contract says so: loads, the row sums, and the whole integer box
//! path. Within a stated bound for the f32 Gaussian kernels, whose only difference from the
//! scalar ones is fused multiply-add. `SSIM_REQUIRE_BACKENDS=avx2,avx512` turns a named backend
//! that this machine cannot run into a failure instead of a skip.

extern crate std;

use super::{Backend, FormulaConsts, Kernels, MOMENTS, UD_MOMENTS};
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
pub(super) const LENGTHS: &[usize] = &[1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 64, 100];

#[test]
fn loads_are_identical() {
    let mut rng = Rng(1);
    for (b, k) in backends() {
        for &n in LENGTHS {
            for step in 1..=3 {
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

fn rel_err(a: &[f32], e: &[f32]) -> f64 {
    rel_err_rows(a, e, a.len().max(1))
}

/// f32 Gaussian kernels: FMA moves each result by a few ulps of its row's largest value.
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
                let (mut a, mut e) = (vec![0f32; UD_MOMENTS * n], vec![0f32; UD_MOMENTS * n]);
                let (mut xa, mut ya, mut xe, mut ye) = (x.clone(), y.clone(), x, y);
                (k.horizontal)(&mut xa, &mut ya, &w, n, &mut a);
                (scalar().horizontal)(&mut xe, &mut ye, &w, n, &mut e);
                // Both replaced the rows by the same sums and differences.
                assert_eq!((&xa, &ya), (&xe, &ye), "{b} horizontal n={n} r={r}: u, d");
                let err = rel_err_rows(&a, &e, n);
                assert!(err <= MOMENT_BOUND, "{b} horizontal n={n} r={r}: {err:.3e}");
                worst = worst.max(err);
            }
        }
        eprintln!("{b}: horizontal worst relative difference {worst:.3e}");
    }
}

/// A random ring of `slots` rows of `mu, md, vu, vd` (means of x + y and x - y, their
/// variances), `n` wide.
fn ud_ring(rng: &mut Rng, slots: usize, n: usize) -> Vec<f32> {
    let mut ring = vec![0f32; slots * UD_MOMENTS * n];
    for s in 0..slots {
        for i in 0..n {
            let at = |m: usize| (s * UD_MOMENTS + m) * n + i;
            ring[at(0)] = 200.0 + rng.unit() * 100.0;
            ring[at(1)] = (rng.unit() - 0.5) * 50.0;
            ring[at(2)] = rng.unit() * 800.0;
            ring[at(3)] = rng.unit() * 800.0;
        }
    }
    ring
}

#[test]
fn vertical_within_bound() {
    let mut rng = Rng(3);
    for (b, k) in backends() {
        let mut worst = 0f64;
        for &n in LENGTHS {
            for r in [1, 3, 5, 7] {
                let w = half_weights(r);
                let rows = 1 + rng.below(super::ROWS_PER_PASS);
                let slots = 2 * r + rows;
                let ring = ud_ring(&mut rng, slots, n);
                // A rotated ring, as the engine has it after some rows.
                let rot = rng.below(slots);
                let order: Vec<usize> = (0..slots).map(|t| (t + rot) % slots).collect();
                let (mut a, mut e) = (
                    vec![0f32; rows * UD_MOMENTS * n],
                    vec![0f32; rows * UD_MOMENTS * n],
                );
                (k.vertical)(&ring, &order, &w, n, &mut a);
                (scalar().vertical)(&ring, &order, &w, n, &mut e);
                let err = rel_err_rows(&a, &e, n);
                assert!(err <= MOMENT_BOUND, "{b} vertical n={n} r={r}: {err:.3e}");
                worst = worst.max(err);
            }
        }
        eprintln!("{b}: vertical worst relative difference {worst:.3e}");
    }
}

fn consts(rng: &mut Rng) -> FormulaConsts {
    let l = [1.0, 255.0, 1023.0, 65535.0][rng.below(4)];
    FormulaConsts {
        c1: (0.01f64 * l).powi(2),
        c2: (0.03f64 * l).powi(2),
        cov: [1.0, 49.0 / 48.0, 121.0 / 120.0][rng.below(3)],
        taps: 49.0,
    }
}

#[test]
fn formula_within_bound_and_sums_in_fixed_order() {
    let mut rng = Rng(4);
    for (b, k) in backends() {
        let mut worst = 0f64;
        for &n in LENGTHS {
            let kc = FormulaConsts {
                c1: 6.5025,
                c2: 58.5225,
                ..consts(&mut rng)
            };
            let mut stats = vec![0f32; UD_MOMENTS * n];
            for i in 0..n {
                stats[i] = rng.unit() * 510.0;
                stats[n + i] = (rng.unit() - 0.5) * 510.0;
                stats[2 * n + i] = rng.unit() * 1800.0;
                stats[3 * n + i] = rng.unit() * 1800.0;
            }
            let p0 = rng.below(n.min(6));
            let pool = (p0, n - rng.below(n - p0));
            let (mut sa, mut ca, mut se, mut ce) =
                (vec![0f32; n], vec![0f32; n], vec![0f32; n], vec![0f32; n]);
            let ra = (k.formula)(&stats, n, &kc, pool, &mut sa, &mut ca);
            let re = (scalar().formula)(&stats, n, &kc, pool, &mut se, &mut ce);
            let err = rel_err(&sa, &se).max(rel_err(&ca, &ce));
            assert!(err <= MOMENT_BOUND, "{b} formula n={n}: {err:.3e}");
            worst = worst.max(err);
            // The sums of the backend's own rows, in the fixed order, are the scalar bits.
            let own = super::scalar::row_sums(&sa, &ca, pool);
            assert_eq!(ra, own, "{b} row sums n={n} pool={pool:?}");
            assert!((ra.0 - re.0).abs() <= 1e-5 * n as f64, "{b} ssim sum n={n}");
        }
        eprintln!("{b}: formula worst relative difference {worst:.3e}");
    }
}

#[test]
fn box_kernels_are_identical() {
    let mut rng = Rng(5);
    for (b, k) in backends() {
        for &n in LENGTHS {
            for size in [3, 7, 11, 127] {
                // 8-bit, 10-bit (both take the exact f32 path for small boxes) and 16-bit.
                for top in [255u32, 1023, 65535] {
                    let row = |rng: &mut Rng| -> Vec<f32> {
                        (0..n + size - 1)
                            .map(|_| (rng.next() % (top as u64 + 1)) as f32)
                            .collect()
                    };
                    let rows = 1 + rng.below(super::ROWS_PER_PASS);
                    let slots = size + rows - 1;
                    let mut ring_a = vec![0f64; slots * MOMENTS * n];
                    let mut ring_e = vec![0f64; slots * MOMENTS * n];
                    for s in 0..slots {
                        let (x, y) = (row(&mut rng), row(&mut rng));
                        let out = s * MOMENTS * n..(s + 1) * MOMENTS * n;
                        (k.box_horizontal)(&x, &y, size, n, &mut ring_a[out.clone()]);
                        (scalar().box_horizontal)(&x, &y, size, n, &mut ring_e[out]);
                    }
                    assert!(
                        ring_a
                            .iter()
                            .zip(&ring_e)
                            .all(|(a, e)| a.to_bits() == e.to_bits()),
                        "{b} box_horizontal n={n} size={size} top={top}"
                    );
                    let order: Vec<usize> = (0..slots).map(|t| (t + 3) % slots).collect();
                    let (mut sa, mut se) = (
                        vec![0f64; rows * MOMENTS * n],
                        vec![0f64; rows * MOMENTS * n],
                    );
                    (k.box_vertical)(&ring_a, &order, size, n, &mut sa);
                    (scalar().box_vertical)(&ring_e, &order, size, n, &mut se);
                    assert_eq!(sa, se, "{b} box_vertical n={n} size={size}");
                    // Running sums down the pass equal direct sums of each window.
                    for row in 1..rows {
                        let mut direct = vec![0f64; MOMENTS * n];
                        let win = &order[row..row + size];
                        (scalar().box_vertical)(&ring_e, win, size, n, &mut direct);
                        assert_eq!(&se[row * MOMENTS * n..][..MOMENTS * n], &direct[..]);
                    }
                    let (mut sa, mut se) = (sa[..MOMENTS * n].to_vec(), se[..MOMENTS * n].to_vec());
                    let kc = FormulaConsts {
                        taps: (size * size) as f64,
                        ..consts(&mut rng)
                    };
                    let pool = (rng.below(n.min(4)), n);
                    let mut o = [vec![0f32; n], vec![0f32; n], vec![0f32; n], vec![0f32; n]];
                    let [oa, ob, oc, od] = &mut o;
                    let ra = (k.box_formula)(&mut sa, n, &kc, pool, oa, ob);
                    let re = (scalar().box_formula)(&mut se, n, &kc, pool, oc, od);
                    let ctx = format!("{b} box_formula n={n} size={size} top={top}");
                    assert_eq!(ra.0.to_bits(), re.0.to_bits(), "{ctx}");
                    assert_eq!(ra.1.to_bits(), re.1.to_bits(), "{ctx}");
                    assert_eq!((&o[0], &o[1]), (&o[2], &o[3]), "{ctx}");
                }
            }
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

/// Random 8-bit rows of `len` samples: random (mode 0), all 255 in `x` with `y == x` (mode 1,
/// the largest sums) or random with `y == x` (mode 2).
fn u8_rows(rng: &mut Rng, len: usize, mode: usize) -> (Vec<f32>, Vec<f32>) {
    let x: Vec<f32> = (0..len)
        .map(|_| match mode {
            1 => 255.0,
            _ => (rng.next() % 256) as f32,
        })
        .collect();
    let y = match mode {
        0 => (0..len).map(|_| (rng.next() % 256) as f32).collect(),
        _ => x.clone(),
    };
    (x, y)
}

/// The fused 8-bit path's sums of `u = x + y`, `d = x - y` and their squares equal, exactly,
/// the same quantities derived from the f64 sums of `x, y, x^2, y^2, xy`, on every backend.
#[test]
fn narrow_box_sums_equal_the_f64_ones() {
    let mut rng = Rng(6);
    let mut all = backends();
    all.push((Backend::Scalar, scalar()));
    for (b, k) in all {
        for &n in LENGTHS {
            for size in [1, 3, 5, super::NARROW_BOX_MAX] {
                let mode = rng.below(3);
                let (x, y) = u8_rows(&mut rng, n + size - 1, mode);
                let mut narrow = vec![0f32; UD_MOMENTS * n];
                let (mut u, mut d) = (x.clone(), y.clone());
                (k.box_horizontal_narrow)(&mut u, &mut d, size, n, &mut narrow);
                let mut wide = vec![0f64; MOMENTS * n];
                (scalar().box_horizontal)(&x, &y, size, n, &mut wide);
                let ctx = format!("{b} narrow box sums n={n} size={size} mode={mode}");
                for i in 0..n {
                    let m = |j: usize| wide[j * n + i];
                    let (sx, sy, sxx, syy, sxy) = (m(0), m(1), m(2), m(3), m(4));
                    let want = [
                        sx + sy,
                        sx - sy,
                        sxx + syy + 2.0 * sxy,
                        sxx + syy - 2.0 * sxy,
                    ];
                    for (j, w) in want.iter().enumerate() {
                        assert_eq!(narrow[j * n + i] as f64, *w, "{ctx}: moment {j} col {i}");
                    }
                }
                // The rows were replaced by their sums and differences.
                for i in 0..n + size - 1 {
                    assert_eq!((u[i], d[i]), (x[i] + y[i], x[i] - y[i]), "{ctx}: u, d");
                }
            }
        }
    }
}

/// The fused 8-bit box kernel gives the scalar bits on every backend (extreme and random
/// samples, every box size it serves), and stays close to the f64 formula of the exact sums.
#[test]
fn narrow_box_formula_is_identical() {
    let mut rng = Rng(7);
    let mut all = backends();
    all.push((Backend::Scalar, scalar()));
    let mut worst = 0f64;
    for (b, k) in all {
        for &n in LENGTHS {
            for size in [1, 3, 5, super::NARROW_BOX_MAX] {
                let rows = 1 + rng.below(super::ROWS_PER_PASS);
                let slots = size + rows - 1;
                let mut narrow = vec![0f32; slots * UD_MOMENTS * n];
                let mut wide = vec![0f64; slots * MOMENTS * n];
                // Random rows, all-255 rows (the largest numerators) and x == y rows.
                let mode = rng.below(3);
                for s in 0..slots {
                    let (x, y) = u8_rows(&mut rng, n + size - 1, mode);
                    (scalar().box_horizontal)(&x, &y, size, n, &mut wide[s * MOMENTS * n..]);
                    let (mut u, mut d) = (x, y);
                    let part = &mut narrow[s * UD_MOMENTS * n..];
                    (scalar().box_horizontal_narrow)(&mut u, &mut d, size, n, part);
                }
                let order: Vec<usize> = (0..slots).map(|t| (t + 2) % slots).collect();
                let kc = FormulaConsts {
                    taps: (size * size) as f64,
                    ..consts(&mut rng)
                };
                let kc = FormulaConsts {
                    c1: (0.01f64 * 255.0).powi(2),
                    c2: (0.03f64 * 255.0).powi(2),
                    ..kc
                };
                let (mut a, mut e) = (vec![0f32; rows * 2 * n], vec![0f32; rows * 2 * n]);
                let mm = UD_MOMENTS * n;
                let (mut ca, mut ce) = (vec![0f32; mm], vec![0f32; mm]);
                let sc = scalar().box_narrow_formula;
                sc(&narrow, &order, size, n, &kc, None, &mut ce, &mut e);
                // The sums of `order[..size - 1]`, as a previous pass would have left them:
                // the carry of a one-row pass over `[any, order[..size - 1]]`.
                let mut win = vec![order[0]];
                win.extend_from_slice(&order[..size - 1]);
                let (mut cin, mut scratch) = (vec![0f32; mm], vec![0f32; 2 * n]);
                sc(&narrow, &win, size, n, &kc, None, &mut cin, &mut scratch);
                for carry in [None, Some(&cin[..])] {
                    let f = k.box_narrow_formula;
                    f(&narrow, &order, size, n, &kc, carry, &mut ca, &mut a);
                    let ctx = format!(
                        "{b} box_narrow_formula n={n} size={size} mode={mode} carry={}",
                        carry.is_some()
                    );
                    let same = |a: &[f32], e: &[f32]| {
                        a.iter().zip(e).all(|(a, e)| a.to_bits() == e.to_bits())
                    };
                    assert!(same(&a, &e), "{ctx}");
                    assert!(same(&ca, &ce), "{ctx}: carried sums");
                }
                let ctx = format!("{b} box_narrow_formula n={n} size={size} mode={mode}");
                if mode > 0 {
                    assert!(a.iter().all(|v| *v == 1.0), "{ctx}: SSIM(x, x) != 1");
                }
                // Against the f64 formula of the same exact sums.
                let mut sums = vec![0f64; rows * MOMENTS * n];
                (scalar().box_vertical)(&wide, &order, size, n, &mut sums);
                for row in 0..rows {
                    let mut part = sums[row * MOMENTS * n..][..MOMENTS * n].to_vec();
                    let (mut s64, mut c64) = (vec![0f32; n], vec![0f32; n]);
                    (scalar().box_formula)(&mut part, n, &kc, (0, n), &mut s64, &mut c64);
                    let got = &a[2 * row * n..][..2 * n];
                    for (g, w) in got.iter().zip(s64.iter().chain(&c64)) {
                        let d = (*g as f64 - *w as f64).abs();
                        worst = worst.max(d);
                        assert!(d <= 2e-6, "{ctx}: {g} vs f64 formula {w}");
                    }
                }
            }
        }
    }
    eprintln!("box_narrow_formula: worst difference from the f64 formula {worst:.3e}");
}

/// The fused Gaussian pass gives the bits of `vertical` then `formula` on the same backend.
#[test]
fn vertical_formula_equals_vertical_then_formula() {
    let mut rng = Rng(8);
    let mut all = backends();
    all.push((Backend::Scalar, scalar()));
    for (b, k) in all {
        for &n in LENGTHS {
            for r in [1, 3, 5, 7] {
                let w = half_weights(r);
                let rows = 1 + rng.below(super::ROWS_PER_PASS);
                let slots = 2 * r + rows;
                let ring = ud_ring(&mut rng, slots, n);
                let order: Vec<usize> = (0..slots).map(|t| (t + 1) % slots).collect();
                let kc = consts(&mut rng);
                let mut fused = vec![0f32; rows * 2 * n];
                (k.vertical_formula)(&ring, &order, &w, n, &kc, &mut fused);
                let mut stats = vec![0f32; rows * UD_MOMENTS * n];
                (k.vertical)(&ring, &order, &w, n, &mut stats);
                for row in 0..rows {
                    let (mut s, mut c) = (vec![0f32; n], vec![0f32; n]);
                    let st = &stats[row * UD_MOMENTS * n..][..UD_MOMENTS * n];
                    (k.formula)(st, n, &kc, (0, n), &mut s, &mut c);
                    let got = &fused[2 * row * n..][..2 * n];
                    assert!(
                        got.iter()
                            .zip(s.iter().chain(&c))
                            .all(|(a, e)| a.to_bits() == e.to_bits()),
                        "{b} vertical_formula n={n} r={r} row={row}"
                    );
                }
            }
        }
    }
}

/// The f32 partial row sums over many blocks of `scalar::SUM_BLOCK` columns and odd tails:
/// every backend gives the scalar bits, and they stay within 1e-6 per pixel of the f64 sums.
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
                assert_eq!(
                    got,
                    super::scalar::row_sums(&ssim, &cs, pool),
                    "{b} row sums n={n} pool={pool:?}"
                );
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
