//! Every backend's f64 gradient row kernels against the scalar ones, bitwise (separate
//! multiplies and adds in one order), on random rows of every length around the lane counts
//! and the unrolled blocks, with 1 to 23 taps or rows; the coefficient maps on random window
//! statistics.

extern crate std;

use super::{backends, scalar, Rng, LENGTHS};
use crate::adjoint::CoefficientConsts;
use std::vec;
use std::vec::Vec;

fn values(rng: &mut Rng, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| rng.unit() as f64 * 3.0 - 1.0 + rng.unit() as f64 * 1e-7)
        .collect()
}

/// The weights as drawn and mirrored into a symmetric list (the paired path of the kernels).
fn both(w: Vec<f64>) -> [Vec<f64>; 2] {
    let n = w.len();
    let sym = (0..n).map(|t| w[t.min(n - 1 - t)]).collect();
    [w, sym]
}

#[test]
fn fir_f64_matches_scalar_bitwise() {
    let mut rng = Rng(11);
    for (b, k) in backends() {
        for &n in LENGTHS.iter().chain(&[63, 65, 127, 129]) {
            for taps in [1, 3, 7, 11, 23] {
                let src = values(&mut rng, n + taps - 1);
                for g in both(values(&mut rng, taps)) {
                    let (mut want, mut got) = (vec![f64::NAN; n], vec![f64::NAN; n]);
                    (scalar().fir_f64)(&src, &g, &mut want);
                    (k.fir_f64)(&src, &g, &mut got);
                    let same = want
                        .iter()
                        .zip(&got)
                        .all(|(a, b)| a.to_bits() == b.to_bits());
                    assert!(same, "{b:?} fir_f64 n {n} taps {g:?}: {got:?} vs {want:?}");
                }
            }
        }
    }
}

#[test]
fn weighted_rows_f64_matches_scalar_bitwise() {
    let mut rng = Rng(12);
    for (b, k) in backends() {
        for &n in LENGTHS.iter().chain(&[63, 65, 127, 129]) {
            for rows in [1, 2, 7, 11, 23] {
                let ring = values(&mut rng, (rows + 2) * n + 5);
                // Rows at scattered, unaligned offsets, not in order.
                let starts: Vec<usize> = (0..rows)
                    .map(|t| ((t * 7) % (rows + 2)) * n + t % 5)
                    .collect();
                for w in both(values(&mut rng, rows)) {
                    let (mut want, mut got) = (vec![f64::NAN; n], vec![f64::NAN; n]);
                    (scalar().weighted_rows_f64)(&ring, &starts, &w, &mut want);
                    (k.weighted_rows_f64)(&ring, &starts, &w, &mut got);
                    let same = want
                        .iter()
                        .zip(&got)
                        .all(|(a, b)| a.to_bits() == b.to_bits());
                    assert!(same, "{b:?} weighted_rows_f64 n {n} rows {w:?}");
                }
            }
        }
    }
}

#[test]
fn weighted_moments_f64_matches_scalar_bitwise() {
    let mut rng = Rng(13);
    for (b, k) in backends() {
        for &n in LENGTHS.iter().chain(&[63, 65, 127, 129]) {
            for rows in [1, 2, 7, 11, 23] {
                // Up to three map rows, each reading the next `rows` of the row pairs (x then
                // y) at scattered, unaligned offsets, not in order.
                let ring: Vec<f64> = values(&mut rng, (rows + 4) * 2 * n + 5)
                    .iter()
                    .map(|v| v * 255.0)
                    .collect();
                let starts: Vec<usize> = (0..rows + 2)
                    .map(|t| ((t * 7) % (rows + 4)) * 2 * n + t % 5)
                    .collect();
                for w in both(values(&mut rng, rows)) {
                    for maps in 1..=3 {
                        let starts = &starts[..rows + maps - 1];
                        let len = maps * 4 * n;
                        let (mut want, mut got) = (vec![f64::NAN; len], vec![f64::NAN; len]);
                        (scalar().weighted_moments_f64)(&ring, starts, &w, n, &mut want);
                        (k.weighted_moments_f64)(&ring, starts, &w, n, &mut got);
                        let same = want
                            .iter()
                            .zip(&got)
                            .all(|(a, b)| a.to_bits() == b.to_bits());
                        assert!(same, "{b:?} weighted_moments_f64 n {n} maps {maps} {w:?}");
                        // Map row `r` is the one-row pass over `starts[r..]`.
                        for r in 0..maps {
                            let mut one = vec![f64::NAN; 4 * n];
                            (k.weighted_moments_f64)(&ring, &starts[r..r + rows], &w, n, &mut one);
                            let row = &got[r * 4 * n..(r + 1) * 4 * n];
                            let same = one.iter().zip(row).all(|(a, b)| a.to_bits() == b.to_bits());
                            assert!(same, "{b:?} weighted_moments_f64 map {r} of {maps}, n {n}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn adjoint_coefficients_match_scalar_bitwise() {
    let mut rng = Rng(14);
    for (b, k) in backends() {
        for &n in LENGTHS.iter().chain(&[63, 65, 127, 129]) {
            for cs in [false, true] {
                // Means in 0..255, second moments above their squares (variances >= 0) and
                // below (the f64 residue of flat windows), a covariance of either sign; as
                // the statistics of `u = x + y` and `d = x - y`.
                let mut stats = vec![0.0; 4 * n];
                for q in 0..n {
                    let (mx, my) = (rng.unit() as f64 * 255.0, rng.unit() as f64 * 255.0);
                    let (vx, vy) = (rng.unit() as f64 * 900.0, rng.unit() as f64 * 900.0 - 1e-9);
                    let vxy = (rng.unit() as f64 * 2.0 - 1.0) * (vx * vy).abs().sqrt();
                    let (mu, md) = (mx + my, mx - my);
                    stats[q] = mu;
                    stats[n + q] = md;
                    stats[2 * n + q] = (vx + vy + 2.0 * vxy) + mu * mu;
                    stats[3 * n + q] = (vx + vy - 2.0 * vxy) + md * md;
                }
                let consts = CoefficientConsts {
                    c1: 6.5025,
                    c2: 58.5225,
                    cov: if cs { 1.0 } else { 121.0 / 120.0 },
                    dcov: if cs { 1.0 } else { 121.0 / 120.0 },
                    weight: 1.0 / (1000.0 + rng.unit() as f64),
                    cs,
                };
                let (mut want, mut got) = (vec![f64::NAN; 3 * n], vec![f64::NAN; 3 * n]);
                (scalar().adjoint_coefficients)(&stats, &consts, &mut want);
                (k.adjoint_coefficients)(&stats, &consts, &mut got);
                let same = want
                    .iter()
                    .zip(&got)
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "{b:?} adjoint_coefficients n {n} cs {cs}");
            }
        }
    }
}

#[test]
fn weighted_combine_f64_matches_scalar_bitwise() {
    let mut rng = Rng(15);
    for (b, k) in backends() {
        for &n in LENGTHS.iter().chain(&[63, 65, 127, 129]) {
            for rows in [1, 2, 7, 11, 23] {
                // Up to three output rows, each reading the next `rows` of the row triples
                // at scattered, unaligned offsets, not in order, and its own sample pair
                // (x then y) from another buffer, also out of order.
                let ring = values(&mut rng, (rows + 4) * 3 * n + 5);
                let starts: Vec<usize> = (0..rows + 2)
                    .map(|t| ((t * 7) % (rows + 4)) * 3 * n + t % 5)
                    .collect();
                let samples = values(&mut rng, 8 * n + 3);
                let sample_starts = [2 * n + 1, 3, 5 * n + 2];
                for w in both(values(&mut rng, rows)) {
                    for maps in 1..=3 {
                        let (starts, ss) = (&starts[..rows + maps - 1], &sample_starts[..maps]);
                        let len = maps * n;
                        let (mut want, mut got) = (vec![f64::NAN; len], vec![f64::NAN; len]);
                        (scalar().weighted_combine_f64)(&ring, starts, &w, &samples, ss, &mut want);
                        (k.weighted_combine_f64)(&ring, starts, &w, &samples, ss, &mut got);
                        let same = want
                            .iter()
                            .zip(&got)
                            .all(|(a, b)| a.to_bits() == b.to_bits());
                        assert!(same, "{b:?} weighted_combine_f64 n {n} maps {maps} {w:?}");
                        // Output row `r` is the one-row pass over `starts[r..]` and its samples.
                        for r in 0..maps {
                            let mut one = vec![f64::NAN; n];
                            let st = &starts[r..r + rows];
                            (k.weighted_combine_f64)(&ring, st, &w, &samples, &ss[r..], &mut one);
                            let row = &got[r * n..(r + 1) * n];
                            let same = one.iter().zip(row).all(|(a, b)| a.to_bits() == b.to_bits());
                            assert!(same, "{b:?} weighted_combine_f64 row {r} of {maps}, n {n}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn row_conversions_match_scalar_bitwise() {
    let mut rng = Rng(16);
    for (b, k) in backends() {
        for &n in LENGTHS.iter().chain(&[63, 65, 127, 129]) {
            // Every u8 value, and f32 / f64 values of every scale, ties of the f64 -> f32
            // rounding, subnormals and infinities among them.
            let u: Vec<u8> = (0..n).map(|i| (i * 37 + rng.below(256)) as u8).collect();
            let f: Vec<f32> = values(&mut rng, n)
                .iter()
                .enumerate()
                .map(|(i, v)| (v * [1.0, 1e-40, 3e38, 255.0][i % 4]) as f32)
                .collect();
            let mut d = values(&mut rng, n);
            for (i, v) in d.iter_mut().enumerate() {
                match i % 5 {
                    0 => *v *= 1e300,
                    1 => *v *= 1e-42,
                    // A tie: halfway between two f32 values.
                    2 => *v = 1.0 + f64::powi(2.0, -24) * (1 + 2 * (i % 3)) as f64,
                    _ => *v *= 255.0,
                }
            }
            // Source rows one longer than the output (the kernels stop at the shorter).
            let (mut want, mut got) = (vec![f64::NAN; n], vec![f64::NAN; n]);
            let mut src = u.clone();
            src.push(9);
            (scalar().widen_u8_f64)(&src, &mut want);
            (k.widen_u8_f64)(&src, &mut got);
            assert!(bits(&want) == bits(&got), "{b:?} widen_u8_f64 n {n}");
            let mut src = f.clone();
            src.push(9.0);
            (scalar().widen_f32_f64)(&src, &mut want);
            (k.widen_f32_f64)(&src, &mut got);
            assert!(bits(&want) == bits(&got), "{b:?} widen_f32_f64 n {n}");
            let (mut want, mut got) = (vec![f32::NAN; n], vec![f32::NAN; n]);
            (scalar().narrow_f32)(&d, &mut want);
            (k.narrow_f32)(&d, &mut got);
            let same = want
                .iter()
                .zip(&got)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "{b:?} narrow_f32 n {n}");
        }
    }
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}
