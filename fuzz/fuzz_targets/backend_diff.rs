//! Every available backend against the scalar backend (the oracle for SIMD), and the scalar
//! backend against the literal f64 oracle on small images.
//!
//! Bounds (the documented ones): u8/u16 samples with a box window take the exact integer path
//! and must agree bit for bit (means, sums and every map value); everything else must agree
//! within 1e-6 on the mean SSIM and mean cs, and within 1e-5 on every map value. An input that
//! is an error must be the same error on every backend. Against the f64 oracle, the mean of
//! the scalar engine must be within 1e-6 (the bound README.md states for users).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssim_fuzz::{layout, params, side, unit_pair, FromUnit, Input, Laid, Rows};
use ssim_core::{compute_with, scratch_len, Options};
use ssim_std::{oracle::oracle, Backend, Result, SsimResult, Window};

const MEAN_BOUND: f64 = 1e-6;
const MAP_BOUND: f32 = 1e-5;

fuzz_target!(|data: &[u8]| {
    let mut inp = Input::new(data);
    match inp.below(3) {
        0 => run::<u8>(&mut inp, 255.0, 0xAA),
        1 => {
            let range = [255.0, 1023.0, 4095.0, 65535.0][inp.below(4)];
            run::<u16>(&mut inp, range, 0xAAAA)
        }
        _ => {
            let range = [1.0, 255.0, 1e-3, 1e4][inp.below(4)];
            // NaN in the gaps: reading a sample outside the view shows as an error.
            run::<f32>(&mut inp, range, f32::NAN)
        }
    }
});

fn run<T: FromUnit>(inp: &mut Input<'_>, range: f64, poison: T) {
    let (w, h) = (side(inp, 300), side(inp, 300));
    let params = params(inp, range);
    let map = inp.bool();
    let (lx, ly) = (layout(inp), layout(inp));
    let (ux, uy) = unit_pair(inp, w * h);
    let xs: Vec<T> = ux.iter().map(|&v| T::from_unit(v, range)).collect();
    let ys: Vec<T> = uy.iter().map(|&v| T::from_unit(v, range)).collect();
    let xl = Laid::new(&xs, w, h, lx.0, lx.1, lx.2, poison);
    let yl = Laid::new(&ys, w, h, ly.0, ly.1, ly.2, poison);
    let (xp, yp) = (xl.plane(w, h).unwrap(), yl.plane(w, h).unwrap());

    let eval = |backend: Backend| -> (Result<SsimResult>, Rows) {
        let n = scratch_len(&params, w, map).unwrap_or(0);
        let mut scratch = vec![ssim_core::ScratchBlock::ZERO; n];
        let options = Options {
            backend: Some(backend),
            map,
            rows: None,
        };
        let mut rows = Rows::default();
        let r = compute_with(&params, &xp, &yp, options, &mut scratch, &mut rows);
        (r, rows)
    };
    let (want, want_rows) = eval(Backend::Scalar);
    let exact = matches!(params.window, Window::Box { .. })
        && !matches!(T::KIND, ssim_std::SampleKind::F32);

    for b in Backend::available().filter(|&b| b != Backend::Scalar) {
        let (got, got_rows) = eval(b);
        match (&want, &got) {
            (Err(e), Err(f)) => assert_eq!(e, f, "{b}: different errors"),
            (Ok(a), Ok(g)) if exact => {
                assert_eq!(
                    (a.ssim_sum.to_bits(), a.cs_sum.to_bits(), a.count),
                    (g.ssim_sum.to_bits(), g.cs_sum.to_bits(), g.count),
                    "{b}: integer box path not bitwise equal: {a:?} vs {g:?}"
                );
                assert_eq!(want_rows.0, got_rows.0, "{b}: map rows differ");
            }
            (Ok(a), Ok(g)) => {
                assert_eq!(a.count, g.count);
                assert!(
                    (a.ssim - g.ssim).abs() <= MEAN_BOUND && (a.cs - g.cs).abs() <= MEAN_BOUND,
                    "{b}: mean differs from scalar beyond {MEAN_BOUND}: {a:?} vs {g:?}"
                );
                assert_eq!(want_rows.0.len(), got_rows.0.len());
                for (ra, rg) in want_rows.0.iter().zip(&got_rows.0) {
                    assert_eq!((ra.index, ra.pooled), (rg.index, rg.pooled));
                    for (va, vg) in ra.ssim.iter().zip(&rg.ssim).chain(ra.cs.iter().zip(&rg.cs)) {
                        let (va, vg) = (f32::from_bits(*va), f32::from_bits(*vg));
                        assert!(
                            (va - vg).abs() <= MAP_BOUND,
                            "{b}: map row {} differs: {va} vs {vg}",
                            ra.index
                        );
                    }
                }
            }
            _ => panic!("{b}: {got:?} but scalar gave {want:?}"),
        }
    }

    // The scalar engine against the literal f64 oracle, when the oracle is cheap enough.
    let size = params.window.size();
    if let Ok(a) = &want {
        if w * h * size * size <= 200_000 {
            let o = oracle(&params, &xp, &yp, map).expect("oracle fails where the engine works");
            assert_eq!(o.count as u64, a.count);
            assert!(
                (o.ssim - a.ssim).abs() <= MEAN_BOUND && (o.cs - a.cs).abs() <= MEAN_BOUND,
                "engine vs f64 oracle beyond {MEAN_BOUND}: engine {} / {}, oracle {} / {} \
                 ({w}x{h} {:?} {params:?} map {map})",
                a.ssim,
                a.cs,
                o.ssim,
                o.cs,
                T::KIND
            );
        }
    }
}
