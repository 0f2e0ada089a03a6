//! Shared by the integration tests: the reference vectors kept in `testdata/` (see
//! `testdata/VECTORS.md` for what each configuration means).
#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;
use test_support::pnm::{self, PnmImage, Samples};

pub fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

pub fn read_image(rel: &str) -> PnmImage {
    let bytes = std::fs::read(testdata().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    pnm::decode(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub fn read_map(rel: &str) -> (usize, usize, Vec<f32>) {
    let img = read_image(rel);
    match img.samples {
        Samples::F32(v) => (img.width, img.height, v),
        _ => panic!("{rel}: not a PFM map"),
    }
}

pub struct Case {
    pub id: String,
    pub config: String,
    pub kind: String,
    pub reference: PnmImage,
    pub distorted: PnmImage,
    pub data_range: f64,
    pub expected: f64,
    pub map: Option<String>,
    pub raw: Value,
}

pub fn cases(configs: &[&str]) -> Vec<Case> {
    cases_from("cases.json", configs)
}

/// The cases of `configs` in `file` under `testdata/` (`presets_cases.json`: the
/// configurations of the torchmetrics, piq, jorge-pessoa and wang2009 presets).
pub fn cases_from(file: &str, configs: &[&str]) -> Vec<Case> {
    let text = std::fs::read_to_string(testdata().join(file)).unwrap();
    let all: Vec<Value> = serde_json::from_str(&text).unwrap();
    all.into_iter()
        .filter(|c| configs.contains(&c["config"].as_str().unwrap()))
        .map(|c| {
            let primary = c["primary"].as_str().unwrap();
            Case {
                id: c["id"].as_str().unwrap().to_string(),
                config: c["config"].as_str().unwrap().to_string(),
                kind: c["kind"].as_str().unwrap().to_string(),
                reference: read_image(c["ref"].as_str().unwrap()),
                distorted: read_image(c["dist"].as_str().unwrap()),
                data_range: c["data_range"].as_f64().unwrap(),
                expected: c["expected"][primary].as_f64().unwrap(),
                map: c["map"].as_str().map(str::to_string),
                raw: c,
            }
        })
        .collect()
}

pub fn preset_of(config: &str) -> ssim_std::Preset {
    match config {
        "gaussian11" => ssim_std::Preset::Wang2004,
        "skimage_default" => ssim_std::Preset::ScikitImage,
        "matlab_ipt" => ssim_std::Preset::Matlab,
        c => panic!("no single-scale preset for {c}"),
    }
}
