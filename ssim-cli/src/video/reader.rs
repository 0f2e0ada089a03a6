//! YUV4MPEG2 (`.y4m`) and raw planar YUV readers that hand out one frame at a time.
//!
//! Memory is one frame: a frame's bytes are read into a buffer that grows only as data
//! arrives (a header that declares a huge size over a short input allocates no more than the
//! input), and sides above [`MAX_SIDE`] are refused before anything is read. Every problem is
//! an error string naming the frame (1-based, as FFmpeg's `n:`); nothing here panics on bad
//! input. The module uses only `std`, so the fuzz target compiles it as it is.

use std::io::{self, Read};

/// The largest width or height accepted (FFmpeg's own limit for y4m is lower).
pub const MAX_SIDE: usize = 1 << 16;

/// The longest header line (stream or `FRAME`) accepted, in bytes.
const MAX_LINE: usize = 4096;

/// Bytes of high-bit-depth samples read at a time: a few hundred KiB stay in L2 between the
/// read and the bit-depth check, and are at least the input buffer, so reads bypass it.
const CHUNK: usize = 256 << 10;

/// The first bytes of every YUV4MPEG2 stream.
pub const SIGNATURE: &[u8] = b"YUV4MPEG2";

/// Chroma subsampling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chroma {
    /// 4:2:0, chroma planes `ceil(W/2) x ceil(H/2)`.
    C420,
    /// 4:2:2, chroma planes `ceil(W/2) x H`.
    C422,
    /// 4:4:4, chroma planes `W x H`.
    C444,
    /// Luma only.
    Mono,
}

/// The layout of one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format {
    /// Luma width.
    pub width: usize,
    /// Luma height.
    pub height: usize,
    /// Chroma subsampling.
    pub chroma: Chroma,
    /// Bits per sample, 8..=16; above 8 each sample is two little-endian bytes.
    pub bit_depth: u32,
}

impl Format {
    /// Planes per frame: 1 (mono) or 3.
    pub fn planes(&self) -> usize {
        if self.chroma == Chroma::Mono {
            1
        } else {
            3
        }
    }

    /// Width and height of plane `i` (0 = Y, 1 = U, 2 = V).
    pub fn plane_size(&self, i: usize) -> (usize, usize) {
        if i == 0 {
            return (self.width, self.height);
        }
        let half = |v: usize| v.div_ceil(2);
        match self.chroma {
            Chroma::C420 => (half(self.width), half(self.height)),
            Chroma::C422 => (half(self.width), self.height),
            Chroma::C444 | Chroma::Mono => (self.width, self.height),
        }
    }

    /// Samples in one frame (all planes).
    pub fn frame_samples(&self) -> usize {
        (0..self.planes())
            .map(|i| {
                let (w, h) = self.plane_size(i);
                w * h
            })
            .sum()
    }

    /// Bytes per sample: 1 or 2.
    pub fn sample_bytes(&self) -> usize {
        if self.bit_depth > 8 {
            2
        } else {
            1
        }
    }

    /// Bytes in one frame's planes.
    pub fn frame_bytes(&self) -> usize {
        self.frame_samples() * self.sample_bytes()
    }

    /// The largest sample value.
    pub fn max_sample(&self) -> u32 {
        (1u32 << self.bit_depth) - 1
    }

    /// FFmpeg's name of this pixel format (`yuv420p`, `yuv422p10le`, `gray16le`, ...).
    pub fn pix_fmt(&self) -> String {
        let base = match self.chroma {
            Chroma::C420 => "yuv420p",
            Chroma::C422 => "yuv422p",
            Chroma::C444 => "yuv444p",
            Chroma::Mono => "gray",
        };
        if self.bit_depth == 8 {
            base.to_string()
        } else {
            format!("{base}{}le", self.bit_depth)
        }
    }

    /// Parses FFmpeg's name of a planar YUV or gray pixel format (`--pix-fmt`).
    pub fn from_pix_fmt(name: &str, width: usize, height: usize) -> Result<Format, String> {
        let bad = || {
            format!(
                "unknown --pix-fmt '{name}': expected yuv420p, yuv422p, yuv444p or gray, \
                 optionally with 9, 10, 12, 14 or 16 bits little-endian (yuv420p10le, gray16le)"
            )
        };
        let lower = name.to_ascii_lowercase();
        let (stem, bits) = match lower.strip_suffix("le") {
            Some(s) => {
                let digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
                let (stem, d) = s.split_at(s.len() - digits);
                (stem.to_string(), d.parse::<u32>().map_err(|_| bad())?)
            }
            None => (lower.clone(), 8),
        };
        if !matches!(bits, 8..=10 | 12 | 14 | 16) || (bits == 8 && lower.ends_with("le")) {
            return Err(bad());
        }
        let chroma = match stem.as_str() {
            "yuv420p" => Chroma::C420,
            "yuv422p" => Chroma::C422,
            "yuv444p" => Chroma::C444,
            "gray" => Chroma::Mono,
            _ => return Err(bad()),
        };
        let f = Format {
            width,
            height,
            chroma,
            bit_depth: bits,
        };
        f.check_size()?;
        Ok(f)
    }

    fn check_size(&self) -> Result<(), String> {
        if self.width == 0 || self.height == 0 || self.width > MAX_SIDE || self.height > MAX_SIDE {
            return Err(format!(
                "frame size {}x{} is not supported: expected both sides in 1..={MAX_SIDE}",
                self.width, self.height
            ));
        }
        Ok(())
    }

    /// A short description, e.g. `1920x1080 yuv420p`.
    pub fn describe(&self) -> String {
        format!("{}x{} {}", self.width, self.height, self.pix_fmt())
    }
}

/// One frame's samples, planes one after the other (Y, then U and V).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Samples {
    /// 8-bit samples.
    U8(Vec<u8>),
    /// 9- to 16-bit samples.
    U16(Vec<u16>),
}

/// One decoded frame.
#[derive(Clone, Debug)]
pub struct Frame {
    /// 1-based frame number.
    pub number: usize,
    /// The samples of all planes.
    pub samples: Samples,
}

impl Frame {
    /// Offset (in samples) of plane `i` inside [`Frame::samples`].
    pub fn plane_offset(format: &Format, i: usize) -> usize {
        (0..i)
            .map(|k| {
                let (w, h) = format.plane_size(k);
                w * h
            })
            .sum()
    }
}

/// Which container the reader parses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    /// YUV4MPEG2: a stream header, then `FRAME` lines each followed by one frame.
    Y4m,
    /// Headerless frames back to back.
    Raw,
}

/// A stream of frames from any reader (a file, stdin).
pub struct VideoReader<R: Read> {
    inner: R,
    format: Format,
    container: Container,
    frames: usize,
    notes: Vec<String>,
    done: bool,
    /// Buffers of frames handed back ([`VideoReader::recycle`]): reused, so a long stream does
    /// not map and fault in fresh pages for every frame.
    spare_u8: Vec<Vec<u8>>,
    spare_u16: Vec<Vec<u16>>,
}

impl<R: Read> VideoReader<R> {
    /// A y4m stream: reads and checks the stream header (the signature included).
    pub fn y4m(mut inner: R) -> Result<VideoReader<R>, String> {
        let line = match read_line(&mut inner, "the stream header")? {
            Some(l) => l,
            None => return Err("empty input: expected a YUV4MPEG2 header".into()),
        };
        let (format, notes) = parse_header(&line)?;
        Ok(VideoReader {
            inner,
            format,
            container: Container::Y4m,
            frames: 0,
            notes,
            done: false,
            spare_u8: Vec::new(),
            spare_u16: Vec::new(),
        })
    }

    /// Raw planar frames of a known format.
    pub fn raw(inner: R, format: Format) -> Result<VideoReader<R>, String> {
        format.check_size()?;
        Ok(VideoReader {
            inner,
            format,
            container: Container::Raw,
            frames: 0,
            notes: Vec::new(),
            done: false,
            spare_u8: Vec::new(),
            spare_u16: Vec::new(),
        })
    }

    /// The frame layout.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Header fields that were read and ignored (interlacing, aspect ratio), for a note.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Hands a frame's buffer back for reuse by a later frame. Only frames this reader gave
    /// out come back, so the spares never outnumber the buffers the caller lets out.
    pub fn recycle(&mut self, frame: Frame) {
        match frame.samples {
            Samples::U8(v) => self.spare_u8.push(v),
            Samples::U16(v) => self.spare_u16.push(v),
        }
    }

    /// The next frame, `None` at the end of the stream.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, String> {
        if self.done {
            return Ok(None);
        }
        let number = self.frames + 1;
        let at = |m: String| format!("frame {number}: {m}");
        if self.container == Container::Y4m {
            match read_line(&mut self.inner, "a FRAME header").map_err(at)? {
                None => {
                    self.done = true;
                    return Ok(None);
                }
                Some(line) => {
                    if line != b"FRAME" && !line.starts_with(b"FRAME ") {
                        return Err(at(format!(
                            "expected a FRAME header, found '{}'",
                            printable(&line)
                        )));
                    }
                }
            }
        }
        let want = self.format.frame_bytes();
        let (samples, got, above) = if self.format.bit_depth == 8 {
            let mut bytes = self.spare_u8.pop().unwrap_or_default();
            read_up_to(&mut self.inner, want, &mut bytes).map_err(|e| at(e.to_string()))?;
            let got = bytes.len();
            (Samples::U8(bytes), got, None)
        } else {
            let (v, got, above) = self.read_u16(want).map_err(|e| at(e.to_string()))?;
            (Samples::U16(v), got, above)
        };
        if got == 0 && self.container == Container::Raw {
            self.done = true;
            return Ok(None);
        }
        if got < want {
            return Err(at(format!(
                "truncated: expected {want} bytes of {}, got {got}",
                self.format.describe(),
            )));
        }
        if let (Some(i), Samples::U16(v)) = (above, &samples) {
            let (plane, row, col) = locate(&self.format, i);
            return Err(at(format!(
                "sample {} in plane {plane} at row {row}, column {col} is above the {}-bit \
                 maximum {}",
                v[i],
                self.format.bit_depth,
                self.format.max_sample()
            )));
        }
        self.frames = number;
        Ok(Some(Frame { number, samples }))
    }

    /// Up to `want` bytes of little-endian samples, read straight into the bytes of the
    /// sample buffer a chunk at a time (no byte buffer beside it, no conversion pass on
    /// little-endian hosts), each chunk checked against the bit depth while it is in the
    /// cache. A reused buffer is not cleared first; a new one grows a chunk ahead of the
    /// data, so a header that declares huge frames costs memory only as its bytes arrive.
    /// Returns the samples, the bytes read and the index of the first sample above the bit
    /// depth.
    fn read_u16(&mut self, want: usize) -> io::Result<(Vec<u16>, usize, Option<usize>)> {
        let mut v = self.spare_u16.pop().unwrap_or_default();
        let max = self.format.max_sample();
        let (mut got, mut above) = (0, None);
        while got < want {
            let end = want.min(got + CHUNK);
            if v.len() < end.div_ceil(2) {
                v.resize(end.div_ceil(2), 0);
            }
            let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut v[..]);
            let read = read_into(&mut self.inner, &mut bytes[got..end])?;
            // Whole samples only: a short read is the end of the input.
            let samples = &mut v[got / 2..(got + read) / 2];
            if cfg!(target_endian = "big") {
                for s in samples.iter_mut() {
                    *s = u16::from_le(*s);
                }
            }
            // An OR of the chunk vectorises, a search for the first sample above the depth
            // does not (it was most of the reader's time at 10 bits); search only when the OR
            // says one is there.
            let bits = samples.iter().fold(0u16, |a, &s| a | s);
            if above.is_none() && u32::from(bits) > max {
                above = samples
                    .iter()
                    .position(|&s| u32::from(s) > max)
                    .map(|i| got / 2 + i);
            }
            got += read;
            if got < end {
                break;
            }
        }
        v.truncate(got / 2);
        Ok((v, got, above))
    }
}

/// Plane name, row and column of sample `i` of a frame.
fn locate(f: &Format, mut i: usize) -> (&'static str, usize, usize) {
    for (p, name) in ["Y", "U", "V"].into_iter().enumerate().take(f.planes()) {
        let (w, h) = f.plane_size(p);
        if i < w * h {
            return (name, i / w, i % w);
        }
        i -= w * h;
    }
    ("?", 0, 0)
}

/// Reads up to `n` bytes into `buf`, whose length becomes the count read. A recycled buffer
/// already `n` long is filled in place (no zeroing, no fresh pages, no copy through a
/// buffer for reads of at least the `BufReader`'s capacity); a new one grows by at most 16 MiB
/// at a time as data arrives, so a huge declared frame size on a short stream costs only what
/// was read.
fn read_up_to<R: Read>(r: &mut R, n: usize, buf: &mut Vec<u8>) -> io::Result<()> {
    let mut got = 0;
    while got < n {
        let end = n.min(got + (1 << 24));
        if buf.len() < end {
            buf.resize(end, 0);
        }
        got += read_into(r, &mut buf[got..end])?;
        if got < end {
            break;
        }
    }
    buf.truncate(got);
    Ok(())
}

/// Fills `buf` from `r` unless the input ends first; returns the bytes read.
fn read_into<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// One header line without its `\n`; `None` at a clean end of input.
fn read_line<R: Read>(r: &mut R, what: &str) -> Result<Option<Vec<u8>>, String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match r.read(&mut byte) {
            Ok(0) if line.is_empty() => return Ok(None),
            Ok(0) => {
                return Err(format!(
                    "{what} ends without a newline: '{}'",
                    printable(&line)
                ))
            }
            Ok(_) if byte[0] == b'\n' => return Ok(Some(line)),
            Ok(_) => {
                if line.len() >= MAX_LINE {
                    return Err(format!("{what} is longer than {MAX_LINE} bytes"));
                }
                line.push(byte[0]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("cannot read {what}: {e}")),
        }
    }
}

fn printable(b: &[u8]) -> String {
    let s: String = b
        .iter()
        .take(40)
        .map(|&c| {
            if c.is_ascii_graphic() || c == b' ' {
                c as char
            } else {
                '?'
            }
        })
        .collect();
    if b.len() > 40 {
        s + "..."
    } else {
        s
    }
}

/// Parses `YUV4MPEG2 W... H... [F..] [I.] [A..] [C...] [X...]`.
fn parse_header(line: &[u8]) -> Result<(Format, Vec<String>), String> {
    let rest = line
        .strip_prefix(SIGNATURE)
        .ok_or_else(|| format!("not a YUV4MPEG2 stream: header '{}'", printable(line)))?;
    // ASCII, not merely UTF-8: tokens are split after their first byte.
    let text = std::str::from_utf8(rest)
        .ok()
        .filter(|_| rest.is_ascii())
        .ok_or_else(|| "the YUV4MPEG2 header is not ASCII text".to_string())?;
    if !text.is_empty() && !text.starts_with(' ') {
        return Err(format!(
            "not a YUV4MPEG2 stream: header 'YUV4MPEG2{}'",
            printable(rest)
        ));
    }
    let (mut width, mut height) = (None, None);
    let mut chroma = (Chroma::C420, 8u32);
    let mut notes = Vec::new();
    for tok in text.split(' ').filter(|t| !t.is_empty()) {
        let (key, val) = tok.split_at(1);
        let num = |v: &str, name: &str| -> Result<usize, String> {
            v.parse::<usize>()
                .map_err(|_| format!("bad {name} '{v}' in the YUV4MPEG2 header: expected a number"))
        };
        match key {
            "W" => width = Some(num(val, "width")?),
            "H" => height = Some(num(val, "height")?),
            "C" => chroma = parse_colorspace(val)?,
            "I" => {
                if val != "p" && val != "?" {
                    notes.push(format!(
                        "interlacing I{val} read and ignored: frames are compared as progressive pictures"
                    ));
                }
            }
            "A" => {
                if val != "0:0" && val != "1:1" {
                    notes.push(format!(
                        "aspect ratio A{val} read and ignored: samples are compared as stored"
                    ));
                }
            }
            // Frame rate and extensions do not change the samples.
            "F" | "X" => {}
            _ => {
                return Err(format!(
                    "unknown field '{}' in the YUV4MPEG2 header: expected W, H, F, I, A, C or X",
                    printable(tok.as_bytes())
                ))
            }
        }
    }
    let (width, height) = match (width, height) {
        (Some(w), Some(h)) => (w, h),
        _ => return Err("the YUV4MPEG2 header has no W (width) or H (height) field".into()),
    };
    let format = Format {
        width,
        height,
        chroma: chroma.0,
        bit_depth: chroma.1,
    };
    format.check_size()?;
    Ok((format, notes))
}

/// The `C` field: `420jpeg`, `420paldv`, `420mpeg2`, `420`, `422`, `444`, `mono`, and the
/// high-bit-depth forms `420p10`, `422p12`, `444p16`, `mono16` ... (FFmpeg's names).
fn parse_colorspace(v: &str) -> Result<(Chroma, u32), String> {
    let bad = || {
        format!(
            "unsupported colour space C{v}: expected 420jpeg, 420paldv, 420mpeg2, 420, 422, 444, \
             mono, or 420pN/422pN/444pN/monoN with N in 9, 10, 12, 14, 16"
        )
    };
    let (chroma, rest) = if let Some(r) = v.strip_prefix("420") {
        (Chroma::C420, r)
    } else if let Some(r) = v.strip_prefix("422") {
        (Chroma::C422, r)
    } else if let Some(r) = v.strip_prefix("444") {
        (Chroma::C444, r)
    } else if let Some(r) = v.strip_prefix("mono") {
        (Chroma::Mono, r)
    } else {
        return Err(bad());
    };
    let bits = match (chroma, rest) {
        (_, "") => 8,
        (Chroma::C420, "jpeg" | "paldv" | "mpeg2") => 8,
        (Chroma::Mono, d) => d.parse::<u32>().map_err(|_| bad())?,
        (_, d) => d
            .strip_prefix('p')
            .and_then(|d| d.parse::<u32>().ok())
            .ok_or_else(bad)?,
    };
    if !matches!(bits, 8..=10 | 12 | 14 | 16) {
        return Err(bad());
    }
    Ok((chroma, bits))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y4m(header: &str, frames: &[&[u8]]) -> Vec<u8> {
        let mut v = format!("{header}\n").into_bytes();
        for f in frames {
            v.extend_from_slice(b"FRAME\n");
            v.extend_from_slice(f);
        }
        v
    }

    #[test]
    fn reads_420_frames_and_notes_ignored_fields() {
        let frame: Vec<u8> = (0..(4 * 2 + 2 * 2)).map(|i| i as u8).collect();
        let data = y4m(
            "YUV4MPEG2 W4 H2 F25:1 It A10:11 C420jpeg",
            &[&frame, &frame],
        );
        let mut r = VideoReader::y4m(&data[..]).unwrap();
        assert_eq!(r.format().plane_size(1), (2, 1));
        assert_eq!(r.notes().len(), 2);
        let f = r.next_frame().unwrap().unwrap();
        assert_eq!((f.number, f.samples), (1, Samples::U8(frame.clone())));
        assert_eq!(r.next_frame().unwrap().unwrap().number, 2);
        assert!(r.next_frame().unwrap().is_none());
    }

    #[test]
    fn odd_sizes_round_chroma_up() {
        let f = Format::from_pix_fmt("yuv420p", 5, 3).unwrap();
        assert_eq!(f.plane_size(2), (3, 2));
        assert_eq!(f.frame_bytes(), 15 + 2 * 6);
        let f = Format::from_pix_fmt("yuv422p10le", 5, 3).unwrap();
        assert_eq!((f.plane_size(1), f.frame_bytes()), ((3, 3), 2 * (15 + 18)));
    }

    #[test]
    fn ten_bit_samples_above_1023_name_the_frame() {
        let mut frame = vec![0u8; 2 * 4];
        frame[6] = 0x00;
        frame[7] = 0x04; // 1024
        let data = y4m("YUV4MPEG2 W2 H2 Cmono10", &[&frame]);
        let e = VideoReader::y4m(&data[..])
            .unwrap()
            .next_frame()
            .unwrap_err();
        assert!(
            e.contains("frame 1") && e.contains("1024") && e.contains("1023"),
            "{e}"
        );
    }

    #[test]
    fn high_bit_depth_frames_longer_than_a_chunk() {
        // 400 x 400 16-bit: 320,000 bytes, more than one CHUNK.
        let (w, h) = (400usize, 400usize);
        let samples: Vec<u16> = (0..w * h).map(|i| (i * 7 % 65536) as u16).collect();
        let frame: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        assert!(frame.len() > CHUNK);
        let data = y4m("YUV4MPEG2 W400 H400 Cmono16", &[&frame, &frame]);
        let mut r = VideoReader::y4m(&data[..]).unwrap();
        for n in 1..=2 {
            let f = r.next_frame().unwrap().unwrap();
            assert_eq!((f.number, &f.samples), (n, &Samples::U16(samples.clone())));
            r.recycle(f);
        }
        assert!(r.next_frame().unwrap().is_none());
        // A 10-bit sample above 1023 in the second chunk, then the same frame cut short
        // after it: the truncation is the error, as for a frame read whole.
        let mut hi = vec![0u8; frame.len()];
        let at = CHUNK / 2 + 3 * w + 5;
        hi[2 * at + 1] = 0x04;
        let data = y4m("YUV4MPEG2 W400 H400 Cmono10", &[&hi]);
        let e = VideoReader::y4m(&data[..])
            .unwrap()
            .next_frame()
            .unwrap_err();
        let (row, col) = (at / w, at % w);
        assert!(
            e.contains(&format!("1024 in plane Y at row {row}, column {col}")),
            "{e}"
        );
        let data = y4m("YUV4MPEG2 W400 H400 Cmono10", &[&hi[..CHUNK + 1000]]);
        let e = VideoReader::y4m(&data[..])
            .unwrap()
            .next_frame()
            .unwrap_err();
        assert!(
            e.contains(&format!(
                "truncated: expected 320000 bytes of 400x400 gray10le, got {}",
                CHUNK + 1000
            )),
            "{e}"
        );
    }

    #[test]
    fn bad_streams_are_errors() {
        let e = |d: &[u8]| -> String {
            match VideoReader::y4m(d) {
                Err(e) => e,
                Ok(mut r) => loop {
                    match r.next_frame() {
                        Err(e) => break e,
                        Ok(None) => break String::from("no error"),
                        Ok(Some(_)) => {}
                    }
                },
            }
        };
        assert!(e(b"YUV4MPEG2 W4 H4\nFRAME\n\x01\x02").contains("truncated"));
        assert!(e(b"YUV4MPEG2 W4 H4\nFRAMX\n").contains("FRAME header"));
        assert!(e(b"YUV4MPEG2 W4\n").contains("no W"));
        assert!(e(b"YUV4MPEG2 W4 H4 C411\n").contains("C411"));
        assert!(e(b"YUV4MPEG2 W4 H4").contains("newline"));
        assert!(e(b"YUV4MPEG2 W999999999 H99999999\nFRAME\n").contains("not supported"));
        assert!(e(b"YUV4MPEG3 W4 H4\n").contains("not a YUV4MPEG2"));
        assert!(e(b"").contains("empty"));
        // A multi-byte UTF-8 character opening a token (found by the video_reader fuzz target:
        // it panicked splitting the token after its first byte).
        assert!(e("YUV4MPEG2 W2 H2 \u{611}nn\n".as_bytes()).contains("not ASCII"));
        // Huge but allowed sizes over a short input: an error, bounded memory.
        assert!(e(b"YUV4MPEG2 W65536 H65536 C444p16\nFRAME\nabc").contains("truncated"));
    }

    #[test]
    fn pix_fmt_names() {
        for (n, c, b) in [
            ("yuv420p", Chroma::C420, 8),
            ("yuv444p16le", Chroma::C444, 16),
            ("gray10le", Chroma::Mono, 10),
            ("GRAY", Chroma::Mono, 8),
        ] {
            let f = Format::from_pix_fmt(n, 16, 16).unwrap();
            assert_eq!((f.chroma, f.bit_depth), (c, b), "{n}");
            assert_eq!(Format::from_pix_fmt(&f.pix_fmt(), 16, 16).unwrap(), f);
        }
        for n in [
            "rgb24",
            "yuv420p11le",
            "yuv420p8le",
            "yuv420p10be",
            "",
            "le",
        ] {
            assert!(Format::from_pix_fmt(n, 16, 16).is_err(), "{n}");
        }
        assert!(Format::from_pix_fmt("yuv420p", 0, 16).is_err());
    }

    #[test]
    fn raw_stream_ends_cleanly_or_reports_the_truncated_frame() {
        let f = Format::from_pix_fmt("gray", 2, 2).unwrap();
        let mut r = VideoReader::raw(&[1u8, 2, 3, 4, 5, 6][..], f).unwrap();
        assert!(r.next_frame().unwrap().is_some());
        let e = r.next_frame().unwrap_err();
        assert!(e.starts_with("frame 2: truncated"), "{e}");
        let mut r = VideoReader::raw(&[1u8, 2, 3, 4][..], f).unwrap();
        assert!(r.next_frame().unwrap().is_some());
        assert!(r.next_frame().unwrap().is_none());
    }
}
