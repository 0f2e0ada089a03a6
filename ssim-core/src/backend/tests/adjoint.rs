//! Every backend's f64 gradient row kernels against the scalar ones, bitwise (separate
//! multiplies and adds in one order), on random rows of every length around the lane counts
//! and the unrolled blocks, with 1 to 23 taps or rows.

extern crate std;

use super::{backends, scalar, Rng, LENGTHS};
use std::vec;
use std::vec::Vec;

fn values(rng: &mut Rng, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| rng.unit() as f64 * 3.0 - 1.0 + rng.unit() as f64 * 1e-7)
        .collect()
}

#[test]
fn fir_f64_matches_scalar_bitwise() {
    let mut rng = Rng(11);
    for (b, k) in backends() {
        for &n in LENGTHS.iter().chain(&[63, 65, 127, 129]) {
            for taps in [1, 3, 7, 11, 23] {
                let src = values(&mut rng, n + taps - 1);
                let g = values(&mut rng, taps);
                let (mut want, mut got) = (vec![f64::NAN; n], vec![f64::NAN; n]);
                (scalar().fir_f64)(&src, &g, &mut want);
                (k.fir_f64)(&src, &g, &mut got);
                let same = want
                    .iter()
                    .zip(&got)
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "{b:?} fir_f64 n {n} taps {taps}: {got:?} vs {want:?}");
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
                let w = values(&mut rng, rows);
                let (mut want, mut got) = (vec![f64::NAN; n], vec![f64::NAN; n]);
                (scalar().weighted_rows_f64)(&ring, &starts, &w, &mut want);
                (k.weighted_rows_f64)(&ring, &starts, &w, &mut got);
                let same = want
                    .iter()
                    .zip(&got)
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "{b:?} weighted_rows_f64 n {n} rows {rows}");
            }
        }
    }
}
