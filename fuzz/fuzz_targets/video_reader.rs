//! The y4m and raw YUV readers of the CLI (`ssim-cli/src/video/reader.rs`, compiled here as
//! it is) on arbitrary bytes: every frame has the sample count of its format and samples
//! within its bit depth, errors name their frame, nothing panics, and huge declared sizes
//! over short inputs stay in bounded memory (the reader grows a frame only as data arrives).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../ssim-cli/src/video/reader.rs"]
mod reader;

use reader::{Format, Samples, VideoReader};

const RAW: [&str; 6] = [
    "yuv420p",
    "yuv422p10le",
    "yuv444p16le",
    "gray",
    "gray12le",
    "yuv420p9le",
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    // Even selector: y4m; odd: raw, format and a small size from the selector's bits.
    let mut r = if sel & 1 == 0 {
        match VideoReader::y4m(rest) {
            Ok(r) => r,
            Err(e) => {
                assert!(!e.is_empty());
                return;
            }
        }
    } else {
        let name = RAW[(sel as usize >> 1) % RAW.len()];
        let (w, h) = (1 + (sel as usize >> 4), 1 + (sel as usize >> 5));
        let f = Format::from_pix_fmt(name, w, h).expect("a valid raw format");
        VideoReader::raw(rest, f).expect("a valid raw reader")
    };
    let f = r.format();
    for n in 1.. {
        match r.next_frame() {
            Ok(Some(frame)) => {
                assert_eq!(frame.number, n);
                let len = match &frame.samples {
                    Samples::U8(v) => v.len(),
                    Samples::U16(v) => {
                        assert!(v.iter().all(|&s| s as u32 <= f.max_sample()));
                        v.len()
                    }
                };
                assert_eq!(len, f.frame_samples(), "sample count does not match the format");
                r.recycle(frame);
            }
            Ok(None) => break,
            Err(e) => {
                assert!(e.starts_with(&format!("frame {n}: ")), "{e}");
                break;
            }
        }
    }
});
