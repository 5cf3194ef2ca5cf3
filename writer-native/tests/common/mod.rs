//! What the binary's test suites share.

use std::process::Command;

/// Runs `strata` with `args`: whether it succeeded, its stdout and its stderr.
pub fn strata(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .output()
        .expect("strata runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `strata` and returns its stdout; fails the test, with its stderr, if it fails.
#[allow(dead_code, reason = "not every suite uses every helper")]
pub fn ok(args: &[&str]) -> String {
    let (ok, out, err) = strata(args);
    assert!(ok, "strata {args:?} failed: {err}");
    out
}

/// Runs `strata`, expecting it to fail with `needle` in its stderr and no panic.
#[allow(dead_code, reason = "not every suite uses every helper")]
pub fn refused(args: &[&str], needle: &str) {
    let (ok, _, err) = strata(args);
    assert!(!ok, "strata {args:?} should fail");
    assert!(err.contains(needle), "strata {args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
}
