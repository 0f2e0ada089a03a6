//! The MS-SSIM 2x2 mean ([`DownsampleKernels`]) on every backend this machine runs, against
//! `Backend::Scalar` and against the whole-image definition of VECTORS.md: both rules, odd and
//! even sizes around every vector width, pixel steps (interleaved channels), u8, u16 and f32.
//!
//! Contract checked: every backend gives the scalar bits, for every sample type; for integer
//! samples those bits are the exact means. `SSIM_REQUIRE_BACKENDS=avx2,avx512` makes a named
//! backend that is not available a failure (CI sets it).

use ssim_core::{Backend, Downsample, DownsampleKernels, RowRole, Sample};
use test_support::{backends, Rng};

const RULES: [Downsample; 4] = [
    Downsample::Wang2003,
    Downsample::PytorchMsssim,
    Downsample::Floor,
    Downsample::ReplicateStart,
];

/// Widths around every vector width (4, 8, 16 f32 lanes; u8 pairs read 2x that), odd and even.
const WIDTHS: &[usize] = &[
    1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 34, 63, 64, 65, 66, 67, 97, 130, 255,
];

/// The image downsampled row by row as `ssim-std`'s pyramid streams it; `x` holds `h` rows of
/// `stride` samples, pixel `c` of row `j` at `j * stride + c * step`.
fn stream<T: Sample>(
    d: &DownsampleKernels,
    x: &[T],
    (w, h, stride, step): (usize, usize, usize, usize),
) -> Vec<f32> {
    let (ow, oh) = (d.rule().len(w), d.rule().len(h));
    let mut out = vec![f32::NAN; ow * oh];
    let mut sums = vec![f32::NAN; ow];
    for j in 0..h {
        let row = &x[j * stride..];
        let role = d.rule().role(j, h);
        let q = role.output();
        if q >= oh {
            // A dropped row (Floor's odd last row, ReplicateStart's even last row).
            continue;
        }
        let o = &mut out[q * ow..(q + 1) * ow];
        match role {
            RowRole::First(_) => d.first_row(row, step, w, &mut sums).unwrap(),
            RowRole::Second(_) => d.second_row(Some(&sums), row, step, w, o).unwrap(),
            RowRole::Both(_) => {
                d.first_row(row, step, w, &mut sums).unwrap();
                d.second_row(Some(&sums), row, step, w, o).unwrap();
            }
            RowRole::Alone(_) => d.second_row(None, row, step, w, o).unwrap(),
        }
    }
    out
}

/// VECTORS.md's whole-image definition in f64: Wang repeats the last row/column of an odd
/// axis, pytorch pads one zero before it, Floor drops it, ReplicateStart puts a copy of the
/// first sample before every axis (piq); every block is divided by 4.
fn definition(rule: Downsample, px: impl Fn(usize, usize) -> f64, w: usize, h: usize) -> Vec<f64> {
    // ReplicateStart's floor((n + 1) / 2) is ceil(n / 2).
    let (ow, oh) = match rule {
        Downsample::Floor => (w / 2, h / 2),
        _ => (w.div_ceil(2), h.div_ceil(2)),
    };
    let get = |r: isize, c: isize| -> f64 {
        match rule {
            Downsample::Wang2003 => px((r as usize).min(h - 1), (c as usize).min(w - 1)),
            Downsample::ReplicateStart => px(r.max(0) as usize, c.max(0) as usize),
            _ if r < 0 || c < 0 => 0.0,
            _ => px(r as usize, c as usize),
        }
    };
    let (dr, dc) = match rule {
        Downsample::Wang2003 | Downsample::Floor => (0, 0),
        Downsample::ReplicateStart => (1, 1),
        _ => ((h % 2) as isize, (w % 2) as isize),
    };
    let mut out = Vec::with_capacity(ow * oh);
    for q in 0..oh {
        for k in 0..ow {
            let (r, c) = (2 * q as isize - dr, 2 * k as isize - dc);
            out.push((get(r, c) + get(r, c + 1) + get(r + 1, c) + get(r + 1, c + 1)) / 4.0);
        }
    }
    out
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn every_backend_gives_the_scalar_bits_and_integers_give_the_exact_means() {
    let mut rng = Rng::new(11);
    for rule in RULES {
        let scalar = rule.with_backend(Backend::Scalar).unwrap();
        for b in backends() {
            let d = rule.with_backend(b).unwrap();
            assert_eq!((d.rule(), d.backend()), (rule, b));
            for &w in WIDTHS {
                for h in [1, 2, 5, 6] {
                    for step in [1, 2, 3] {
                        // A row longer than the pixels need: rows have a stride.
                        let stride = (w - 1) * step + 1 + (w % 3);
                        let len = (h - 1) * stride + (w - 1) * step + 1;
                        let u8s: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
                        let u16s: Vec<u16> = (0..len).map(|_| rng.next_u64() as u16).collect();
                        let f32s: Vec<f32> =
                            (0..len).map(|_| rng.unit_f32() * 1.0e4 - 1.0e3).collect();
                        let g = (w, h, stride, step);
                        let at = |j: usize, c: usize| j * stride + c * step;
                        let what = format!("{rule:?} {b} {w}x{h} step {step}");

                        let got = stream(&d, &u8s, g);
                        assert_eq!(bits(&got), bits(&stream(&scalar, &u8s, g)), "u8 {what}");
                        let want = definition(rule, |j, c| u8s[at(j, c)] as f64, w, h);
                        let got: Vec<f64> = got.iter().map(|&v| v as f64).collect();
                        assert_eq!(got, want, "u8 exact {what}");

                        let got = stream(&d, &u16s, g);
                        assert_eq!(bits(&got), bits(&stream(&scalar, &u16s, g)), "u16 {what}");
                        let want = definition(rule, |j, c| u16s[at(j, c)] as f64, w, h);
                        let got: Vec<f64> = got.iter().map(|&v| v as f64).collect();
                        assert_eq!(got, want, "u16 exact {what}");

                        let got = stream(&d, &f32s, g);
                        assert_eq!(bits(&got), bits(&stream(&scalar, &f32s, g)), "f32 {what}");
                        let want = definition(rule, |j, c| f32s[at(j, c)] as f64, w, h);
                        // f32 sums round relative to the magnitudes they add, not to the
                        // (possibly cancelled) mean: the bound scales with the mean of |x|.
                        let scale = definition(rule, |j, c| f32s[at(j, c)].abs() as f64, w, h);
                        for (i, ((a, e), m)) in got.iter().zip(&want).zip(&scale).enumerate() {
                            assert!(
                                ((*a as f64) - e).abs() <= 4.0 * f32::EPSILON as f64 * m.max(1.0),
                                "f32 {what} at {i}: {a} vs {e} (mean |x| {m})"
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn the_default_entry_points_match_an_explicit_backend() {
    let x: Vec<u8> = (0..3 * 41).map(|i| (i * 37 % 253) as u8).collect();
    let (mut a, mut e) = (vec![0f32; 21], vec![0f32; 21]);
    for rule in RULES {
        rule.first_row(&x, 3, 41, &mut a).unwrap();
        let d = rule.with_backend(Backend::Scalar).unwrap();
        d.first_row(&x, 3, 41, &mut e).unwrap();
        assert_eq!(a, e);
        rule.second_row(Some(&e.clone()), &x, 1, 41, &mut a)
            .unwrap();
        d.second_row(Some(&e.clone()), &x, 1, 41, &mut e).unwrap();
        assert_eq!(a, e);
    }
}

#[test]
fn short_buffers_and_unsupported_backends_are_errors() {
    for b in Backend::ALL.iter().copied().filter(|b| !b.is_supported()) {
        assert!(Downsample::Wang2003.with_backend(b).is_err(), "{b}");
    }
    for b in backends() {
        let d = Downsample::PytorchMsssim.with_backend(b).unwrap();
        let row = [1u8; 40];
        let mut out = [0f32; 20];
        assert!(d.first_row(&row, 1, 41, &mut out).is_err(), "row too short");
        assert!(
            d.first_row(&row, 1, 40, &mut out[..19]).is_err(),
            "output too short"
        );
        assert!(d.first_row(&row, 0, 40, &mut out).is_err(), "step 0");
        assert!(d.first_row(&row, 1, 0, &mut out).is_err(), "width 0");
        let first = [0f32; 19];
        assert!(d.second_row(Some(&first), &row, 1, 40, &mut out).is_err());
        assert!(d.second_row(None, &row, 2, 20, &mut out).is_ok());
    }
}
