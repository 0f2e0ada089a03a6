//! The C API tested from C: `tests/c/capi_test.c` is compiled by the system C compiler
//! (`cc`, or `$CC`) against `include/ssim.h` and run three ways: linked with `libssim.a`,
//! with `libssim.so`, and with `libssim.a` under AddressSanitizer + UndefinedBehaviorSanitizer.
//! Each run checks every bad-argument status and every reference vector of
//! `testdata/cases.json` (read here and handed to the program on its command line; the
//! program reads the images itself).
//!
//! The libraries are the ones cargo built for this test run (`target/<profile>/deps/`), or
//! those in `SSIM_CAPI_LIB_DIR`. `SSIM_CAPI_REQUIRE_SANITIZERS=1` (set in CI) turns "the compiler
//! cannot link the sanitizers" from a skip into a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What a Rust static library needs from the system on Linux (`rustc --print
/// native-static-libs`); the same list is in `ssim.pc.in` and the README.
const NATIVE_LIBS: &[&str] = &[
    "-lgcc_s",
    "-lutil",
    "-lrt",
    "-lpthread",
    "-lm",
    "-ldl",
    "-lc",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where the libraries are: `SSIM_CAPI_LIB_DIR`, else `target/<profile>/deps`, the directory
/// of this test binary. `cargo test` builds the library target with all its crate types there
/// (`libssim.a`, `libssim.so`) as part of this very run, so they always match the sources;
/// the copies in `target/<profile>/` are only refreshed by `cargo build` and may be stale.
fn lib_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SSIM_CAPI_LIB_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("the test binary has a path");
    exe.parent()
        .expect("the test binary is in target/<profile>/deps")
        .to_path_buf()
}

/// The target's C compiler (`cc`, `$CC`, or the cross compiler; see test_support).
fn cc() -> String {
    test_support::c_compiler()
}

fn out_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps");
    let dir = profile.join("capi-tests");
    std::fs::create_dir_all(&dir).expect("the test output directory can be created");
    dir
}

/// Every reference vector as `id|kind|config|data_range|ref|dist|expected|map|scales`: the
/// SSIM and MS-SSIM cases and FFmpeg's (`ffmpeg_cases.json`, config `ffmpeg_ssim`).
fn case_args() -> Vec<String> {
    let read = |name: &str| -> Vec<serde_json::Value> {
        let path = workspace().join("testdata").join(name);
        let text = std::fs::read_to_string(&path).expect("the vectors are readable");
        let v: serde_json::Value = serde_json::from_str(&text).expect("the vectors parse");
        v.as_array().expect("a list of cases").clone()
    };
    let (cases, ffmpeg) = (read("cases.json"), read("ffmpeg_cases.json"));
    assert!(
        ffmpeg.len() >= 70,
        "expected FFmpeg's vectors, found {}",
        ffmpeg.len()
    );
    let mut out = Vec::new();
    for c in cases.iter().chain(&ffmpeg) {
        let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
        let primary = s("primary");
        let Some(expected) = c["expected"][primary.as_str()].as_f64() else {
            continue; // no value (e.g. a negative MS-SSIM mean); nothing to compare
        };
        let map = if s("kind") == "rgb8" {
            String::new()
        } else {
            s("map")
        };
        // Per-level means are flat only for grayscale cases (RGB holds one list per channel).
        let scales = match c["scales"].as_array() {
            Some(levels) if levels.iter().all(|l| l.is_object()) => levels
                .iter()
                .map(|l| {
                    format!(
                        "{}:{}:{:.17e}:{:.17e}",
                        l["width"],
                        l["height"],
                        l["ssim"].as_f64().unwrap_or(f64::NAN),
                        l["cs"].as_f64().unwrap_or(f64::NAN)
                    )
                })
                .collect::<Vec<_>>()
                .join(","),
            _ => String::new(),
        };
        out.push(format!(
            "{}|{}|{}|{:.17e}|{}|{}|{:.17e}|{}|{}",
            s("id"),
            s("kind"),
            s("config"),
            c["data_range"].as_f64().expect("data_range is a number"),
            s("ref"),
            s("dist"),
            expected,
            map,
            scales
        ));
    }
    assert!(
        out.len() > 250,
        "expected the full set of reference vectors, found {}",
        out.len()
    );
    out
}

/// Compiles the C test program; `None` if `optional` and the compiler refuses the flags.
fn build(name: &str, extra: &[&str], link: &[String], optional: bool) -> Option<PathBuf> {
    build_source("capi_test.c", name, extra, link, optional)
}

/// Compiles `tests/c/<source>` into `name`.
fn build_source(
    source: &str,
    name: &str,
    extra: &[&str],
    link: &[String],
    optional: bool,
) -> Option<PathBuf> {
    let ws = workspace();
    let exe = out_dir().join(name);
    let mut cmd = Command::new(cc());
    cmd.args([
        "-std=c11",
        "-O1",
        "-g",
        "-Wall",
        "-Wextra",
        "-Wpedantic",
        "-Werror",
    ])
    .arg("-I")
    .arg(ws.join("include"))
    .args(extra)
    .arg(ws.join("ssim-capi/tests/c").join(source))
    .args(link)
    .arg("-o")
    .arg(&exe);
    let out = cmd
        .output()
        .expect("the C compiler runs (set CC to choose one)");
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        if optional {
            eprintln!("skipping {name}: the compiler cannot build it:\n{err}");
            return None;
        }
        panic!("compiling {name} failed: {cmd:?}\n{err}");
    }
    Some(exe)
}

fn run(exe: &Path, env: &[(&str, &str)]) {
    let out = test_support::command(exe)
        .arg(workspace().join("testdata"))
        .args(case_args())
        .envs(env.iter().copied())
        .output()
        .expect("the C test program runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{} output:\n{stdout}{stderr}", exe.display());
    assert!(
        out.status.success() && stdout.contains(" passed, 0 failed"),
        "{} failed ({}):\n{stdout}\n{stderr}",
        exe.display(),
        out.status
    );
}

fn static_lib() -> String {
    let lib = lib_dir().join("libssim.a");
    assert!(lib.exists(), "{} was not built", lib.display());
    lib.display().to_string()
}

fn static_link() -> Vec<String> {
    std::iter::once(static_lib())
        .chain(NATIVE_LIBS.iter().map(|s| s.to_string()))
        .collect()
}

#[test]
fn c_program_static() {
    // The static build also counts allocations (wrapped malloc) to prove the scratch path
    // makes none; the wrap only reaches code linked statically.
    let wrap = "-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=posix_memalign";
    let exe = build(
        "capi_test_static",
        &["-DSSIM_TEST_COUNT_ALLOCS", wrap],
        &static_link(),
        false,
    )
    .expect("not optional");
    run(&exe, &[]);
}

#[test]
fn c_program_shared() {
    let dir = lib_dir();
    let so = dir.join("libssim.so");
    assert!(so.exists(), "{} was not built", so.display());
    let link = vec![
        format!("-L{}", dir.display()),
        "-lssim".to_string(),
        format!("-Wl,-rpath,{}", dir.display()),
        "-lm".to_string(),
        "-lpthread".to_string(),
    ];
    let exe = build("capi_test_shared", &[], &link, false).expect("not optional");
    // The program must really use the shared library, not a static copy (the host's ldd
    // cannot read a cross-compiled program).
    let ldd = Command::new("ldd").arg(&exe).output();
    if let (Ok(ldd), false) = (ldd, test_support::is_cross()) {
        let text = String::from_utf8_lossy(&ldd.stdout);
        assert!(
            text.contains("libssim.so"),
            "not linked to libssim.so:\n{text}"
        );
    }
    run(&exe, &[]);
}

/// The sanitizer flags really instrument: a one-line heap overflow built the same way must be
/// caught, or a clean run above would prove nothing.
fn sanitizers_catch_an_overflow(flags: &[&str]) {
    let dir = out_dir();
    let src = dir.join("overflow.c");
    std::fs::write(
        &src,
        "#include <stdlib.h>\nint main(void) { volatile char *p = malloc(4); p[4] = 1; \
         free((void *)p); return 0; }\n",
    )
    .expect("the output directory is writable");
    let exe = dir.join("overflow");
    let built = Command::new(cc())
        .args(flags)
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .status()
        .expect("the C compiler runs");
    assert!(built.success(), "the sanitizer probe does not compile");
    let out = Command::new(&exe).output().expect("the probe runs");
    assert!(
        !out.status.success()
            && String::from_utf8_lossy(&out.stderr).contains("heap-buffer-overflow"),
        "AddressSanitizer did not catch a heap overflow: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn c_program_sanitizers() {
    if test_support::is_cross() {
        eprintln!("skipping the sanitizer runs: they are tested natively, not under qemu");
        return;
    }
    let required = std::env::var("SSIM_CAPI_REQUIRE_SANITIZERS").is_ok_and(|v| v == "1");
    let flags = [
        "-fsanitize=address,undefined",
        "-fno-sanitize-recover=all",
        "-fno-omit-frame-pointer",
    ];
    let Some(exe) = build("capi_test_asan_ubsan", &flags, &static_link(), !required) else {
        return;
    };
    sanitizers_catch_an_overflow(&flags);
    run(
        &exe,
        &[
            (
                "ASAN_OPTIONS",
                "detect_leaks=1:abort_on_error=0:exitcode=23",
            ),
            ("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1"),
        ],
    );
}

/// Streams in random chunks give the whole-image bits; MS-SSIM in caller scratch gives the
/// allocating call's per-level bits; bad stream calls give their statuses and change nothing.
/// Linked statically, and under the sanitizers when the compiler has them.
#[test]
fn c_stream_program() {
    let exe = build_source("stream_test.c", "stream_test", &[], &static_link(), false)
        .expect("not optional");
    run_plain(&exe, &[]);
    if test_support::is_cross() {
        eprintln!("skipping the sanitizer runs: they are tested natively, not under qemu");
        return;
    }
    let required = std::env::var("SSIM_CAPI_REQUIRE_SANITIZERS").is_ok_and(|v| v == "1");
    let flags = [
        "-fsanitize=address,undefined",
        "-fno-sanitize-recover=all",
        "-fno-omit-frame-pointer",
    ];
    if let Some(exe) = build_source(
        "stream_test.c",
        "stream_test_asan_ubsan",
        &flags,
        &static_link(),
        !required,
    ) {
        run_plain(&exe, &[("ASAN_OPTIONS", "detect_leaks=1:exitcode=23")]);
    }
}

fn run_plain(exe: &Path, env: &[(&str, &str)]) {
    let out = test_support::command(exe)
        .envs(env.iter().copied())
        .output()
        .expect("the C test program runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!(
        "{} output:\n{stdout}{}",
        exe.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && stdout.contains(" passed, 0 failed"),
        "{} failed ({}):\n{stdout}",
        exe.display(),
        out.status
    );
}

/// The header is strict C89 too, with and without the std-only functions (issue 17: `//`
/// comments after `#endif` once broke `cc -std=c89 -pedantic -Werror`).
#[test]
fn header_compiles_as_c89() {
    let src = out_dir().join("header_c89.c");
    std::fs::write(
        &src,
        "#include \"ssim.h\"\nint main(void) { ssim_params p; return (int)ssim_params_from_preset(SSIM_PRESET_WANG2004, 255.0, &p); }\n",
    )
    .expect("the output directory is writable");
    for define in [None, Some("-DSSIM_NO_STD")] {
        let out = Command::new(cc())
            .args([
                "-std=c89",
                "-pedantic",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-fsyntax-only",
            ])
            .args(define)
            .arg("-I")
            .arg(workspace().join("include"))
            .arg(&src)
            .output()
            .expect("the C compiler runs");
        assert!(
            out.status.success(),
            "ssim.h does not compile as C89 ({define:?}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The header is also valid C++ (it wraps its declarations in `extern "C"`).
#[test]
fn header_compiles_as_cpp() {
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let src = out_dir().join("header_check.cpp");
    std::fs::write(
        &src,
        "#include \"ssim.h\"\nint main() { ssim_params p; return ssim_params_from_preset(SSIM_PRESET_WANG2004, 255.0, &p); }\n",
    )
    .expect("the output directory is writable");
    let out = match Command::new(&cxx)
        .args([
            "-std=c++11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-fsyntax-only",
            "-I",
        ])
        .arg(workspace().join("include"))
        .arg(&src)
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            eprintln!("skipping: no C++ compiler ({cxx}: {e})");
            return;
        }
    };
    assert!(
        out.status.success(),
        "ssim.h does not compile as C++:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `libssim.so` exports exactly the functions `ssim.h` declares.
#[test]
fn shared_library_exports_the_header() {
    let header = std::fs::read_to_string(workspace().join("include/ssim.h"))
        .expect("include/ssim.h is readable");
    let mut declared: Vec<String> = header
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && !l.starts_with("typedef"))
        // `extern` declares what the firmware defines for the library (ssim_panic_hook).
        .filter(|l| !l.starts_with("extern "))
        .filter_map(|l| {
            let open = l.find('(')?;
            let name = l[..open].rsplit([' ', '*']).next()?;
            name.starts_with("ssim_").then(|| name.to_string())
        })
        .collect();
    declared.sort();
    let so = lib_dir().join("libssim.so");
    let Ok(out) = Command::new(test_support::binutil("nm"))
        .args(["-D", "--defined-only"])
        .arg(&so)
        .output()
    else {
        eprintln!("skipping: no nm");
        return;
    };
    let mut exported: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .filter(|s| s.starts_with("ssim_"))
        .map(str::to_string)
        .collect();
    exported.sort();
    assert!(declared.len() > 20, "found only {declared:?} in ssim.h");
    assert_eq!(
        declared, exported,
        "ssim.h declares what libssim.so exports"
    );
}

/// The gradient calls (`tests/c/gradient_test.c`), linked with the static library.
#[test]
fn c_gradient_program() {
    let mut link = static_link();
    link.push("-lm".into());
    let exe =
        build_source("gradient_test.c", "gradient_test", &[], &link, false).expect("not optional");
    let out = test_support::command(&exe)
        .output()
        .expect("the C test program runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && stdout.contains(" passed, 0 failed"),
        "{} failed ({}):\n{stdout}",
        exe.display(),
        out.status
    );
}
