//! Folder mode: `ssim REF_DIR DIST_DIR` compares every pair of images with the same relative
//! path (or, failing that, the same relative path without extension: `a.png` with `a.jpg`),
//! prints one result per pair (text, JSON Lines or CSV) and a summary on stderr.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::error::{io_reason, CliError, EXIT_BELOW, EXIT_ERROR, EXIT_OK};
use crate::report::{self, ErrorRow};
use crate::{compare_pair, note, out, Settings};

/// File name extensions taken as images in folder mode (the content still decides the
/// decoder; other files are ignored).
const EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "pgm", "ppm", "pnm", "pfm", "bmp", "tif", "tiff", "webp", "qoi",
];

/// How many of the lowest values the summary names.
const WORST: usize = 5;

/// The image files of one folder, relative to it, and its dangling symbolic links to images.
struct Listing {
    files: BTreeSet<PathBuf>,
    dangling: Vec<PathBuf>,
}

/// Image files under `root`, as paths relative to it, sorted.
fn images(root: &Path) -> Result<Listing, CliError> {
    let mut out = BTreeSet::new();
    let mut dangling = Vec::new();
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
            let kind = entry.file_type().ok();
            let is_image = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
            if kind.is_some_and(|t| t.is_dir()) {
                stack.push(name);
            } else if is_image && path.is_file() {
                out.insert(name);
            } else if is_image && kind.is_some_and(|t| t.is_symlink()) && !path.exists() {
                // Silently skipping it would hide a missing image.
                dangling.push(name);
            }
        }
    }
    dangling.sort();
    Ok(Listing {
        files: out,
        dangling,
    })
}

/// One entry of the run: a pair to compare, or why there is none.
struct Entry {
    /// Shown as `path`: the reference's relative path when there is one.
    shown: String,
    reference: PathBuf,
    distorted: PathBuf,
    problem: Option<String>,
}

/// Pairs the two listings: equal relative paths first; then equal relative paths without
/// extension when exactly one file on each side is left with that name; more than one is an
/// ambiguity, reported with every file involved.
fn pair(ref_dir: &Path, dist_dir: &Path, refs: &Listing, dists: &Listing) -> Vec<Entry> {
    let mut entries = Vec::new();
    let entry = |rel_r: &Path, rel_d: &Path, problem: Option<String>| Entry {
        shown: rel_r.display().to_string(),
        reference: ref_dir.join(rel_r),
        distorted: dist_dir.join(rel_d),
        problem,
    };
    let mut by_stem: BTreeMap<PathBuf, (Vec<&PathBuf>, Vec<&PathBuf>)> = BTreeMap::new();
    for r in &refs.files {
        if dists.files.contains(r) {
            entries.push(entry(r, r, None));
        } else {
            by_stem.entry(r.with_extension("")).or_default().0.push(r);
        }
    }
    for d in dists.files.difference(&refs.files) {
        by_stem.entry(d.with_extension("")).or_default().1.push(d);
    }
    let list = |dir: &Path, v: &[&PathBuf]| {
        v.iter()
            .map(|p| dir.join(p).display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (stem, (r, d)) in by_stem {
        match (r.as_slice(), d.as_slice()) {
            ([r], [d]) => entries.push(entry(r, d, None)),
            (r, []) => {
                for r in r {
                    let msg = format!(
                        "{} has no distorted counterpart {} (or one named {}.*)",
                        ref_dir.join(r).display(),
                        dist_dir.join(r).display(),
                        dist_dir.join(&stem).display()
                    );
                    entries.push(entry(r, r, Some(msg)));
                }
            }
            ([], d) => {
                for d in d {
                    let msg = format!(
                        "{} has no reference {} (or one named {}.*)",
                        dist_dir.join(d).display(),
                        ref_dir.join(d).display(),
                        ref_dir.join(&stem).display()
                    );
                    let mut e = entry(d, d, Some(msg));
                    e.shown = d.display().to_string();
                    entries.push(e);
                }
            }
            (r, d) => {
                let msg = format!(
                    "ambiguous pair {}.*: reference {} and distorted {}: expected one file per \
                     name without extension on each side (or equal names)",
                    stem.display(),
                    list(ref_dir, r),
                    list(dist_dir, d)
                );
                entries.push(Entry {
                    shown: stem.display().to_string(),
                    reference: ref_dir.join(r[0]),
                    distorted: dist_dir.join(d[0]),
                    problem: Some(msg),
                });
            }
        }
    }
    for (dir, listing) in [(ref_dir, refs), (dist_dir, dists)] {
        for l in &listing.dangling {
            let p = dir.join(l);
            let target = std::fs::read_link(&p)
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            entries.push(Entry {
                shown: l.display().to_string(),
                reference: ref_dir.join(l),
                distorted: dist_dir.join(l),
                problem: Some(format!(
                    "{} is a dangling symbolic link: its target {target} does not exist",
                    p.display()
                )),
            });
        }
    }
    entries.sort_by(|a, b| a.shown.cmp(&b.shown));
    entries
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
    let all = pair(ref_dir, dist_dir, &refs, &dists);
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
    for e in all {
        let shown = e.shown;
        bar.set_message(shown.clone());
        let (xp, yp) = (e.reference, e.distorted);
        let result = match e.problem {
            Some(p) => Err(CliError::new(p)),
            None => compare_pair(s, &xp, &yp).map(|(r, _)| r),
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
