//! The streaming 2x2 means against the whole-image definitions, on every rule and step.

use super::*;

const N: usize = 512;

/// The whole-image definitions of VECTORS.md, literally, in f64.
fn reference(rule: Downsample, x: &[f64], w: usize, h: usize) -> [f64; N] {
    let mut out = [0.0; N];
    let (ow, oh) = (w.div_ceil(2), h.div_ceil(2));
    let get = |r: isize, c: isize| -> f64 {
        match rule {
            Downsample::Wang2003 => {
                let r = (r as usize).min(h - 1);
                let c = (c as usize).min(w - 1);
                x[r * w + c]
            }
            _ => {
                if r < 0 || c < 0 {
                    0.0
                } else {
                    x[r as usize * w + c as usize]
                }
            }
        }
    };
    for q in 0..oh {
        for k in 0..ow {
            let (r0, c0) = match rule {
                Downsample::Wang2003 => (2 * q as isize, 2 * k as isize),
                _ => (
                    2 * q as isize - (h % 2) as isize,
                    2 * k as isize - (w % 2) as isize,
                ),
            };
            out[q * ow + k] =
                (get(r0, c0) + get(r0, c0 + 1) + get(r0 + 1, c0) + get(r0 + 1, c0 + 1)) / 4.0;
        }
    }
    out
}

fn streamed(rule: Downsample, x: &[u8], w: usize, h: usize, step: usize) -> [f32; N] {
    let ow = w.div_ceil(2);
    let mut out = [0f32; N];
    let mut sums = [0f32; N];
    let row = |j: usize| &x[j * w * step..(j + 1) * w * step];
    for j in 0..h {
        match rule.role(j, h) {
            RowRole::First(_) => rule.first_row(row(j), step, w, &mut sums).unwrap(),
            RowRole::Second(q) => {
                let o = &mut out[q * ow..(q + 1) * ow];
                rule.second_row(Some(&sums), row(j), step, w, o).unwrap();
            }
            RowRole::Both(q) => {
                rule.first_row(row(j), step, w, &mut sums).unwrap();
                let o = &mut out[q * ow..(q + 1) * ow];
                rule.second_row(Some(&sums), row(j), step, w, o).unwrap();
            }
            RowRole::Alone(q) => {
                let o = &mut out[q * ow..(q + 1) * ow];
                rule.second_row(None, row(j), step, w, o).unwrap();
            }
        }
        let (lo, hi) = rule.sources(rule.role(j, h).output(), h);
        assert!(lo <= j && j <= hi);
    }
    out
}

/// The same with both rows of a block at hand: [`DownsampleKernels::block_row`] on every row
/// that completes a block.
fn by_blocks(rule: Downsample, x: &[u8], w: usize, h: usize, step: usize) -> [f32; N] {
    let ow = w.div_ceil(2);
    let mut out = [0f32; N];
    let row = |j: usize| &x[j * w * step..(j + 1) * w * step];
    for j in 0..h {
        let o = &mut out[rule.role(j, h).output() * ow..][..ow];
        match rule.role(j, h) {
            RowRole::First(_) => {}
            RowRole::Second(_) => rule.block_row(row(j - 1), row(j), step, w, o).unwrap(),
            RowRole::Both(_) => rule.block_row(row(j), row(j), step, w, o).unwrap(),
            RowRole::Alone(_) => rule.second_row(None, row(j), step, w, o).unwrap(),
        }
    }
    out
}

#[test]
fn streaming_rows_match_the_whole_image_definitions() {
    for rule in [Downsample::Wang2003, Downsample::PytorchMsssim] {
        for (w, h) in [
            (1, 1),
            (2, 2),
            (3, 5),
            (4, 3),
            (5, 5),
            (6, 7),
            (7, 6),
            (8, 8),
            (69, 3),
            (98, 5),
            (33, 4),
        ] {
            for step in [1, 3] {
                let x: [u8; 3 * N] = core::array::from_fn(|i| (i * 37 % 251) as u8);
                let xf: [f64; N] =
                    core::array::from_fn(|i| if i < w * h { x[i * step] as f64 } else { 0.0 });
                let want = reference(rule, &xf, w, h);
                let n = w.div_ceil(2) * h.div_ceil(2);
                for (how, got) in [
                    ("rows", streamed(rule, &x, w, h, step)),
                    ("blocks", by_blocks(rule, &x, w, h, step)),
                ] {
                    for i in 0..n {
                        assert_eq!(
                            got[i] as f64, want[i],
                            "{rule:?} by {how} {w}x{h} step {step} at {i}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn short_buffers_are_errors() {
    let mut out = [0f32; 2];
    let rule = Downsample::Wang2003;
    assert!(rule.first_row(&[1u8, 2, 3], 1, 4, &mut out).is_err());
    assert!(rule
        .first_row(&[1u8, 2, 3, 4], 1, 4, &mut out[..1])
        .is_err());
    assert!(rule.first_row(&[1u8, 2, 3, 4], 0, 4, &mut out).is_err());
    assert!(rule
        .second_row(Some(&[0.0]), &[1u8, 2, 3, 4], 1, 4, &mut out)
        .is_err());
    assert!(rule.first_row(&[1u8, 2, 3, 4], 1, 4, &mut out).is_ok());
    assert!(rule
        .block_row(&[1u8, 2, 3], &[1u8, 2, 3, 4], 1, 4, &mut out)
        .is_err());
    assert!(rule
        .block_row(&[1u8, 2, 3, 4], &[1u8, 2, 3], 1, 4, &mut out)
        .is_err());
    assert!(rule
        .block_row(&[1u8, 2, 3, 4], &[1u8, 2, 3, 4], 1, 4, &mut out[..1])
        .is_err());
    assert!(rule
        .block_row(&[1u8, 2, 3, 4], &[1u8, 2, 3, 4], 1, 4, &mut out)
        .is_ok());
}
