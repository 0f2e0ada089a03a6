//! Prints the SSIM of two PNM/PFM images: `cargo run --release --example compare -- A B`.
//! (The `ssim` command-line tool does this and much more.)

use ssim_std::pnm::{decode, Samples};
use ssim_std::{ssim_image, ChannelMode, Config, Interleaved, Params, PixelLayout, Sample};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 2 {
        eprintln!("usage: compare REFERENCE DISTORTED   (P5/P6/PFM files)");
        std::process::exit(2);
    }
    let read = |p: &str| {
        let bytes = std::fs::read(p).unwrap_or_else(|e| {
            eprintln!("{p}: {e}");
            std::process::exit(2)
        });
        decode(&bytes).unwrap_or_else(|e| {
            eprintln!("{p}: {e}");
            std::process::exit(2)
        })
    };
    let (a, b) = (read(&args[0]), read(&args[1]));
    let range = a.maxval.map_or(1.0, f64::from);
    let params = Params::wang2004(range);
    let (w, h, c) = (a.width, a.height, a.channels);
    let layout = if c == 3 {
        PixelLayout::Rgb
    } else {
        PixelLayout::Gray
    };
    fn go<T: Sample>(
        p: &Params,
        x: &[T],
        y: &[T],
        (w, h, layout): (usize, usize, PixelLayout),
    ) -> ssim_std::Result<ssim_std::ChannelsResult> {
        let (x, y) = (
            Interleaved::new(x, w, h, layout)?,
            Interleaved::new(y, w, h, layout)?,
        );
        ssim_image(p, &x, &y, ChannelMode::Mean, &Config::default())
    }
    let r = match (&a.samples, &b.samples) {
        (Samples::U8(x), Samples::U8(y)) => go(&params, x, y, (w, h, layout)),
        (Samples::U16(x), Samples::U16(y)) => go(&params, x, y, (w, h, layout)),
        (Samples::F32(x), Samples::F32(y)) => go(&params, x, y, (w, h, layout)),
        _ => {
            eprintln!("the two images have different sample types");
            std::process::exit(2)
        }
    };
    match r {
        Ok(r) => println!("SSIM (wang2004, L = {range}): {:.6}", r.ssim),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2)
        }
    }
}
