//! The playground in a real browser: `tests/browser/playground.mjs` drives Debian's Chromium,
//! headless, through playwright-core, against `stepwise play` (what it checks is listed there).

use std::path::Path;
use std::process::Command;

/// Chromium, where Debian's package puts it (or `$CHROMIUM`).
fn chromium() -> String {
    let path = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&path).exists(),
        "the browser tests need Chromium at {path}: apt-get install chromium (or set CHROMIUM)"
    );
    path
}

/// playwright-core, installed from the lock file on first use.
fn playwright(folder: &Path) {
    if folder.join("node_modules/playwright-core").exists() {
        return;
    }
    let installed = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(folder)
        .status()
        .expect("the browser tests need Node.js and npm: apt-get install nodejs npm");
    assert!(installed.success(), "npm ci in {} failed", folder.display());
}

#[test]
fn in_a_real_browser_the_page_plays_pauses_steps_resets_saves_and_refuses_a_broken_csv() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let browser = chromium();
    playwright(&folder);
    let screenshots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("playground");
    let output = Command::new("node")
        .arg("playground.mjs")
        .arg(env!("CARGO_BIN_EXE_stepwise"))
        .arg(&screenshots)
        .env("CHROMIUM", browser)
        .current_dir(&folder)
        .output()
        .expect("node starts");
    let said = String::from_utf8_lossy(&output.stdout);
    println!("{said}");
    assert!(
        output.status.success(),
        "the browser test failed:\n{said}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
