//! Arbitrary parameter values (raw f64 bit patterns, radii and box sizes up to `usize::MAX`,
//! any pooling, padding, map flag and band of rows) on small images: an error, or a result
//! whose mean SSIM, mean cs and every map value are finite and within `[-1 - EPS, 1 + EPS]`.
//!
//! With C1, C2 > 0, SSIM and cs lie in [-1, 1] mathematically; f32 rounding of the moments
//! and of the quotient may step outside by a few ulps, so the bound checked is EPS = 1e-6.
//! Samples are anywhere in [0, min(L, 1e18)], or (wild mode) any finite f32 of magnitude up
//! to 1e18, where squares of differences still fit in f32.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssim_fuzz::{side, Input, Noise, Rows};
use ssim_std::{
    compute_with, scratch_len, Covariance, Options, Padding, Params, Plane, Pooling,
    ScratchBlock, Window,
};

const EPS: f64 = 1e-6;
/// Largest f32 sample magnitude generated. Finite samples above about 1.3e19 overflow f32
/// when squared and give NaN (an open finding, see FUZZING.md); the contract is checked
/// below that.
const MAX_SAMPLE: f64 = 1e18;

fn float(inp: &mut Input<'_>) -> f64 {
    const SPECIAL: [f64; 20] = [
        0.0, -0.0, 1e-300, 1e-20, 1e-10, 1e-3, 0.01, 0.03, 1.0, 255.0, 65535.0, 1e10, 1e19,
        1e20, 1e300, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, -1.0, f64::MIN_POSITIVE,
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
    let wild = inp.u8() < 32;
    let mut noise = Noise(inp.u64());
    let range = if params.data_range.is_finite() && params.data_range > 0.0 {
        params.data_range
    } else {
        1.0
    };
    let n = scratch_len(&params, w, options.map).unwrap_or(0).min(1 << 20);
    let mut scratch = vec![ScratchBlock::ZERO; n];
    let mut sink = Rows::default();
    let result = match kind {
        0 => {
            let x: Vec<u8> = (0..w * h).map(|_| noise.next() as u8).collect();
            let y: Vec<u8> = (0..w * h).map(|_| noise.next() as u8).collect();
            let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
            compute_with(&params, &xp, &yp, options, &mut scratch, &mut sink)
        }
        1 => {
            let x: Vec<u16> = (0..w * h).map(|_| noise.next() as u16).collect();
            let y: Vec<u16> = (0..w * h).map(|_| noise.next() as u16).collect();
            let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
            compute_with(&params, &xp, &yp, options, &mut scratch, &mut sink)
        }
        _ => {
            let mut gen = || {
                if wild {
                    let mag = 10f64.powi((noise.next() % 37) as i32 - 18).min(MAX_SAMPLE);
                    ((noise.unit() * 2.0 - 1.0) * mag) as f32
                } else {
                    (noise.unit() * range.min(MAX_SAMPLE)) as f32
                }
            };
            let x: Vec<f32> = (0..w * h).map(|_| gen()).collect();
            let y: Vec<f32> = (0..w * h).map(|_| gen()).collect();
            let (xp, yp) = (Plane::new(&x, w, h).unwrap(), Plane::new(&y, w, h).unwrap());
            compute_with(&params, &xp, &yp, options, &mut scratch, &mut sink)
        }
    };
    let Ok(r) = result else { return };
    let ok = |v: f64| v.is_finite() && (-1.0 - EPS..=1.0 + EPS).contains(&v);
    if r.count > 0 {
        assert!(ok(r.ssim) && ok(r.cs), "mean out of range: {r:?} for {params:?}");
    }
    for row in &sink.0 {
        for &v in row.ssim.iter().chain(&row.cs) {
            let v = f32::from_bits(v) as f64;
            assert!(ok(v), "map value {v} in row {} for {params:?}", row.index);
        }
    }
});
