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

#[test]
fn play_refuses_a_dataset_file_that_is_not_there_and_a_port_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let err = crate::cli::fails(
        dir.path(),
        &["play", "--dataset", "nosuch.csv", "--port", "0"],
    );
    assert!(err.contains("--dataset nosuch.csv: no such file"), "{err}");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let err = crate::cli::fails(dir.path(), &["play", "--port", &port]);
    assert!(err.contains("cannot listen on 127.0.0.1:"), "{err}");
    assert!(err.contains("--port"), "{err}");
}

#[test]
fn the_file_play_names_is_offered_to_the_page_and_anywhere_but_loopback_is_warned_of() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mine.csv"), "x1,x2,y\n1,2,a\n2,1,b\n").unwrap();
    let mut server = crate::spawn(
        dir.path(),
        &[
            "play",
            "--port",
            "0",
            "--bind",
            "0.0.0.0",
            "--dataset",
            "mine.csv",
        ],
    );
    let mut printed = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut printed)
        .unwrap();
    let address = printed.split("http://0.0.0.0:").nth(1).expect(&printed);
    let port = address.split('/').next().unwrap();
    let mut http = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    let request = "GET /api/choices HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    http.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    http.read_to_string(&mut answer).unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    let mut warned = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut warned)
        .unwrap();
    assert!(answer.contains("\"named\":\"mine.csv\""), "{answer}");
    assert!(
        warned.contains("warning: --bind 0.0.0.0: anyone who can reach"),
        "{warned}"
    );
}
