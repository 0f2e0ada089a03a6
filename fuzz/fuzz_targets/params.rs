//! Arbitrary parameter values (raw f64 bit patterns, radii and box sizes up to `usize::MAX`,
//! any pooling, padding, map flag and band of rows) on small images: an error, or a result
//! whose mean SSIM, mean cs and every map value are finite and within `[-1 - EPS, 1 + EPS]`.
//!
//! With C1, C2 > 0, SSIM and cs lie in [-1, 1] mathematically; f32 rounding of the moments
//! and of the quotient may step outside, by an amount that grows with the window: the bound
//! checked is `eps = 1e-7 * max(10, window size)` (1.1e-6 for 11 taps; found by this target:
//! cs = -1.0000018 for an inverted image under a 109x109 box window on f32 samples), for
//! samples in [0, min(L, 1e18)] and k2 >= 1e-4. When C2 is negligible next to the f32 rounding
//! noise of the local variances (samples far outside [0, L], or a tiny k2), cs of nearly equal
//! windows can exceed 1 by ~1e-5 (found by this target: 1.0000104 with L = 1e-20 on u8
//! samples); there only a finite result is required. Wild mode: samples outside [0, L], f32
//! of either sign and magnitude up to 1e18 (squares of differences still fit in f32).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssim_fuzz::{side, unit_pair, Input, Noise, Rows};
use ssim_core::{compute_with, scratch_len, Options, ScratchBlock};
use ssim_std::{AutoDownsample, Covariance, Padding, Params, Plane, Pooling, Window};

/// Rounding allowance per window tap (per side): 1.1e-6 for the usual 11 taps.
const EPS_PER_TAP: f64 = 1e-7;
/// Largest f32 sample magnitude generated. Finite samples above about 1.3e19 overflow f32
/// when squared and give NaN (an open finding, see FUZZING.md); the contract is checked
/// below that.
const MAX_SAMPLE: f64 = 1e18;
/// Smallest k2 for which the range bound is checked (see below).
const MIN_K: f64 = 1e-4;

fn float(inp: &mut Input<'_>) -> f64 {
    const SPECIAL: [f64; 20] = [
        0.0,
        -0.0,
        1e-300,
        1e-20,
        1e-10,
        1e-3,
        0.01,
        0.03,
        1.0,
        255.0,
        65535.0,
        1e10,
        1e19,
        1e20,
        1e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -1.0,
        f64::MIN_POSITIVE,
    ];
    match inp.u8() {
        0..=63 => f64::from_bits(inp.u64()),
        64..=127 => SPECIAL[inp.below(SPECIAL.len())],
        b => (b as f64 - 127.0) / 16.0 * (10f64).powi(inp.below(9) as i32 - 4),
    }
}

fn size(inp: &mut Input<'_>) -> usize {
    match inp.below(4) {
        0 => inp.u64() as usize,
        _ => inp.below(20),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut inp = Input::new(data);
    let window = if inp.bool() {
        Window::Gaussian {
            radius: size(&mut inp),
            sigma: float(&mut inp),
        }
    } else {
        Window::Box {
            size: size(&mut inp),
        }
    };
    let pads = [Padding::Replicate, Padding::Reflect, Padding::Mirror];
    let params = Params {
        window,
        k1: float(&mut inp),
        k2: float(&mut inp),
        data_range: float(&mut inp),
        covariance: if inp.bool() {
            Covariance::Population
        } else {
            Covariance::Sample
        },
        pooling: match inp.below(4) {
            0 => Pooling::Valid,
            i => Pooling::Same(pads[i - 1]),
        },
        map_padding: match inp.below(4) {
            0 => None,
            i => Some(pads[i - 1]),
        },
        // A factor above 1 needs a shorter side of 384 (an error in the engine).
        auto_downsample: match inp.below(3) {
            0 => None,
            1 => Some(AutoDownsample::Piq),
            _ => Some(AutoDownsample::Wang2009),
        },
    };
    let rows = match inp.below(4) {
        0 => Some((inp.below(40), inp.below(40))),
        _ => None,
    };
    let options = Options {
        map: inp.bool(),
        rows,
        ..Options::default()
    };
    let (w, h) = (side(&mut inp, 64), side(&mut inp, 64));
    let kind = inp.below(3);
    let wild = inp.u8() < 48;
    let range = if params.data_range.is_finite() && params.data_range > 0.0 {
        params.data_range
    } else {
        1.0
    };
    let (ux, uy) = unit_pair(&mut inp, w * h);
    let mut noise = Noise(inp.u64());
    let n = scratch_len(&params, w, options.map)
        .unwrap_or(0)
        .min(1 << 20);
    let mut scratch = vec![ScratchBlock::ZERO; n];
    let mut sink = Rows::default();
    fn go<T: ssim_std::Sample>(
        x: &[T],
        y: &[T],
        (w, h): (usize, usize),
        params: &Params,
        options: Options,
        scratch: &mut [ScratchBlock],
        sink: &mut Rows,
    ) -> ssim_std::Result<ssim_std::SsimResult> {
        let (xp, yp) = (Plane::new(x, w, h).unwrap(), Plane::new(y, w, h).unwrap());
        compute_with(params, &xp, &yp, options, scratch, sink)
    }
    let args = (&params, options, &mut scratch[..], &mut sink);
    let result = match kind {
        0 => {
            let top = if wild { 255.0 } else { range.min(255.0) };
            let conv = |v: &f64| (v * top).round() as u8;
            let (x, y): (Vec<u8>, Vec<u8>) =
                (ux.iter().map(conv).collect(), uy.iter().map(conv).collect());
            go(&x, &y, (w, h), args.0, args.1, args.2, args.3)
        }
        1 => {
            let top = if wild { 65535.0 } else { range.min(65535.0) };
            let conv = |v: &f64| (v * top).round() as u16;
            let (x, y): (Vec<u16>, Vec<u16>) =
                (ux.iter().map(conv).collect(), uy.iter().map(conv).collect());
            go(&x, &y, (w, h), args.0, args.1, args.2, args.3)
        }
        _ => {
            let mut conv = |v: &f64| {
                if wild {
                    let mag = 10f64.powi((noise.bits() % 37) as i32 - 18).min(MAX_SAMPLE);
                    ((v * 2.0 - 1.0) * mag) as f32
                } else {
                    (v * range.min(MAX_SAMPLE)) as f32
                }
            };
            let x: Vec<f32> = ux.iter().map(&mut conv).collect();
            let y: Vec<f32> = uy.iter().map(&mut conv).collect();
            go(&x, &y, (w, h), args.0, args.1, args.2, args.3)
        }
    };
    let Ok(r) = result else { return };
    // The [-1, 1] bound needs C2 to dominate the f32 rounding noise of the variances: samples
    // inside [0, L] and k2 >= MIN_K. Otherwise only finiteness is promised.
    let bounded = !wild && params.k2 >= MIN_K;
    let eps = EPS_PER_TAP * params.window.size().max(10) as f64;
    let ok = |v: f64| v.is_finite() && (!bounded || (-1.0 - eps..=1.0 + eps).contains(&v));
    if r.count > 0 {
        assert!(
            ok(r.ssim) && ok(r.cs),
            "mean out of range: {r:?} for {params:?}"
        );
    }
    for row in &sink.0 {
        for &v in row.ssim.iter().chain(&row.cs) {
            let v = f32::from_bits(v) as f64;
            assert!(ok(v), "map value {v} in row {} for {params:?}", row.index);
        }
    }
});
