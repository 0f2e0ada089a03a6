//! The exact integer box kernels on every backend against the scalar ones: the same bits.

extern crate std;

use super::{backends, consts, scalar, Rng, LENGTHS};
use crate::backend::Backend;
use crate::kernels::{FormulaConsts, MOMENTS, UD_MOMENTS};
use std::vec::Vec;
use std::{eprintln, format, vec};

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

/// Where `box_horizontal_narrow` of backend `b` puts moment `j` of column `i` (rows of `n`
/// on the vector backends, the four moments of a column side by side on the scalar one).
fn narrow_at(b: Backend, n: usize, j: usize, i: usize) -> usize {
    if b == Backend::Scalar {
        UD_MOMENTS * i + j
    } else {
        j * n + i
    }
}

/// `u = x + y` and `d = x - y` of two rows, computed here in f64 (exact).
fn ud_rows(x: &[f32], y: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let u = x.iter().zip(y).map(|(&p, &q)| (p as f64 + q as f64) as f32);
    let d = x.iter().zip(y).map(|(&p, &q)| (p as f64 - q as f64) as f32);
    (u.collect(), d.collect())
}

/// `load_u8_ud` on every backend gives `x + y` and `x - y` of the samples it picks, for
/// packed and interleaved rows (each step of both images, and two different steps), and
/// `load_u16_ud` likewise.
#[test]
fn load_u8_ud_is_exact() {
    let mut rng = Rng(8);
    let mut all = backends();
    all.push((Backend::Scalar, scalar()));
    for (b, k) in all {
        for &n in LENGTHS {
            let steps = [
                (1, 1),
                (3, 1),
                (1, 4),
                (2, 3),
                (2, 2),
                (3, 3),
                (4, 4),
                (5, 5),
            ];
            for (xs, ys) in steps {
                // The last pixel without its trailing channels, as a plane's last row may be.
                let x: Vec<u8> = (0..(n - 1) * xs + 1).map(|_| rng.next() as u8).collect();
                let y: Vec<u8> = (0..(n - 1) * ys + 1).map(|_| rng.next() as u8).collect();
                let (mut u, mut d) = (vec![f32::NAN; n], vec![f32::NAN; n]);
                (k.load_u8_ud)(&x, xs, &y, ys, &mut u, &mut d);
                for i in 0..n {
                    let (p, q) = (x[i * xs] as f32, y[i * ys] as f32);
                    let ctx = format!("{b} load_u8_ud n={n} steps={xs},{ys} col {i}");
                    assert_eq!((u[i], d[i]), (p + q, p - q), "{ctx}");
                }
                #[cfg(feature = "u16")]
                {
                    let wide = |v: &[u8], rng: &mut Rng| -> Vec<u16> {
                        v.iter()
                            .map(|&s| (s as u16) << 8 | rng.next() as u16 & 255)
                            .collect()
                    };
                    let (x, y) = (wide(&x, &mut rng), wide(&y, &mut rng));
                    let (mut u, mut d) = (vec![f32::NAN; n], vec![f32::NAN; n]);
                    (k.load_u16_ud)(&x, xs, &y, ys, &mut u, &mut d);
                    for i in 0..n {
                        let (p, q) = (x[i * xs] as f32, y[i * ys] as f32);
                        let ctx = format!("{b} load_u16_ud n={n} steps={xs},{ys} col {i}");
                        assert_eq!((u[i], d[i]), (p + q, p - q), "{ctx}");
                    }
                }
            }
        }
    }
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
            for size in [1, 3, 5, crate::kernels::NARROW_BOX_MAX] {
                let mode = rng.below(3);
                let (x, y) = u8_rows(&mut rng, n + size - 1, mode);
                let mut narrow = vec![0i32; UD_MOMENTS * n];
                let (u, d) = ud_rows(&x, &y);
                (k.box_horizontal_narrow)(&u, &d, size, n, &mut narrow);
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
                        let got = narrow[narrow_at(b, n, j, i)] as f64;
                        assert_eq!(got, *w, "{ctx}: moment {j} col {i}");
                    }
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
            for size in [1, 3, 5, crate::kernels::NARROW_BOX_MAX] {
                let rows = 1 + rng.below(super::ROWS_PER_PASS);
                let slots = size + rows - 1;
                // Each backend's ring in its own layout (`narrow`), the scalar one (`narrow_s`).
                let mut narrow = vec![0i32; slots * UD_MOMENTS * n];
                let mut narrow_s = vec![0i32; slots * UD_MOMENTS * n];
                let mut wide = vec![0f64; slots * MOMENTS * n];
                // Random rows, all-255 rows (the largest numerators) and x == y rows.
                let mode = rng.below(3);
                for s in 0..slots {
                    let (x, y) = u8_rows(&mut rng, n + size - 1, mode);
                    (scalar().box_horizontal)(&x, &y, size, n, &mut wide[s * MOMENTS * n..]);
                    let (u, d) = ud_rows(&x, &y);
                    let part = &mut narrow_s[s * UD_MOMENTS * n..];
                    (scalar().box_horizontal_narrow)(&u, &d, size, n, part);
                    let part = &mut narrow[s * UD_MOMENTS * n..];
                    (k.box_horizontal_narrow)(&u, &d, size, n, part);
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
                let (mut ca, mut ce) = (vec![0i32; mm], vec![0i32; mm]);
                let sc = scalar().box_narrow_formula;
                sc(&narrow_s, &order, size, n, &kc, None, &mut ce, &mut e);
                // The sums of `order[..size - 1]`, as a previous pass would have left them:
                // the carry of a one-row pass over `[any, order[..size - 1]]`.
                let mut win = vec![order[0]];
                win.extend_from_slice(&order[..size - 1]);
                let (mut cin, mut scratch) = (vec![0i32; mm], vec![0f32; 2 * n]);
                (k.box_narrow_formula)(&narrow, &win, size, n, &kc, None, &mut cin, &mut scratch);
                // The carried sums in one layout, to compare backends.
                let common = |c: &[i32]| -> Vec<i32> {
                    let at = |j: usize| (0..n).map(move |i| (j, i));
                    let all = (0..UD_MOMENTS).flat_map(at);
                    all.map(|(j, i)| c[narrow_at(b, n, j, i)]).collect()
                };
                let ce: Vec<i32> = (0..UD_MOMENTS)
                    .flat_map(|j| (0..n).map(move |i| (j, i)))
                    .map(|(j, i)| ce[narrow_at(Backend::Scalar, n, j, i)])
                    .collect();
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
                    assert_eq!(common(&ca), ce, "{ctx}: carried sums");
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

/// The column path (`box_columns_u8`, `box_columns_formula`) leaves the same column sums on
/// every backend, and its map rows have the bits of the fused row path (`box_horizontal_narrow`
/// and `box_narrow_formula` of the scalar table) for the same windows: random, all-255 and
/// `x == y` rows, packed and strided, every box size the path serves, row after row as the
/// window slides.
#[cfg(feature = "box-columns")]
#[test]
fn box_columns_give_the_narrow_bits() {
    let mut rng = Rng(9);
    let mut all = backends();
    all.push((Backend::Scalar, scalar()));
    for (b, k) in all {
        for &n in LENGTHS {
            for size in [1, 3, 5, crate::kernels::NARROW_BOX_MAX] {
                let width = n + size - 1;
                let m = n.div_ceil(16) * 16 + 16;
                let (xs, ys) = [(1, 1), (1, 1), (3, 1), (2, 3)][rng.below(4)];
                let mode = rng.below(3);
                let kc = FormulaConsts {
                    taps: (size * size) as f64,
                    ..consts(&mut rng)
                };
                assert!(crate::kernels::scalar::columns_fit(&kc));
                let (mut ring_k, mut sums_k) = (vec![0i32; size * m], vec![0i32; 3 * m]);
                let (mut ring_s, mut sums_s) = (vec![0i32; size * m], vec![0i32; 3 * m]);
                let taps = (size * size) as i32;
                let mut window: Vec<(Vec<f32>, Vec<f32>)> = Vec::new();
                for row in 0..size + rng.below(6) {
                    let (xf, yf) = u8_rows(&mut rng, width, mode);
                    let spread = |v: &[f32], step: usize| -> Vec<u8> {
                        let mut out = vec![0x5au8; (width - 1) * step + 1];
                        for (i, &s) in v.iter().enumerate() {
                            out[i * step] = s as u8;
                        }
                        out
                    };
                    let (x, y) = (spread(&xf, xs), spread(&yf, ys));
                    let (first, slide) = (row == 0, row >= size);
                    let slot = row % size * m..(row % size + 1) * m;
                    let f = k.box_columns_u8;
                    let ring = &mut ring_k[slot.clone()];
                    f(&x, xs, &y, ys, width, taps, first, slide, ring, &mut sums_k);
                    let f = scalar().box_columns_u8;
                    let ring = &mut ring_s[slot];
                    f(&x, xs, &y, ys, width, taps, first, slide, ring, &mut sums_s);
                    let ctx = format!("{b} box_columns n={n} size={size} mode={mode} row={row}");
                    assert_eq!((&ring_k, &sums_k), (&ring_s, &sums_s), "{ctx}");
                    window.push((xf, yf));
                    if window.len() > size {
                        window.remove(0);
                    }
                    if window.len() < size {
                        continue;
                    }
                    let (mut got, mut want) = (vec![0f32; 2 * n], vec![0f32; 2 * n]);
                    (k.box_columns_formula)(&sums_k, size, n, &kc, &mut got);
                    // The row path over the same window rows.
                    let mut ring = vec![0i32; size * UD_MOMENTS * n];
                    for (t, (xf, yf)) in window.iter().enumerate() {
                        let (u, d) = ud_rows(xf, yf);
                        let part = &mut ring[t * UD_MOMENTS * n..];
                        (scalar().box_horizontal_narrow)(&u, &d, size, n, part);
                    }
                    let order: Vec<usize> = (0..size).collect();
                    let mut carry = vec![0i32; UD_MOMENTS * n];
                    let f = scalar().box_narrow_formula;
                    f(&ring, &order, size, n, &kc, None, &mut carry, &mut want);
                    let same = got
                        .iter()
                        .zip(&want)
                        .all(|(a, e)| a.to_bits() == e.to_bits());
                    assert!(same, "{ctx}: {got:?} against the row path {want:?}");
                    if mode > 0 {
                        assert!(got[..n].iter().all(|v| *v == 1.0), "{ctx}: SSIM(x, x) != 1");
                    }
                }
            }
        }
    }
}

/// The column path takes only constants whose halving is exact and whose sums cannot
/// overflow, where its halved formula has the row path's bits.
#[cfg(feature = "box-columns")]
#[test]
fn box_columns_refuse_constants_they_cannot_halve() {
    let fit = |c1: f64, c2: f64| {
        let k = FormulaConsts {
            c1,
            c2,
            cov: 49.0 / 48.0,
            taps: 49.0,
        };
        crate::kernels::scalar::columns_fit(&k)
    };
    assert!(fit(6.5025, 58.5225));
    assert!(fit(0.0, 0.0));
    assert!(!fit(1e-46, 58.5225));
    assert!(!fit(6.5025, 1e36));
}
