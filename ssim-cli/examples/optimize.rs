//! SSIM as a loss: recover an image from uniform noise by gradient descent on `1 - SSIM`.
//!
//! ```text
//! cargo run --release --example optimize -- samples/ref.png
//! cargo run --release --example optimize -- samples/ref.png --metric ms-ssim
//! ```
//!
//! The image is `y = sigmoid(z)` per sample (so it stays in 0..1), `z` starting from uniform
//! noise; Adam (lr 0.01) follows the exact gradient of ssim-std until SSIM reaches 0.9
//! (MS-SSIM: 0.999) or `--steps` run out. Colour images use the mean of the R, G, B values.
//!
//! MS-SSIM (`wang2003`) clamps a negative level mean to 0 (relu), and a clamped channel has a
//! zero gradient: from noise, a channel whose coarsest level starts negative would never
//! move. While a channel's MS-SSIM is 0, the example follows the gradient of the same
//! definition with `NegativeMeans::Normalize` (`(m + 1) / 2`, never clamped) for that
//! channel; the value it reports and stops on is always the `wang2003` one.
//! Writes `optimized.png` (the result) and `optimized_side_by_side.png` (reference | result)
//! in the current folder, or in `--out DIR`.

use std::path::PathBuf;

use ssim_std::{
    msssim_gradient_with, ssim_gradient_with, Config, Convention, MsSsimParams, NegativeMeans,
    Params, Plane,
};

/// Which value is maximised.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Metric {
    Ssim,
    MsSsim,
}

impl Metric {
    fn threshold(self) -> f64 {
        match self {
            Metric::Ssim => 0.9,
            Metric::MsSsim => 0.999,
        }
    }
}

/// The loop's outcome.
struct Outcome {
    /// Steps taken (gradient evaluations after the first).
    steps: usize,
    /// The last value.
    value: f64,
    /// The image reached, planar per channel, in 0..1.
    image: Vec<Vec<f32>>,
}

/// A small deterministic generator for the starting noise (xorshift64*).
struct Noise(u64);

impl Noise {
    fn unit(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let v = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        // 24 bits: uniform in (0, 1), never exactly 0 or 1 (logit stays finite).
        ((v >> 40) as f32 + 0.5) / (1u64 << 24) as f32
    }
}

/// Value and gradient of the metric, mean over the channels.
fn evaluate(
    metric: Metric,
    reference: &[Vec<f32>],
    current: &[Vec<f32>],
    w: usize,
    h: usize,
) -> Result<(f64, Vec<Vec<f32>>), ssim_std::Error> {
    let config = Config::default();
    let n = reference.len() as f64;
    let mut value = 0.0;
    let mut grads = Vec::with_capacity(reference.len());
    for (x, y) in reference.iter().zip(current) {
        let (xp, yp) = (Plane::new(x, w, h)?, Plane::new(y, w, h)?);
        let (v, g) = match metric {
            Metric::Ssim => {
                let g = ssim_gradient_with(
                    &Params::wang2004(1.0),
                    &xp,
                    &yp,
                    &config,
                    Convention::Exact,
                )?;
                (g.result.ssim, g.gradient)
            }
            Metric::MsSsim => {
                let p = MsSsimParams::wang2003(1.0);
                let g = msssim_gradient_with(&p, &xp, &yp, &config)?;
                if g.result.msssim > 0.0 {
                    (g.result.msssim, g.gradient)
                } else {
                    // Clamped: relu's gradient is 0; move along the unclamped definition.
                    let smooth = MsSsimParams {
                        negative: NegativeMeans::Normalize,
                        ..p
                    };
                    let s = msssim_gradient_with(&smooth, &xp, &yp, &config)?;
                    (g.result.msssim, s.gradient)
                }
            }
        };
        value += v / n;
        grads.push(g.iter().map(|d| (*d as f64 / n) as f32).collect());
    }
    Ok((value, grads))
}

/// Adam on `z` with `y = sigmoid(z)`, maximising the metric, until it reaches the threshold.
/// `progress(step, value)` is called every `every` steps.
fn optimize(
    metric: Metric,
    reference: &[Vec<f32>],
    w: usize,
    h: usize,
    max_steps: usize,
    seed: u64,
    progress: &mut dyn FnMut(usize, f64),
) -> Result<Outcome, ssim_std::Error> {
    let (lr, b1, b2, eps) = (0.01f64, 0.9f64, 0.999f64, 1e-8f64);
    let mut noise = Noise(seed.max(1));
    let mut z: Vec<Vec<f64>> = reference
        .iter()
        .map(|c| {
            c.iter()
                .map(|_| {
                    let u = noise.unit() as f64;
                    (u / (1.0 - u)).ln()
                })
                .collect()
        })
        .collect();
    let sigmoid = |v: f64| 1.0 / (1.0 + (-v).exp());
    let image = |z: &[Vec<f64>]| -> Vec<Vec<f32>> {
        z.iter()
            .map(|c| c.iter().map(|&v| sigmoid(v) as f32).collect())
            .collect()
    };
    let mut m: Vec<Vec<f64>> = z.iter().map(|c| vec![0.0; c.len()]).collect();
    let mut v2: Vec<Vec<f64>> = m.clone();
    let mut step = 0;
    loop {
        let y = image(&z);
        let (value, grads) = evaluate(metric, reference, &y, w, h)?;
        progress(step, value);
        if value >= metric.threshold() || step >= max_steps {
            return Ok(Outcome {
                steps: step,
                value,
                image: y,
            });
        }
        step += 1;
        let (c1, c2) = (1.0 - b1.powi(step as i32), 1.0 - b2.powi(step as i32));
        for (ch, g) in grads.iter().enumerate() {
            for (i, &gv) in g.iter().enumerate() {
                let s = y[ch][i] as f64;
                // Loss 1 - value; through the sigmoid: dy/dz = y (1 - y).
                let dz = -(gv as f64) * s * (1.0 - s);
                m[ch][i] = b1 * m[ch][i] + (1.0 - b1) * dz;
                v2[ch][i] = b2 * v2[ch][i] + (1.0 - b2) * dz * dz;
                z[ch][i] -= lr * (m[ch][i] / c1) / ((v2[ch][i] / c2).sqrt() + eps);
            }
        }
    }
}

/// Interleaves planes of 0..1 values into 8-bit samples.
fn to_u8(planes: &[Vec<f32>]) -> Vec<u8> {
    let n = planes[0].len();
    (0..n)
        .flat_map(|i| {
            planes
                .iter()
                .map(move |p| (p[i].clamp(0.0, 1.0) * 255.0).round() as u8)
        })
        .collect()
}

fn save(path: &PathBuf, w: usize, h: usize, planes: &[Vec<f32>]) -> Result<(), String> {
    let kind = if planes.len() == 1 {
        image::ExtendedColorType::L8
    } else {
        image::ExtendedColorType::Rgb8
    };
    image::save_buffer(path, &to_u8(planes), w as u32, h as u32, kind)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut input = None;
    let mut metric = Metric::Ssim;
    let mut steps = 5000usize;
    let mut out = PathBuf::from(".");
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--metric" => {
                metric = match value("--metric")?.as_str() {
                    "ssim" => Metric::Ssim,
                    "ms-ssim" => Metric::MsSsim,
                    m => return Err(format!("--metric {m}: expected ssim or ms-ssim")),
                }
            }
            "--steps" => {
                steps = value("--steps")?
                    .parse()
                    .map_err(|e| format!("--steps: expected a number of steps ({e})"))?
            }
            "--out" => out = PathBuf::from(value("--out")?),
            _ if input.is_none() && !a.starts_with("--") => input = Some(PathBuf::from(a)),
            _ => return Err(format!("unexpected argument {a}")),
        }
    }
    let input =
        input.ok_or("usage: optimize IMAGE [--metric ssim|ms-ssim] [--steps N] [--out DIR]")?;
    let img = image::open(&input).map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    let (w, h) = (img.width() as usize, img.height() as usize);
    let reference: Vec<Vec<f32>> = if img.color().has_color() {
        let rgb = img.to_rgb32f();
        (0..3)
            .map(|c| rgb.pixels().map(|p| p.0[c]).collect())
            .collect()
    } else {
        vec![img.to_luma32f().pixels().map(|p| p.0[0]).collect()]
    };
    let name = match metric {
        Metric::Ssim => "SSIM",
        Metric::MsSsim => "MS-SSIM",
    };
    println!(
        "{}: {w}x{h}, {} channel(s); maximising {name} from uniform noise until {}",
        input.display(),
        reference.len(),
        metric.threshold()
    );
    let t0 = std::time::Instant::now();
    let result = optimize(metric, &reference, w, h, steps, 0x5EED, &mut |step, v| {
        if step % 50 == 0 {
            println!("step {step:5}  {name} {v:.5}");
        }
    })
    .map_err(|e| e.to_string())?;
    let secs = t0.elapsed().as_secs_f64();
    let reached = result.value >= metric.threshold();
    println!(
        "{} {name} {:.5} after {} steps ({secs:.1} s, {:.1} ms per step)",
        if reached { "reached" } else { "stopped at" },
        result.value,
        result.steps,
        secs * 1e3 / (result.steps + 1) as f64
    );
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let single = out.join("optimized.png");
    save(&single, w, h, &result.image)?;
    let side: Vec<Vec<f32>> = reference
        .iter()
        .zip(&result.image)
        .map(|(a, b)| {
            (0..h)
                .flat_map(|r| {
                    a[r * w..(r + 1) * w]
                        .iter()
                        .chain(&b[r * w..(r + 1) * w])
                        .copied()
                })
                .collect()
        })
        .collect();
    let pair = out.join("optimized_side_by_side.png");
    save(&pair, 2 * w, h, &side)?;
    println!("wrote {} and {}", single.display(), pair.display());
    if reached {
        Ok(())
    } else {
        Err(format!(
            "{name} did not reach {} in {steps} steps",
            metric.threshold()
        ))
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("optimize: error: {e}");
        std::process::exit(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A smooth 40x40 test image with edges.
    fn small() -> Vec<Vec<f32>> {
        let (w, h) = (40, 40);
        vec![(0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f32, (i / w) as f32);
                let disc = if (x - 20.0).powi(2) + (y - 18.0).powi(2) < 120.0 {
                    0.4
                } else {
                    0.0
                };
                0.2 + 0.3 * (x / 7.0).sin().abs() + disc
            })
            .collect()]
    }

    #[test]
    fn ssim_reaches_0_9_from_noise_within_400_steps() {
        let r = optimize(Metric::Ssim, &small(), 40, 40, 400, 7, &mut |_, _| {}).unwrap();
        assert!(r.value >= 0.9, "SSIM {} after {} steps", r.value, r.steps);
        eprintln!("SSIM {} after {} steps", r.value, r.steps);
    }
}
