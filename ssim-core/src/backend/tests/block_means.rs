//! Every backend's block-mean column-sum kernels against the scalar one, bitwise, on random
//! rows: lengths around every lane count (the in-place tails), pixel steps 1 to 3, sums
//! carried over several rows as the stage does.

extern crate std;

use super::{backends, scalar, Rng, LENGTHS};
use crate::kernels::block_means::{scalar_add, scalar_add_f32, scalar_sums};
use std::vec::Vec;

/// Adds `rows` rows of `src` (each `len` apart) with `got` and `want`; the sums and the
/// untouched slot after them must match bitwise.
#[allow(clippy::too_many_arguments)]
fn check<T: Copy, A: Copy + PartialEq + core::fmt::Debug>(
    name: &str,
    n: usize,
    step: usize,
    src: &[T],
    len: usize,
    start: A,
    guard: A,
    got: fn(&[T], usize, &mut [A]),
    want: fn(&[T], usize, &mut [A]),
) {
    let (mut a, mut e) = (std::vec![start; n + 1], std::vec![start; n + 1]);
    a[n] = guard;
    e[n] = guard;
    for row in src.chunks_exact(len) {
        got(row, step, &mut a[..n]);
        want(row, step, &mut e[..n]);
    }
    assert_eq!(a, e, "{name} n={n} step={step}");
}

#[test]
fn block_add_kernels_are_identical() {
    let mut rng = Rng(11);
    let want = scalar();
    for (b, k) in backends() {
        for &n in LENGTHS.iter().chain(&[119, 480, 1921]) {
            for step in 1..=3 {
                let len = (n - 1) * step + 1 + rng.below(3);
                let rows = 1 + rng.below(5);
                let u8s: Vec<u8> = (0..rows * len).map(|_| rng.next() as u8).collect();
                let u16s: Vec<u16> = (0..rows * len).map(|_| rng.next() as u16).collect();
                // Every magnitude and sign, so that the f64 sums round.
                let f32s: Vec<f32> = (0..rows * len)
                    .map(|_| (rng.unit() - 0.3) * [1.0, 255.0, 7.0e5, 3.0e-9][rng.below(4)])
                    .collect();
                let name = |t: &str| std::format!("{b} block_add_{t}");
                let (s32, s64) = (rng.below(300) as f32, rng.unit() as f64 * 1.0e6);
                check(
                    &name("u8"),
                    n,
                    step,
                    &u8s,
                    len,
                    s32,
                    0.5,
                    k.block_add_u8,
                    want.block_add_u8,
                );
                check(
                    &name("u16"),
                    n,
                    step,
                    &u16s,
                    len,
                    s32,
                    0.5,
                    k.block_add_u16,
                    want.block_add_u16,
                );
                check(
                    &name("f32"),
                    n,
                    step,
                    &f32s,
                    len,
                    s64,
                    0.5,
                    k.block_add_f32,
                    want.block_add_f32,
                );
            }
        }
    }
}

#[test]
fn scalar_kernels_are_the_definition() {
    // Independent of the kernel code: sums worked out by hand.
    let mut acc = [1.0f32, 2.0, 3.0];
    scalar_add(&[255u8, 9, 0, 7, 1], 2, &mut acc);
    assert_eq!(acc, [256.0, 2.0, 4.0]);
    scalar_add(&[65535u16, 1, 2], 1, &mut acc);
    assert_eq!(acc, [65791.0, 3.0, 6.0]);
    let mut acc = [0.5f64, 1.0e20];
    scalar_add_f32(&[0.1f32, 3.0], 1, &mut acc);
    assert_eq!(acc, [0.5 + 0.1f32 as f64, 1.0e20 + 3.0]);
}

#[test]
fn block_sums_kernels_are_identical() {
    let mut rng = Rng(13);
    let want = scalar();
    for (b, k) in backends() {
        for &n in LENGTHS.iter().chain(&[120, 480, 961]) {
            for levels in 0..=4u32 {
                let f = 1usize << levels;
                // Exact integer column sums, as the stage hands over (16-bit samples, f rows).
                let acc: Vec<f32> = (0..n * f + rng.below(3))
                    .map(|_| (rng.next() % (65536 * f as u64)) as f32)
                    .collect();
                let (mut got, mut exp) = (std::vec![f32::NAN; n + 1], std::vec![0f32; n + 1]);
                (k.block_sums)(&acc, levels, &mut got[..n]);
                (want.block_sums)(&acc, levels, &mut exp[..n]);
                assert_eq!(got[..n], exp[..n], "{b} block_sums n={n} f={f}");
                assert!(
                    got[n].is_nan(),
                    "{b} block_sums n={n} f={f}: wrote past the row"
                );
            }
        }
    }
}

#[test]
fn scalar_block_sums_are_the_definition() {
    let acc = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 9.0, 100.0];
    let mut out = [0f32; 2];
    scalar_sums(&acc, 2, &mut out);
    assert_eq!(out, [10.0 / 16.0, 27.0 / 16.0]);
    let mut out = [0f32; 4];
    scalar_sums(&acc, 1, &mut out);
    assert_eq!(out, [0.75, 1.75, 2.75, 4.0]);
}
