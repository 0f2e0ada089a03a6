//! The image readers on arbitrary bytes: an error or an image whose sample count matches its
//! header, never a panic, and a gray PFM that decodes re-encodes to the same samples.
#![no_main]

use libfuzzer_sys::fuzz_target;
use test_support::pnm::{decode, encode_pfm, sniff, Samples};

fuzz_target!(|data: &[u8]| {
    let sniffed = sniff(data);
    let Ok(img) = decode(data) else { return };
    assert!(sniffed, "decoded a file that sniff() rejects");
    let n = img.width * img.height * img.channels;
    let len = match &img.samples {
        Samples::U8(v) => v.len(),
        Samples::U16(v) => v.len(),
        Samples::F32(v) => v.len(),
    };
    assert_eq!(len, n, "sample count does not match the header");
    if let (Samples::F32(v), 1) = (&img.samples, img.channels) {
        let again = decode(&encode_pfm(img.width, img.height, v)).expect("own PFM");
        let Samples::F32(u) = again.samples else {
            panic!("PFM came back as another type")
        };
        let bits = |s: &[f32]| s.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(v), bits(&u), "PFM round trip changed samples");
    }
});
