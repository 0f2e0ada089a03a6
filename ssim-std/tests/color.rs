//! Colour images: every rgb8 single-scale reference case through `ssim_image`, pixel layouts,
//! and luma made on the fly against luma made up front.

mod common;

use common::*;
use ssim_std::{
    msssim, msssim_planes, ssim, ssim_planes, ChannelMode, ChannelsResult, Config, Interleaved,
    MsChannelsResult, MsSsimParams, Params, PixelLayout, Plane, Sample,
};
use test_support::pnm::Samples;

/// The interleaved-image call with the layout spelled out, as the cases below list it.
#[allow(clippy::too_many_arguments)]
fn ssim_image<T: Sample>(
    params: &Params,
    x: &[T],
    y: &[T],
    width: usize,
    height: usize,
    stride: usize,
    layout: PixelLayout,
    mode: ChannelMode,
    config: &Config,
) -> ssim_std::Result<ChannelsResult> {
    let x = Interleaved::with_stride(x, width, height, stride, layout)?;
    let y = Interleaved::with_stride(y, width, height, stride, layout)?;
    ssim_std::ssim_image(params, &x, &y, mode, config)
}

/// The interleaved-image call with the layout spelled out, as the cases below list it.
#[allow(clippy::too_many_arguments)]
fn msssim_image<T: Sample>(
    params: &MsSsimParams,
    x: &[T],
    y: &[T],
    width: usize,
    height: usize,
    stride: usize,
    layout: PixelLayout,
    mode: ChannelMode,
    config: &Config,
) -> ssim_std::Result<MsChannelsResult> {
    let x = Interleaved::with_stride(x, width, height, stride, layout)?;
    let y = Interleaved::with_stride(y, width, height, stride, layout)?;
    ssim_std::msssim_image(params, &x, &y, mode, config)
}

fn rgb8(case: &Case) -> (&[u8], &[u8]) {
    match (&case.reference.samples, &case.distorted.samples) {
        (Samples::U8(a), Samples::U8(b)) => (a, b),
        _ => panic!("{}: not 8-bit", case.id),
    }
}

#[test]
fn every_rgb8_single_scale_case_within_1e6() {
    let cases: Vec<Case> = cases(&["gaussian11", "skimage_default"])
        .into_iter()
        .filter(|c| c.kind == "rgb8")
        .collect();
    assert_eq!(cases.len(), 14);
    let mut worst = 0f64;
    for case in &cases {
        let (a, b) = rgb8(case);
        let (w, h) = (case.reference.width, case.reference.height);
        let params = preset_of(&case.config).params(case.data_range);
        let r = ssim_image(
            &params,
            a,
            b,
            w,
            h,
            3 * w,
            PixelLayout::Rgb,
            ChannelMode::Mean,
            &Config::default(),
        )
        .unwrap();
        assert_eq!(r.channels.len(), 3);
        let d = (r.ssim - case.expected).abs();
        assert!(d <= 1e-6, "{}: {} vs {}", case.id, r.ssim, case.expected);
        worst = worst.max(d);
    }
    eprintln!(
        "rgb8 single-scale: {} cases, worst |d| {worst:.3e}",
        cases.len()
    );
}

/// Re-packs an RGB image as another layout, with `pad` extra samples at the end of each row.
fn repack(rgb: &[u8], w: usize, h: usize, layout: PixelLayout, pad: usize) -> Vec<u8> {
    let spp = layout.samples_per_pixel();
    let stride = w * spp + pad;
    let mut out = vec![77u8; stride * h];
    for r in 0..h {
        for c in 0..w {
            let p = &rgb[(r * w + c) * 3..][..3];
            let o = &mut out[r * stride + c * spp..][..spp];
            match layout {
                PixelLayout::Rgb => o.copy_from_slice(p),
                PixelLayout::Rgba => o.copy_from_slice(&[p[0], p[1], p[2], (r * c) as u8]),
                PixelLayout::Bgr => o.copy_from_slice(&[p[2], p[1], p[0]]),
                PixelLayout::Bgra => o.copy_from_slice(&[p[2], p[1], p[0], (r + c) as u8]),
                PixelLayout::Gray => unreachable!(),
            }
        }
    }
    out
}

fn colour_pair() -> (usize, usize, Vec<u8>, Vec<u8>) {
    let case = cases(&["msssim_wang"])
        .into_iter()
        .find(|c| c.kind == "rgb8")
        .unwrap();
    let (a, b) = rgb8(&case);
    (
        case.reference.width,
        case.reference.height,
        a.to_vec(),
        b.to_vec(),
    )
}

#[test]
fn layouts_give_the_same_channels_in_rgb_order() {
    let (w, h, a, b) = colour_pair();
    let params = Params::wang2004(255.0);
    let config = Config::default();
    let want = ssim_image(
        &params,
        &a,
        &b,
        w,
        h,
        3 * w,
        PixelLayout::Rgb,
        ChannelMode::Mean,
        &config,
    )
    .unwrap();
    // Channel 0 is R: check against a plain plane of R.
    let r = ssim(
        &params,
        &Plane::with_layout(&a, w, h, 3 * w, 3).unwrap(),
        &Plane::with_layout(&b, w, h, 3 * w, 3).unwrap(),
    )
    .unwrap();
    assert_eq!(want.channels[0], r);
    for layout in [PixelLayout::Rgba, PixelLayout::Bgr, PixelLayout::Bgra] {
        let pad = 5;
        let stride = w * layout.samples_per_pixel() + pad;
        let (x, y) = (repack(&a, w, h, layout, pad), repack(&b, w, h, layout, pad));
        for mode in [
            ChannelMode::Mean,
            ChannelMode::Luma601,
            ChannelMode::Luma709,
            ChannelMode::Luma601Studio,
        ] {
            let got = ssim_image(&params, &x, &y, w, h, stride, layout, mode, &config).unwrap();
            let want = ssim_image(
                &params,
                &a,
                &b,
                w,
                h,
                3 * w,
                PixelLayout::Rgb,
                mode,
                &config,
            )
            .unwrap();
            assert_eq!(got.channels, want.channels, "{layout:?} {mode:?}");
        }
    }
    // A buffer too short for the stride is an error, not a panic.
    let short = &a[..a.len() - 1];
    assert!(ssim_image(
        &params,
        short,
        &b,
        w,
        h,
        3 * w,
        PixelLayout::Rgb,
        ChannelMode::Mean,
        &config
    )
    .is_err());
}

/// Luma per the documented formula `(offset + c . RGB) / divisor` (f64, rounded once to f32),
/// made for the whole image.
fn luma_with(rgb: &[u8], c: [f64; 3], offset: f64, divisor: f64) -> Vec<f32> {
    rgb.chunks_exact(3)
        .map(|p| {
            let (r, g, b) = (p[0] as f64, p[1] as f64, p[2] as f64);
            ((offset + c[0] * r + c[1] * g + c[2] * b) / divisor) as f32
        })
        .collect()
}

fn luma(rgb: &[u8], c: [f64; 3]) -> Vec<f32> {
    luma_with(rgb, c, 0.0, 1.0)
}

#[test]
fn luma_on_the_fly_equals_luma_made_up_front() {
    let (w, h, a, b) = colour_pair();
    let config = Config::default();
    for (mode, c, offset, divisor) in [
        (ChannelMode::Luma601, [0.299, 0.587, 0.114], 0.0, 1.0),
        (ChannelMode::Luma709, [0.2126, 0.7152, 0.0722], 0.0, 1.0),
        // 8-bit: 16 + (65.481 R + 128.553 G + 24.966 B) / 255.
        (
            ChannelMode::Luma601Studio,
            [65.481, 128.553, 24.966],
            16.0 * 255.0,
            255.0,
        ),
    ] {
        let (ya, yb) = (
            luma_with(&a, c, offset, divisor),
            luma_with(&b, c, offset, divisor),
        );
        let (xp, yp) = (
            Plane::new(&ya, w, h).unwrap(),
            Plane::new(&yb, w, h).unwrap(),
        );
        let params = Params::wang2004(255.0);
        let got = ssim_image(
            &params,
            &a,
            &b,
            w,
            h,
            3 * w,
            PixelLayout::Rgb,
            mode,
            &config,
        )
        .unwrap();
        assert_eq!(got.channels, vec![ssim(&params, &xp, &yp).unwrap()]);
        let mp = MsSsimParams::wang2003(255.0);
        let got = msssim_image(&mp, &a, &b, w, h, 3 * w, PixelLayout::Rgb, mode, &config).unwrap();
        assert_eq!(got.channels, vec![msssim(&mp, &xp, &yp).unwrap()]);
        assert_eq!(got.msssim, got.channels[0].msssim);
    }
    // BT.601 luma of a pure grey pixel is the grey level (coefficients sum to 1); studio
    // range maps 0..255 to 16..235.
    assert_eq!(luma(&[200, 200, 200], [0.299, 0.587, 0.114]), [200.0]);
    let studio = |v: u8| luma_with(&[v, v, v], [65.481, 128.553, 24.966], 4080.0, 255.0)[0];
    assert_eq!((studio(0), studio(255)), (16.0, 235.0));
}

#[test]
fn gray_layout_compares_the_one_channel_in_every_mode() {
    let (w, h, a, b) = colour_pair();
    let (ga, gb): (Vec<u8>, Vec<u8>) = (
        a.iter().step_by(3).copied().collect(),
        b.iter().step_by(3).copied().collect(),
    );
    let params = Params::wang2004(255.0);
    let want = ssim(
        &params,
        &Plane::new(&ga, w, h).unwrap(),
        &Plane::new(&gb, w, h).unwrap(),
    )
    .unwrap();
    for mode in [ChannelMode::Mean, ChannelMode::Luma601] {
        let r = ssim_image(
            &params,
            &ga,
            &gb,
            w,
            h,
            w,
            PixelLayout::Gray,
            mode,
            &Config::default(),
        )
        .unwrap();
        assert_eq!(r.channels, vec![want]);
        assert_eq!(r.ssim, want.ssim);
    }
}

fn planes(p: &[Vec<u8>], w: usize, h: usize) -> Vec<Plane<'_, u8>> {
    p.iter().map(|c| Plane::new(c, w, h).unwrap()).collect()
}

#[test]
fn planar_planes_equal_interleaved() {
    let (w, h, a, b) = colour_pair();
    let split = |v: &[u8]| -> Vec<Vec<u8>> {
        (0..3)
            .map(|c| v.iter().skip(c).step_by(3).copied().collect())
            .collect()
    };
    let (pa, pb) = (split(&a), split(&b));
    let (xa, xb) = (planes(&pa, w, h), planes(&pb, w, h));
    let config = Config::default();
    let params = Params::wang2004(255.0);
    let mp = MsSsimParams::pytorch_msssim(255.0);
    for mode in [ChannelMode::Mean, ChannelMode::Luma601] {
        let i = ssim_image(
            &params,
            &a,
            &b,
            w,
            h,
            3 * w,
            PixelLayout::Rgb,
            mode,
            &config,
        );
        assert_eq!(
            ssim_planes(&params, &xa, &xb, mode, &config)
                .unwrap()
                .channels,
            i.unwrap().channels
        );
        let i = msssim_image(&mp, &a, &b, w, h, 3 * w, PixelLayout::Rgb, mode, &config);
        assert_eq!(
            msssim_planes(&mp, &xa, &xb, mode, &config).unwrap(),
            i.unwrap()
        );
    }
    // Luma needs three planes; the lists must match.
    let two = &xa[..2];
    assert!(ssim_planes(&params, two, &xb[..2], ChannelMode::Luma709, &config).is_err());
    assert!(ssim_planes(&params, &xa, two, ChannelMode::Mean, &config).is_err());
    assert!(ssim_planes::<u8>(&params, &[], &[], ChannelMode::Mean, &config).is_err());
}

/// A wide image is computed in vertical strips of `ROW_SUM_SEGMENT` map columns, the channels
/// in lockstep: every channel must still have the bits of its plane computed alone, for any
/// thread count, sample type, stride and layout (a strip shifted by one column or a halo
/// missing changes them).
#[test]
fn wide_images_in_strips_equal_each_plane_alone() {
    let seg = ssim_std::ROW_SUM_SEGMENT;
    // Three strips, the last one narrow; the height gives two bands of rows.
    let (w, h) = (2 * seg + 59 + 10, 45);
    let pattern = |i: usize, k: usize| ((i * 7919 + k * 104_729) % 251) as u8;
    let a: Vec<u8> = (0..(4 * w + 8) * h).map(|i| pattern(i, 1)).collect();
    let b: Vec<u8> = a
        .iter()
        .enumerate()
        .map(|(i, &v)| v.wrapping_add((i % 13) as u8 / 4))
        .collect();
    let check = |params: &Params, layout: PixelLayout, pad: usize| {
        let spp = layout.samples_per_pixel();
        let stride = w * spp + pad;
        let (x, y) = (&a[..stride * h], &b[..stride * h]);
        let order: [usize; 3] = match layout {
            PixelLayout::Bgr | PixelLayout::Bgra => [2, 1, 0],
            _ => [0, 1, 2],
        };
        for threads in [1, 2, 3, 7] {
            let config = Config {
                threads: Some(threads),
                ..Config::default()
            };
            let got = ssim_image(
                params,
                x,
                y,
                w,
                h,
                stride,
                layout,
                ChannelMode::Mean,
                &config,
            )
            .unwrap();
            for (c, &k) in order.iter().enumerate() {
                let (px, py) = (
                    channel(x, k, w, h, stride, spp),
                    channel(y, k, w, h, stride, spp),
                );
                let want = ssim_std::ssim_with(params, &px, &py, &config).unwrap();
                assert_eq!(
                    got.channels[c], want,
                    "{layout:?} channel {c} threads {threads}"
                );
            }
        }
    };
    check(&Params::wang2004(255.0), PixelLayout::Rgb, 0);
    check(&Params::wang2004(255.0), PixelLayout::Bgra, 3);
    check(&Params::matlab(255.0), PixelLayout::Rgb, 1);
    // u16 and f32 samples through the same strips.
    let p = Params::wang2004(65535.0);
    let (x, y): (Vec<u16>, Vec<u16>) = (
        a.iter().map(|&v| v as u16 * 257).collect(),
        b.iter().map(|&v| v as u16 * 251).collect(),
    );
    same_as_planes(&p, &x, &y, w, h, PixelLayout::Rgba);
    let p = Params::wang2004(1.0);
    let (x, y): (Vec<f32>, Vec<f32>) = (
        a.iter().map(|&v| v as f32 / 255.0).collect(),
        b.iter().map(|&v| v as f32 / 255.0).collect(),
    );
    same_as_planes(&p, &x, &y, w, h, PixelLayout::Rgb);
}

/// Every channel of `ssim_image` (mean mode, packed rows, the default config) has the bits of
/// its plane computed alone.
fn same_as_planes<T: Sample>(
    p: &Params,
    x: &[T],
    y: &[T],
    w: usize,
    h: usize,
    layout: PixelLayout,
) {
    let spp = layout.samples_per_pixel();
    let config = Config::default();
    let got = ssim_image(p, x, y, w, h, spp * w, layout, ChannelMode::Mean, &config).unwrap();
    for c in 0..3 {
        let (px, py) = (
            channel(x, c, w, h, spp * w, spp),
            channel(y, c, w, h, spp * w, spp),
        );
        assert_eq!(
            got.channels[c],
            ssim(p, &px, &py).unwrap(),
            "{layout:?} channel {c}"
        );
    }
}

/// Channel `k` of an interleaved image as a plane of its own.
fn channel<T: Sample>(
    v: &[T],
    k: usize,
    w: usize,
    h: usize,
    stride: usize,
    spp: usize,
) -> Plane<'_, T> {
    Plane::with_layout(&v[k..], w, h, stride, spp).unwrap()
}
