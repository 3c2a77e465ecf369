//! `marquee build --engine ballista://HOST:PORT` (the `ballista` feature): an
//! in-process scheduler and two executors on 127.0.0.1, each on a runtime of its own
//! so that one can be stopped dead, build the bundled sample through `marquee build`.
//! The output must be the local build's, byte for byte; an executor lost mid-build
//! must end in that same output or in a clean error that leaves the previous output
//! as it was.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use marquee::foundation::engine::ballista::{self as nodes, ExecutorOptions, SchedulerOptions};
use marquee::foundation::scratch::ScratchDir;

// Each test binary uses its own part of the shared helpers.
#[allow(dead_code)]
mod common;

/// A cluster node: a thread with a runtime of its own, so stopping it ends every task
/// the node started (its servers, its poll loop) as a killed process would end them.
struct Node {
    kill: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Node {
    fn start<F>(name: &str, run: impl FnOnce() -> F + Send + 'static) -> Node
    where
        F: Future<Output = anyhow::Result<()>>,
    {
        let (kill, killed) = tokio::sync::oneshot::channel::<()>();
        let name = name.to_string();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
            runtime.block_on(async {
                tokio::select! {
                    result = run() => if let Err(e) = result { eprintln!("{name} stopped: {e:#}") },
                    _ = killed => {}
                }
            });
            runtime.shutdown_background();
        });
        Node { kill: Some(kill), thread: Some(thread) }
    }

    /// Stops the node at once, without telling the scheduler.
    fn kill(&mut self) {
        if let Some(kill) = self.kill.take() {
            let _ = kill.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A scheduler and two executors on 127.0.0.1, on ports the system picked free.
struct Cluster {
    scheduler: SocketAddr,
    executors: Vec<Node>,
    // Dropped last: executors go before their scheduler.
    _scheduler: Node,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Cluster {
    fn start(work: &Path) -> Cluster {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let scheduler = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        // A lost executor is given up on after 3 s, so its tasks run again in time.
        let opts = SchedulerOptions { external_host: "127.0.0.1".into(), executor_timeout_s: 3 };
        let scheduler_node =
            Node::start("scheduler", move || async move { nodes::run_scheduler(tokio::net::TcpListener::from_std(listener)?, opts).await });
        let executors = (0..2)
            .map(|i| {
                let opts = ExecutorOptions {
                    scheduler: scheduler.to_string(),
                    bind: SocketAddr::from(([127, 0, 0, 1], free_port())),
                    external_host: "127.0.0.1".into(),
                    concurrency: 2,
                    work_dir: Some(work.join(format!("executor-{i}"))),
                };
                std::fs::create_dir_all(opts.work_dir.as_ref().unwrap()).unwrap();
                Node::start(&format!("executor-{i}"), move || nodes::run_executor(opts))
            })
            .collect();
        Cluster { scheduler, executors, _scheduler: scheduler_node }
    }

    fn engine(&self) -> String {
        format!("ballista://{}", self.scheduler)
    }
}

fn marquee_build(out: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_marquee"));
    command.args(["build", "--wait-for-cleanup", "--data"]).arg(common::sample()).arg("--out").arg(out).args(extra);
    command
}

fn run(mut command: Command) -> Output {
    command.output().expect("run marquee build")
}

fn local_build(dir: &Path) -> PathBuf {
    let out = dir.join("local");
    let output = run(marquee_build(&out, &[]));
    assert!(output.status.success(), "local build: {}", String::from_utf8_lossy(&output.stderr));
    out
}

/// The clean tables, rejects.csv and manifest.json first (what the cluster made),
/// then every other file of the two outputs.
fn assert_same_output(cluster_out: &Path, local_out: &Path) {
    let tables: Vec<PathBuf> = std::fs::read_dir(local_out.join("data")).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(tables.len() >= 5, "the local build has its clean tables: {tables:?}");
    for table in &tables {
        let rel = table.strip_prefix(local_out).unwrap();
        assert!(std::fs::read(cluster_out.join(rel)).unwrap() == std::fs::read(table).unwrap(), "{} differs", rel.display());
    }
    for file in ["rejects.csv", "manifest.json"] {
        assert_eq!(
            std::fs::read_to_string(cluster_out.join(file)).unwrap(),
            std::fs::read_to_string(local_out.join(file)).unwrap(),
            "{file} differs"
        );
    }
    common::assert_same_trees(cluster_out, local_out);
}

#[test]
fn a_cluster_build_is_the_local_build_byte_for_byte() {
    let dir = ScratchDir::new("ballista", "same");
    let local = local_build(&dir);
    let cluster = Cluster::start(&dir);
    let scratch = dir.join("scratch");
    let out = dir.join("cluster");
    let output = run(marquee_build(&out, &["--engine", &cluster.engine(), "--scratch", scratch.to_str().unwrap()]));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cluster build: {stderr}");
    assert_same_output(&out, &local);
    assert!(scratch.is_dir(), "the scratch directory was used");
    assert_eq!(std::fs::read_dir(&scratch).unwrap().count(), 0, "the build's scratch files are removed when it ends");
}

/// Files under `dir` (recursively), for watching the build's scratch directory fill.
fn files_under(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries.flatten().map(|e| if e.path().is_dir() { files_under(&e.path()) } else { 1 }).sum()
}

#[test]
fn losing_an_executor_mid_build_retries_or_fails_cleanly() {
    let dir = ScratchDir::new("ballista", "kill");
    let local = local_build(&dir);
    // The previous output: a finished build of the same data.
    let out = dir.join("published");
    let first = run(marquee_build(&out, &[]));
    assert!(first.status.success(), "first build: {}", String::from_utf8_lossy(&first.stderr));
    let before = common::tree(&out);
    // Another build's cache would let this one reuse the data stages: a new output dir
    // with the same previous tree, minus the cache, makes the ETL run on the cluster.
    let _ = std::fs::remove_dir_all(dir.join("published.cache"));

    let mut cluster = Cluster::start(&dir);
    let scratch = dir.join("scratch");
    let mut child = marquee_build(&out, &["--engine", &cluster.engine(), "--scratch", scratch.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Mid-ETL: some tables have gone to the cluster already.
    let started = Instant::now();
    while files_under(&scratch) < 3 {
        assert!(child.try_wait().unwrap().is_none(), "the build ended before the executor could be stopped");
        assert!(started.elapsed() < Duration::from_secs(120), "the build never reached the cluster");
        std::thread::sleep(Duration::from_millis(20));
    }
    cluster.executors[0].kill();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
    if output.status.success() {
        assert_same_output(&out, &local);
    } else {
        assert_eq!(output.status.code(), Some(2), "a clean error: {stderr}");
        assert!(stderr.contains("marquee: error:"), "{stderr}");
        assert!(common::tree(&out) == before, "the previous output is untouched");
    }
    eprintln!("after losing an executor the build {}", if output.status.success() { "succeeded" } else { "failed cleanly" });
}

#[test]
fn scheduler_addresses_are_host_and_port() {
    assert_eq!(nodes::host_and_port("10.0.0.5:50050").unwrap(), ("10.0.0.5".to_string(), 50050));
    assert_eq!(nodes::host_and_port("sched.local:1").unwrap(), ("sched.local".to_string(), 1));
    for bad in ["", "host", ":50050", "host:", "host:99999", "host:port"] {
        assert!(nodes::host_and_port(bad).is_err(), "{bad}");
    }
}
