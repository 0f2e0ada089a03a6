//! MS-SSIM on random sizes (including below the minimum for the levels asked: an error, never
//! a panic), odd sizes, both pyramid rules, every negative-mean mode, 1 to 6 levels, automatic
//! levels and level maps.
//!
//! Checked: the value does not depend on the thread count (bit for bit); every backend agrees
//! with the scalar one within 1e-5 on the index (the per-level means agree within 1e-6 and the
//! weighted product can amplify that) or fails with the same error; per-level means are in
//! `[-1 - 1e-6, 1 + 1e-6]`; `Strict` fails exactly when `Relu` clamps something; a too-small
//! image is `TooSmallForLevels` unless `auto_levels` finds at least one level.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssim_fuzz::{layout, params, side, unit_pair, FromUnit, Input, Laid};
use ssim_std::{
    msssim_with, Backend, Config, Downsample, Error, MsSsimParams, MsSsimResult,
    NegativeMeans, Result,
};

const LEVEL_EPS: f64 = 1e-6;
const BACKEND_BOUND: f64 = 1e-5;

fuzz_target!(|data: &[u8]| {
    let mut inp = Input::new(data);
    match inp.below(3) {
        0 => run::<u8>(&mut inp, 255.0, 0x33),
        1 => run::<u16>(&mut inp, 4095.0, 0x3333),
        _ => run::<f32>(&mut inp, 1.0, f32::NAN),
    }
});

fn run<T: FromUnit>(inp: &mut Input<'_>, range: f64, poison: T) {
    // Sizes around every minimum: 1..=200 per side, odd and even alike.
    let (w, h) = (side(inp, 200), side(inp, 200));
    let mut p = if inp.bool() {
        MsSsimParams::wang2003(range)
    } else {
        MsSsimParams::pytorch_msssim(range)
    };
    if inp.bool() {
        p.ssim = params(inp, range);
    }
    if inp.u8() < 96 {
        let levels = 1 + inp.below(6);
        p.weights = (0..levels).map(|_| inp.u8() as f64 / 255.0).collect();
    }
    p.downsample = if inp.bool() {
        Downsample::Wang2003
    } else {
        Downsample::PytorchMsssim
    };
    let modes = [
        NegativeMeans::Relu,
        NegativeMeans::Strict,
        NegativeMeans::Nan,
        NegativeMeans::Normalize,
    ];
    p.negative = modes[inp.below(4)];
    p.auto_levels = inp.bool();
    p.level_maps = inp.bool();
    let (lx, ly) = (layout(inp), layout(inp));
    let (ux, uy) = unit_pair(inp, w * h);
    let xs: Vec<T> = ux.iter().map(|&v| T::from_unit(v, range)).collect();
    let ys: Vec<T> = uy.iter().map(|&v| T::from_unit(v, range)).collect();
    let xl = Laid::new(&xs, w, h, lx.0, lx.1, lx.2, poison);
    let yl = Laid::new(&ys, w, h, ly.0, ly.1, ly.2, poison);
    let (xp, yp) = (xl.plane(w, h).unwrap(), yl.plane(w, h).unwrap());
    let threads = 1 + inp.below(4);

    let eval = |p: &MsSsimParams, backend: Backend, threads: usize| -> Result<MsSsimResult> {
        let config = Config {
            backend: Some(backend),
            threads: Some(threads),
        };
        msssim_with(p, &xp, &yp, &config)
    };
    let want = eval(&p, Backend::Scalar, 1);

    // Too small: an error unless auto levels finds room for at least one level.
    let short = w.min(h);
    let fits_all = short >= p.min_size(p.weights.len());
    let fits_one = short >= p.min_size(1);
    match &want {
        Err(Error::TooSmallForLevels { .. }) => {
            assert!(!fits_all && !(p.auto_levels && fits_one), "{w}x{h} {p:?}")
        }
        Err(Error::NegativeLevelMean { .. }) => assert_eq!(p.negative, NegativeMeans::Strict),
        Err(e) => panic!("unexpected error {e:?} for {w}x{h} {p:?}, layouts {lx:?} {ly:?}"),
        Ok(r) => {
            assert!(fits_all || p.auto_levels, "{w}x{h} accepted: {p:?}");
            assert!(!r.levels.is_empty() && r.levels.len() <= p.weights.len());
            assert_eq!((r.levels[0].width, r.levels[0].height), (w, h));
            let mut negative = false;
            for (i, s) in r.levels.iter().enumerate() {
                for v in [s.ssim, s.cs] {
                    assert!(
                        v.is_finite() && v.abs() <= 1.0 + LEVEL_EPS,
                        "level {i} mean {v} for {w}x{h} {p:?}"
                    );
                }
                let last = i + 1 == r.levels.len();
                negative |= (if last { s.ssim } else { s.cs }) < 0.0;
                if let Some(m) = &s.map {
                    assert!(m.iter().all(|v| v.is_finite()));
                }
            }
            match p.negative {
                NegativeMeans::Nan => assert!(negative || r.msssim.is_finite()),
                NegativeMeans::Strict => assert!(!negative),
                _ => assert!(r.msssim.is_finite() && r.msssim >= 0.0, "{r:?}"),
            }
            if p.negative == NegativeMeans::Relu && negative {
                let strict = MsSsimParams {
                    negative: NegativeMeans::Strict,
                    ..p.clone()
                };
                assert!(matches!(
                    eval(&strict, Backend::Scalar, 1),
                    Err(Error::NegativeLevelMean { .. })
                ));
            }
        }
    }

    // Thread count: bit for bit.
    if threads > 1 {
        let got = eval(&p, Backend::Scalar, threads);
        match (&want, &got) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.msssim.to_bits(), b.msssim.to_bits(), "{threads} threads");
                assert_eq!(a.levels, b.levels, "{threads} threads");
            }
            (Err(a), Err(b)) => assert_eq!(a, b),
            _ => panic!("{threads} threads: {got:?} vs {want:?}"),
        }
    }

    // Backends against scalar.
    for b in Backend::available().filter(|&b| b != Backend::Scalar) {
        let got = eval(&p, b, threads);
        match (&want, &got) {
            (Ok(a), Ok(g)) => {
                assert_eq!(a.levels.len(), g.levels.len());
                let close = |u: f64, v: f64, bound: f64| {
                    (u.is_nan() && v.is_nan()) || (u - v).abs() <= bound
                };
                assert!(
                    close(a.msssim, g.msssim, BACKEND_BOUND),
                    "{b}: {} vs scalar {} ({w}x{h} {p:?})",
                    g.msssim,
                    a.msssim
                );
                for (sa, sg) in a.levels.iter().zip(&g.levels) {
                    assert!(close(sa.ssim, sg.ssim, 1e-6) && close(sa.cs, sg.cs, 1e-6));
                }
            }
            (Err(e), Err(f)) => {
                // A mean within rounding of 0 may be negative on one backend only.
                if !matches!(e, Error::NegativeLevelMean { .. }) {
                    assert_eq!(e, f, "{b}")
                }
            }
            (Err(Error::NegativeLevelMean { value, .. }), Ok(_))
            | (Ok(_), Err(Error::NegativeLevelMean { value, .. })) => {
                assert!(value.abs() <= 1e-6, "{b}: strict mode differs at {value}")
            }
            _ => panic!("{b}: {got:?} but scalar gave {want:?}"),
        }
    }
}
