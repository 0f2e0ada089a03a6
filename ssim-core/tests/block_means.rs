//! The block-mean stage (`BlockMeanKernels`) on every backend against its definition written
//! independently here: output `m` is the f64 mean of the `f x f` samples of its block, indices
//! from `AutoDownsample::block_start` mirrored half-sample at the edges. The public vectors only
//! reach `f > 1` with 8-bit images, so u16 and f32 samples, channel steps and odd sizes are
//! checked here.

#![cfg(feature = "block-means")]

use ssim_core::{
    AutoDownsample, Backend, BlockMeanKernels, ColumnSums, Error, Plane, Sample, SampleKind,
};

/// `x[-1] = x[0]`, `x[n] = x[n - 1]`, period `2n`.
fn mirror(i: isize, n: usize) -> usize {
    let p = 2 * n as isize;
    let j = i.rem_euclid(p);
    if j < n as isize {
        j as usize
    } else {
        (p - 1 - j) as usize
    }
}

fn definition<T: Sample>(
    rule: AutoDownsample,
    f: usize,
    data: &[T],
    (w, h, step): (usize, usize, usize),
) -> Vec<f32> {
    let (ow, oh) = (rule.output_len(w, f), rule.output_len(h, f));
    let mut out = Vec::new();
    for m in 0..oh {
        for k in 0..ow {
            let (r0, c0) = (rule.block_start(m, f), rule.block_start(k, f));
            let mut s = 0.0f64;
            for a in 0..f as isize {
                for b in 0..f as isize {
                    let (r, c) = (mirror(r0 + a, h), mirror(c0 + b, w));
                    s += data[(r * w + c) * step].to_f64();
                }
            }
            out.push((s / (f * f) as f64) as f32);
        }
    }
    out
}

fn stage<T: Sample>(
    k: &BlockMeanKernels,
    rule: AutoDownsample,
    data: &[T],
    (w, h, step): (usize, usize, usize),
) -> Vec<f32> {
    let f = k.factor();
    let plane = Plane::with_layout(data, w, h, w * step, step).unwrap();
    let (ow, oh) = (rule.output_len(w, f), rule.output_len(h, f));
    let (mut a32, mut a64) = (vec![0f32; w], vec![0f64; w]);
    let mut out = vec![0f32; ow * oh];
    for m in 0..oh {
        let mut sums = if k.exact_in_f32(T::KIND) {
            ColumnSums::F32(&mut a32)
        } else {
            ColumnSums::F64(&mut a64)
        };
        sums.clear();
        let r0 = rule.block_start(m, f);
        for t in 0..f as isize {
            let row = plane.rows(mirror(r0 + t, h), 1).unwrap();
            k.add_row(&row, &mut sums).unwrap();
        }
        k.means(&sums, &mut out[m * ow..][..ow]).unwrap();
    }
    out
}

#[test]
fn block_means_match_the_definition_on_every_backend() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for backend in Backend::available() {
        for rule in [AutoDownsample::Piq, AutoDownsample::Wang2009] {
            for (w, h, f) in [
                (7, 5, 1),
                (9, 8, 2),
                (37, 20, 3),
                (65, 47, 4),
                (100, 33, 5),
                (5, 6, 4),
                (3, 2, 3),
                (50, 40, 6),
                (70, 19, 7),
                (90, 17, 8),
            ] {
                for step in [1, 3] {
                    let shape = (w, h, step);
                    let n = w * h * step;
                    let k = BlockMeanKernels::new(rule, f, backend).unwrap();
                    let u8s: Vec<u8> = (0..n).map(|_| next() as u8).collect();
                    let u16s: Vec<u16> = (0..n).map(|_| next() as u16).collect();
                    let f32s: Vec<f32> = (0..n)
                        .map(|_| (next() % 2_000_001) as f32 * 1.0e-3 - 700.0)
                        .collect();
                    let what = format!("{backend} {rule:?} {w}x{h} f={f} step={step}");
                    // Integer sums are exact: the same bits as the definition.
                    assert_eq!(
                        stage(&k, rule, &u8s, shape),
                        definition(rule, f, &u8s, shape),
                        "u8 {what}"
                    );
                    assert_eq!(
                        stage(&k, rule, &u16s, shape),
                        definition(rule, f, &u16s, shape),
                        "u16 {what}"
                    );
                    // f64 sums in another order: within one f32 rounding of the definition.
                    let (got, want) = (
                        stage(&k, rule, &f32s, shape),
                        definition(rule, f, &f32s, shape),
                    );
                    for (g, e) in got.iter().zip(&want) {
                        assert!(
                            (g - e).abs() <= e.abs() * f32::EPSILON + 1.0e-9,
                            "f32 {what}: {g} vs {e}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn mismatched_sums_are_errors() {
    let k = BlockMeanKernels::new(AutoDownsample::Piq, 2, Backend::Scalar).unwrap();
    let row = Plane::new(&[1.0f32, 2.0, 3.0], 3, 1).unwrap();
    let mut a32 = [0f32; 3];
    assert!(matches!(
        k.add_row(&row, &mut ColumnSums::F32(&mut a32)),
        Err(Error::InvalidParameter { .. })
    ));
    let mut short = [0f64; 2];
    assert!(matches!(
        k.add_row(&row, &mut ColumnSums::F64(&mut short)),
        Err(Error::BufferTooShort { .. })
    ));
    let mut out = [0f32; 2];
    assert!(k.means(&ColumnSums::F32(&mut a32), &mut out).is_err());
    assert!(BlockMeanKernels::new(AutoDownsample::Piq, 0, Backend::Scalar).is_err());
    // A factor whose u16 sums could pass 2^24 must use f64 sums.
    let big = BlockMeanKernels::new(AutoDownsample::Piq, 257, Backend::Scalar).unwrap();
    assert!(!big.exact_in_f32(SampleKind::U16) && big.exact_in_f32(SampleKind::U8));
}
