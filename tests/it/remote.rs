//! Training on another machine: a `stepwise serve` on the loopback interface, and clients of it.
//! Only with the `remote` feature (CI's all-backends build has it).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Output};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use stepwise::ArtifactDir;
use tempfile::tempdir;

use crate::spawn;

const TOKEN: &str = "correct horse battery staple";

/// A server started by `stepwise serve`, killed when dropped; its log lines (stdout) arrive on
/// `log`.
struct Server {
    child: Child,
    log: Receiver<String>,
    seen: Vec<String>,
    /// What clients pass to --remote.
    address: String,
}

impl Server {
    /// `stepwise serve --device flex ARGS` with the token in `dir/token`, once it listens.
    fn start(dir: &Path, args: &[&str]) -> Server {
        std::fs::write(dir.join("token"), format!("{TOKEN}\n")).unwrap();
        let mut command = vec!["serve", "--device", "flex", "--token-file", "token"];
        command.extend(args);
        let mut child = spawn(dir, &command);
        let (send, log) = channel();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let mut server = Server {
            child,
            log,
            seen: Vec::new(),
            address: String::new(),
        };
        let line = server.wait_for("connect with: --device remote --remote ");
        server.address = line.rsplit(' ').next().unwrap().to_string();
        server
    }

    /// A websocket server on a free port of 127.0.0.1.
    fn websocket(dir: &Path) -> Server {
        Server::start(dir, &["--transport", "websocket", "--port", "0"])
    }

    /// The first log line (from now on) that contains `text`.
    fn wait_for(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.log.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(line) => self.seen.push(line),
                Err(_) => break,
            }
        }
        panic!(
            "the server never logged `{text}`; it logged {:?}",
            self.seen
        );
    }

    /// The client arguments that reach this server with `token_file`.
    fn client(&self, token_file: &str) -> Vec<String> {
        let args = [
            "--device",
            "remote",
            "--remote",
            &self.address,
            "--token-file",
            token_file,
        ];
        args.map(String::from).to_vec()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `stepwise ARGS EXTRA` in `dir` to the end.
fn run(dir: &Path, args: &str, extra: &[String]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_stepwise"));
    command.args(args.split(' ')).args(extra).current_dir(dir);
    command
        .env("XDG_RUNTIME_DIR", dir)
        .env_remove("STEPWISE_REMOTE_TOKEN");
    command.output().expect("the stepwise binary starts")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every number of a metrics.csv, row by row.
fn metrics(folder: &Path) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(folder.join("metrics.csv")).unwrap();
    let numbers = |line: &str| {
        line.split(',')
            .filter_map(|cell| cell.parse().ok())
            .collect()
    };
    text.lines().skip(1).map(numbers).collect()
}

/// The largest difference between two runs' metrics, which must have the same shape.
fn largest_difference(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    assert_eq!(a.len(), b.len(), "epochs");
    let pairs = a.iter().zip(b).flat_map(|(a, b)| {
        assert_eq!(a.len(), b.len(), "columns");
        a.iter().zip(b).map(|(a, b)| (a - b).abs())
    });
    pairs.fold(0.0, f64::max)
}

#[test]
fn xor_and_iris_trained_through_a_loopback_server_equal_training_on_the_servers_backend() {
    let dir = tempdir().unwrap();
    let mut server = Server::websocket(dir.path());
    // xor's network is tanh + sigmoid: stepwise's own tanh runs on the server as a custom op.
    for dataset in ["xor", "iris"] {
        let common = format!("train --dataset {dataset} --epochs 30 --quiet --out");
        let local = run(
            dir.path(),
            &format!("{common} {dataset}-local --device flex"),
            &[],
        );
        assert!(local.status.success(), "{}", stderr(&local));
        let remote = run(
            dir.path(),
            &format!("{common} {dataset}-remote"),
            &server.client("token"),
        );
        assert!(remote.status.success(), "{}", stderr(&remote));
        let difference = largest_difference(
            &metrics(&dir.path().join(format!("{dataset}-local"))),
            &metrics(&dir.path().join(format!("{dataset}-remote"))),
        );
        assert!(
            difference <= 1e-5,
            "{dataset}: remote and local differ by {difference}"
        );
        server.wait_for("opened device 0");
    }
}

#[test]
fn devices_names_the_servers_backend() {
    let dir = tempdir().unwrap();
    let server = Server::websocket(dir.path());
    let mut args = server.client("token");
    args.drain(..2); // `devices` takes --remote and the token, not --device
    let output = run(dir.path(), "devices", &args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", stderr(&output));
    let line = format!(
        "remote   flex: CPU (burn-flex, pure Rust), served at {}",
        server.address
    );
    assert!(stdout.contains(&line), "{stdout}");
    assert!(stdout.contains("auto     -> remote"), "{stdout}");
}

#[test]
fn a_wrong_token_is_refused_and_the_server_logs_the_refusal() {
    let dir = tempdir().unwrap();
    let mut server = Server::websocket(dir.path());
    std::fs::write(dir.path().join("wrong"), "not the token\n").unwrap();
    let output = run(
        dir.path(),
        "train --dataset xor --out never",
        &server.client("wrong"),
    );
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("the server refused the token"),
        "{message}"
    );
    assert!(!message.contains("panicked"), "{message}");
    assert!(!dir.path().join("never").exists());
    server.wait_for("presented the wrong token");
}

#[test]
fn a_server_without_a_token_or_a_client_without_a_server_is_refused_with_advice() {
    let dir = tempdir().unwrap();
    let output = run(dir.path(), "serve --transport websocket", &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("no token"), "{}", stderr(&output));

    std::fs::write(dir.path().join("token"), TOKEN).unwrap();
    let nobody = ["--remote", "ws://127.0.0.1:9", "--token-file", "token"].map(String::from);
    let output = run(dir.path(), "train --dataset xor --out never", &nobody);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("cannot use the server at ws://127.0.0.1:9"),
        "{message}"
    );
    assert!(
        message.contains("is `stepwise serve` running there"),
        "{message}"
    );

    let output = run(dir.path(), "train --device remote --out never", &[]);
    assert!(stderr(&output).contains("--device remote needs --remote ADDRESS"));
}

#[test]
fn a_peer_that_accepts_and_never_answers_is_given_up_with_a_message() {
    let dir = tempdir().unwrap();
    std::fs::write(dir.path().join("token"), TOKEN).unwrap();
    // Accepts every connection, then says nothing.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("ws://{}", silent.local_addr().unwrap());
    std::thread::spawn(move || {
        let held: Vec<_> = silent.incoming().take(4).collect();
        std::thread::sleep(std::time::Duration::from_secs(60));
        drop(held);
    });
    let started = std::time::Instant::now();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_stepwise"));
    command
        .args(["devices", "--remote", &address, "--token-file", "token"])
        .current_dir(dir.path())
        .env("XDG_RUNTIME_DIR", dir.path())
        .env("STEPWISE_REMOTE_TIMEOUT", "2");
    let output = command.output().unwrap();
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    let message = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
    assert!(message.contains("did not answer within 2 s"), "{message}");
}

/// Starts a remote run of seconds that checkpoints every epoch; returns once a checkpoint exists.
fn long_run(dir: &Path, server: &Server, out: &str) -> Child {
    let mut args: Vec<String> = ["train", "--dataset", "iris", "--epochs", "300"]
        .into_iter()
        .chain(["--checkpoint-every", "1", "--log-every", "1", "--out", out])
        .map(String::from)
        .collect();
    args.extend(server.client("token"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let child = spawn(dir, &args);
    let checkpoint = ArtifactDir::new(dir.join(out)).checkpoint();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !checkpoint.is_dir() {
        assert!(Instant::now() < deadline, "no checkpoint after 2 minutes");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

#[test]
fn a_client_killed_mid_run_frees_its_session_and_the_server_serves_the_next_client() {
    let dir = tempdir().unwrap();
    let mut server = Server::websocket(dir.path());
    let mut first = long_run(dir.path(), &server, "first");
    first.kill().unwrap();
    first.wait().unwrap();
    server.wait_for("opened device 0");
    server.wait_for("session: closed, its tensors freed (0 still open)");

    let second = run(
        dir.path(),
        "train --dataset xor --epochs 5 --quiet --out second",
        &server.client("token"),
    );
    assert!(second.status.success(), "{}", stderr(&second));
    server.wait_for("opened device 0");
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server is still up"
    );
}

#[test]
fn a_server_killed_mid_run_stops_the_client_with_a_message_and_the_checkpoint_resumes() {
    let dir = tempdir().unwrap();
    let server = Server::websocket(dir.path());
    let client = long_run(dir.path(), &server, "cut");
    drop(server); // SIGKILL: the server vanishes mid-step
    let output = client.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("the remote server"), "{message}");
    assert!(!message.contains("panicked"), "{message}");

    // The last checkpoint is whole: the run goes on here, on the CPU.
    let resumed = run(dir.path(), "train --resume cut --device flex --quiet", &[]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
}

#[test]
fn iroh_dialed_directly_trains_as_locally_and_sigterm_stops_the_server_cleanly() {
    let dir = tempdir().unwrap();
    // A free UDP port, for iroh without relays (nothing else would tell the client where).
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let port = port.to_string();
    let listen = [
        "--transport",
        "iroh",
        "--no-relay",
        "--identity",
        "key",
        "--port",
        &port,
    ];
    let mut server = Server::start(dir.path(), &listen);
    assert!(
        server.address.ends_with(&format!("@127.0.0.1:{port}")),
        "{}",
        server.address
    );
    let common = "train --dataset xor --epochs 20 --quiet --out";
    let local = run(dir.path(), &format!("{common} local --device flex"), &[]);
    let remote = run(
        dir.path(),
        &format!("{common} remote"),
        &server.client("token"),
    );
    assert!(
        local.status.success() && remote.status.success(),
        "{}",
        stderr(&remote)
    );
    let difference = largest_difference(
        &metrics(&dir.path().join("local")),
        &metrics(&dir.path().join("remote")),
    );
    assert!(
        difference <= 1e-5,
        "remote and local differ by {difference}"
    );
    server.wait_for("Iroh client");

    let status = std::process::Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    server.wait_for("stopped: every session is closed");
    assert!(server.child.wait().unwrap().success());
}
