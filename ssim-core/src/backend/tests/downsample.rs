//! Every backend's 2x2-mean kernels against the scalar one, bitwise, on random rows: lengths
//! around every lane count (tails), pixel steps 1 to 3, with and without the upper row's sums.

extern crate std;

use super::{backends, scalar, Rng, LENGTHS};
use crate::kernels::downsample::{scalar as definition, Upper};
use std::vec::Vec;

/// A downsample entry of a kernel table.
type DownsampleFn<T> = fn(&[T], usize, Upper<'_, T>, &mut [f32]);

#[allow(clippy::too_many_arguments)]
fn check<T: Copy + core::fmt::Debug>(
    name: &str,
    n: usize,
    step: usize,
    src: &[T],
    above: &[T],
    acc: &[f32],
    got: DownsampleFn<T>,
    want: DownsampleFn<T>,
) {
    for upper in [Upper::None, Upper::Sums(acc), Upper::Row(above)] {
        let (mut a, mut e) = (std::vec![f32::NAN; n + 1], std::vec![0f32; n + 1]);
        got(src, step, upper, &mut a[..n]);
        want(src, step, upper, &mut e[..n]);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&a[..n]),
            bits(&e[..n]),
            "{name} n={n} step={step} upper={upper:?}",
        );
        assert!(
            a[n].is_nan(),
            "{name} n={n} step={step}: wrote past the row"
        );
    }
}

#[test]
fn downsample_kernels_are_identical() {
    let mut rng = Rng(7);
    let want = scalar();
    for (b, k) in backends() {
        for &n in LENGTHS.iter().chain(&[120, 475, 960]) {
            for step in 1..=3 {
                let len = (2 * n - 1) * step + 1 + rng.below(3);
                let u8s: Vec<u8> = (0..2 * len).map(|_| rng.next() as u8).collect();
                let u16s: Vec<u16> = (0..2 * len).map(|_| rng.next() as u16).collect();
                // Values of every magnitude and sign, so that rounding is exercised.
                let f32s: Vec<f32> = (0..2 * len)
                    .map(|_| (rng.unit() - 0.3) * [1.0, 255.0, 7.0e5][rng.below(3)])
                    .collect();
                let acc: Vec<f32> = (0..n).map(|_| rng.unit() * 2000.0 - 100.0).collect();
                let name = |t: &str| std::format!("{b} downsample_{t}");
                // The first half is the row, the second the upper row.
                let (u8s, u8a) = u8s.split_at(len);
                check(
                    &name("u8"),
                    n,
                    step,
                    u8s,
                    u8a,
                    &acc,
                    k.downsample_u8,
                    want.downsample_u8,
                );
                let (u16s, u16a) = u16s.split_at(len);
                check(
                    &name("u16"),
                    n,
                    step,
                    u16s,
                    u16a,
                    &acc,
                    k.downsample_u16,
                    want.downsample_u16,
                );
                let (f32s, f32a) = f32s.split_at(len);
                check(
                    &name("f32"),
                    n,
                    step,
                    f32s,
                    f32a,
                    &acc,
                    k.downsample_f32,
                    want.downsample_f32,
                );
            }
        }
    }
}

#[test]
fn scalar_kernel_is_the_definition() {
    // Independent of the kernel code: pairs summed by hand.
    let src: [u8; 7] = [1, 2, 250, 255, 7, 0, 9];
    let mut out = [0f32; 3];
    definition(&src, 1, Upper::None, &mut out);
    assert_eq!(out, [3.0, 505.0, 7.0]);
    definition(&src, 1, Upper::Sums(&[1.0, 3.0, 5.0]), &mut out);
    assert_eq!(out, [1.0, 127.0, 3.0]);
    let above: [u8; 6] = [5, 6, 0, 1, 255, 254];
    definition(&src, 1, Upper::Row(&above), &mut out);
    assert_eq!(out, [3.5, 126.5, 129.0]);
    let mut out = [0f32; 1];
    definition(&src, 3, Upper::None, &mut out);
    assert_eq!(out, [256.0]);
    let src: [f32; 4] = [0.1, 0.2, -3.0, 1.0e8];
    let mut out = [0f32; 2];
    definition(&src, 1, Upper::Sums(&[0.5, 4.0]), &mut out);
    assert_eq!(
        out,
        [(0.5 + (0.1f32 + 0.2f32)) * 0.25, (4.0 + 1.0e8) * 0.25]
    );
}
