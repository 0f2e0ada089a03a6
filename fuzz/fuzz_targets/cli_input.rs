//! The `ssim` command's input layer on arbitrary bytes: format sniffing and every decoder it
//! uses (PNG, BMP, TIFF, WebP, QOI through the `image` crate; JPEG through libjpeg-turbo;
//! PGM/PPM/PFM), the alpha drop, the pixel limit, cropping and 8-to-16-bit promotion. The
//! CLI's own source files are compiled in (`#[path]`), so this is the code users run.
//!
//! Checked: an error or an image, never a panic; the sample count is width x height x channels;
//! the limit holds; a crop keeps the inner samples; promotion maps 0..255 onto 0..65535.
#![no_main]

#[path = "../../ssim-cli/src/error.rs"]
#[allow(dead_code)]
mod error;
#[path = "../../ssim-cli/src/input.rs"]
#[allow(dead_code)]
mod input;
#[path = "../../ssim-cli/src/jpeg.rs"]
#[allow(dead_code)]
mod jpeg;
#[path = "../../ssim-cli/src/pnm.rs"]
#[allow(dead_code)]
mod pnm;

use input::{decode, Pixels};
use libfuzzer_sys::fuzz_target;

/// Small, so a forged header cannot make the fuzzer spend its memory on one input.
const MAX_PIXELS: u64 = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let Ok(img) = decode(data, MAX_PIXELS) else {
        return;
    };
    let n = img.width * img.height * img.layout.samples();
    assert!(
        (img.width * img.height) as u64 <= MAX_PIXELS,
        "limit not applied"
    );
    let len = match &img.pixels {
        Pixels::U8(v) => v.len(),
        Pixels::U16(v) => v.len(),
        Pixels::F32(v) => v.len(),
    };
    assert_eq!(len, n, "sample count does not match the size and layout");
    assert!(img.default_range > 0.0 && img.default_range.is_finite());
    let crop = 1 + (data.len() % 4);
    match img.crop(crop) {
        Ok(c) => {
            assert!(2 * crop < img.width && 2 * crop < img.height);
            assert_eq!(
                (c.width, c.height),
                (img.width - 2 * crop, img.height - 2 * crop)
            );
            let k = img.layout.samples();
            if let (Pixels::U8(a), Pixels::U8(b)) = (&img.pixels, &c.pixels) {
                assert_eq!(b[0], a[(crop * img.width + crop) * k], "crop moved samples");
            }
        }
        Err(_) => assert!(2 * crop >= img.width || 2 * crop >= img.height),
    }
    if let (Some(p), Pixels::U8(a)) = (img.promoted(), &img.pixels) {
        let Pixels::U16(b) = &p.pixels else {
            panic!("promotion gave another type")
        };
        assert!(a
            .iter()
            .zip(b)
            .all(|(&s, &t)| u32::from(t) == u32::from(s) * 257));
        assert_eq!(p.default_range, 65535.0);
    }
});
