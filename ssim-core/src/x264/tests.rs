//! The strip-wise implementation against a literal per-window oracle written from FFmpeg's
//! description (8x8 sums straight from the pixels, the formula in f64), and the constants
//! against the values the reference vectors' README lists.

use super::*;
use crate::plane::Plane;
use crate::Backend;

extern crate std;
use std::vec::Vec;

fn lcg(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed;
    move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        s >> 33
    }
}

/// FFmpeg's definition, window by window, in f64.
fn oracle(a: &[u32], b: &[u32], w: usize, h: usize, max: f64) -> f64 {
    let c1 = (0.01 * 0.01 * max * max * 64.0 + 0.5) as i64 as f64;
    let c2 = (0.03 * 0.03 * max * max * 64.0 * 63.0 + 0.5) as i64 as f64;
    let (ww, wh) = ((w >> 2) - 1, (h >> 2) - 1);
    let mut total = 0.0;
    for j in 0..wh {
        for i in 0..ww {
            let (mut s1, mut s2, mut ss, mut s12) = (0f64, 0f64, 0f64, 0f64);
            for y in 4 * j..4 * j + 8 {
                for x in 4 * i..4 * i + 8 {
                    let (u, v) = (a[y * w + x] as f64, b[y * w + x] as f64);
                    s1 += u;
                    s2 += v;
                    ss += u * u + v * v;
                    s12 += u * v;
                }
            }
            let vars = 64.0 * ss - s1 * s1 - s2 * s2;
            let covar = 64.0 * s12 - s1 * s2;
            total += (2.0 * s1 * s2 + c1) * (2.0 * covar + c2)
                / ((s1 * s1 + s2 * s2 + c1) * (vars + c2));
        }
    }
    total / (ww * wh) as f64
}

fn pair(w: usize, h: usize, max: u32, seed: u64) -> (Vec<u32>, Vec<u32>) {
    let mut r = lcg(seed);
    let a: Vec<u32> = (0..w * h)
        .map(|i| ((i % w) as u32 * 3 + (i / w) as u32 * 5 + (r() % 40) as u32) % (max + 1))
        .collect();
    let b: Vec<u32> = a
        .iter()
        .map(|&v| (v + (r() % 23) as u32).min(max))
        .collect();
    (a, b)
}

#[test]
fn constants_match_ffmpeg() {
    assert_eq!(constants(8).unwrap(), (416, 235963));
    assert_eq!(constants(10).unwrap(), (6698, 3797644));
    assert_eq!(constants(16).unwrap(), (27486952, 15585101693));
    assert!(constants(7).is_err());
    assert!(constants(17).is_err());
}

#[test]
fn u8_matches_oracle_across_strips_and_odd_sizes() {
    // Widths below, at and above one strip (128 windows = 516 px) and one group of strips
    // walked side by side (on 64-bit, 1024 windows = 4100 px), and sizes that are not
    // multiples of 4 (their last columns and rows are ignored).
    for &(w, h) in &[
        (8, 8),
        (11, 9),
        (23, 17),
        (516, 12),
        (517, 13),
        (1031, 21),
        (4100, 9),
        (4107, 10),
        (5001, 11),
    ] {
        let (a, b) = pair(w, h, 255, (w * h) as u64);
        let (a8, b8): (Vec<u8>, Vec<u8>) = (
            a.iter().map(|&v| v as u8).collect(),
            b.iter().map(|&v| v as u8).collect(),
        );
        let got = ssim(
            &Plane::new(&a8, w, h).unwrap(),
            &Plane::new(&b8, w, h).unwrap(),
            8,
        )
        .unwrap();
        let want = oracle(&a, &b, w, h, 255.0);
        assert!((got - want).abs() < 1e-6, "{w}x{h}: {got} vs {want}");
        assert!(want < 0.999, "{w}x{h}: the pair must differ ({want})");
    }
}

#[test]
fn u16_matches_oracle_at_10_12_16_bits() {
    for &bits in &[10u32, 12, 16] {
        let max = (1u32 << bits) - 1;
        let (w, h) = (531, 19);
        let (a, b) = pair(w, h, max, bits as u64);
        let scale = |v: &Vec<u32>| -> Vec<u16> {
            v.iter()
                .map(|&s| (s * (max / 255).max(1)).min(max) as u16)
                .collect()
        };
        let (a16, b16) = (scale(&a), scale(&b));
        let (a32, b32): (Vec<u32>, Vec<u32>) = (
            a16.iter().map(|&v| v as u32).collect(),
            b16.iter().map(|&v| v as u32).collect(),
        );
        let got = ssim(
            &Plane::new(&a16, w, h).unwrap(),
            &Plane::new(&b16, w, h).unwrap(),
            bits,
        )
        .unwrap();
        let want = oracle(&a32, &b32, w, h, max as f64);
        assert!((got - want).abs() < 1e-6, "{bits} bits: {got} vs {want}");
        assert!(want < 0.999, "{bits} bits: the pair must differ ({want})");
    }
}

#[test]
fn strided_channel_equals_packed_plane() {
    let (w, h) = (40, 32);
    let (a, b) = pair(w, h, 255, 7);
    let pack = |v: &Vec<u32>| -> Vec<u8> { v.iter().flat_map(|&s| [s as u8, 0, 255]).collect() };
    let (pa, pb) = (pack(&a), pack(&b));
    let got = ssim(
        &Plane::with_layout(&pa, w, h, 3 * w, 3).unwrap(),
        &Plane::with_layout(&pb, w, h, 3 * w, 3).unwrap(),
        8,
    )
    .unwrap();
    assert!((got - oracle(&a, &b, w, h, 255.0)).abs() < 1e-6);
}

#[test]
fn bad_arguments_are_errors() {
    let a = [0u8; 64];
    let p = Plane::new(&a, 8, 8).unwrap();
    assert!(matches!(
        ssim(&p, &p, 10),
        Err(Error::InvalidParameter { .. })
    ));
    let small = Plane::new(&a, 7, 9).unwrap();
    assert!(matches!(
        ssim(&small, &small, 8),
        Err(Error::ImageSmallerThanWindow { window: 8, .. })
    ));
    let q = Plane::new(&a, 16, 4).unwrap();
    assert!(matches!(ssim(&p, &q, 8), Err(Error::SizeMismatch { .. })));
    let f = [0f32; 64];
    let pf = Plane::new(&f, 8, 8).unwrap();
    assert!(matches!(
        ssim(&pf, &pf, 8),
        Err(Error::InvalidParameter { .. })
    ));
    let a16 = [0u16; 64];
    let p16 = Plane::new(&a16, 8, 8).unwrap();
    assert!(matches!(
        ssim(&p16, &p16, 8),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn window_has_ffmpeg_rounding_points() {
    // Equal windows give exactly 1; a hand-computed window: S1 = 64*10, S2 = 64*12,
    // SS = 64*(100 + 144), S12 = 64*120 (flat 10 vs flat 12).
    let w = Sums {
        s1: 640,
        s2: 768,
        ss: 64 * 244,
        s12: 64 * 120,
    };
    let (c1, c2) = constants(8).unwrap();
    let want = ((2 * 640 * 768 + c1) as f32 * c2 as f32)
        / ((640 * 640 + 768 * 768 + c1) as f32 * c2 as f32);
    assert_eq!(window(w, c1, c2), want);
    let same = Sums {
        s1: 640,
        s2: 640,
        ss: 64 * 200,
        s12: 64 * 100,
    };
    assert_eq!(window(same, c1, c2), 1.0);
}

#[test]
fn every_backend_matches_the_scalar_reference() {
    // Widths around the 16- and 32-pixel steps of the vector kernels and the strip width.
    for &(w, h) in &[
        (8, 8),
        (19, 9),
        (35, 12),
        (67, 13),
        (516, 9),
        (531, 17),
        (1043, 11),
        (4107, 9),
    ] {
        let (a, b) = pair(w, h, 255, (w + h) as u64);
        let (a8, b8): (Vec<u8>, Vec<u8>) = (
            a.iter().map(|&v| v as u8).collect(),
            b.iter().map(|&v| v as u8).collect(),
        );
        let (x, y) = (
            Plane::new(&a8, w, h).unwrap(),
            Plane::new(&b8, w, h).unwrap(),
        );
        let scalar = ssim_with(&x, &y, 8, Some(Backend::Scalar)).unwrap();
        assert!((scalar - oracle(&a, &b, w, h, 255.0)).abs() < 1e-6);
        let portable = ssim_with(&x, &y, 8, Some(Backend::Portable)).unwrap();
        assert!(
            (portable - scalar).abs() < 1e-12,
            "{w}x{h}: {portable} vs {scalar}"
        );
        for be in Backend::available() {
            let v = ssim_with(&x, &y, 8, Some(be)).unwrap();
            // The vector kernels give the array form's bits exactly (exact integer sums,
            // unfused f32, the same f64 lane order).
            assert_eq!(v.to_bits(), portable.to_bits(), "{be:?} {w}x{h}");
        }
    }
}

#[test]
fn high_bit_depth_strip_order_gives_the_row_order_bits() {
    // Several strips (widths past 4 x STRIP windows, and not a multiple of it), odd sizes,
    // a strided channel: the strip walk must add each row's windows left to right in f32 as
    // the row walk does, so the sums are equal bit for bit.
    for &(w, h, bits, step) in &[
        (531usize, 19usize, 10u32, 1usize),
        (2 * 4 * STRIP + 37, 23, 12, 1),
        (4 * STRIP + 4, 41, 16, 1),
        (301, 17, 10, 3),
    ] {
        let max = (1u32 << bits) - 1;
        let (a, b) = pair(w * step, h, max, bits as u64 + w as u64);
        let (a16, b16): (Vec<u16>, Vec<u16>) = (
            a.iter().map(|&v| v as u16).collect(),
            b.iter().map(|&v| v as u16).collect(),
        );
        let (x, y) = (
            Plane::with_layout(&a16, w, h, w * step, step).unwrap(),
            Plane::with_layout(&b16, w, h, w * step, step).unwrap(),
        );
        let (ww, wh) = windows(w, h).unwrap();
        let (c1, c2) = constants(bits).unwrap();
        let line =
            |band: &Band<'_, u16>, x0: usize, out: &mut [Sums]| block_line(band, step, x0, out);
        let rows = plane_sum_f32_rows::<u16, u16>(&x, &y, ww, wh, c1, c2).unwrap();
        assert!(rows < (ww * wh) as f64, "the pair must differ");
        // Targets without the row sums (32-bit: `ROW_SUMS` is 0) only have the row walk.
        if wh <= ROW_SUMS {
            let strips = plane_sum_f32_strips::<u16, u16>(&x, &y, ww, wh, (c1, c2), line).unwrap();
            assert_eq!(
                strips.to_bits(),
                rows.to_bits(),
                "{w}x{h} {bits} bits step {step}"
            );
        }
        // Every backend's value: the block-sum kernels up to 12 bits (packed rows), the
        // scalar block sums otherwise; the same sums, so the same bits.
        let want = rows / (ww * wh) as f64;
        for b in Backend::ALL.iter().filter(|b| b.kernels().is_ok()) {
            let got = ssim_with(&x, &y, bits, Some(*b)).unwrap();
            assert_eq!(
                got.to_bits(),
                want.to_bits(),
                "{b:?} {w}x{h} {bits} bits step {step}"
            );
        }
    }
}

#[test]
fn high_bit_depth_planes_taller_than_the_row_sums_take_the_row_walk() {
    // 4,200 rows: 1,049 rows of windows, past `ROW_SUMS` on 64-bit targets.
    let (w, h, bits) = (40usize, 4200usize, 10u32);
    let max = (1u32 << bits) - 1;
    let (a, b) = pair(w, h, max, 7);
    let (a16, b16): (Vec<u16>, Vec<u16>) = (
        a.iter().map(|&v| v as u16).collect(),
        b.iter().map(|&v| v as u16).collect(),
    );
    let (x, y) = (
        Plane::new(&a16, w, h).unwrap(),
        Plane::new(&b16, w, h).unwrap(),
    );
    assert!(windows(w, h).unwrap().1 > ROW_SUMS || ROW_SUMS == 0);
    let got = ssim(&x, &y, bits).unwrap();
    let want = oracle(&a, &b, w, h, max as f64);
    assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    assert!(want < 1.0, "the pair must differ ({want})");
}
