//! The colour entry points, `ssim_image` and `msssim_image`, with every pixel layout (gray,
//! RGB, RGBA, BGRA, BGR), every channel mode (mean, BT.601 / BT.709 luma, studio-range Y),
//! random sizes, strides with padding and short buffers.
//!
//! Checked: an error or a result, never a panic; a buffer one sample short is an error unless
//! that sample is the last alpha; an image against itself is exactly 1 in every
//! mode; per-channel values lie in [-1, 1] (+1e-6) for u8 input and their mean is the index;
//! BGR(A) gives the RGB(A) channels in R, G, B order; RGBA equals RGB of the same colours.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssim_fuzz::{side, Input};
use ssim_std::{
    msssim_image, ssim_image, ChannelMode, Config, Interleaved, MsSsimParams, Params, PixelLayout,
};

const LAYOUTS: [PixelLayout; 5] = [
    PixelLayout::Gray,
    PixelLayout::Rgb,
    PixelLayout::Rgba,
    PixelLayout::Bgra,
    PixelLayout::Bgr,
];
const MODES: [ChannelMode; 4] = [
    ChannelMode::Mean,
    ChannelMode::Luma601,
    ChannelMode::Luma709,
    ChannelMode::Luma601Studio,
];

fuzz_target!(|data: &[u8]| {
    let mut inp = Input::new(data);
    let layout = LAYOUTS[inp.below(LAYOUTS.len())];
    let mode = MODES[inp.below(MODES.len())];
    let (w, h) = (side(&mut inp, 40), side(&mut inp, 40));
    let k = layout.samples_per_pixel();
    let pad = inp.below(4);
    let stride = w * k + pad;
    // Sometimes a buffer one sample short: an error, unless the missing sample is the last
    // pixel's alpha (RGBA/BGRA), which is never read.
    let short = inp.u8() == 0;
    let short_matters = short && k != 4;
    let len = (h * stride).saturating_sub(pad + usize::from(short));
    let x: Vec<u8> = (0..len).map(|_| inp.u8()).collect();
    let y: Vec<u8> = (0..len).map(|i| x[i] ^ (inp.u8() & 0x1f)).collect();
    let params = if inp.bool() {
        Params::wang2004(255.0)
    } else {
        Params::matlab(255.0)
    };
    let config = Config {
        backend: None,
        threads: Some(1 + inp.below(2)),
    };
    let run = |a: &[u8], b: &[u8], w, h, stride, layout| {
        let a = Interleaved::with_stride(a, w, h, stride, layout)?;
        let b = Interleaved::with_stride(b, w, h, stride, layout)?;
        ssim_image(&params, &a, &b, mode, &config)
    };
    match run(&x, &y, w, h, stride, layout) {
        Ok(r) => {
            assert!(!short_matters, "a short buffer was accepted");
            let n = if layout == PixelLayout::Gray || mode != ChannelMode::Mean {
                1
            } else {
                3
            };
            assert_eq!(r.channels.len(), n);
            for c in &r.channels {
                assert!(c.ssim.abs() <= 1.0 + 1e-6, "{}", c.ssim);
            }
            let mean = r.channels.iter().map(|c| c.ssim).sum::<f64>() / n as f64;
            assert!((mean - r.ssim).abs() <= 1e-12);
            let same = run(&x, &x, w, h, stride, layout)
                .expect("x against itself where x against y worked");
            assert_eq!(same.ssim, 1.0, "{layout:?} {mode:?}");
            // Alpha ignored, order respected: the same colours as plain RGB.
            if k == 4 || layout == PixelLayout::Bgr {
                let rgb = |v: &[u8]| -> Vec<u8> {
                    let order = match layout {
                        PixelLayout::Bgra | PixelLayout::Bgr => [2, 1, 0],
                        _ => [0, 1, 2],
                    };
                    (0..h)
                        .flat_map(|j| (0..w).map(move |i| (j, i)))
                        .flat_map(|(j, i)| order.map(|o| v[j * stride + i * k + o]))
                        .collect()
                };
                let plain = run(&rgb(&x), &rgb(&y), w, h, 3 * w, PixelLayout::Rgb)
                    .expect("the same colours as RGB");
                assert_eq!(plain.ssim, r.ssim, "{layout:?} {mode:?}");
            }
        }
        Err(_) => {}
    }
    if inp.bool() {
        let mut mp = MsSsimParams::wang2003(255.0);
        mp.weights.truncate(1 + inp.below(3));
        mp.auto_levels = inp.bool();
        let r = Interleaved::with_stride(&x, w, h, stride, layout).and_then(|a| {
            let b = Interleaved::with_stride(&y, w, h, stride, layout)?;
            msssim_image(&mp, &a, &b, mode, &config)
        });
        if let Ok(r) = r {
            assert!(!short_matters, "a short buffer was accepted");
            assert!(
                r.msssim.is_finite() && r.msssim <= 1.0 + 1e-6,
                "{}",
                r.msssim
            );
        }
    }
});
