//! Whole images on every backend this machine runs, against `Backend::Scalar`: random sizes,
//! strides and channel steps; u8, u16 and f32; Gaussian and box windows; valid and same-size
//! pooling with every padding; means only and full maps.
//!
//! Contract checked: u8/u16 samples in a box window give the scalar bits (means, sums and
//! every map pixel); everything else agrees within `MEAN_BOUND` on means and `MAP_BOUND` per
//! map pixel. `SSIM_REQUIRE_BACKENDS=avx2,avx512` makes a named backend that is not available
//! a failure (CI sets it), so a backend cannot silently go untested.

use ssim_core::{
    compute_with, map_size, scratch_len, Backend, Covariance, MapWriter, Options, Padding, Params,
    Plane, Pooling, Sample, ScratchBlock, SsimResult, Window,
};
use test_support::{textured, Rng};

/// The non-scalar backends: each is compared with scalar.
fn backends() -> Vec<Backend> {
    test_support::backends()
        .into_iter()
        .filter(|b| *b != Backend::Scalar)
        .collect()
}

/// Means of the Gaussian/f32 paths: the accuracy target stated in BENCHMARKS.md.
const MEAN_BOUND: f64 = 1e-6;
/// One map pixel of the Gaussian/f32 paths.
const MAP_BOUND: f64 = 1e-5;

fn params_list(rng: &mut Rng, range: f64) -> Vec<(String, Params)> {
    let mut out = vec![
        ("wang2004".into(), Params::wang2004(range)),
        ("scikit_image".into(), Params::scikit_image(range)),
        (
            "scikit_image_gaussian".into(),
            Params::scikit_image_gaussian(range),
        ),
        ("matlab".into(), Params::matlab(range)),
    ];
    for padding in [Padding::Replicate, Padding::Reflect, Padding::Mirror] {
        let size = [3, 5, 7, 9][rng.below(4)];
        out.push((
            format!("box{size} same {padding:?}"),
            Params {
                window: Window::Box { size },
                pooling: Pooling::Same(padding),
                covariance: Covariance::Sample,
                ..Params::wang2004(range)
            },
        ));
        let radius = 1 + rng.below(6);
        out.push((
            format!("gaussian r{radius} same {padding:?}"),
            Params {
                window: Window::Gaussian {
                    radius,
                    sigma: 0.5 + rng.unit() * 2.0,
                },
                pooling: Pooling::Same(padding),
                ..Params::wang2004(range)
            },
        ));
        out.push((
            format!("box7 valid, map {padding:?}"),
            Params {
                map_padding: Some(padding),
                ..Params::scikit_image(range)
            },
        ));
    }
    out
}

struct Run {
    result: SsimResult,
    ssim: Vec<f32>,
    cs: Vec<f32>,
}

fn run<T: Sample>(
    params: &Params,
    x: &Plane<'_, T>,
    y: &Plane<'_, T>,
    backend: Backend,
    map: bool,
) -> Run {
    let (w, h) = map_size(params, x.width(), x.height(), map).unwrap();
    let (mut ssim, mut cs) = (vec![0f32; w * h], vec![0f32; w * h]);
    let mut scratch = vec![ScratchBlock::ZERO; scratch_len(params, x.width(), map).unwrap()];
    let mut sink = MapWriter::new(w, h, &mut ssim, Some(&mut cs)).unwrap();
    let options = Options {
        backend: Some(backend),
        map,
        ..Options::default()
    };
    let result = compute_with(params, x, y, options, &mut scratch, &mut sink).unwrap();
    assert_eq!(result.backend, backend);
    Run { result, ssim, cs }
}

fn compare(ctx: &str, exact: bool, a: &Run, e: &Run, worst: &mut f64) {
    if exact {
        assert_eq!(
            a.result.ssim_sum.to_bits(),
            e.result.ssim_sum.to_bits(),
            "{ctx}: ssim sum"
        );
        assert_eq!(
            a.result.cs_sum.to_bits(),
            e.result.cs_sum.to_bits(),
            "{ctx}: cs sum"
        );
        assert_eq!(a.ssim, e.ssim, "{ctx}: ssim map");
        assert_eq!(a.cs, e.cs, "{ctx}: cs map");
        return;
    }
    let d = (a.result.ssim - e.result.ssim)
        .abs()
        .max((a.result.cs - e.result.cs).abs());
    *worst = worst.max(d);
    assert!(d <= MEAN_BOUND, "{ctx}: mean differs by {d:.3e}");
    for (i, (p, q)) in a
        .ssim
        .iter()
        .zip(&e.ssim)
        .chain(a.cs.iter().zip(&e.cs))
        .enumerate()
    {
        let d = (*p as f64 - *q as f64).abs();
        assert!(d <= MAP_BOUND, "{ctx}: map value {i} differs by {d:.3e}");
    }
}

/// Runs every parameter set on a random layout of one sample type.
fn check_type<T: Sample>(seed: u64, top: f64, make: fn(f64) -> T, is_float: bool) {
    let backends = backends();
    let mut rng = Rng::new(seed);
    let mut worst = vec![0f64; backends.len()];
    for round in 0..6 {
        let (w, h) = (11 + rng.below(60), 11 + rng.below(40));
        let step = 1 + rng.below(3);
        let stride = w * step + rng.below(5);
        let len = stride * (h - 1) + (w - 1) * step + 1;
        let xs: Vec<T> = textured(&mut rng, len, stride)
            .into_iter()
            .map(|v| make(v * top))
            .collect();
        let ys: Vec<T> = textured(&mut rng, len, stride)
            .into_iter()
            .map(|v| make(v * top))
            .collect();
        let x = Plane::with_layout(&xs, w, h, stride, step).unwrap();
        let y = Plane::with_layout(&ys, w, h, stride, step).unwrap();
        let range = if is_float { 1.0 } else { top };
        for (name, params) in params_list(&mut rng, range) {
            let exact = !is_float && matches!(params.window, Window::Box { .. });
            for map in [false, true] {
                let e = run(&params, &x, &y, Backend::Scalar, map);
                for (bi, &b) in backends.iter().enumerate() {
                    let ctx = format!(
                        "{b} round {round} {w}x{h} step {step} stride {stride} {name} map={map}"
                    );
                    let a = run(&params, &x, &y, b, map);
                    compare(&ctx, exact, &a, &e, &mut worst[bi]);
                }
            }
        }
    }
    for (b, d) in backends.iter().zip(&worst) {
        eprintln!("{b}: worst mean difference from scalar (Gaussian/f32 paths) {d:.3e}");
    }
}

#[test]
fn u8_images_on_every_backend() {
    check_type::<u8>(11, 255.0, |v| v.round() as u8, false);
}

#[test]
fn u16_images_on_every_backend() {
    check_type::<u16>(12, 65535.0, |v| v.round() as u16, false);
}

#[test]
fn ten_bit_images_on_every_backend() {
    check_type::<u16>(13, 1023.0, |v| v.round() as u16, false);
}

#[test]
fn f32_images_on_every_backend() {
    check_type::<f32>(14, 1.0, |v| v as f32, true);
}

#[test]
fn forcing_an_unavailable_backend_is_an_error() {
    let x = [7u8; 16 * 16];
    let p = Plane::new(&x, 16, 16).unwrap();
    let params = Params::wang2004(255.0);
    for b in Backend::ALL.iter().copied().filter(|b| !b.is_supported()) {
        let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, 16, false).unwrap()];
        let options = Options {
            backend: Some(b),
            ..Options::default()
        };
        let err = compute_with(&params, &p, &p, options, &mut scratch, &mut ()).unwrap_err();
        assert!(err.to_string().contains(b.name()), "{err}");
    }
}

/// A box engine keeps the exact sums of one sample type (8-bit ones in f32): switching types
/// between pushes is an error, not a silently wrong ring.
#[test]
fn box_engine_rejects_a_second_sample_type() {
    let params = Params::scikit_image(255.0);
    let (w, h) = (16, 12);
    let a = vec![9u8; w * h];
    let b = vec![9u16; w * h];
    let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&params, w, false).unwrap()];
    let mut engine = ssim_core::Ssim::new(&params, w, h, &mut scratch).unwrap();
    let (pa, pb) = (Plane::new(&a, w, h).unwrap(), Plane::new(&b, w, h).unwrap());
    engine
        .push_rows(&pa.rows(0, 2).unwrap(), &pa.rows(0, 2).unwrap(), &mut ())
        .unwrap();
    let err = engine
        .push_rows(&pb.rows(2, 2).unwrap(), &pb.rows(2, 2).unwrap(), &mut ())
        .unwrap_err();
    assert!(err.to_string().contains("same sample type"), "{err}");
}
