//! Regenerates `samples/` from `testdata/images` (run from the workspace root):
//! `cargo run -p ssim-cli --example make_samples`. Deterministic: the samples are lossless
//! conversions of reference-vector images, so their SSIM values are the ones in
//! `testdata/cases.json`; only `dist.jpg` is a new JPEG encoding (libjpeg, quality 75) of
//! `ref.png`.

#![forbid(unsafe_code)]

use std::path::Path;

use image::{ImageEncoder, ImageFormat};
use ssim_std::pnm::{decode, Samples};

fn read(name: &str) -> ssim_std::pnm::PnmImage {
    let path = Path::new("testdata/images").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn png(src: &str, dst: &str) {
    let img = read(src);
    let (w, h) = (img.width as u32, img.height as u32);
    let colour = match img.channels {
        1 => image::ExtendedColorType::L8,
        _ => image::ExtendedColorType::Rgb8,
    };
    let mut out = Vec::new();
    let enc = image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Best,
        image::codecs::png::FilterType::Adaptive,
    );
    match &img.samples {
        Samples::U8(v) => enc.write_image(v, w, h, colour),
        Samples::U16(v) => {
            // image-rs takes 16-bit samples in native byte order and writes them big-endian.
            let ne: Vec<u8> = v.iter().flat_map(|s| s.to_ne_bytes()).collect();
            let colour = match img.channels {
                1 => image::ExtendedColorType::L16,
                _ => image::ExtendedColorType::Rgb16,
            };
            enc.write_image(&ne, w, h, colour)
        }
        Samples::F32(_) => panic!("{src}: PNG has no float samples"),
    }
    .unwrap();
    std::fs::write(Path::new("samples").join(dst), out).unwrap();
}

fn copy(src: &str, dst: &str) {
    std::fs::copy(
        Path::new("testdata/images").join(src),
        Path::new("samples").join(dst),
    )
    .unwrap();
}

fn main() {
    std::fs::create_dir_all("samples").unwrap();
    png("colorblobs_161x161.ppm", "ref.png");
    png("colorblobs_161x161__jpeg30.ppm", "dist.png");
    png("bandnoise16_64x48.pgm", "gray16_ref.png");
    png("bandnoise16_64x48__noise20.pgm", "gray16_dist.png");
    copy("bandnoise16_64x48.pgm", "gray16_ref.pgm");
    copy("bandnoise16_64x48__noise20.pgm", "gray16_dist.pgm");
    copy("blobsf_64x48.pfm", "float_ref.pfm");
    copy("blobsf_64x48__blur0.8.pfm", "float_dist.pfm");
    // dist.jpg: ref.png through libjpeg (mozjpeg's encoder, quality 75, 4:2:0), which is
    // deterministic for a given mozjpeg version.
    let rgb = image::load_from_memory_with_format(
        &std::fs::read("samples/ref.png").unwrap(),
        ImageFormat::Png,
    )
    .unwrap()
    .to_rgb8();
    let (w, h) = (rgb.width() as usize, rgb.height() as usize);
    let mut comp = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
    comp.set_size(w, h);
    comp.set_quality(75.0);
    let mut comp = comp.start_compress(Vec::new()).unwrap();
    comp.write_scanlines(rgb.as_raw()).unwrap();
    let jpg = comp.finish().unwrap();
    std::fs::write("samples/dist.jpg", jpg).unwrap();
}
