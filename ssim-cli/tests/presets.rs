//! The presets of round 2 through the binary, as a script reproducing a library would call
//! it: the `--json` value of every case of `testdata/presets_cases.json` within 1e-6 of the
//! library's value, `--list-presets` against the library versions the vectors name
//! (`testdata/versions.json`), and each library's minimum size as an error naming its rule.

mod common;

use common::{expected, image, root, ssim};

const TOL: f64 = 1e-6;

fn preset_cases() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(root().join("testdata/presets_cases.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn metric_preset(config: &str) -> (&'static str, &'static str) {
    match config {
        "torchmetrics_ssim" => ("ssim", "torchmetrics"),
        "piq_ssim" => ("ssim", "piq"),
        "wang2009_auto" => ("ssim", "wang2009"),
        "torchmetrics_msssim" => ("ms-ssim", "torchmetrics"),
        "piq_msssim" => ("ms-ssim", "piq"),
        "jorge_msssim" => ("ms-ssim", "jorge-pessoa"),
        "jorge_msssim_relu" => ("ms-ssim", "jorge-pessoa-relu"),
        other => panic!("unknown config {other}"),
    }
}

#[test]
fn every_preset_case_within_1e6_through_the_json_value() {
    let cases = preset_cases();
    assert_eq!(cases.len(), 452);
    let mut worst = (0.0f64, String::new());
    for c in &cases {
        let (metric, preset) = metric_preset(c["config"].as_str().unwrap());
        let range = c["data_range"].as_f64().unwrap().to_string();
        let (r, d) = (image(c, "ref"), image(c, "dist"));
        let run = ssim(&[
            "--json",
            "--metric",
            metric,
            "--preset",
            preset,
            "--data-range",
            &range,
            &r,
            &d,
        ]);
        assert_eq!(run.code, 0, "{}: {run:?}", c["id"]);
        let v = run.json()["value"].as_f64().expect("value");
        let diff = (v - expected(c)).abs();
        assert!(
            diff <= TOL,
            "{}: {v} vs {} ({diff:e})",
            c["id"],
            expected(c)
        );
        if diff > worst.0 {
            worst = (diff, c["id"].as_str().unwrap().to_string());
        }
    }
    eprintln!(
        "{} cases, worst |d| {:.3e} ({})",
        cases.len(),
        worst.0,
        worst.1
    );
}

#[test]
fn list_presets_names_every_preset_with_the_vectors_library_version() {
    let run = ssim(&["--list-presets"]);
    assert_eq!(run.code, 0, "{run:?}");
    let versions: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("testdata/versions.json")).unwrap(),
    )
    .unwrap();
    let version = |k: &str| versions[k].as_str().unwrap().to_string();
    let jorge_commit = version("jorge-pessoa/pytorch-msssim")[..7].to_string();
    for (metric, preset, library) in [
        (
            "ssim",
            "torchmetrics",
            format!("torchmetrics {}", version("torchmetrics")),
        ),
        ("ssim", "piq", format!("piq {}", version("piq"))),
        ("ssim", "wang2009", "ssim.m (2009".to_string()),
        (
            "ms-ssim",
            "torchmetrics",
            format!("torchmetrics {}", version("torchmetrics")),
        ),
        ("ms-ssim", "piq", format!("piq {}", version("piq"))),
        (
            "ms-ssim",
            "jorge-pessoa",
            format!("pytorch-msssim {jorge_commit}"),
        ),
        (
            "ms-ssim",
            "jorge-pessoa-relu",
            format!("pytorch-msssim {jorge_commit}"),
        ),
        (
            "ms-ssim",
            "pytorch-msssim",
            format!("pytorch_msssim {}", version("pytorch-msssim")),
        ),
        (
            "ssim",
            "scikit-image",
            format!("scikit-image {}", version("scikit-image")),
        ),
    ] {
        let line = run
            .stdout
            .lines()
            .find(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                f.len() > 2 && f[0] == metric && f[1] == preset
            })
            .unwrap_or_else(|| panic!("no line for {metric} {preset}: {}", run.stdout));
        assert!(line.contains(&library), "{line} should name {library}");
    }
    // Every name listed is accepted by --preset.
    let listed = run.stdout.lines().skip(1).count();
    assert_eq!(listed, 7 + 1 + 6, "{}", run.stdout);
}

#[test]
fn sizes_below_a_library_minimum_are_errors_naming_the_library() {
    let dir = common::scratch("presets-minimum");
    let write = |w: usize, h: usize| {
        let p = dir.join(format!("{w}x{h}.pgm"));
        let mut bytes = format!("P5\n{w} {h}\n255\n").into_bytes();
        bytes.extend((0..w * h).map(|i| (i * 7 % 251) as u8));
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    };
    for (metric, preset, w, h, library) in [
        ("ms-ssim", "torchmetrics", 300, 175, "torchmetrics"),
        ("ms-ssim", "piq", 160, 300, "piq"),
        ("ms-ssim", "jorge-pessoa", 31, 100, "jorge-pessoa"),
        ("ms-ssim", "jorge-pessoa-relu", 100, 31, "jorge-pessoa"),
        ("ssim", "torchmetrics", 5, 40, "torchmetrics"),
        ("ssim", "wang2009", 40, 10, "ssim.m"),
    ] {
        let f = write(w, h);
        let run = ssim(&["--metric", metric, "--preset", preset, &f, &f]);
        let line = run.assert_error();
        assert!(line.contains(library), "{metric} {preset} {w}x{h}: {line}");
        assert!(line.contains("minimum"), "{line}");
    }
    // At the minimum they run.
    for (metric, preset, w, h) in [
        ("ms-ssim", "torchmetrics", 176, 176),
        ("ms-ssim", "piq", 161, 170),
        ("ms-ssim", "jorge-pessoa", 32, 40),
        ("ssim", "torchmetrics", 6, 6),
    ] {
        let f = write(w, h);
        let run = ssim(&["--json", "--metric", metric, "--preset", preset, &f, &f]);
        assert_eq!(run.code, 0, "{metric} {preset} {w}x{h}: {run:?}");
        assert_eq!(run.json()["value"].as_f64(), Some(1.0));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--data-range-rule`: the library's L from the pixels, the same value as that L given
/// explicitly; never for MS-SSIM (the libraries recompute it per level).
#[test]
fn data_range_rules_derive_the_libraries_l() {
    let dir = common::scratch("presets-range-rule");
    let write = |name: &str, lo: usize, hi: usize| {
        let p = dir.join(name);
        let (w, h) = (40, 30);
        let mut bytes = format!("P5\n{w} {h}\n255\n").into_bytes();
        bytes.extend((0..w * h).map(|i| (lo + (i * 37) % (hi - lo + 1)) as u8));
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    };
    // Reference spread 20..=200 (180), distorted 10..=100 (90): torchmetrics takes 180;
    // jorge-pessoa sees the distorted maximum 100 <= 128 and takes 1.
    let (r, d) = (write("r.pgm", 20, 200), write("d.pgm", 10, 100));
    let value = |args: &[&str]| {
        let mut all = vec!["--json", "--preset", "torchmetrics"];
        all.extend_from_slice(args);
        all.extend([r.as_str(), d.as_str()]);
        let run = ssim(&all);
        assert_eq!(run.code, 0, "{run:?}");
        run.json()["value"].as_f64().unwrap()
    };
    assert_eq!(
        value(&["--data-range-rule", "torchmetrics"]),
        value(&["--data-range", "180"])
    );
    assert_eq!(
        value(&["--data-range-rule", "jorge-pessoa"]),
        value(&["--data-range", "1"])
    );
    assert_ne!(
        value(&["--data-range", "180"]),
        value(&["--data-range", "1"])
    );
    let run = ssim(&[
        "--metric",
        "ms-ssim",
        "--data-range-rule",
        "torchmetrics",
        &r,
        &d,
    ]);
    assert!(run.assert_error().contains("ssim only"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The rows of the README's preset tables: `(metric, preset, reproduces)`, the reproduces
/// cell without its backticks. The SSIM table is the one under `## Presets`, the MS-SSIM one
/// under `## MS-SSIM`; a row of either starts with a backticked preset name.
fn readme_preset_rows() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut metric = None;
    let mut rows = Vec::new();
    for line in text.lines() {
        if line.starts_with("## ") {
            metric = match line {
                "## Presets" => Some("ssim"),
                "## MS-SSIM" => Some("ms-ssim"),
                _ => None,
            };
            continue;
        }
        let Some(metric) = metric else { continue };
        if !line.starts_with("| `") {
            continue;
        }
        let cells: Vec<&str> = line.split(" | ").collect();
        let name = cells[0].trim_start_matches("| ").split('`').nth(1).unwrap();
        let last = cells
            .last()
            .unwrap()
            .trim_end_matches(" |")
            .replace('`', "");
        rows.push((metric.to_string(), name.to_string(), last));
    }
    rows
}

#[test]
fn list_presets_and_the_readme_tables_agree() {
    let run = ssim(&["--list-presets"]);
    assert_eq!(run.code, 0, "{run:?}");
    let listed: Vec<(String, String, String)> = run
        .stdout
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.splitn(3, ' ').map(str::trim);
            let metric = f.next().unwrap().to_string();
            let rest = f.collect::<Vec<_>>().join(" ");
            let (name, what) = rest.trim().split_once(' ').unwrap();
            (metric, name.to_string(), what.trim().to_string())
        })
        .collect();
    let readme = readme_preset_rows();
    assert!(
        listed.len() >= 14 && readme.len() >= 14,
        "{listed:?}\n{readme:?}"
    );
    let key = |r: &(String, String, String)| (r.0.clone(), r.1.clone());
    let mut a: Vec<_> = listed.iter().map(key).collect();
    let mut b: Vec<_> = readme.iter().map(key).collect();
    a.sort();
    b.sort();
    assert_eq!(
        a, b,
        "--list-presets and the README preset tables name different presets"
    );
    for (metric, name, what) in &listed {
        let row = readme
            .iter()
            .find(|r| &r.0 == metric && &r.1 == name)
            .unwrap();
        assert!(
            row.2.contains(what.as_str()),
            "README's {metric} `{name}` row should name \"{what}\" (as --list-presets does): {}",
            row.2
        );
    }
}

#[test]
fn json_parameters_name_the_block_mean_stage() {
    let cases = preset_cases();
    let c = cases.iter().find(|c| c["config"] == "piq_ssim").unwrap();
    let (r, d) = (image(c, "ref"), image(c, "dist"));
    for (preset, stage) in [
        ("piq", serde_json::json!("piq")),
        ("wang2009", serde_json::json!("wang2009")),
        ("wang2004", serde_json::Value::Null),
    ] {
        let run = ssim(&["--json", "--preset", preset, &r, &d]);
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(
            run.json()["parameters"]["auto_downsample"],
            stage,
            "{preset}"
        );
    }
}
