//! Errors at the ssim-core level that need no allocation-heavy setup, and regressions found by
//! fuzzing. Small enough to run under miri.

use ssim_core::{
    compute_with, map_size, scratch_len, Backend, Error, Options, Params, Plane, Pooling,
    ScratchBlock, Ssim, SsimResult, Window,
};

/// The backends to test: all available ones, or under miri (which cannot run `cpuid`, nor
/// most SIMD intrinsics) the scalar one.
fn backends() -> Vec<Backend> {
    if cfg!(miri) {
        vec![Backend::Scalar]
    } else {
        Backend::available().collect()
    }
}

fn scalar() -> Options {
    Options {
        backend: Some(Backend::Scalar),
        ..Options::default()
    }
}

/// Mean SSIM on `backend`, scratch sized here.
fn run(p: &Params, x: &Plane<'_, f32>, y: &Plane<'_, f32>, backend: Backend) -> SsimResult {
    let mut scratch = vec![ScratchBlock::ZERO; scratch_len(p, x.width(), false).unwrap()];
    let o = Options {
        backend: Some(backend),
        ..Options::default()
    };
    compute_with(p, x, y, o, &mut scratch, &mut ()).unwrap()
}

const RADIUS: &str = "a radius from 1 to 63 (window 3 to 127 taps)";

#[test]
fn absurd_radius_is_an_error_not_an_overflow() {
    // Found by the `params` fuzz target: `Window::size` computed `2 * radius + 1` before the
    // parameters were validated, which overflows (a panic with overflow checks) in
    // `scratch_len` for radius > usize::MAX / 2.
    for radius in [usize::MAX, usize::MAX / 2, usize::MAX / 2 + 1, 64] {
        let p = Params {
            window: Window::Gaussian { radius, sigma: 1.5 },
            ..Params::wang2004(255.0)
        };
        let e = Error::InvalidParameter {
            name: "window.radius",
            expected: RADIUS,
        };
        assert_eq!(scratch_len(&p, 16, false), Err(e));
        assert_eq!(map_size(&p, 16, 16, true), Err(e));
        assert_eq!(Ssim::new(&p, 16, 16, &mut []).err(), Some(e));
    }
    assert_eq!(
        Window::Gaussian {
            radius: usize::MAX,
            sigma: 1.0
        }
        .size(),
        usize::MAX
    );
    let p = Params {
        window: Window::Box { size: usize::MAX },
        ..Params::wang2004(255.0)
    };
    assert!(matches!(
        scratch_len(&p, 16, false),
        Err(Error::InvalidParameter {
            name: "window.size",
            ..
        })
    ));
}

#[test]
fn engine_errors_before_touching_scratch() {
    let mut scratch = [ScratchBlock::ZERO; 2];
    let p = Params::wang2004(1.0);
    assert_eq!(
        Ssim::new(&p, 0, 5, &mut scratch).err(),
        Some(Error::ZeroDimension {
            width: 0,
            height: 5
        })
    );
    assert_eq!(
        Ssim::new(&p, 10, 20, &mut scratch).err(),
        Some(Error::ImageSmallerThanWindow {
            width: 10,
            height: 20,
            window: 11
        })
    );
    let needed = scratch_len(&p, 11, false).unwrap();
    assert_eq!(
        Ssim::with_options(&p, 11, 11, scalar(), &mut scratch).err(),
        Some(Error::ScratchTooSmall { len: 2, needed })
    );
    let bad_band = Options {
        rows: Some((0, 2)),
        ..scalar()
    };
    let mut scratch = vec![ScratchBlock::ZERO; needed];
    assert!(matches!(
        Ssim::with_options(&p, 11, 11, bad_band, &mut scratch).err(),
        Some(Error::InvalidParameter { name: "rows", .. })
    ));
}

#[test]
fn planes_reject_layouts_that_do_not_fit() {
    let d = [0u8; 10];
    assert_eq!(
        Plane::with_layout(&d, 3, 3, 4, 1).err(),
        Some(Error::BufferTooShort {
            len: 10,
            needed: 11
        })
    );
    assert!(Plane::with_layout(&d, 3, 3, 4, 1).is_err());
    assert!(Plane::with_layout(&d[..9], 3, 3, 3, 1).is_ok());
    // A single row needs no stride at all.
    assert!(Plane::with_layout(&d, 4, 1, 0, 3).is_ok());
    assert_eq!(
        Plane::with_layout(&d, 4, 2, 0, 3).err(),
        Some(Error::StrideTooShort { stride: 0, min: 10 })
    );
    let same = Params {
        pooling: Pooling::Same(ssim_core::Padding::Reflect),
        ..Params::wang2004(1.0)
    };
    assert_eq!(map_size(&same, 1, 1, false), Ok((1, 1)));
}

#[test]
fn reference_and_distorted_may_have_different_pixel_steps() {
    // Found by the `backend_diff` fuzz target: the engine loaded the distorted rows with the
    // reference's pixel step, so a packed-RGB channel compared with a gray plane of the same
    // values gave ~0 instead of 1 (and read the wrong samples).
    let (w, h) = (13, 12);
    let gray: Vec<u8> = (0..w * h).map(|i| (i * 29 % 256) as u8).collect();
    let mut rgb = vec![0xAAu8; w * h * 3];
    for (i, &v) in gray.iter().enumerate() {
        rgb[3 * i + 1] = v;
    }
    let g = Plane::new(&gray, w, h).unwrap();
    let c = Plane::with_layout(&rgb[1..], w, h, 3 * w, 3).unwrap();
    for p in [
        Params::wang2004(255.0),
        Params::scikit_image(255.0),
        Params::matlab(255.0),
    ] {
        let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&p, w, false).unwrap()];
        for b in backends() {
            let o = Options {
                backend: Some(b),
                ..Options::default()
            };
            for (x, y) in [(&g, &c), (&c, &g)] {
                let r = compute_with(&p, x, y, o, &mut scratch, &mut ()).unwrap();
                assert_eq!((r.ssim, r.cs), (1.0, 1.0), "{b} {p:?}");
            }
        }
    }
}

#[test]
fn sigma_whose_square_underflows_is_rejected() {
    // Found by the `params` fuzz target: sigma = 1e-300 passed validation, 2 sigma^2 is 0 in
    // f64, the centre weight became 0/0 and every result NaN.
    for sigma in [1e-300, 1e-162, f64::MIN_POSITIVE, -1e-300] {
        let p = Params {
            window: Window::Gaussian { radius: 2, sigma },
            ..Params::matlab(1.0)
        };
        assert!(
            matches!(
                p.validate(),
                Err(Error::InvalidParameter {
                    name: "window.sigma",
                    ..
                })
            ),
            "{sigma}"
        );
    }
    // Tiny but representable squares are a valid (delta-like) window.
    let p = Params {
        window: Window::Gaussian {
            radius: 2,
            sigma: 3e-162,
        },
        ..Params::matlab(1.0)
    };
    assert!(p.validate().is_ok());
    let x = [0.25f32, 0.5, 0.75, 1.0];
    let y = [0.25f32, 0.5, 0.5, 1.0];
    let (xp, yp) = (Plane::new(&x, 2, 2).unwrap(), Plane::new(&y, 2, 2).unwrap());
    for b in backends() {
        let r = run(&p, &xp, &yp, b);
        assert!(r.ssim.is_finite() && r.ssim < 1.0, "{b} {r:?}");
    }
}

#[test]
fn constants_must_be_normal_f32_and_samples_must_square_in_f32() {
    // Found by the `params` fuzz target: with L = 1e-20 and k1 = 0.8, C1 = 6.4e-41 is a
    // subnormal f32; SSIM of two equal-mean in-range images came out as 1.0000043.
    let mut p = Params::matlab(1e-20);
    p.k1 = 0.8;
    assert!(matches!(
        p.validate(),
        Err(Error::InvalidParameter {
            name: "data_range",
            ..
        })
    ));
    // With L = 1e19, sums and differences of samples in [0, L] (the kernels filter x + y
    // and x - y) square to infinity in f32 (NaN results).
    assert!(Params::matlab(1e19).validate().is_err());
    for l in [1.2e-17, 1.0, 255.0, 65535.0, 5e18] {
        assert!(Params::matlab(l).validate().is_ok(), "{l}");
    }
    // The largest sums (x = y = L) and differences (x - y = +-L next to each other) at the
    // largest range, under a Gaussian and a box window (f32 samples).
    let top = 5e18f32;
    let checker: Vec<f32> = (0..64).map(|i| top * ((i + i / 8) % 2) as f32).collect();
    let inverse: Vec<f32> = checker.iter().map(|v| top - v).collect();
    let full = vec![top; 64];
    let pairs = [(&checker, &inverse), (&full, &full), (&full, &checker)];
    for p in [Params::matlab(5e18), Params::scikit_image(5e18)] {
        for (x, y) in pairs {
            let (xp, yp) = (Plane::new(x, 8, 8).unwrap(), Plane::new(y, 8, 8).unwrap());
            for b in backends() {
                let r = run(&p, &xp, &yp, b);
                assert!(r.ssim.is_finite() && r.ssim.abs() <= 1.0, "{b} {r:?}");
            }
        }
    }
}

#[test]
fn huge_constants_in_small_8bit_boxes_are_finite() {
    // Found by the `params` fuzz target: k2 = 1e20, L = 0.01 (C2 = 1e36, valid) in a 5x5 box
    // on u8 samples gave NaN: the fused 8-bit box formula scales C by t^2 = 625 in f32.
    let p = Params {
        window: Window::Box { size: 5 },
        k1: 1937.5,
        k2: 1e20,
        covariance: ssim_core::Covariance::Sample,
        ..Params::wang2004(0.01)
    };
    assert!(p.validate().is_ok());
    let (w, h) = (12, 9);
    let x: Vec<u8> = (0..w * h).map(|i| (i * 37 % 256) as u8).collect();
    let y: Vec<u8> = x.iter().map(|v| v / 3).collect();
    let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
    let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&p, w, false).unwrap()];
    for b in backends() {
        let o = Options {
            backend: Some(b),
            ..Options::default()
        };
        let r = compute_with(&p, &xp, &yp, o, &mut scratch, &mut ()).unwrap();
        assert!(r.ssim.is_finite() && r.ssim.abs() <= 1.0, "{b} {r:?}");
    }
}
