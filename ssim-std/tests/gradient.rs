//! The gradients against central finite differences of an f64 SSIM written here from the
//! definition (2-D window, explicit padding, no separability), on random small images for
//! every preset and padding mode; MS-SSIM's negative-mean modes; threads; bad input.

use ssim_std::{
    msssim_gradient_into, msssim_gradient_with, ssim_gradient_into, ssim_gradient_with,
    ssim_image_gradient, ssim_with, ChannelMode, Config, Convention, Covariance, Downsample, Error,
    Interleaved, MsSsimParams, NegativeMeans, Padding, Params, PixelLayout, Plane, Pooling, Preset,
    Window,
};
use test_support::{textured, Rng};

/// The normalised 1-D window.
fn taps(window: &Window) -> Vec<f64> {
    let r = window.radius() as isize;
    let raw: Vec<f64> = match *window {
        Window::Gaussian { sigma, .. } => (-r..=r)
            .map(|k| (-((k * k) as f64) / (2.0 * sigma * sigma)).exp())
            .collect(),
        Window::Box { .. } => vec![1.0; (2 * r + 1) as usize],
    };
    let s: f64 = raw.iter().sum();
    raw.iter().map(|v| v / s).collect()
}

/// Mean SSIM (or cs) by the definition, in f64.
fn mean_f64(p: &Params, x: &[f64], y: &[f64], w: usize, h: usize, cs_only: bool) -> f64 {
    mean_f64_clamped(p, x, y, w, h, cs_only, false).0
}

/// [`mean_f64`], with torchmetrics' clamp of the variances at 0 if `clamp`; also returns
/// how many windows had a negative variance.
fn mean_f64_clamped(
    p: &Params,
    x: &[f64],
    y: &[f64],
    w: usize,
    h: usize,
    cs_only: bool,
    clamp: bool,
) -> (f64, usize) {
    let mut negative = 0;
    let g = taps(&p.window);
    let r = g.len() / 2;
    let n = (g.len() * g.len()) as f64;
    let f = match p.covariance {
        Covariance::Population => 1.0,
        Covariance::Sample => n / (n - 1.0),
    };
    let (pad, off, mw, mh) = match p.pooling {
        Pooling::Valid => (Padding::Replicate, r as isize, w - 2 * r, h - 2 * r),
        Pooling::Same(pad) => (pad, 0, w, h),
    };
    let (c1, c2) = (p.c1(), p.c2());
    let mut sum = 0.0;
    for my in 0..mh {
        for mx in 0..mw {
            let (mut ux, mut uy, mut uxx, mut uyy, mut uxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for (a, ga) in g.iter().enumerate() {
                for (b, gb) in g.iter().enumerate() {
                    let row = pad.map_index(my as isize + off + a as isize - r as isize, h);
                    let col = pad.map_index(mx as isize + off + b as isize - r as isize, w);
                    let (u, v) = (x[row * w + col], y[row * w + col]);
                    let wt = ga * gb;
                    ux += wt * u;
                    uy += wt * v;
                    uxx += wt * u * u;
                    uyy += wt * v * v;
                    uxy += wt * u * v;
                }
            }
            let (mut sxx, mut syy, sxy) = (
                f * (uxx - ux * ux),
                f * (uyy - uy * uy),
                f * (uxy - ux * uy),
            );
            negative += usize::from(sxx < 0.0 || syy < 0.0);
            if clamp {
                (sxx, syy) = (sxx.max(0.0), syy.max(0.0));
            }
            let cs = (2.0 * sxy + c2) / (sxx + syy + c2);
            let l = (2.0 * ux * uy + c1) / (ux * ux + uy * uy + c1);
            sum += if cs_only { cs } else { l * cs };
        }
    }
    (sum / (mw * mh) as f64, negative)
}

/// The 2x2 rule in f64.
fn down(rule: Downsample, v: &[f64], w: usize, h: usize) -> (Vec<f64>, usize, usize) {
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    // Taps of output index k on an axis of n samples: (index or None for a zero, weight).
    let tapsof = |k: usize, n: usize| -> [(Option<usize>, f64); 2] {
        match rule {
            Downsample::Wang2003 => [(Some(2 * k), 0.5), (Some((2 * k + 1).min(n - 1)), 0.5)],
            Downsample::PytorchMsssim if n % 2 == 1 => {
                [((2 * k).checked_sub(1), 0.5), (Some(2 * k), 0.5)]
            }
            Downsample::PytorchMsssim => [(Some(2 * k), 0.5), (Some(2 * k + 1), 0.5)],
            other => {
                unreachable!("the gradient tests use Wang2003 and PytorchMsssim, not {other:?}")
            }
        }
    };
    let mut out = vec![0.0; cw * ch];
    for i in 0..ch {
        for j in 0..cw {
            let mut s = 0.0;
            for (ri, wr) in tapsof(i, h) {
                for (cj, wc) in tapsof(j, w) {
                    if let (Some(ri), Some(cj)) = (ri, cj) {
                        s += wr * wc * v[ri * w + cj];
                    }
                }
            }
            out[i * cw + j] = s;
        }
    }
    (out, cw, ch)
}

/// MS-SSIM by the definition, in f64.
fn msssim_f64(p: &MsSsimParams, x: &[f64], y: &[f64], w: usize, h: usize) -> f64 {
    let (mut x, mut y, mut w, mut h) = (x.to_vec(), y.to_vec(), w, h);
    let n = p.weights.len();
    let mut v = 1.0f64;
    for (l, wt) in p.weights.iter().enumerate() {
        let m = mean_f64(&p.ssim, &x, &y, w, h, l + 1 < n);
        let b = match p.negative {
            NegativeMeans::Relu => m.max(0.0),
            NegativeMeans::Normalize => (m + 1.0) / 2.0,
            _ => m,
        };
        v *= b.powf(*wt);
        if l + 1 < n {
            let (nx, cw, ch) = down(p.downsample, &x, w, h);
            let (ny, _, _) = down(p.downsample, &y, w, h);
            (x, y, w, h) = (nx, ny, cw, ch);
        }
    }
    v
}

/// Central differences of `f` at the pixels `at`, step `step`.
fn central(f: &dyn Fn(&[f64]) -> f64, y: &[f64], at: &[usize], step: f64) -> Vec<f64> {
    at.iter()
        .map(|&i| {
            let mut a = y.to_vec();
            a[i] = y[i] + step;
            let up = f(&a);
            a[i] = y[i] - step;
            (up - f(&a)) / (2.0 * step)
        })
        .collect()
}

fn random_pair(seed: u64, w: usize, h: usize) -> (Vec<f32>, Vec<f32>) {
    let mut rng = Rng::new(seed);
    let x: Vec<f32> = textured(&mut rng, w * h, w)
        .iter()
        .map(|&v| v as f32)
        .collect();
    let y: Vec<f32> = x
        .iter()
        .map(|&v| (v + 0.25 * (rng.unit_f32() - 0.5)).clamp(0.0, 1.0))
        .collect();
    (x, y)
}

fn check_close(what: &str, got: &[f64], want: &[f64]) {
    let max = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(
        max > 0.0,
        "{what}: all finite differences are 0; the test would prove nothing"
    );
    for (i, (g, e)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - e).abs() <= 1e-5 * max,
            "{what}: pixel #{i}: gradient {g:e}, finite difference {e:e} (max {max:e})"
        );
    }
}

/// Every single-scale parameter set: the presets, and each pooling, padding, window and
/// covariance combination.
fn parameter_sets() -> Vec<(String, Params)> {
    let mut v: Vec<(String, Params)> = Preset::ALL
        .iter()
        .map(|p| (p.name().to_string(), p.params(1.0)))
        .collect();
    for window in [
        Window::Gaussian {
            radius: 3,
            sigma: 1.2,
        },
        Window::Box { size: 5 },
    ] {
        for covariance in [Covariance::Population, Covariance::Sample] {
            for pooling in [
                Pooling::Valid,
                Pooling::Same(Padding::Replicate),
                Pooling::Same(Padding::Reflect),
                Pooling::Same(Padding::Mirror),
            ] {
                let p = Params {
                    window,
                    covariance,
                    pooling,
                    ..Params::wang2004(1.0)
                };
                v.push((format!("{window:?} {covariance:?} {pooling:?}"), p));
            }
        }
    }
    v
}

#[test]
fn single_scale_matches_finite_differences_for_every_parameter_set() {
    // 13x12: the 11-tap presets have a 3x2 valid map; the 7-tap ones cover the borders
    // from both sides. Sizes below a window are checked for the padded poolings.
    for (k, (name, p)) in parameter_sets().into_iter().enumerate() {
        for (w, h) in [(13, 12), (6, 5)] {
            if p.pooling == Pooling::Valid && (w < p.window.size() || h < p.window.size()) {
                continue;
            }
            let (x, y) = random_pair(100 + k as u64, w, h);
            let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
            let g =
                ssim_gradient_with(&p, &xp, &yp, &Config::default(), Convention::Exact).unwrap();
            let x64: Vec<f64> = x.iter().map(|&v| v as f64).collect();
            let y64: Vec<f64> = y.iter().map(|&v| v as f64).collect();
            let f = |yy: &[f64]| mean_f64(&p, &x64, yy, w, h, false);
            let all: Vec<usize> = (0..w * h).collect();
            let fd = central(&f, &y64, &all, 1e-4);
            let got: Vec<f64> = g.gradient.iter().map(|&v| v as f64).collect();
            check_close(&format!("{name} {w}x{h}"), &got, &fd);
        }
    }
}

/// torchmetrics clamps the variances at 0. With positive weights a variance is >= 0, so
/// the clamp acts only where f64 rounding leaves a flat window slightly negative; there the
/// clamped variance's derivative is 0, and so is the unclamped one (`d s_yy / d y_i =
/// 2 w_i (y_i - mu_y)` vanishes on a flat window). The other terms (mean, covariance) still
/// move: a gradient that dropped the whole window where the clamp acts would fail here.
#[test]
fn torchmetrics_gradient_is_the_derivative_of_the_clamped_value_where_the_clamp_acts() {
    let (w, h) = (17, 15);
    let p = Preset::Torchmetrics.params(1.0);
    let (x, y0) = random_pair(7, w, h);
    let x64: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    // A flat block of y at the first level (of a fixed list) whose window moments round
    // to a negative variance somewhere.
    let flat = |level: f32| {
        let mut y = y0.clone();
        for r in 1..14 {
            for c in 2..16 {
                y[r * w + c] = level;
            }
        }
        y
    };
    let y = (1..200)
        .map(|k| flat(k as f32 / 199.0))
        .find(|y| {
            let y64: Vec<f64> = y.iter().map(|&v| v as f64).collect();
            mean_f64_clamped(&p, &x64, &y64, w, h, false, true).1 > 0
        })
        .expect("no level gives a negative f64 variance: the clamp never acts");
    let y64: Vec<f64> = y.iter().map(|&v| v as f64).collect();
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    let g = ssim_gradient_with(&p, &xp, &yp, &Config::default(), Convention::Exact).unwrap();
    let f = |yy: &[f64]| mean_f64_clamped(&p, &x64, yy, w, h, false, true).0;
    let all: Vec<usize> = (0..w * h).collect();
    let fd = central(&f, &y64, &all, 1e-4);
    let got: Vec<f64> = g.gradient.iter().map(|&v| v as f64).collect();
    check_close("torchmetrics, flat block", &got, &fd);
    // Inside the block the gradient is not 0 (the means and the covariance still move).
    let inside = 7 * w + 8;
    assert!(got[inside].abs() > 1e-3 * fd.iter().fold(0.0f64, |m, v| m.max(v.abs())));
}

#[test]
fn scikit_image_convention_is_the_full_reflect_map_without_the_covariance_factor() {
    let (w, h) = (14, 11);
    let (x, y) = random_pair(7, w, h);
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    let x64: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    let y64: Vec<f64> = y.iter().map(|&v| v as f64).collect();
    let all: Vec<usize> = (0..w * h).collect();
    // Population covariance: exactly the derivative of the full reflect-padded map's mean.
    let p = Params::wang2004(1.0);
    let g = ssim_gradient_with(&p, &xp, &yp, &Config::default(), Convention::ScikitImage).unwrap();
    let full = Params {
        pooling: Pooling::Same(Padding::Reflect),
        ..p
    };
    let fd = central(
        &|yy: &[f64]| mean_f64(&full, &x64, yy, w, h, false),
        &y64,
        &all,
        1e-4,
    );
    let got: Vec<f64> = g.gradient.iter().map(|&v| v as f64).collect();
    check_close("skimage convention, population", &got, &fd);
    // Sample covariance: not the true derivative (scikit-image leaves the factor out).
    let p = Params::scikit_image(1.0);
    let g = ssim_gradient_with(&p, &xp, &yp, &Config::default(), Convention::ScikitImage).unwrap();
    let full = Params {
        pooling: Pooling::Same(Padding::Reflect),
        ..p
    };
    let fd = central(
        &|yy: &[f64]| mean_f64(&full, &x64, yy, w, h, false),
        &y64,
        &all,
        1e-4,
    );
    let max = fd.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let off = g
        .gradient
        .iter()
        .zip(&fd)
        .fold(0.0f64, |m, (&a, b)| m.max((a as f64 - b).abs()));
    assert!(off > 1e-4 * max && off < 0.1 * max, "{off} vs {max}");
}

fn ms_params(rule: Downsample, negative: NegativeMeans) -> MsSsimParams {
    MsSsimParams {
        downsample: rule,
        negative,
        ..MsSsimParams::wang2003(1.0)
    }
}

#[test]
fn msssim_matches_finite_differences_for_both_rules_and_every_smooth_mode() {
    // 165x161: odd at every level for both axes' first steps.
    let (w, h) = (165, 161);
    let (x, y) = random_pair(31, w, h);
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    let x64: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    let y64: Vec<f64> = y.iter().map(|&v| v as f64).collect();
    let at = [
        0,
        w - 1,
        (h - 1) * w,
        w * h - 1,
        80 * w + 81,
        3 * w + 100,
        150 * w + 2,
        77 * w + 164,
    ];
    for rule in [Downsample::Wang2003, Downsample::PytorchMsssim] {
        for neg in [
            NegativeMeans::Relu,
            NegativeMeans::Strict,
            NegativeMeans::Nan,
            NegativeMeans::Normalize,
        ] {
            let p = ms_params(rule, neg);
            let g = msssim_gradient_with(&p, &xp, &yp, &Config::default()).unwrap();
            let fd = central(
                &|yy: &[f64]| msssim_f64(&p, &x64, yy, w, h),
                &y64,
                &at,
                1e-4,
            );
            let got: Vec<f64> = at.iter().map(|&i| g.gradient[i] as f64).collect();
            check_close(&format!("{rule:?} {neg:?}"), &got, &fd);
        }
    }
}

#[test]
fn msssim_negative_means_zero_error_or_nan() {
    let (w, h) = (161, 161);
    let (x, _) = random_pair(5, w, h);
    let y: Vec<f32> = x.iter().map(|v| 1.0 - v).collect();
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    let c = Config::default();
    let relu = msssim_gradient_with(
        &ms_params(Downsample::Wang2003, NegativeMeans::Relu),
        &xp,
        &yp,
        &c,
    )
    .unwrap();
    assert!(
        relu.result.levels.iter().any(|l| l.cs < 0.0),
        "the pair must have a negative cs"
    );
    assert_eq!(relu.result.msssim, 0.0);
    assert!(relu.gradient.iter().all(|&v| v == 0.0));
    let nan = msssim_gradient_with(
        &ms_params(Downsample::Wang2003, NegativeMeans::Nan),
        &xp,
        &yp,
        &c,
    )
    .unwrap();
    assert!(nan.result.msssim.is_nan());
    assert!(nan.gradient.iter().all(|v| v.is_nan()));
    let mut out = vec![3.0f32; w * h];
    let strict = msssim_gradient_into(
        &ms_params(Downsample::Wang2003, NegativeMeans::Strict),
        &xp,
        &yp,
        &c,
        &mut out,
    );
    assert!(
        matches!(strict, Err(Error::NegativeLevelMean { .. })),
        "{strict:?}"
    );
    assert!(out.iter().all(|&v| v == 3.0), "written on error");
}

#[test]
fn bitwise_identical_for_any_thread_count() {
    let (w, h) = (170, 165);
    let (x, y) = random_pair(9, w, h);
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    let cfg = |t| Config {
        threads: Some(t),
        ..Config::default()
    };
    for p in [
        Params::wang2004(1.0),
        Params::matlab(1.0),
        Params::scikit_image(1.0),
    ] {
        let one = ssim_gradient_with(&p, &xp, &yp, &cfg(1), Convention::Exact).unwrap();
        for t in 2..=5 {
            let many = ssim_gradient_with(&p, &xp, &yp, &cfg(t), Convention::Exact).unwrap();
            assert_eq!(one.gradient, many.gradient, "{t} threads");
        }
    }
    let p = MsSsimParams::pytorch_msssim(1.0);
    let one = msssim_gradient_with(&p, &xp, &yp, &cfg(1)).unwrap();
    for t in 2..=4 {
        assert_eq!(
            one.gradient,
            msssim_gradient_with(&p, &xp, &yp, &cfg(t))
                .unwrap()
                .gradient
        );
    }
}

#[test]
fn the_value_with_the_gradient_is_the_value_alone() {
    let (w, h) = (40, 33);
    let (x, y) = random_pair(11, w, h);
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    for backend in test_support::backends() {
        let c = Config {
            backend: Some(backend),
            threads: None,
        };
        for (_, p) in parameter_sets() {
            let g = ssim_gradient_with(&p, &xp, &yp, &c, Convention::Exact).unwrap();
            let v = ssim_with(&p, &xp, &yp, &c).unwrap();
            assert_eq!(g.result.ssim.to_bits(), v.ssim.to_bits());
            assert_eq!(g.result.backend, backend);
        }
    }
}

#[test]
fn colour_gradients_are_per_channel_or_through_luma() {
    let (w, h) = (14, 12);
    let mut rng = Rng::new(3);
    let x: Vec<f32> = textured(&mut rng, w * h * 3, w * 3)
        .iter()
        .map(|&v| v as f32)
        .collect();
    let y: Vec<f32> = x
        .iter()
        .map(|&v| (v + 0.2 * (rng.unit_f32() - 0.5)).clamp(0.0, 1.0))
        .collect();
    let xi = Interleaved::new(&x, w, h, PixelLayout::Rgb).unwrap();
    let yi = Interleaved::new(&y, w, h, PixelLayout::Rgb).unwrap();
    let p = Params::matlab(1.0);
    let chan = |v: &[f32], c: usize| -> Vec<f64> {
        v.iter().skip(c).step_by(3).map(|&s| s as f64).collect()
    };
    let at: Vec<usize> = (0..w * h).step_by(7).collect();
    // Mean of the channels: each plane is its channel's SSIM gradient / 3.
    let g = ssim_image_gradient(
        &p,
        &xi,
        &yi,
        ChannelMode::Mean,
        &Config::default(),
        Convention::Exact,
    )
    .unwrap();
    for c in 0..3 {
        let (xc, yc) = (chan(&x, c), chan(&y, c));
        let fd = central(
            &|yy: &[f64]| mean_f64(&p, &xc, yy, w, h, false) / 3.0,
            &yc,
            &at,
            1e-4,
        );
        let got: Vec<f64> = at.iter().map(|&i| g.planes[c][i] as f64).collect();
        check_close(&format!("mean, channel {c}"), &got, &fd);
    }
    // Luma 709: the derivative through the colour transform.
    let g = ssim_image_gradient(
        &p,
        &xi,
        &yi,
        ChannelMode::Luma709,
        &Config::default(),
        Convention::Exact,
    )
    .unwrap();
    let coeff = [0.2126, 0.7152, 0.0722];
    let luma = |v: &[f64]| -> Vec<f64> {
        v.chunks(3)
            .map(|p| coeff[0] * p[0] + coeff[1] * p[1] + coeff[2] * p[2])
            .collect()
    };
    let x64: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    let y64: Vec<f64> = y.iter().map(|&v| v as f64).collect();
    let lx = luma(&x64);
    for c in 0..3 {
        let idx: Vec<usize> = at.iter().map(|&i| i * 3 + c).collect();
        let fd = central(
            &|yy: &[f64]| mean_f64(&p, &lx, &luma(yy), w, h, false),
            &y64,
            &idx,
            1e-4,
        );
        let got: Vec<f64> = at.iter().map(|&i| g.planes[c][i] as f64).collect();
        check_close(&format!("luma709, channel {c}"), &got, &fd);
    }
}

#[test]
fn bad_input_is_a_typed_error_and_nothing_is_written() {
    let (w, h) = (16, 16);
    let (x, y) = random_pair(1, w, h);
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    let c = Config::default();
    let p = Params::wang2004(1.0);
    for len in [0, w * h - 1, w * h + 1] {
        let mut out = vec![5.0f32; len];
        let e = ssim_gradient_into(&p, &xp, &yp, &c, Convention::Exact, &mut out).unwrap_err();
        assert_eq!(e, Error::GradientBufferSize { len, needed: w * h });
        assert!(e.to_string().contains("one per pixel"), "{e}");
        assert!(out.iter().all(|&v| v == 5.0));
    }
    let mut nan = y.clone();
    nan[40] = f32::NAN;
    let np = Plane::new(&nan, w, h).unwrap();
    let mut out = vec![5.0f32; w * h];
    let e = ssim_gradient_into(&p, &xp, &np, &c, Convention::Exact, &mut out).unwrap_err();
    assert!(
        matches!(e, Error::NonFiniteSample { row: 2, col: 8, .. }),
        "{e:?}"
    );
    assert!(out.iter().all(|&v| v == 5.0));
    let small = Plane::new(&x[..10 * 10], 10, 10).unwrap();
    let mut out = vec![5.0f32; 100];
    let e = ssim_gradient_into(&p, &small, &small, &c, Convention::Exact, &mut out).unwrap_err();
    assert!(matches!(e, Error::ImageSmallerThanWindow { .. }), "{e:?}");
    assert!(out.iter().all(|&v| v == 5.0));
    let e = msssim_gradient_into(
        &MsSsimParams::wang2003(1.0),
        &xp,
        &yp,
        &c,
        &mut vec![5.0; w * h],
    )
    .unwrap_err();
    assert!(matches!(e, Error::TooSmallForLevels { .. }), "{e:?}");
    let other = Plane::new(&y[..15 * 16], 15, 16).unwrap();
    let e = ssim_gradient_with(&p, &xp, &other, &c, Convention::Exact).unwrap_err();
    assert!(matches!(e, Error::SizeMismatch { .. }), "{e:?}");
}

/// piq's and wang2009's block-mean stage has no adjoint yet: where it would change the
/// images the gradient is refused (nothing written); where its factor is 1 the gradient is
/// that of the same parameters without the stage.
#[test]
fn an_automatic_downsampling_stage_is_refused_where_it_acts() {
    let config = Config::default();
    for preset in [Params::piq(255.0), Params::wang2009(255.0)] {
        // Shorter side 512: factor 2 for both rules.
        let (w, h) = (512, 512);
        let (x, y) = random_pair(7, w, h);
        let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
        let mut g = vec![7.0f32; w * h];
        let err =
            ssim_gradient_into(&preset, &xp, &yp, &config, Convention::Exact, &mut g).unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidParameter {
                    name: "auto_downsample",
                    ..
                }
            ),
            "{err}"
        );
        assert!(g.iter().all(|&v| v == 7.0), "written on error");
        // Shorter side 64: factor 1, the plain wang2004 gradient.
        let (w, h) = (64, 48);
        let (x, y) = random_pair(8, w, h);
        let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
        let plain = Params {
            auto_downsample: None,
            ..preset
        };
        let (mut a, mut b) = (vec![0.0f32; w * h], vec![0.0f32; w * h]);
        ssim_gradient_into(&preset, &xp, &yp, &config, Convention::Exact, &mut a).unwrap();
        ssim_gradient_into(&plain, &xp, &yp, &config, Convention::Exact, &mut b).unwrap();
        assert_eq!(a, b);
        assert!(a.iter().any(|&v| v != 0.0));
    }
}

/// The backward pass keeps its ring buffers per thread between calls; a call must not read
/// what an earlier one (larger, smaller, SSIM or MS-SSIM) left in them.
#[test]
fn gradients_do_not_depend_on_the_memory_earlier_calls_left() {
    let run = |seed: u64, w: usize, h: usize| -> (Vec<f32>, Vec<f32>) {
        let (x, y) = random_pair(seed, w, h);
        let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
        let one = Config {
            threads: Some(1),
            ..Config::default()
        };
        let s = ssim_gradient_with(&Params::wang2004(1.0), &xp, &yp, &one, Convention::Exact);
        let m = msssim_gradient_with(&MsSsimParams::wang2003(1.0), &xp, &yp, &one);
        (s.unwrap().gradient, m.unwrap().gradient)
    };
    let sizes = [(170, 165), (161, 161), (203, 177)];
    let fresh: Vec<_> = sizes
        .iter()
        .enumerate()
        .map(|(k, &(w, h))| {
            std::thread::spawn(move || run(k as u64, w, h))
                .join()
                .unwrap()
        })
        .collect();
    for _ in 0..2 {
        for (k, &(w, h)) in sizes.iter().enumerate() {
            assert!(
                run(k as u64, w, h) == fresh[k],
                "size {w}x{h} on a reused thread"
            );
        }
    }
}
