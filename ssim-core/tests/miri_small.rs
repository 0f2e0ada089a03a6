//! The scalar engine on tiny images, every path once: small enough to run under miri (CI step
//! `85-miri.sh`), where it checks the scratch casts, ring indexing and padding for undefined
//! behaviour. Values are checked against a literal f64 evaluation written here (2-D window,
//! explicit padding), so the file also fails on wrong numbers.

use ssim_core::{
    compute_with, scratch_len, Backend, Covariance, Error, MapWriter, Options, Padding, Params,
    Plane, Pooling, Sample, ScratchBlock, Ssim, Window,
};

fn backend() -> Options {
    Options {
        backend: Some(Backend::Scalar),
        ..Options::default()
    }
}

/// SSIM by the book in f64: mean over the pooled region and the full map.
fn reference<T: Sample>(p: &Params, x: &Plane<'_, T>, y: &Plane<'_, T>) -> (f64, Vec<f64>) {
    let (w, h) = (x.width(), x.height());
    let r = p.window.radius() as isize;
    let taps: Vec<f64> = (-r..=r)
        .map(|k| match p.window {
            Window::Gaussian { sigma, .. } => (-((k * k) as f64) / (2.0 * sigma * sigma)).exp(),
            Window::Box { .. } => 1.0,
        })
        .collect();
    let sum: f64 = taps.iter().sum();
    let taps: Vec<f64> = taps.iter().map(|t| t / sum).collect();
    let n = ((2 * r + 1) * (2 * r + 1)) as f64;
    let cov = match p.covariance {
        Covariance::Population => 1.0,
        Covariance::Sample => n / (n - 1.0),
    };
    let (pad, off, mw, mh) = match p.pooling {
        Pooling::Same(pad) => (pad, 0, w, h),
        Pooling::Valid => (
            Padding::Replicate,
            r,
            w - 2 * r as usize,
            h - 2 * r as usize,
        ),
    };
    let mut map = Vec::new();
    for my in 0..mh as isize {
        for mx in 0..mw as isize {
            let (mut ux, mut uy, mut uxx, mut uyy, mut uxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for (j, tj) in taps.iter().enumerate() {
                for (i, ti) in taps.iter().enumerate() {
                    let cx = pad.map_index(mx + off + i as isize - r, w);
                    let cy = pad.map_index(my + off + j as isize - r, h);
                    let (a, b) = (x.get(cx, cy).to_f64(), y.get(cx, cy).to_f64());
                    let t = ti * tj;
                    ux += t * a;
                    uy += t * b;
                    uxx += t * a * a;
                    uyy += t * b * b;
                    uxy += t * a * b;
                }
            }
            let (sxx, syy, sxy) = (
                cov * (uxx - ux * ux),
                cov * (uyy - uy * uy),
                cov * (uxy - ux * uy),
            );
            let l = (2.0 * ux * uy + p.c1()) / (ux * ux + uy * uy + p.c1());
            let cs = (2.0 * sxy + p.c2()) / (sxx + syy + p.c2());
            map.push(l * cs);
        }
    }
    (map.iter().sum::<f64>() / map.len() as f64, map)
}

fn params_list(range: f64) -> Vec<Params> {
    let mut v = vec![
        Params::wang2004(range),
        Params::scikit_image(range),
        Params::matlab(range),
    ];
    for (window, pad) in [
        (
            Window::Gaussian {
                radius: 1,
                sigma: 0.8,
            },
            Padding::Reflect,
        ),
        (Window::Box { size: 3 }, Padding::Mirror),
        (Window::Box { size: 5 }, Padding::Replicate),
    ] {
        v.push(Params {
            window,
            pooling: Pooling::Same(pad),
            covariance: Covariance::Sample,
            ..Params::wang2004(range)
        });
    }
    v
}

fn check<T: Sample>(x: &[T], y: &[T], w: usize, h: usize, range: f64) {
    let (xp, yp) = (Plane::new(x, w, h).unwrap(), Plane::new(y, w, h).unwrap());
    for p in params_list(range) {
        let n = match scratch_len(&p, w, false) {
            Ok(n) => n,
            Err(Error::ImageSmallerThanWindow { .. }) => continue,
            Err(e) => panic!("{e}"),
        };
        let mut scratch = vec![ScratchBlock::ZERO; n];
        let (mw, mh) = ssim_core::map_size(&p, w, h, false).unwrap();
        let mut m = vec![0f32; mw * mh];
        let mut sink = MapWriter::new(mw, mh, &mut m, None).unwrap();
        let r = compute_with(&p, &xp, &yp, backend(), &mut scratch, &mut sink).unwrap();
        // The f64 reference is test code, not what miri is here for: skip it there (the
        // engine still runs every path).
        if !cfg!(miri) {
            let (want, map) = reference(&p, &xp, &yp);
            assert!((r.ssim - want).abs() < 1e-5, "{p:?}: {} vs {want}", r.ssim);
            for (a, b) in m.iter().zip(&map) {
                assert!((*a as f64 - b).abs() < 1e-5, "{p:?}: map {a} vs {b}");
            }
        }

        // Streamed one row at a time: the same bits.
        let mut e = Ssim::with_options(&p, w, h, backend(), &mut scratch).unwrap();
        for j in 0..h {
            e.push_rows(&xp.rows(j, 1).unwrap(), &yp.rows(j, 1).unwrap(), &mut ())
                .unwrap();
        }
        let s = e.finish().unwrap();
        assert_eq!(s.ssim_sum.to_bits(), r.ssim_sum.to_bits(), "{p:?}");

        // Identity is exactly 1.
        let one = compute_with(&p, &xp, &xp, backend(), &mut scratch, &mut ()).unwrap();
        assert_eq!((one.ssim, one.cs), (1.0, 1.0), "{p:?}");
    }
}

#[test]
fn u8_images() {
    let (w, h) = (11, 11);
    let x: Vec<u8> = (0..w * h).map(|i| (i * 37 % 251) as u8).collect();
    let y: Vec<u8> = x.iter().map(|v| v / 2 + 40).collect();
    check(&x, &y, w, h, 255.0);
}

#[test]
fn u16_images() {
    let (w, h) = (7, 8);
    let x: Vec<u16> = (0..w * h).map(|i| (i * 977 % 1024) as u16).collect();
    let y: Vec<u16> = x.iter().map(|v| 1023 - v).collect();
    check(&x, &y, w, h, 1023.0);
}

#[test]
fn f32_images() {
    let (w, h) = (8, 7);
    let x: Vec<f32> = (0..w * h).map(|i| (i * 13 % 29) as f32 / 29.0).collect();
    let y: Vec<f32> = x.iter().map(|v| v * 0.8 + 0.05).collect();
    check(&x, &y, w, h, 1.0);
}

#[test]
fn images_smaller_than_the_window_under_same_pooling() {
    for (w, h) in [(1, 1), (2, 3), (3, 1)] {
        let x: Vec<u8> = (0..w * h).map(|i| (i * 71 % 256) as u8).collect();
        let y: Vec<u8> = x.iter().map(|v| v ^ 0x55).collect();
        check(&x, &y, w, h, 255.0);
    }
}

#[test]
fn strided_interleaved_and_banded() {
    // Channel 2 of a packed 4-channel image with padded rows, against a plain plane.
    let (w, h) = (6, 7);
    let stride = 4 * w + 3;
    let mut rgba = vec![200u8; stride * h];
    let plain: Vec<u8> = (0..w * h).map(|i| (i * 53 % 256) as u8).collect();
    for r in 0..h {
        for c in 0..w {
            rgba[r * stride + 4 * c + 2] = plain[r * w + c] / 3;
        }
    }
    let x = Plane::with_layout(&rgba[2..], w, h, stride, 4).unwrap();
    let y = Plane::new(&plain, w, h).unwrap();
    let p = Params::matlab(255.0);
    let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&p, w, false).unwrap()];
    let whole = compute_with(&p, &x, &y, backend(), &mut scratch, &mut ()).unwrap();
    if !cfg!(miri) {
        let (want, _) = reference(&p, &x, &y);
        assert!((whole.ssim - want).abs() < 1e-5);
    }
    let mut sum = 0.0;
    for band in [(0, 3), (3, 4), (4, h)] {
        let o = Options {
            rows: Some(band),
            ..backend()
        };
        let mut e = Ssim::with_options(&p, w, h, o, &mut scratch).unwrap();
        let (a, b) = e.input_rows();
        e.push_rows(
            &x.rows(a, b - a).unwrap(),
            &y.rows(a, b - a).unwrap(),
            &mut (),
        )
        .unwrap();
        sum += e.finish().unwrap().ssim_sum;
    }
    assert_eq!(sum.to_bits(), whole.ssim_sum.to_bits());
}

#[test]
fn nan_is_reported_not_propagated() {
    let mut x = vec![0.5f32; 6 * 6];
    x[14] = f32::NAN;
    let p = Params::matlab(1.0);
    let xp = Plane::new(&x, 6, 6).unwrap();
    let mut scratch = vec![ScratchBlock::ZERO; scratch_len(&p, 6, false).unwrap()];
    assert_eq!(
        compute_with(&p, &xp, &xp, backend(), &mut scratch, &mut ()).err(),
        Some(Error::NonFiniteSample {
            image: ssim_core::Image::Reference,
            row: 2,
            col: 2
        })
    );
}
