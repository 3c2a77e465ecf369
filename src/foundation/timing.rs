//! Per-stage wall time, CPU time and peak memory, for the summary and `make bench`.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct StageTiming {
    pub stage: String,
    pub wall_s: f64,
    pub cpu_s: f64,
    /// Peak resident memory of the process at the end of the stage.
    pub peak_rss_mb: f64,
    /// Taken from the previous build instead of made again.
    pub reused: bool,
}

#[derive(Debug, Default)]
pub struct Stopwatch {
    pub stages: Vec<StageTiming>,
    /// Print a line per finished stage when stderr is not a terminal.
    pub log_lines: bool,
}

/// User + system CPU seconds of this process so far, and its peak RSS in MB.
pub fn process_usage() -> (f64, f64) {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (secs(usage.ru_utime) + secs(usage.ru_stime), usage.ru_maxrss as f64 / 1024.0)
}

impl Stopwatch {
    /// Runs one stage and records what it cost. On a terminal a spinner shows the
    /// running stage; otherwise one plain line per finished stage goes to stderr.
    pub async fn time<T, F: std::future::Future<Output = T>>(&mut self, stage: &str, work: F) -> T {
        let started = Instant::now();
        let (cpu_before, _) = process_usage();
        let spinner = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("template"));
            bar.set_message(stage.to_string());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        let result = work.await;
        if tracing()
            && let Some(now) = resident_mb()
        {
            trace_note(&format!("{stage} ends holding {now:.0} MB"));
        }
        let (cpu_after, peak) = process_usage();
        let timing = StageTiming {
            stage: stage.to_string(),
            wall_s: started.elapsed().as_secs_f64(),
            cpu_s: cpu_after - cpu_before,
            peak_rss_mb: peak,
            reused: false,
        };
        let line = format!("{stage}: {:.3} s wall, {:.3} s cpu, peak {:.0} MB", timing.wall_s, timing.cpu_s, timing.peak_rss_mb);
        match spinner {
            Some(bar) => bar.finish_with_message(line),
            None if self.log_lines => eprintln!("{line}"),
            None => {}
        }
        self.stages.push(timing);
        result
    }

    /// Runs a stage that reuses the previous build's results (linking its files, say).
    pub async fn time_reused<T, F: std::future::Future<Output = T>>(&mut self, stage: &str, work: F) -> T {
        let result = self.time(stage, work).await;
        if let Some(last) = self.stages.last_mut() {
            last.reused = true;
        }
        result
    }

    /// Records stages taken whole from the previous build: no time of their own.
    pub fn mark_reused(&mut self, stages: &[&str]) {
        self.mark_taken(stages, "reused from the previous build");
    }

    /// Records stages whose results a partial run (`marquee build --until`) kept.
    pub fn mark_kept(&mut self, stages: &[&str]) {
        self.mark_taken(stages, "kept from the last `marquee build --until`");
    }

    fn mark_taken(&mut self, stages: &[&str], from: &str) {
        let (_, peak) = process_usage();
        for stage in stages {
            if self.log_lines && !std::io::stderr().is_terminal() {
                eprintln!("{stage}: {from}");
            }
            self.stages.push(StageTiming { stage: stage.to_string(), wall_s: 0.0, cpu_s: 0.0, peak_rss_mb: peak, reused: true });
        }
    }

    /// A plain-text table of the stages and their total.
    pub fn table(&self) -> String {
        let mut out = format!("{:<20} {:>9} {:>9} {:>12}\n", "stage", "wall s", "cpu s", "peak MB");
        for s in &self.stages {
            let reused = if s.reused { "  reused" } else { "" };
            out += &format!("{:<20} {:>9.3} {:>9.3} {:>12.1}{reused}\n", s.stage, s.wall_s, s.cpu_s, s.peak_rss_mb);
        }
        let wall: f64 = self.stages.iter().map(|s| s.wall_s).sum();
        let cpu: f64 = self.stages.iter().map(|s| s.cpu_s).sum();
        let peak = self.stages.iter().map(|s| s.peak_rss_mb).fold(0.0, f64::max);
        out += &format!("{:<20} {:>9.3} {:>9.3} {:>12.1}\n", "total", wall, cpu, peak);
        out
    }
}

/// With MARQUEE_TRACE set, prints how long each named step took (for profiling), the
/// process's peak memory so far and what it holds now: a step that leaves "now" high
/// passes memory on to the next, one that only raises the peak does not.
pub fn trace(step: &str, since: &mut Instant) {
    if tracing() {
        let now = resident_mb().map_or(String::new(), |mb| format!(", now {mb:.0} MB"));
        trace_note(&format!("{step}: {:.3} s (peak {:.0} MB{now})", since.elapsed().as_secs_f64(), process_usage().1));
    }
    *since = Instant::now();
}

/// The process's resident memory now, in MB (Linux only: `None` elsewhere).
pub fn resident_mb() -> Option<f64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: f64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf only reads a system setting.
    let page_size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * page_size as f64 / (1024.0 * 1024.0))
}

/// Whether MARQUEE_TRACE is set: the profiling lines are printed, and worth measuring.
fn tracing() -> bool {
    std::env::var_os("MARQUEE_TRACE").is_some()
}

/// With MARQUEE_TRACE set, prints one profiling line.
pub fn trace_note(text: &str) {
    if tracing() {
        eprintln!("  trace: {text}");
    }
}
