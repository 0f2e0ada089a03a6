//! RGB (mean of the channels) against gray on the bench pair, one thread, in one process, in
//! CPU time of the thread (`CpuClock`): rounds of each alternate so both see the same machine
//! load, and the minimum over the rounds is the figure least disturbed by other processes.
//! Prints both times and the ratio (the target of issue 17 is at most 3.2x).
//!
//! `cargo run --release -p ssim-benches --example color_ratio -- [ROUNDS] [CALLS] [WxH]`
//! (size 1920x1080 unless given; 3840x2160 is the other size of the bench pair).

use ssim_benches::{pair, rgb, CpuClock};
use ssim_std::{ssim_image, ChannelMode, Config, Interleaved, Params, PixelLayout};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: usize| {
        args.get(i).map_or(default, |a| {
            a.parse().expect("usage: [ROUNDS] [CALLS] [WxH]")
        })
    };
    let (rounds, calls) = (number(0, 9), number(1, 5));
    let (w, h) = args.get(2).map_or((1920, 1080), |s| {
        let (w, h) = s.split_once('x').expect("size as WxH");
        (w.parse().expect("width"), h.parse().expect("height"))
    });
    let p = pair(w, h);
    let (w, h) = (p.width, p.height);
    let (xr, yr) = rgb(&p);
    let params = Params::wang2004(255.0);
    let config = Config {
        backend: None,
        threads: Some(1),
    };
    let gray = (
        Interleaved::new(&p.x, w, h, PixelLayout::Gray).expect("valid"),
        Interleaved::new(&p.y, w, h, PixelLayout::Gray).expect("valid"),
    );
    let colour = (
        Interleaved::new(&xr, w, h, PixelLayout::Rgb).expect("valid"),
        Interleaved::new(&yr, w, h, PixelLayout::Rgb).expect("valid"),
    );
    let time = |(x, y): &(Interleaved<'_, u8>, Interleaved<'_, u8>)| {
        let t0 = CpuClock::start();
        for _ in 0..calls {
            let r = ssim_image(&params, x, y, ChannelMode::Mean, &config).expect("valid");
            std::hint::black_box(r);
        }
        t0.seconds() * 1e3 / calls as f64
    };
    let (mut g, mut c) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        g.push(time(&gray));
        c.push(time(&colour));
    }
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "RESULT color_ratio size={w}x{h} threads=1 gray_min_ms={:.3} rgb_min_ms={:.3} \
         ratio={:.2}",
        min(&g),
        min(&c),
        min(&c) / min(&g)
    );
}
