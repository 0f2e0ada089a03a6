//! `--map`: the SSIM map as a PNG heatmap with a colour bar, or as raw PFM.
//!
//! The heatmap uses viridis (perceptually uniform, readable in grey and by most colour-blind
//! readers): dark purple is the lowest SSIM on the scale, yellow is 1. The scale runs from a
//! round number at or below the map's minimum up to 1, so a good image still shows where it is
//! worst; the colour bar's labels, the marker at the reported value and the header say what the
//! colours mean.

use std::path::Path;

use crate::compute::Map;
use crate::error::{io_reason, CliError};
use crate::font;

/// Writes `map` to `path`: PFM if the name ends in `.pfm`, a PNG heatmap otherwise.
/// `title` is the header's first line (value and preset), `subtitle` its second (the files
/// and the channel mode).
pub fn write(
    path: &Path,
    map: &Map,
    title: &str,
    subtitle: &str,
    value: f64,
) -> Result<(), CliError> {
    let bytes = if is_pfm(path) {
        let data = map.whole().ok_or_else(|| {
            CliError::new(format!(
                "cannot write map {}: only part of the map was kept",
                path.display()
            ))
        })?;
        crate::pnm::encode_pfm(map.width, map.height, data)
    } else {
        render_png(map, title, subtitle, value)?
    };
    std::fs::write(path, bytes).map_err(|e| {
        CliError::new(format!(
            "cannot write map {}: {}",
            path.display(),
            io_reason(&e)
        ))
    })
}

/// Whether `--map` asks for raw floats.
pub fn is_pfm(path: &Path) -> bool {
    ext(path).as_deref() == Some("pfm")
}

/// Checks `--map FILE` before any work is done: the extension decides the format.
pub fn check_path(path: &Path) -> Result<(), CliError> {
    match ext(path).as_deref() {
        Some("png") | Some("pfm") => Ok(()),
        _ => Err(CliError::new(format!(
            "--map {}: expected a file name ending in .png (heatmap) or .pfm (raw values)",
            path.display()
        ))),
    }
}

fn ext(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
}

/// The viridis colour map, `t` in `[0, 1]`: a degree-6 polynomial fit of the matplotlib
/// table (max error about 1/255 per channel), which saves shipping the 256-entry table.
pub fn viridis(t: f64) -> [u8; 3] {
    const C: [[f64; 3]; 7] = [
        [
            0.277_727_327_223_417_7,
            0.005_407_344_544_966_578,
            0.334_099_805_335_306_1,
        ],
        [
            0.105_093_043_108_577_4,
            1.404_613_529_898_575,
            1.384_590_162_594_685,
        ],
        [
            -0.330_861_828_725_556_3,
            0.214_847_559_468_213,
            0.095_095_163_028_236_59,
        ],
        [
            -4.634_230_498_983_486,
            -5.799_100_973_351_585,
            -19.332_440_956_279_87,
        ],
        [
            6.228_269_936_347_081,
            14.179_933_366_805_09,
            56.690_552_600_681_05,
        ],
        [
            4.776_384_997_670_288,
            -13.745_145_377_746_01,
            -65.353_032_633_372_34,
        ],
        [
            -5.435_455_855_934_631,
            4.645_852_612_178_535,
            26.312_435_249_583_2,
        ],
    ];
    let t = t.clamp(0.0, 1.0);
    let mut out = [0u8; 3];
    for (k, o) in out.iter_mut().enumerate() {
        let v = C.iter().rev().fold(0.0, |acc, c| acc * t + c[k]);
        *o = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    }
    out
}

/// The colour scale: `lo..=1` with `lo` a round number at or below the minimum, and the
/// spacing of the ticks.
pub fn scale_range(min: f64) -> (f64, f64) {
    let min = if min.is_finite() {
        min.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let span = (1.0 - min).max(1e-3);
    let mut step = 10f64.powf(span.log10().floor());
    if span / step < 2.0 {
        step /= 2.0;
    }
    // The tolerance keeps 0.95 from flooring to 0.94 through round-off.
    let lo = (((1.0 - span) / step + 1e-9).floor() * step).max(-1.0);
    (lo.min(min), step)
}

/// Decimals that show `step` exactly (0.01 -> 2, 0.5 -> 1, 0.005 -> 3).
fn decimals(step: f64) -> usize {
    let mut d = 0;
    while d < 6
        && ((step * 10f64.powi(d as i32)).round() - step * 10f64.powi(d as i32)).abs() > 1e-9
    {
        d += 1;
    }
    d
}

/// An RGB canvas.
struct Canvas {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl Canvas {
    fn new(w: usize, h: usize, bg: [u8; 3]) -> Canvas {
        let mut px = Vec::with_capacity(w * h * 3);
        for _ in 0..w * h {
            px.extend_from_slice(&bg);
        }
        Canvas { w, h, px }
    }

    fn set(&mut self, x: usize, y: usize, c: [u8; 3]) {
        if x < self.w && y < self.h {
            let i = 3 * (y * self.w + x);
            self.px[i..i + 3].copy_from_slice(&c);
        }
    }

    fn rect(&mut self, x: usize, y: usize, w: usize, h: usize, c: [u8; 3]) {
        for yy in y..y + h {
            for xx in x..x + w {
                self.set(xx, yy, c);
            }
        }
    }

    fn text(&mut self, s: &str, x: usize, y: usize, scale: usize, c: [u8; 3]) {
        font::draw(s, x, y, scale, |px, py| self.set(px, py, c));
    }
}

const WHITE: [u8; 3] = [255, 255, 255];
const INK: [u8; 3] = [20, 20, 20];
/// Largest canvas side; bigger maps are shown at reduced size (every k-th value).
const MAX_SIDE: usize = 4096;
/// Shortest drawn side: a thin map (12x400 input, a 2x390 map) is stretched across to this,
/// so it is a picture and not a strip of a few pixels on a blank canvas.
const MIN_SIDE: usize = 96;

/// Enlargement `num / den` of one axis of `n` values, given the map's common one: the common
/// factor, unless that leaves this axis shorter than [`MIN_SIDE`].
fn axis_scale(n: usize, (num, den): (usize, usize)) -> (usize, usize) {
    if (n * num).div_ceil(den) < MIN_SIDE {
        (MIN_SIDE.div_ceil(n), 1)
    } else {
        (num, den)
    }
}

/// How the map is drawn: map column `x * dx / nx` at drawn column `x` (likewise rows), `w x h`
/// drawn pixels.
struct Drawn {
    x: (usize, usize),
    y: (usize, usize),
    w: usize,
    h: usize,
}

/// Small maps are enlarged to about 480 pixels; huge ones are subsampled.
fn drawn(width: usize, height: usize) -> Drawn {
    let (mw, mh) = (width.max(1), height.max(1));
    let long = mw.max(mh);
    let (num, den) = if long < 480 {
        (480_usize.div_ceil(long).min(48), 1)
    } else if long > MAX_SIDE {
        (1, long.div_ceil(MAX_SIDE))
    } else {
        (1, 1)
    };
    let ((nx, dx), (ny, dy)) = (axis_scale(mw, (num, den)), axis_scale(mh, (num, den)));
    Drawn {
        x: (nx, dx),
        y: (ny, dy),
        w: (mw * nx).div_ceil(dx),
        h: (mh * ny).div_ceil(dy),
    }
}

/// Where `--map` rows go as they are computed, top to bottom: straight into the PFM file
/// (rows at their place, bottom to top, so memory is one chunk of rows), or for a heatmap
/// into the rows and columns the drawing samples (at most about `MAX_SIDE` squared values,
/// whatever the image size) plus the range of all values.
pub enum MapSink {
    /// The open PFM file.
    Pfm {
        path: std::path::PathBuf,
        file: std::fs::File,
        width: usize,
        height: usize,
        header: usize,
        buf: Vec<u8>,
    },
    /// The heatmap's samples.
    Heat(Map),
}

impl MapSink {
    /// Opens the sink for a `width x height` map; a PFM file is created (and its header
    /// written) here.
    pub fn create(path: &Path, width: usize, height: usize) -> Result<MapSink, CliError> {
        if !is_pfm(path) {
            let d = drawn(width, height);
            let pick = |n: usize, (num, den): (usize, usize), len: usize| {
                let mut v: Vec<usize> =
                    (0..n).map(|i| i * den / num).filter(|&i| i < len).collect();
                v.dedup();
                v
            };
            let rows = pick(d.h, d.y, height);
            let cols = pick(d.w, d.x, width);
            return Ok(MapSink::Heat(Map::sampled(width, height, &rows, &cols)));
        }
        let fail = |e: std::io::Error| {
            CliError::new(format!(
                "cannot write map {}: {}",
                path.display(),
                io_reason(&e)
            ))
        };
        let head = format!("Pf\n{width} {height}\n-1.0\n").into_bytes();
        let mut file = std::fs::File::create(path).map_err(fail)?;
        std::io::Write::write_all(&mut file, &head).map_err(fail)?;
        Ok(MapSink::Pfm {
            path: path.to_path_buf(),
            file,
            width,
            height,
            header: head.len(),
            buf: Vec::new(),
        })
    }

    /// Map rows `first..` (whole rows), in order from the top.
    pub fn rows(&mut self, first: usize, rows: &[f32]) -> Result<(), CliError> {
        match self {
            MapSink::Heat(map) => {
                map.push_rows(first, rows);
                Ok(())
            }
            MapSink::Pfm {
                path,
                file,
                width,
                height,
                header,
                buf,
            } => {
                use std::io::{Seek, SeekFrom, Write};
                let n = rows.len() / (*width).max(1);
                if rows.len() != n * *width || first + n > *height {
                    return Err(CliError::new(format!(
                        "cannot write map {}: rows {first}..{} do not fit the {}x{} map",
                        path.display(),
                        first + n,
                        width,
                        height
                    )));
                }
                // PFM stores the bottom row first: these rows are one stretch of the file,
                // in reverse order.
                buf.clear();
                for row in rows.chunks_exact(*width).rev() {
                    for v in row {
                        buf.extend_from_slice(&v.to_le_bytes());
                    }
                }
                let at = *header + (*height - first - n) * *width * 4;
                file.seek(SeekFrom::Start(at as u64))
                    .and_then(|_| file.write_all(buf))
                    .map_err(|e| {
                        CliError::new(format!(
                            "cannot write map {}: {}",
                            path.display(),
                            io_reason(&e)
                        ))
                    })
            }
        }
    }

    /// The heatmap's samples to draw, or `None` for a PFM (complete once every row was
    /// written; checked here).
    pub fn finish(self) -> Result<Option<Map>, CliError> {
        match self {
            MapSink::Heat(map) => Ok(Some(map)),
            MapSink::Pfm {
                path,
                file,
                width,
                height,
                header,
                ..
            } => {
                let len = file.metadata().map(|m| m.len()).map_err(|e| {
                    CliError::new(format!(
                        "cannot write map {}: {}",
                        path.display(),
                        io_reason(&e)
                    ))
                })?;
                let want = (header + width * height * 4) as u64;
                if len != want {
                    return Err(CliError::new(format!(
                        "cannot write map {}: {len} bytes written, expected {want}",
                        path.display()
                    )));
                }
                file.sync_all().map_err(|e| {
                    CliError::new(format!(
                        "cannot write map {}: {}",
                        path.display(),
                        io_reason(&e)
                    ))
                })?;
                Ok(None)
            }
        }
    }
}

/// Renders the heatmap: a header with the title and statistics, the map (enlarged with
/// nearest neighbour when small, so its pixels stay visible), and a colour bar with labels.
pub fn render(map: &Map, title: &str, subtitle: &str, value: f64) -> (usize, usize, Vec<u8>) {
    let (min, max) = map.range().unwrap_or((0.0, 1.0));
    let lowest = min.min(value);
    let (lo, step) = scale_range(lowest);
    let hi = 1.0f64.max(max);
    let intervals = ((hi - lo) / step).round().max(1.0) as usize;
    let Drawn {
        x: (nx, dx),
        y: (ny, dy),
        w,
        h,
    } = drawn(map.width, map.height);
    let fs = (h.max(w) / 240).clamp(2, 8);
    let gh = font::GLYPH_H * fs;
    let pad = 3 * fs;

    let header = format!("{title}  MAP MIN {min:.4}");
    let header_h = 2 * gh + 3 * pad;
    let bar_x = pad + w + 3 * pad;
    let bar_w = 6 * fs;
    let tick_w = 2 * fs;
    let label_x = bar_x + bar_w + tick_w + 3 * fs;
    let dec = decimals(step);
    let label = |v: f64| format!("{v:.dec$}");
    let label_w = (0..=intervals)
        .map(|i| font::text_width(&label(lo + i as f64 * step), fs))
        .max()
        .unwrap_or(0);
    let foot_w = font::text_width("DARK = DIFFERENT, YELLOW = SAME  (00000x00000 MAP)", fs);
    let cw = (label_x + label_w + pad)
        .max(font::text_width(&header, fs) + 2 * pad)
        .max(font::text_width(subtitle, fs) + 2 * pad)
        .max(foot_w + 2 * pad);
    let bar_h = h.max(6 * gh);
    let ch = header_h + bar_h.max(h) + gh + 3 * pad;
    let mut cv = Canvas::new(cw, ch, WHITE);
    cv.text(&header, pad, pad, fs, INK);
    cv.text(subtitle, pad, 2 * pad + gh, fs, INK);

    let colour = |v: f64| viridis((v - lo) / (hi - lo));
    let top = header_h;
    for y in 0..h {
        let sy = y * dy / ny;
        for x in 0..w {
            let sx = x * dx / nx;
            let v = map.at(sx, sy);
            let c = if v.is_finite() {
                colour(f64::from(v))
            } else {
                [255, 0, 255]
            };
            cv.set(pad + x, top + y, c);
        }
    }

    // Colour bar, hi at the top, with a frame and labelled ticks.
    let bar_top = top + gh / 2;
    let bar_len = bar_h - gh;
    for y in 0..bar_len {
        let v = hi - (hi - lo) * y as f64 / (bar_len - 1).max(1) as f64;
        cv.rect(bar_x, bar_top + y, bar_w, 1, colour(v));
    }
    cv.rect(bar_x - 1, bar_top - 1, bar_w + 2, 1, INK);
    cv.rect(bar_x - 1, bar_top + bar_len, bar_w + 2, 1, INK);
    cv.rect(bar_x - 1, bar_top - 1, 1, bar_len + 2, INK);
    cv.rect(bar_x + bar_w, bar_top - 1, 1, bar_len + 2, INK);
    // Label every k-th tick so labels never overlap.
    let every = (0..).map(|k| 1usize << k).find(|&k| {
        let n = intervals / k;
        n == 0 || bar_len / n.max(1) >= gh + fs
    });
    let every = every.unwrap_or(intervals).max(1);
    for i in (0..=intervals)
        .step_by(every)
        .chain(std::iter::once(intervals))
    {
        let v = lo + i as f64 * step;
        let y = bar_top + ((hi - v) / (hi - lo) * (bar_len - 1) as f64).round() as usize;
        cv.rect(
            bar_x + bar_w,
            y.saturating_sub(fs / 2),
            tick_w,
            fs.max(1),
            INK,
        );
        cv.text(&label(v), label_x, y.saturating_sub(gh / 2), fs, INK);
    }
    // A marker at the reported value on the bar.
    if value.is_finite() {
        let y = bar_top + ((hi - value) / (hi - lo) * (bar_len - 1) as f64).round() as usize;
        // A line across the bar and a triangle pointing at it from the left.
        cv.rect(bar_x, y.saturating_sub(fs / 4), bar_w, (fs / 2).max(1), INK);
        for d in 0..3 * fs {
            cv.rect(bar_x - 2 - d, y.saturating_sub(d / 2), 1, d + 1, INK);
        }
    }
    let foot = format!(
        "DARK = DIFFERENT, YELLOW = SAME  ({}x{} MAP)",
        map.width, map.height
    );
    cv.text(&foot, pad, ch - gh - pad, fs, INK);
    (cw, ch, cv.px)
}

fn render_png(map: &Map, title: &str, subtitle: &str, value: f64) -> Result<Vec<u8>, CliError> {
    use image::ImageEncoder;
    let (w, h, px) = render(map, title, subtitle, value);
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&px, w as u32, h as u32, image::ExtendedColorType::Rgb8)
        .map_err(|e| CliError::new(format!("cannot encode the heatmap PNG: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_end_points_match_matplotlib() {
        // matplotlib viridis(0) = #440154, viridis(0.5) = #21918c, viridis(1) = #fde725.
        for (t, want) in [
            (0.0, [0x44u8, 0x01, 0x54]),
            (0.5, [0x21, 0x91, 0x8c]),
            (1.0, [0xfd, 0xe7, 0x25]),
        ] {
            let got = viridis(t);
            for k in 0..3 {
                assert!(
                    (i32::from(got[k]) - i32::from(want[k])).abs() <= 4,
                    "{t}: {got:?} vs {want:?}"
                );
            }
        }
    }

    #[test]
    fn map_pixels_and_colour_bar_use_the_scale() {
        // A 40x30 ramp from 0.5 (left) to 1.0 (right): the scale is 0.5..1.
        let (mw, mh) = (40, 30);
        let data = (0..mw * mh)
            .map(|i| 0.5 + 0.5 * (i % mw) as f32 / (mw - 1) as f32)
            .collect();
        let map = Map::new(mw, mh, data);
        let (w, h, px) = render(&map, "SSIM 0.75", "A.PNG VS B.PNG", 0.75);
        let at = |x: usize, y: usize| {
            let i = 3 * (y * w + x);
            [px[i], px[i + 1], px[i + 2]]
        };
        // Enlarged 12x (480 / 40), below the header: first column is the minimum (dark end
        // of the scale), last column is 1 (yellow).
        let fs = (480 / 240).clamp(2, 8);
        let (x0, y0) = (3 * fs, 2 * font::GLYPH_H * fs + 9 * fs);
        assert_eq!(at(x0 + 1, y0 + 5), viridis(0.0));
        assert_eq!(at(x0 + 40 * 12 - 2, y0 + 5), viridis(1.0));
        // The colour bar holds both ends of the scale.
        let bar: Vec<[u8; 3]> = (0..h).map(|y| at(x0 + 480 + 9 * fs + 3 * fs, y)).collect();
        assert!(bar.contains(&viridis(0.0)) && bar.contains(&viridis(1.0)));
        assert!(w > 480 && h > 360);
    }

    /// Defect 11 of issue 17: a 12x400 input gives a 2x390 map, which was drawn 4 pixels wide.
    #[test]
    fn thin_maps_are_stretched_to_a_visible_width() {
        let (mw, mh) = (2, 390);
        let data = (0..mw * mh)
            .map(|i| if i % 2 == 0 { 0.5 } else { 1.0 })
            .collect();
        let map = Map::new(mw, mh, data);
        let (w, _, px) = render(&map, "SSIM 0.75", "A VS B", 0.75);
        let at = |x: usize, y: usize| {
            let i = 3 * (y * w + x);
            [px[i], px[i + 1], px[i + 2]]
        };
        let fs = (390 * 2 / 240).clamp(2, 8);
        let (x0, y0) = (3 * fs, 2 * font::GLYPH_H * fs + 9 * fs);
        // Both columns are drawn MIN_SIDE / 2 = 48 pixels wide.
        assert_eq!(at(x0 + 1, y0 + 3), viridis(0.0));
        assert_eq!(at(x0 + MIN_SIDE / 2 - 1, y0 + 3), viridis(0.0));
        assert_eq!(at(x0 + MIN_SIDE / 2 + 1, y0 + 3), viridis(1.0));
        assert_eq!(at(x0 + MIN_SIDE - 1, y0 + 3), viridis(1.0));
    }

    #[test]
    fn scale_is_round_and_covers_the_minimum() {
        for (min, lo) in [
            (0.953, 0.95),
            (0.62, 0.6),
            (-0.3, -0.5),
            (1.0, 0.999),
            (0.05, 0.0),
        ] {
            let (l, step) = scale_range(min);
            assert!((l - lo).abs() < 1e-9, "{min}: {l} (step {step})");
            assert!(l <= min && l < 1.0);
        }
        assert_eq!(decimals(0.01), 2);
        assert_eq!(decimals(0.5), 1);
        assert_eq!(decimals(1.0), 0);
    }

    /// The heatmap drawn from the streamed samples (only the rows and columns the drawing
    /// reads, pushed in chunks) is the one drawn from the whole map, for a map the drawing
    /// enlarges, one it shows 1:1 and one it subsamples.
    #[test]
    fn sampled_map_draws_the_same_heatmap_as_the_whole_map() {
        for (mw, mh) in [
            (37, 23),
            (700, 90),
            (MAX_SIDE + 905, 61),
            (50, 2 * MAX_SIDE + 3),
        ] {
            let data: Vec<f32> = (0..mw * mh)
                .map(|i| {
                    let (x, y) = ((i % mw) as f32, (i / mw) as f32);
                    0.3 + 0.6 * ((x * 0.37).sin() * (y * 0.11).cos()).abs()
                })
                .collect();
            let whole = Map::new(mw, mh, data.clone());
            let MapSink::Heat(mut sampled) = MapSink::create(Path::new("x.png"), mw, mh).unwrap()
            else {
                panic!("a .png name gives the heatmap sink");
            };
            for (k, chunk) in data.chunks(mw * 7).enumerate() {
                sampled.push_rows(7 * k, chunk);
            }
            assert_eq!(sampled.range(), whole.range());
            let a = render(&whole, "SSIM 0.5", "A VS B", 0.5);
            let b = render(&sampled, "SSIM 0.5", "A VS B", 0.5);
            assert!(a == b, "{mw}x{mh}");
        }
    }
}
