//! Folder mode: `ssim REF_DIR DIST_DIR` compares every pair of images with the same relative
//! path, prints one result per pair (text, JSON Lines or CSV) and a summary on stderr.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::error::{io_reason, CliError, EXIT_BELOW, EXIT_ERROR, EXIT_OK};
use crate::report::{self, ErrorRow};
use crate::{compare_pair, note, out, Settings};

/// File name extensions taken as images in folder mode (the content still decides the
/// decoder; other files are ignored).
const EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "pgm", "ppm", "pnm", "pfm"];

/// How many of the lowest values the summary names.
const WORST: usize = 5;

/// Image files under `root`, as paths relative to it, sorted.
fn images(root: &Path) -> Result<BTreeSet<PathBuf>, CliError> {
    let mut out = BTreeSet::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = root.join(&rel);
        let entries = std::fs::read_dir(&dir).map_err(|e| {
            CliError::new(format!(
                "cannot list folder {}: {}",
                dir.display(),
                io_reason(&e)
            ))
        })?;
        for entry in entries {
            let entry = entry.map_err(|e| {
                CliError::new(format!(
                    "cannot list folder {}: {}",
                    dir.display(),
                    io_reason(&e)
                ))
            })?;
            let name = rel.join(entry.file_name());
            let path = root.join(&name);
            // Real folders are walked; a symbolic link to a folder is not (it could loop),
            // a link to a file counts as that file.
            let real_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if real_dir {
                stack.push(name);
            } else if path.is_file()
                && path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            {
                out.insert(name);
            }
        }
    }
    Ok(out)
}

/// Runs folder mode; returns the exit code.
pub fn run(
    s: &Settings,
    ref_dir: &Path,
    dist_dir: &Path,
    json: bool,
    csv: bool,
) -> Result<i32, CliError> {
    let refs = images(ref_dir)?;
    let dists = images(dist_dir)?;
    let all: BTreeSet<&PathBuf> = refs.iter().chain(dists.iter()).collect();
    if all.is_empty() {
        return Err(CliError::new(format!(
            "no images ({}) in {} or {}",
            EXTENSIONS.join(", "),
            ref_dir.display(),
            dist_dir.display()
        )));
    }
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(all.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {wide_msg}")
        {
            b.set_style(style);
        }
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    if csv {
        out(report::CSV_HEADER)?;
    }
    let mut values: Vec<(f64, String)> = Vec::new();
    let mut below: Vec<String> = Vec::new();
    let mut failed: Vec<(String, String)> = Vec::new();
    for rel in all {
        let shown = rel.display().to_string();
        bar.set_message(shown.clone());
        let (xp, yp) = (ref_dir.join(rel), dist_dir.join(rel));
        let result = if !refs.contains(rel) {
            Err(CliError::new(format!(
                "{} has no reference {}",
                yp.display(),
                xp.display()
            )))
        } else if !dists.contains(rel) {
            Err(CliError::new(format!(
                "{} has no distorted counterpart {}",
                xp.display(),
                yp.display()
            )))
        } else {
            compare_pair(s, &xp, &yp).map(|(r, _)| r)
        };
        let line = match result {
            Ok(mut r) => {
                r.path = Some(shown.clone());
                r.status = Some(if r.pass == Some(false) {
                    below.push(shown.clone());
                    "below_threshold"
                } else {
                    "ok"
                });
                values.push((r.value, shown.clone()));
                if json {
                    serde_json::to_string(&r).unwrap_or_default()
                } else if csv {
                    report::csv(&r)
                } else {
                    report::text(&r)
                }
            }
            Err(e) => {
                failed.push((shown.clone(), e.0.clone()));
                let row = ErrorRow {
                    path: shown,
                    status: "error",
                    reference: xp.display().to_string(),
                    distorted: yp.display().to_string(),
                    error: e.0,
                };
                if json {
                    serde_json::to_string(&row).unwrap_or_default()
                } else if csv {
                    report::csv_error(&row)
                } else {
                    // Text mode: the summary names every failed pair, once.
                    String::new()
                }
            }
        };
        if !line.is_empty() {
            bar.suspend(|| out(&line))?;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    summary(s, &values, &below, &failed);
    Ok(if !failed.is_empty() {
        EXIT_ERROR
    } else if !below.is_empty() {
        EXIT_BELOW
    } else {
        EXIT_OK
    })
}

fn summary(s: &Settings, values: &[(f64, String)], below: &[String], failed: &[(String, String)]) {
    let n = values.len();
    let mut line = format!(
        "ssim: {n} pair{} compared, {} failed",
        if n == 1 { "" } else { "s" },
        failed.len()
    );
    if n > 0 {
        let mean = values.iter().map(|v| v.0).sum::<f64>() / n as f64;
        let mut sorted: Vec<&(f64, String)> = values.iter().collect();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        line += &format!(
            "; {} mean {mean:.6}, min {:.6} ({})",
            s.metric, sorted[0].0, sorted[0].1
        );
        note(&line);
        let worst: Vec<String> = sorted
            .iter()
            .take(WORST)
            .map(|(v, p)| format!("{p} {v:.6}"))
            .collect();
        note(&format!("ssim: worst: {}", worst.join(", ")));
    } else {
        note(&line);
    }
    if !below.is_empty() {
        note(&format!(
            "ssim: {} below threshold {}: {}",
            below.len(),
            s.threshold.unwrap_or(f64::NAN),
            below.join(", ")
        ));
    }
    for (p, e) in failed {
        note(&format!("ssim: failed: {p}: {e}"));
    }
}
