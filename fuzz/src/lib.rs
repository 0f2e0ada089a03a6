//! Shared pieces of the fuzz targets: a byte reader that never runs dry (missing bytes read as
//! zero, so every input is a valid case and libFuzzer's mutations stay meaningful), image and
//! parameter generators biased towards small sizes for throughput, and a row-collecting sink.

use ssim_core::{OutputRow, RowSink};
use ssim_std::{Covariance, Padding, Params, Plane, Pooling, Preset, Sample, Window};

/// Reads fuzz bytes front to back; past the end it yields zeros.
pub struct Input<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Input<'a> {
    /// A reader over the fuzz input.
    pub fn new(data: &'a [u8]) -> Self {
        Input { data, pos: 0 }
    }

    /// The next byte (0 past the end).
    pub fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    /// The next little-endian u16.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    /// The next little-endian u32.
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    /// The next little-endian u64.
    pub fn u64(&mut self) -> u64 {
        (self.u32() as u64) | ((self.u32() as u64) << 32)
    }

    /// A value in `0..n` (`n >= 1`), from one byte when `n <= 256`.
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 256 {
            self.u8() as usize % n
        } else {
            self.u32() as usize % n
        }
    }

    /// A boolean from one byte.
    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// The bytes not yet read.
    pub fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or(&[])
    }
}

/// A deterministic stream of noise (splitmix64), seeded from the input, so large images need
/// only a few input bytes.
pub struct Noise(pub u64);

impl Noise {
    /// The next 64 random bits.
    pub fn bits(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1]`.
    pub fn unit(&mut self) -> f64 {
        (self.bits() >> 11) as f64 / ((1u64 << 53) - 1) as f64
    }
}

/// A side length in `1..=max`, mostly small (fast), sometimes up to `max`.
pub fn side(inp: &mut Input<'_>, max: usize) -> usize {
    if inp.u8() < 224 {
        1 + inp.below(max.min(40))
    } else {
        1 + inp.below(max)
    }
}

/// Two images as values in `[0, 1]` (later scaled to the sample type), `w * h` each: every
/// relation between x and y that matters to SSIM (equal, close, inverted, independent, flat,
/// extreme), with the fuzz bytes in direct control of the values in one mode.
pub fn unit_pair(inp: &mut Input<'_>, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mode = inp.u8();
    let mut noise = Noise(inp.u64());
    let amp = inp.u8() as f64 / 255.0;
    let x: Vec<f64> = match mode % 6 {
        // The fuzz bytes themselves, cycled.
        0 => {
            let raw = inp.rest();
            (0..n)
                .map(|i| raw.get(i % raw.len().max(1)).copied().unwrap_or(0) as f64 / 255.0)
                .collect()
        }
        1 => vec![amp; n],
        2 => (0..n).map(|_| noise.unit()).collect(),
        // Two extremes only: the largest contrast the data range allows.
        3 => (0..n).map(|_| (noise.bits() & 1) as f64).collect(),
        // Smooth ramp with a little noise.
        4 => (0..n)
            .map(|i| ((i % 97) as f64 / 97.0 * 0.9 + 0.1 * amp * noise.unit()).min(1.0))
            .collect(),
        // Nearly flat and bright: the f32 cancellation trap.
        _ => (0..n).map(|_| 1.0 - 1e-3 * amp * noise.unit()).collect(),
    };
    let y: Vec<f64> = match (mode / 6) % 6 {
        0 => x.clone(),
        1 => x.iter().map(|v| 1.0 - v).collect(),
        2 => x
            .iter()
            .map(|v| (v + amp * 0.1 * (noise.unit() - 0.5)).clamp(0.0, 1.0))
            .collect(),
        3 => (0..n).map(|_| noise.unit()).collect(),
        4 => vec![amp; n],
        _ => x.iter().map(|v| v * amp).collect(),
    };
    (x, y)
}

/// Sample types the engine reads, built from unit values.
pub trait FromUnit: Sample + Default {
    /// The unit value `v` in `[0, 1]` as a sample of range `range`.
    fn from_unit(v: f64, range: f64) -> Self;
}

impl FromUnit for u8 {
    fn from_unit(v: f64, _: f64) -> Self {
        (v * 255.0).round() as u8
    }
}

impl FromUnit for u16 {
    fn from_unit(v: f64, range: f64) -> Self {
        (v * range.min(65535.0)).round() as u16
    }
}

impl FromUnit for f32 {
    fn from_unit(v: f64, range: f64) -> Self {
        (v * range) as f32
    }
}

/// One image laid out in memory with an offset, a row stride and a channel step, and its
/// other channels' samples set to a poison value (so reading the wrong channel shows).
pub struct Laid<T> {
    /// The buffer.
    pub buf: Vec<T>,
    /// Offset of the first sample.
    pub offset: usize,
    /// Row stride in samples.
    pub stride: usize,
    /// Pixel step in samples.
    pub step: usize,
}

impl<T: Sample> Laid<T> {
    /// Lays out `w x h` values with the given layout choices; `poison` fills the gaps.
    pub fn new(
        vals: &[T],
        w: usize,
        h: usize,
        offset: usize,
        step: usize,
        pad: usize,
        poison: T,
    ) -> Self {
        let stride = (w - 1) * step + 1 + pad;
        let mut buf = vec![poison; offset + (h - 1) * stride + (w - 1) * step + 1];
        for r in 0..h {
            for c in 0..w {
                buf[offset + r * stride + c * step] = vals[r * w + c];
            }
        }
        Laid {
            buf,
            offset,
            stride,
            step,
        }
    }

    /// The plane view of this layout.
    pub fn plane(&self, w: usize, h: usize) -> ssim_std::Result<Plane<'_, T>> {
        Plane::with_layout(&self.buf[self.offset..], w, h, self.stride, self.step)
    }
}

/// Layout choices for one image: (offset, step, row padding).
pub fn layout(inp: &mut Input<'_>) -> (usize, usize, usize) {
    let b = inp.u8();
    if b < 128 {
        (0, 1, 0)
    } else {
        (inp.below(4), 1 + inp.below(4), inp.below(5))
    }
}

/// Parameters for differential targets: the presets and small variations of every field,
/// windows kept small most of the time (the cost is quadratic in the radius for the oracle).
pub fn params(inp: &mut Input<'_>, range: f64) -> Params {
    let sel = inp.u8();
    let mut p = Preset::ALL[(sel % 4) as usize].params(range);
    if sel & 0x80 != 0 {
        let big = inp.u8() == 255;
        p.window = if inp.bool() {
            let radius = if big {
                1 + inp.below(63)
            } else {
                1 + inp.below(7)
            };
            Window::Gaussian {
                radius,
                sigma: 0.25 + inp.u8() as f64 / 32.0,
            }
        } else {
            let r = if big {
                1 + inp.below(63)
            } else {
                1 + inp.below(7)
            };
            Window::Box { size: 2 * r + 1 }
        };
        p.covariance = if inp.bool() {
            Covariance::Population
        } else {
            Covariance::Sample
        };
        let pads = [Padding::Replicate, Padding::Reflect, Padding::Mirror];
        p.pooling = match inp.below(4) {
            0 => Pooling::Valid,
            i => Pooling::Same(pads[i - 1]),
        };
        p.map_padding = match inp.below(4) {
            0 => None,
            i => Some(pads[i - 1]),
        };
    }
    p
}

/// Every output row, as handed to the sink, with its sums as bits.
#[derive(Debug, PartialEq, Eq)]
pub struct RowBits {
    /// Map row index.
    pub index: usize,
    /// SSIM values as bits.
    pub ssim: Vec<u32>,
    /// cs values as bits.
    pub cs: Vec<u32>,
    /// Pooled flag.
    pub pooled: bool,
    /// Row sums as bits.
    pub sums: (u64, u64),
}

/// A sink keeping every row bit for bit.
#[derive(Default, Debug)]
pub struct Rows(pub Vec<RowBits>);

impl RowSink for Rows {
    fn row(&mut self, r: OutputRow<'_>) {
        self.0.push(RowBits {
            index: r.index,
            ssim: r.ssim.iter().map(|v| v.to_bits()).collect(),
            cs: r.cs.iter().map(|v| v.to_bits()).collect(),
            pooled: r.pooled,
            sums: (r.ssim_sum.to_bits(), r.cs_sum.to_bits()),
        });
    }
}
