//! Every backend's kernels of FFmpeg's 8-bit SSIM against the scalar ones, bitwise: block
//! counts around every lane count and up to a whole strip, offsets into the rows, and
//! extreme samples (0 and 255 give the largest sums and products).

extern crate std;

use super::{backends, scalar, Rng};
use crate::kernels::x264::{BlockRowU8, Rows4, STRIP};
use std::vec::Vec;

fn rows(rng: &mut Rng, len: usize, extreme: bool) -> [Vec<u8>; 4] {
    core::array::from_fn(|_| {
        (0..len)
            .map(|_| {
                let v = rng.next() as u8;
                if extreme {
                    if v & 1 == 0 {
                        0
                    } else {
                        255
                    }
                } else {
                    v
                }
            })
            .collect()
    })
}

#[test]
fn block_sums_are_identical() {
    let mut rng = Rng(18);
    let counts = [
        1,
        2,
        3,
        4,
        5,
        7,
        8,
        9,
        15,
        16,
        17,
        31,
        32,
        33,
        64,
        100,
        STRIP + 1,
    ];
    for extreme in [false, true] {
        for &nb in &counts {
            for x0 in [0, 4, 13] {
                let (a, b) = (
                    rows(&mut rng, x0 + 4 * nb, extreme),
                    rows(&mut rng, x0 + 4 * nb, extreme),
                );
                let ra: Rows4<'_> = core::array::from_fn(|r| &a[r][..]);
                let rb: Rows4<'_> = core::array::from_fn(|r| &b[r][..]);
                let mut want = BlockRowU8::ZERO;
                (scalar().x264_blocks_u8)(&ra, &rb, x0, nb, &mut want);
                for (be, k) in backends() {
                    let mut got = BlockRowU8::ZERO;
                    got.s1.fill(-7);
                    (k.x264_blocks_u8)(&ra, &rb, x0, nb, &mut got);
                    let ctx = std::format!("{be:?} nb {nb} x0 {x0} extreme {extreme}");
                    assert_eq!(got.s1[..nb], want.s1[..nb], "s1 {ctx}");
                    assert_eq!(got.s2[..nb], want.s2[..nb], "s2 {ctx}");
                    assert_eq!(got.ss[..nb], want.ss[..nb], "ss {ctx}");
                    assert_eq!(got.s12[..nb], want.s12[..nb], "s12 {ctx}");
                    // Nothing past the blocks asked for is written.
                    assert!(got.s1[nb..].iter().all(|&v| v == -7), "{ctx}");
                }
            }
        }
    }
    // The largest block sums: 16 * 255 and 2 * 16 * 255^2.
    let full: Vec<u8> = std::vec![255; 4 * (STRIP + 1)];
    let r: Rows4<'_> = [&full, &full, &full, &full];
    let mut want = BlockRowU8::ZERO;
    (scalar().x264_blocks_u8)(&r, &r, 0, STRIP + 1, &mut want);
    assert_eq!((want.s1[0], want.ss[0]), (16 * 255, 2 * 16 * 255 * 255));
}

#[test]
fn window_rows_are_identical() {
    let mut rng = Rng(17);
    let c = crate::x264::constants(8).unwrap();
    let c = (c.0 as i32, c.1 as i32);
    for extreme in [false, true] {
        for n in [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 100, STRIP] {
            let mut blocks = [BlockRowU8::ZERO; 2];
            for row in &mut blocks {
                let (a, b) = (
                    rows(&mut rng, 4 * (n + 1), extreme),
                    rows(&mut rng, 4 * (n + 1), extreme),
                );
                let ra: Rows4<'_> = core::array::from_fn(|r| &a[r][..]);
                let rb: Rows4<'_> = core::array::from_fn(|r| &b[r][..]);
                (scalar().x264_blocks_u8)(&ra, &rb, 0, n + 1, row);
            }
            let want = (scalar().x264_windows_u8)(&blocks[0], &blocks[1], n, c);
            // Against the i64 definition of one window, summed in f64.
            let direct: f64 = (0..n)
                .map(|i| {
                    let at = |r: &BlockRowU8, j: usize| crate::x264::Sums {
                        s1: r.s1[j] as i64,
                        s2: r.s2[j] as i64,
                        ss: r.ss[j] as i64,
                        s12: r.s12[j] as i64,
                    };
                    let w = [at(&blocks[0], i), at(&blocks[0], i + 1)]
                        .into_iter()
                        .chain([at(&blocks[1], i), at(&blocks[1], i + 1)])
                        .fold(crate::x264::Sums::default(), |s, o| crate::x264::Sums {
                            s1: s.s1 + o.s1,
                            s2: s.s2 + o.s2,
                            ss: s.ss + o.ss,
                            s12: s.s12 + o.s12,
                        });
                    crate::x264::window(w, c.0 as i64, c.1 as i64) as f64
                })
                .sum();
            assert!((want - direct).abs() < 1e-9, "n {n}: {want} vs {direct}");
            for (be, k) in backends() {
                let got = (k.x264_windows_u8)(&blocks[0], &blocks[1], n, c);
                assert_eq!(
                    got.to_bits(),
                    want.to_bits(),
                    "{be:?} n {n} extreme {extreme}"
                );
            }
        }
    }
}

#[cfg(feature = "u16")]
#[test]
fn block_sums_of_12_bit_samples_are_identical_and_exact() {
    // 10- and 12-bit samples, random and extreme (0 and 4095: the largest column sums, which
    // must still fit the 16-bit lanes, and block sums up to 32 x 4095^2 in i32).
    let mut rng = Rng(19);
    for max in [1023u16, 4095] {
        for extreme in [false, true] {
            for &nb in &[1, 3, 8, 9, 16, 17, 33, 100, STRIP + 1] {
                for x0 in [0, 4, 13] {
                    let len = x0 + 4 * nb;
                    let row = |rng: &mut Rng| -> Vec<u16> {
                        (0..len)
                            .map(|_| {
                                let v = (rng.next() as u16) % (max + 1);
                                if extreme {
                                    if v & 1 == 0 {
                                        0
                                    } else {
                                        max
                                    }
                                } else {
                                    v
                                }
                            })
                            .collect()
                    };
                    let a: [Vec<u16>; 4] = core::array::from_fn(|_| row(&mut rng));
                    let b: [Vec<u16>; 4] = core::array::from_fn(|_| row(&mut rng));
                    let ra: Rows4<'_, u16> = core::array::from_fn(|r| &a[r][..]);
                    let rb: Rows4<'_, u16> = core::array::from_fn(|r| &b[r][..]);
                    // The definition, in i64.
                    for (be, k) in
                        std::iter::once((crate::Backend::Scalar, scalar())).chain(backends())
                    {
                        let mut got = BlockRowU8::ZERO;
                        (k.x264_blocks_u16)(&ra, &rb, x0, nb, &mut got);
                        for i in 0..nb {
                            let (mut s1, mut s2, mut ss, mut s12) = (0i64, 0i64, 0i64, 0i64);
                            for r in 0..4 {
                                for j in x0 + 4 * i..x0 + 4 * i + 4 {
                                    let (u, v) = (a[r][j] as i64, b[r][j] as i64);
                                    s1 += u;
                                    s2 += v;
                                    ss += u * u + v * v;
                                    s12 += u * v;
                                }
                            }
                            let ctx = std::format!("{be:?} max {max} nb {nb} x0 {x0} block {i}");
                            assert_eq!(got.s1[i] as i64, s1, "s1 {ctx}");
                            assert_eq!(got.s2[i] as i64, s2, "s2 {ctx}");
                            assert_eq!(got.ss[i] as i64, ss, "ss {ctx}");
                            assert_eq!(got.s12[i] as i64, s12, "s12 {ctx}");
                        }
                    }
                }
            }
        }
    }
}
