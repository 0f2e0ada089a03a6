//! The bad-input matrix: every way a caller can get the inputs wrong, each mapped to the one
//! typed error it must produce. A case that panics, succeeds, or returns a different variant
//! (or different fields) fails the test, and every error's message must say what was expected.

use ssim_core::{compute, compute_with, scratch_len, MapWriter, Options, ScratchBlock, Ssim};
use ssim_std::{
    data_range_for_bits, map_size, msssim, ssim, ssim_image, ssim_map, ssim_with, Backend,
    ChannelMode, Config, Error, Image, Interleaved, MsSsimParams, NegativeMeans, Params,
    PixelLayout, Plane, Pooling, Window,
};

/// SSIM of two interleaved images in `layout` (rows `stride` samples apart), per channel.
fn image<T: ssim_std::Sample>(
    params: &Params,
    x: &[T],
    y: &[T],
    (width, height, stride): (usize, usize, usize),
    layout: PixelLayout,
) -> Result<(), Error> {
    let x = Interleaved::with_stride(x, width, height, stride, layout)?;
    let y = Interleaved::with_stride(y, width, height, stride, layout)?;
    ssim_image(params, &x, &y, ChannelMode::Mean, &Config::default()).map(|_| ())
}

/// A noisy, deterministic 8-bit image (the values do not matter, only that they are valid).
fn img_u8(w: usize, h: usize) -> Vec<u8> {
    (0..w * h).map(|i| ((i * 37 + 11) % 251) as u8).collect()
}

fn img_f32(w: usize, h: usize) -> Vec<f32> {
    (0..w * h)
        .map(|i| ((i * 53 + 7) % 199) as f32 / 199.0)
        .collect()
}

/// SSIM of a 16x16 u8 pair under `params`, discarding the value.
fn run_params(params: Params) -> Result<(), Error> {
    let x = img_u8(16, 16);
    let y: Vec<u8> = x.iter().map(|v| v / 2).collect();
    ssim(&params, &Plane::new(&x, 16, 16)?, &Plane::new(&y, 16, 16)?).map(|_| ())
}

/// SSIM of a 16x16 f32 pair with one sample replaced by `bad` at (`col`, `row`) of `which`.
fn run_nonfinite(which: Image, col: usize, row: usize, bad: f32) -> Result<(), Error> {
    let (w, h) = (16, 16);
    let mut x = img_f32(w, h);
    let mut y = img_f32(w, h);
    let target = match which {
        Image::Reference => &mut x,
        Image::Distorted => &mut y,
    };
    target[row * w + col] = bad;
    ssim(
        &Params::wang2004(1.0),
        &Plane::new(&x, w, h)?,
        &Plane::new(&y, w, h)?,
    )
    .map(|_| ())
}

fn gaussian(radius: usize, sigma: f64) -> Params {
    Params {
        window: Window::Gaussian { radius, sigma },
        ..Params::wang2004(255.0)
    }
}

fn boxed(size: usize) -> Params {
    Params {
        window: Window::Box { size },
        ..Params::scikit_image(255.0)
    }
}

fn with_k(k1: f64, k2: f64) -> Params {
    Params {
        k1,
        k2,
        ..Params::wang2004(255.0)
    }
}

fn param(name: &'static str, expected: &'static str) -> Error {
    Error::InvalidParameter { name, expected }
}

const SIGMA: &str =
    "a finite sigma > 0 whose square does not underflow to 0 (sigma above about 1.6e-162)";
const RADIUS: &str = "a radius from 1 to 63 (window 3 to 127 taps)";
const BOX: &str = "an odd box size from 3 to 127";
const RANGE: &str =
    "a finite data range > 0 and <= 5e18 (squares of sums of samples in [0, L] must fit in f32)";
const RANGE_F32: &str =
    "k * data_range from about 1.1e-19 to 1e19 (C1 and C2 normal f32 values <= 1e38)";
const ROWS: &str = "a non-empty range of map rows within the map height";

type Case = (&'static str, Box<dyn Fn() -> Result<(), Error>>, Error);

fn cases() -> Vec<Case> {
    let mut c: Vec<Case> = Vec::new();
    let mut add =
        |name: &'static str, f: Box<dyn Fn() -> Result<(), Error>>, e: Error| c.push((name, f, e));
    let d = img_u8(16, 16);

    // ---- plane layout ----
    add(
        "zero width",
        Box::new(|| Plane::new(&[0u8; 4], 0, 4).map(|_| ())),
        Error::ZeroDimension {
            width: 0,
            height: 4,
        },
    );
    add(
        "zero height",
        Box::new(|| Plane::new(&[0u8; 4], 4, 0).map(|_| ())),
        Error::ZeroDimension {
            width: 4,
            height: 0,
        },
    );
    add(
        "zero width and height on an empty buffer",
        Box::new(|| Plane::<f32>::new(&[], 0, 0).map(|_| ())),
        Error::ZeroDimension {
            width: 0,
            height: 0,
        },
    );
    add(
        "channel step zero",
        Box::new(|| Plane::with_layout(&[0u16; 64], 4, 4, 16, 0).map(|_| ())),
        Error::ChannelStep { step: 0 },
    );
    add(
        "stride shorter than the row",
        Box::new(|| Plane::with_layout(&[0u8; 64], 8, 4, 7, 1).map(|_| ())),
        Error::StrideTooShort { stride: 7, min: 8 },
    );
    add(
        "stride shorter than a row of packed RGB (step 3)",
        Box::new(|| Plane::with_layout(&[0u8; 256], 8, 4, 21, 3).map(|_| ())),
        Error::StrideTooShort {
            stride: 21,
            min: 22,
        },
    );
    add(
        "stride zero",
        Box::new(|| Plane::with_layout(&[0f32; 64], 2, 2, 0, 1).map(|_| ())),
        Error::StrideTooShort { stride: 0, min: 2 },
    );
    add(
        "buffer one sample short",
        Box::new(|| Plane::new(&[0u8; 63], 8, 8).map(|_| ())),
        Error::BufferTooShort {
            len: 63,
            needed: 64,
        },
    );
    add(
        "buffer short with padded stride and step 4 (last row need not be padded)",
        Box::new(|| Plane::with_layout(&[0u8; 40], 4, 3, 16, 4).map(|_| ())),
        Error::BufferTooShort {
            len: 40,
            needed: 45,
        },
    );
    add(
        "empty buffer",
        Box::new(|| Plane::<u16>::new(&[], 1, 1).map(|_| ())),
        Error::BufferTooShort { len: 0, needed: 1 },
    );
    add(
        "width x height overflows usize",
        Box::new(|| Plane::new(&[0u8; 16], usize::MAX / 2, 3).map(|_| ())),
        Error::DimensionOverflow {
            width: usize::MAX / 2,
            height: 3,
        },
    );
    add(
        "(width - 1) x step overflows usize",
        Box::new(|| Plane::with_layout(&[0u8; 16], usize::MAX / 2, 1, 0, 3).map(|_| ())),
        Error::DimensionOverflow {
            width: usize::MAX / 2,
            height: 1,
        },
    );
    add(
        "(height - 1) x stride overflows usize",
        Box::new(|| Plane::with_layout(&[0u8; 16], 1, 1 << 40, 1 << 40, 1).map(|_| ())),
        Error::DimensionOverflow {
            width: 1,
            height: 1 << 40,
        },
    );
    add(
        "rows() past the bottom of the plane",
        Box::new(|| Plane::new(&[0u8; 64], 8, 8)?.rows(6, 3).map(|_| ())),
        Error::RowOverflow {
            height: 8,
            pushed: 9,
        },
    );
    add(
        "rows() with a start + count that overflows",
        Box::new(|| {
            Plane::new(&[0u8; 64], 8, 8)?
                .rows(usize::MAX, 2)
                .map(|_| ())
        }),
        Error::RowOverflow {
            height: 8,
            pushed: usize::MAX,
        },
    );
    add(
        "rows() of zero rows",
        Box::new(|| Plane::new(&[0u8; 64], 8, 8)?.rows(2, 0).map(|_| ())),
        Error::RowOverflow {
            height: 8,
            pushed: 2,
        },
    );

    // ---- sizes ----
    {
        let d = d.clone();
        add(
            "images of different heights",
            Box::new(move || {
                let p = Params::wang2004(255.0);
                ssim(&p, &Plane::new(&d, 16, 16)?, &Plane::new(&d, 16, 15)?).map(|_| ())
            }),
            Error::SizeMismatch {
                reference: (16, 16),
                distorted: (16, 15),
            },
        );
    }
    {
        let d = d.clone();
        add(
            "images of different widths (map)",
            Box::new(move || {
                let p = Params::matlab(255.0);
                ssim_map(&p, &Plane::new(&d, 12, 12)?, &Plane::new(&d, 13, 12)?).map(|_| ())
            }),
            Error::SizeMismatch {
                reference: (12, 12),
                distorted: (13, 12),
            },
        );
    }
    {
        let d = d.clone();
        add(
            "1x1 image under valid pooling (Gaussian 11)",
            Box::new(move || {
                let p = Plane::new(&d, 1, 1)?;
                let mut s = vec![ScratchBlock::ZERO; 1024];
                compute(&Params::wang2004(255.0), &p, &p, &mut s).map(|_| ())
            }),
            Error::ImageSmallerThanWindow {
                width: 1,
                height: 1,
                window: 11,
            },
        );
    }
    {
        let d = d.clone();
        add(
            "image one row shorter than the window (Gaussian 11)",
            Box::new(move || {
                let p = Plane::new(&d, 16, 10)?;
                ssim(&Params::wang2004(255.0), &p, &p).map(|_| ())
            }),
            Error::ImageSmallerThanWindow {
                width: 16,
                height: 10,
                window: 11,
            },
        );
    }
    {
        let d = d.clone();
        add(
            "image one column narrower than the window (box 7)",
            Box::new(move || {
                let p = Plane::new(&d, 6, 16)?;
                let mut s = vec![ScratchBlock::ZERO; 1024];
                compute(&Params::scikit_image(255.0), &p, &p, &mut s).map(|_| ())
            }),
            Error::ImageSmallerThanWindow {
                width: 6,
                height: 16,
                window: 7,
            },
        );
    }
    add(
        "map_size of a too small image",
        Box::new(|| map_size(&Params::scikit_image_gaussian(1.0), 5, 5, true).map(|_| ())),
        Error::ImageSmallerThanWindow {
            width: 5,
            height: 5,
            window: 11,
        },
    );
    add(
        "map_size of a zero-width image",
        Box::new(|| map_size(&Params::matlab(1.0), 0, 5, false).map(|_| ())),
        Error::ZeroDimension {
            width: 0,
            height: 5,
        },
    );
    add(
        "scratch_len of a zero-width image",
        Box::new(|| scratch_len(&Params::matlab(1.0), 0, false).map(|_| ())),
        Error::ZeroDimension {
            width: 0,
            height: 11,
        },
    );
    add(
        "scratch_len: width + window padding overflows",
        Box::new(|| scratch_len(&Params::matlab(1.0), usize::MAX - 3, false).map(|_| ())),
        Error::DimensionOverflow {
            width: usize::MAX - 3,
            height: 11,
        },
    );
    add(
        "scratch_len: ring size overflows",
        Box::new(|| scratch_len(&Params::matlab(1.0), usize::MAX / 64, false).map(|_| ())),
        Error::DimensionOverflow {
            width: usize::MAX / 64,
            height: 11,
        },
    );
    add(
        "engine: height x padded width overflows",
        Box::new(|| {
            let mut s = [ScratchBlock::ZERO; 4];
            Ssim::new(&Params::matlab(1.0), 1 << 33, 1 << 33, &mut s).map(|_| ())
        }),
        Error::DimensionOverflow {
            width: 1 << 33,
            height: 1 << 33,
        },
    );
    add(
        "channels: buffer shorter than the channel offset",
        // Channel 2 of a 2-sample buffer starts at its end; the error speaks of the whole
        // buffer (2 samples) and what channel 2's pixel needs (3).
        Box::new(|| {
            image(
                &Params::matlab(1.0),
                &[1u8; 2],
                &[1u8; 2],
                (1, 1, 4),
                PixelLayout::Rgba,
            )
        }),
        Error::BufferTooShort { len: 2, needed: 3 },
    );
    add(
        "channels: padded stride, buffer too short for the last channel's last pixel",
        // Channel 2 starts at sample 2 and reads up to 2 + 7 + (2 - 1) * 3 = 12, so the
        // 12-sample buffer needs 13 (counted over the whole buffer).
        Box::new(|| {
            image(
                &Params::matlab(1.0),
                &[1u8; 12],
                &[1u8; 12],
                (2, 2, 7),
                PixelLayout::Rgb,
            )
        }),
        Error::BufferTooShort {
            len: 12,
            needed: 13,
        },
    );

    // ---- parameters ----
    add(
        "Gaussian radius 0",
        Box::new(|| run_params(gaussian(0, 1.5))),
        param("window.radius", RADIUS),
    );
    add(
        "Gaussian radius 64",
        Box::new(|| run_params(gaussian(64, 1.5))),
        param("window.radius", RADIUS),
    );
    add(
        "Gaussian radius usize::MAX",
        Box::new(|| run_params(gaussian(usize::MAX, 1.5))),
        param("window.radius", RADIUS),
    );
    add(
        "sigma 0",
        Box::new(|| run_params(gaussian(5, 0.0))),
        param("window.sigma", SIGMA),
    );
    add(
        "sigma negative",
        Box::new(|| run_params(gaussian(5, -1.5))),
        param("window.sigma", SIGMA),
    );
    add(
        "sigma NaN",
        Box::new(|| run_params(gaussian(5, f64::NAN))),
        param("window.sigma", SIGMA),
    );
    add(
        "sigma whose square underflows (centre weight 0/0)",
        Box::new(|| run_params(gaussian(2, 1e-300))),
        param("window.sigma", SIGMA),
    );
    add(
        "sigma +inf",
        Box::new(|| run_params(gaussian(5, f64::INFINITY))),
        param("window.sigma", SIGMA),
    );
    add(
        "gaussian_skimage with sigma <= 0 (radius 0)",
        Box::new(|| {
            run_params(Params {
                window: Window::gaussian_skimage(-2.0),
                ..Params::wang2004(255.0)
            })
        }),
        param("window.sigma", SIGMA),
    );
    add(
        "box window of even size 8",
        Box::new(|| run_params(boxed(8))),
        param("window.size", BOX),
    );
    add(
        "box window of size 0",
        Box::new(|| run_params(boxed(0))),
        param("window.size", BOX),
    );
    add(
        "box window of size 1",
        Box::new(|| run_params(boxed(1))),
        param("window.size", BOX),
    );
    add(
        "box window of size 129",
        Box::new(|| run_params(boxed(129))),
        param("window.size", BOX),
    );
    add(
        "k1 = 0",
        Box::new(|| run_params(with_k(0.0, 0.03))),
        param("k1", "a finite k1 > 0"),
    );
    add(
        "k1 NaN",
        Box::new(|| run_params(with_k(f64::NAN, 0.03))),
        param("k1", "a finite k1 > 0"),
    );
    add(
        "k2 negative",
        Box::new(|| run_params(with_k(0.01, -0.03))),
        param("k2", "a finite k2 > 0"),
    );
    add(
        "k2 infinite",
        Box::new(|| run_params(with_k(0.01, f64::INFINITY))),
        param("k2", "a finite k2 > 0"),
    );
    add(
        "data range 0",
        Box::new(|| run_params(Params::wang2004(0.0))),
        param("data_range", RANGE),
    );
    add(
        "data range negative",
        Box::new(|| run_params(Params::scikit_image(-255.0))),
        param("data_range", RANGE),
    );
    add(
        "data range NaN",
        Box::new(|| run_params(Params::matlab(f64::NAN))),
        param("data_range", RANGE),
    );
    add(
        "data range -inf",
        Box::new(|| run_params(Params::matlab(f64::NEG_INFINITY))),
        param("data_range", RANGE),
    );
    add(
        "data range so huge that C1 overflows f32",
        Box::new(|| run_params(Params::wang2004(1e30))),
        param("data_range", RANGE),
    );
    add(
        "data range above 5e18 (squared sums of samples overflow f32)",
        Box::new(|| run_params(Params::matlab(1e19))),
        param("data_range", RANGE),
    );
    add(
        "C1 subnormal in f32",
        Box::new(|| run_params(Params::wang2004(1e-21))),
        param("data_range", RANGE_F32),
    );
    add(
        "k2 so large that C2 exceeds 1e38",
        // k2 L = 1.3e19: C2 = 1.6e38 is a finite f32, but above the 1e38 the kernels allow.
        Box::new(|| run_params(with_k(0.01, 5e16))),
        param("data_range", RANGE_F32),
    );
    add(
        "data range so tiny that C1 underflows f32",
        Box::new(|| run_params(Params::wang2004(1e-30))),
        param("data_range", RANGE_F32),
    );
    add(
        "k1 so tiny that C1 underflows f32",
        Box::new(|| run_params(with_k(1e-25, 0.03))),
        param("data_range", RANGE_F32),
    );
    add(
        "bit depth 0",
        Box::new(|| data_range_for_bits(0).map(|_| ())),
        param("bits", "a bit depth from 1 to 32"),
    );
    add(
        "bit depth 33",
        Box::new(|| data_range_for_bits(33).map(|_| ())),
        param("bits", "a bit depth from 1 to 32"),
    );

    // ---- samples ----
    add(
        "NaN in the reference",
        Box::new(|| run_nonfinite(Image::Reference, 3, 5, f32::NAN)),
        Error::NonFiniteSample {
            image: Image::Reference,
            row: 5,
            col: 3,
        },
    );
    add(
        "+inf in the distorted image, last sample",
        Box::new(|| run_nonfinite(Image::Distorted, 15, 15, f32::INFINITY)),
        Error::NonFiniteSample {
            image: Image::Distorted,
            row: 15,
            col: 15,
        },
    );
    add(
        "-inf in the reference, first sample",
        Box::new(|| run_nonfinite(Image::Reference, 0, 0, f32::NEG_INFINITY)),
        Error::NonFiniteSample {
            image: Image::Reference,
            row: 0,
            col: 0,
        },
    );
    add(
        "NaN in one channel of an interleaved f32 image",
        Box::new(|| {
            let mut x: Vec<f32> = img_f32(12 * 3, 12);
            let y = x.clone();
            x[4 * 36 + 2 * 3 + 1] = f32::NAN; // row 4, column 2, channel 1
            image(&Params::matlab(1.0), &x, &y, (12, 12, 36), PixelLayout::Rgb)
        }),
        Error::NonFiniteSample {
            image: Image::Reference,
            row: 4,
            col: 2,
        },
    );

    // ---- caller buffers ----
    {
        let d = d.clone();
        add(
            "scratch one block too small",
            Box::new(move || {
                let params = Params::wang2004(255.0);
                let n = scratch_len(&params, 16, false)?;
                let mut s = vec![ScratchBlock::ZERO; n - 1];
                let p = Plane::new(&d, 16, 16)?;
                compute(&params, &p, &p, &mut s).map(|_| ())
            }),
            Error::ScratchTooSmall {
                len: scratch_len(&Params::wang2004(255.0), 16, false).unwrap() - 1,
                needed: scratch_len(&Params::wang2004(255.0), 16, false).unwrap(),
            },
        );
    }
    add(
        "empty scratch",
        Box::new(|| Ssim::new(&Params::scikit_image(255.0), 16, 16, &mut []).map(|_| ())),
        Error::ScratchTooSmall {
            len: 0,
            needed: scratch_len(&Params::scikit_image(255.0), 16, false).unwrap(),
        },
    );
    add(
        "scratch sized without the map, used with the map",
        Box::new(|| {
            let p = Params::scikit_image(255.0);
            // 50 columns: the valid map's 44 round up to 48 computed columns, the full map's
            // 50 to 64 (the engine computes whole 16-column groups), so the sizes differ.
            let mut s = vec![ScratchBlock::ZERO; scratch_len(&p, 50, false)?];
            let o = Options {
                map: true,
                ..Options::default()
            };
            Ssim::with_options(&p, 50, 50, o, &mut s).map(|_| ())
        }),
        Error::ScratchTooSmall {
            len: scratch_len(&Params::scikit_image(255.0), 50, false).unwrap(),
            needed: scratch_len(&Params::scikit_image(255.0), 50, true).unwrap(),
        },
    );
    add(
        "SSIM map buffer one value short",
        Box::new(|| {
            let mut m = vec![0f32; 35];
            MapWriter::new(6, 6, &mut m, None).map(|_| ())
        }),
        Error::MapTooSmall {
            len: 35,
            needed: 36,
        },
    );
    add(
        "cs map buffer too small",
        Box::new(|| {
            let (mut m, mut c) = (vec![0f32; 36], vec![0f32; 6]);
            MapWriter::new(6, 6, &mut m, Some(&mut c)).map(|_| ())
        }),
        Error::MapTooSmall { len: 6, needed: 36 },
    );

    // ---- streaming misuse ----
    add(
        "push more rows than the image has",
        Box::new(|| {
            let p = Params::matlab(255.0);
            let d = img_u8(8, 12);
            let mut s = vec![ScratchBlock::ZERO; scratch_len(&p, 8, false)?];
            let mut e = Ssim::new(&p, 8, 8, &mut s)?;
            let x = Plane::new(&d, 8, 12)?;
            e.push_rows(&x.rows(0, 5)?, &x.rows(0, 5)?, &mut ())?;
            e.push_rows(&x.rows(5, 4)?, &x.rows(5, 4)?, &mut ())
        }),
        Error::RowOverflow {
            height: 8,
            pushed: 9,
        },
    );
    add(
        "push a chunk of the wrong width",
        Box::new(|| {
            let p = Params::matlab(255.0);
            let d = img_u8(9, 8);
            let mut s = vec![ScratchBlock::ZERO; scratch_len(&p, 9, false)?];
            let mut e = Ssim::new(&p, 8, 8, &mut s)?;
            let x = Plane::new(&d, 9, 8)?;
            e.push_rows(&x.rows(0, 2)?, &x.rows(0, 2)?, &mut ())
        }),
        Error::ChunkWidth {
            width: 9,
            expected: 8,
        },
    );
    add(
        "push chunks of different sizes for x and y",
        Box::new(|| {
            let p = Params::matlab(255.0);
            let d = img_u8(8, 8);
            let mut s = vec![ScratchBlock::ZERO; scratch_len(&p, 8, false)?];
            let mut e = Ssim::new(&p, 8, 8, &mut s)?;
            let x = Plane::new(&d, 8, 8)?;
            e.push_rows(&x.rows(0, 2)?, &x.rows(0, 3)?, &mut ())
        }),
        Error::SizeMismatch {
            reference: (8, 2),
            distorted: (8, 3),
        },
    );
    add(
        "u8 rows then u16 rows into one box-window engine",
        Box::new(|| {
            let p = Params::scikit_image(255.0);
            let (a, b) = (img_u8(8, 8), vec![7u16; 64]);
            let mut s = vec![ScratchBlock::ZERO; scratch_len(&p, 8, false)?];
            let mut e = Ssim::new(&p, 8, 8, &mut s)?;
            let (xa, xb) = (Plane::new(&a, 8, 8)?, Plane::new(&b, 8, 8)?);
            e.push_rows(&xa.rows(0, 4)?, &xa.rows(0, 4)?, &mut ())?;
            e.push_rows(&xb.rows(4, 4)?, &xb.rows(4, 4)?, &mut ())
        }),
        param(
            "samples",
            "the same sample type in every push_rows call of one engine \
             (box windows keep type-specific exact sums)",
        ),
    );
    add(
        "finish before the last row",
        Box::new(|| {
            let p = Params::wang2004(255.0);
            let d = img_u8(16, 16);
            let mut s = vec![ScratchBlock::ZERO; scratch_len(&p, 16, false)?];
            let mut e = Ssim::new(&p, 16, 16, &mut s)?;
            let x = Plane::new(&d, 16, 16)?;
            e.push_rows(&x.rows(0, 15)?, &x.rows(0, 15)?, &mut ())?;
            e.finish().map(|_| ())
        }),
        Error::RowsMissing {
            height: 16,
            pushed: 15,
        },
    );
    add(
        "finish with no row pushed",
        Box::new(|| {
            let p = Params::scikit_image(255.0);
            let mut s = vec![ScratchBlock::ZERO; scratch_len(&p, 16, false)?];
            Ssim::new(&p, 16, 16, &mut s)?.finish().map(|_| ())
        }),
        Error::RowsMissing {
            height: 16,
            pushed: 0,
        },
    );
    add(
        "band of rows that is empty",
        Box::new(|| {
            let p = Params::matlab(255.0);
            let mut s = vec![ScratchBlock::ZERO; scratch_len(&p, 16, false)?];
            let o = Options {
                rows: Some((4, 4)),
                ..Options::default()
            };
            Ssim::with_options(&p, 16, 16, o, &mut s).map(|_| ())
        }),
        param("rows", ROWS),
    );
    {
        let d = d.clone();
        add(
            "band of rows past the map height",
            Box::new(move || {
                // Valid map of a 16x16 image under an 11-tap window: 6 rows.
                let p = Params::wang2004(255.0);
                let x = Plane::new(&d, 16, 16)?;
                let mut s = vec![ScratchBlock::ZERO; scratch_len(&p, 16, false)?];
                let o = Options {
                    rows: Some((2, 7)),
                    ..Options::default()
                };
                compute_with(&p, &x, &x, o, &mut s, &mut ()).map(|_| ())
            }),
            param("rows", ROWS),
        );
    }

    // ---- MS-SSIM and threads ----
    {
        let d = img_u8(160, 170);
        add(
            "MS-SSIM of an image one pixel short of 5 levels",
            Box::new(move || {
                let p = Plane::new(&d, 160, 170)?;
                msssim(&MsSsimParams::wang2003(255.0), &p, &p).map(|_| ())
            }),
            Error::TooSmallForLevels {
                width: 160,
                height: 170,
                levels: 5,
                window: 11,
                min: 161,
            },
        );
    }
    add(
        "MS-SSIM with no weights",
        Box::new(|| {
            let d = img_u8(16, 16);
            let p = Plane::new(&d, 16, 16)?;
            let mut m = MsSsimParams::wang2003(255.0);
            m.weights.clear();
            msssim(&m, &p, &p).map(|_| ())
        }),
        param("weights", "1 to 16 weights, one per level"),
    );
    add(
        "MS-SSIM with a NaN weight",
        Box::new(|| {
            let d = img_u8(16, 16);
            let p = Plane::new(&d, 16, 16)?;
            let mut m = MsSsimParams::wang2003(255.0);
            m.weights[2] = f64::NAN;
            msssim(&m, &p, &p).map(|_| ())
        }),
        param("weights", "finite weights >= 0"),
    );
    add(
        "MS-SSIM, strict mode, inverted image (negative cs at level 1)",
        Box::new(|| {
            let x: Vec<u8> = (0..32 * 32)
                .map(|i| if (i / 32 + i % 32) % 2 == 0 { 0 } else { 255 })
                .collect();
            let y: Vec<u8> = x.iter().map(|v| 255 - v).collect();
            let mut m = MsSsimParams::wang2003(255.0);
            m.ssim = Params::matlab(255.0);
            m.negative = NegativeMeans::Strict;
            m.weights.truncate(1);
            let r = msssim(&m, &Plane::new(&x, 32, 32)?, &Plane::new(&y, 32, 32)?);
            match r {
                // The value is computed; pin the variant, level and term.
                Err(Error::NegativeLevelMean {
                    level: 1,
                    term: "ssim",
                    value,
                }) if value < 0.0 => Err(Error::NegativeLevelMean {
                    level: 1,
                    term: "ssim",
                    value: -1.0,
                }),
                other => other.map(|_| ()),
            }
        }),
        Error::NegativeLevelMean {
            level: 1,
            term: "ssim",
            value: -1.0,
        },
    );
    {
        let d = d.clone();
        add(
            "zero threads",
            Box::new(move || {
                let p = Plane::new(&d, 16, 16)?;
                let c = Config {
                    threads: Some(0),
                    ..Config::default()
                };
                ssim_with(&Params::wang2004(255.0), &p, &p, &c).map(|_| ())
            }),
            param(
                "threads",
                "at least 1 (None: the size of the current rayon pool)",
            ),
        );
    }

    // ---- backends ----
    if let Some(&b) = Backend::ALL.iter().find(|b| !b.is_supported()) {
        let d = d.clone();
        add(
            "forcing an unsupported backend",
            Box::new(move || {
                let p = Params::wang2004(255.0);
                let x = Plane::new(&d, 16, 16)?;
                let mut s = vec![ScratchBlock::ZERO; scratch_len(&p, 16, false)?];
                let o = Options {
                    backend: Some(b),
                    ..Options::default()
                };
                compute_with(&p, &x, &x, o, &mut s, &mut ()).map(|_| ())
            }),
            Error::BackendUnsupported { backend: b.name() },
        );
    }
    c
}

#[test]
fn every_bad_input_is_its_own_typed_error() {
    let cases = cases();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for (name, f, expected) in &cases {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
            Err(_) => failures.push(format!("{name}: panicked")),
            Ok(Ok(())) => failures.push(format!("{name}: succeeded, expected {expected:?}")),
            Ok(Err(e)) if e != *expected => {
                failures.push(format!("{name}: got {e:?}, expected {expected:?}"))
            }
            Ok(Err(e)) => {
                let msg = e.to_string();
                if msg.len() < 20 {
                    failures.push(format!("{name}: message {msg:?} explains nothing"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_cases_are_distinct() {
    // Thirty-odd cases that all hit the same check would prove little: count the variants.
    let cases = cases();
    let mut kinds: Vec<String> = cases
        .iter()
        .map(|(_, _, e)| {
            format!("{e:?}")
                .split([' ', '{', '('])
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    assert!(kinds.len() >= 12, "variants covered: {kinds:?}");
    let mut names: Vec<_> = cases.iter().map(|(n, _, _)| *n).collect();
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "duplicate case names");
}

#[test]
fn tiny_images_under_same_pooling_are_fine() {
    // Not errors: MATLAB's same-size pooling works down to 1x1 whatever the window.
    for (w, h) in [(1, 1), (1, 7), (7, 1), (2, 3)] {
        for params in [Params::matlab(255.0), {
            let mut p = Params::scikit_image(255.0);
            p.pooling = Pooling::Same(ssim_std::Padding::Mirror);
            p
        }] {
            let x = img_u8(w, h);
            let y: Vec<u8> = x.iter().map(|v| v / 3).collect();
            let r = ssim(
                &params,
                &Plane::new(&x, w, h).unwrap(),
                &Plane::new(&y, w, h).unwrap(),
            )
            .unwrap();
            assert!(
                r.ssim.is_finite() && r.count == (w * h) as u64,
                "{w}x{h}: {r:?}"
            );
            let same = ssim(
                &params,
                &Plane::new(&x, w, h).unwrap(),
                &Plane::new(&x, w, h).unwrap(),
            )
            .unwrap();
            assert_eq!(same.ssim, 1.0, "{w}x{h}");
        }
    }
}

#[test]
fn std_entry_points_reject_too_small_images() {
    // Through ssim-std the scratch is sized first (by `scratch_len`, which does not know the
    // height), so only the variant, the width and the window are pinned here.
    let d = img_u8(16, 16);
    for (params, w, h, window) in [
        (Params::wang2004(255.0), 1, 1, 11),
        (Params::scikit_image(255.0), 6, 16, 7),
        (Params::scikit_image_gaussian(1.0), 16, 10, 11),
    ] {
        let p = Plane::new(&d, w, h).unwrap();
        for e in [
            ssim(&params, &p, &p).unwrap_err(),
            ssim_map(&params, &p, &p).unwrap_err(),
        ] {
            assert!(
                matches!(e, Error::ImageSmallerThanWindow { width, window: win, .. }
                    if width == w && win == window),
                "{w}x{h}: {e:?}"
            );
        }
    }
}

/// FUZZING.md findings 9 and 10: errors name the image's real size and the whole buffer.
#[test]
fn errors_name_the_real_height_and_the_whole_buffer() {
    let x = [0u8; 1];
    let p = ssim_std::Plane::new(&x, 1, 1).unwrap();
    assert_eq!(
        ssim_std::ssim(&ssim_std::Params::wang2004(255.0), &p, &p).unwrap_err(),
        ssim_std::Error::ImageSmallerThanWindow {
            width: 1,
            height: 1,
            window: 11
        }
    );
    let rgb = [0u8; 12 * 12 * 3];
    let params = ssim_std::Params::wang2004(255.0);
    // Channel 2 of a buffer one sample too short.
    let short = &rgb[..rgb.len() - 1];
    assert_eq!(
        image(&params, short, short, (12, 12, 36), PixelLayout::Rgb).unwrap_err(),
        ssim_std::Error::BufferTooShort {
            len: rgb.len() - 1,
            needed: rgb.len()
        }
    );
    // A channel offset past the end of the buffer (matlab accepts a 1x1 image).
    let matlab = ssim_std::Params::matlab(255.0);
    assert_eq!(
        image(&matlab, &rgb[..2], &rgb[..2], (1, 1, 3), PixelLayout::Rgb).unwrap_err(),
        ssim_std::Error::BufferTooShort { len: 2, needed: 3 }
    );
}
