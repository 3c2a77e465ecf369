//! Per-stage wall time, CPU time and peak memory, for the summary and `make bench`.

use std::time::Instant;

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct StageTiming {
    pub stage: String,
    pub wall_s: f64,
    pub cpu_s: f64,
    /// Peak resident memory of the process at the end of the stage.
    pub peak_rss_mb: f64,
}

#[derive(Debug, Default)]
pub struct Stopwatch {
    pub stages: Vec<StageTiming>,
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
    /// Runs one stage and records what it cost.
    pub async fn time<T, F: std::future::Future<Output = T>>(&mut self, stage: &str, work: F) -> T {
        let started = Instant::now();
        let (cpu_before, _) = process_usage();
        let result = work.await;
        let (cpu_after, peak) = process_usage();
        self.stages.push(StageTiming {
            stage: stage.to_string(),
            wall_s: started.elapsed().as_secs_f64(),
            cpu_s: cpu_after - cpu_before,
            peak_rss_mb: peak,
        });
        result
    }

    /// A plain-text table of the stages and their total.
    pub fn table(&self) -> String {
        let mut out = format!("{:<12} {:>9} {:>9} {:>12}\n", "stage", "wall s", "cpu s", "peak MB");
        for s in &self.stages {
            out += &format!("{:<12} {:>9.3} {:>9.3} {:>12.1}\n", s.stage, s.wall_s, s.cpu_s, s.peak_rss_mb);
        }
        let wall: f64 = self.stages.iter().map(|s| s.wall_s).sum();
        let cpu: f64 = self.stages.iter().map(|s| s.cpu_s).sum();
        let peak = self.stages.iter().map(|s| s.peak_rss_mb).fold(0.0, f64::max);
        out += &format!("{:<12} {:>9.3} {:>9.3} {:>12.1}\n", "total", wall, cpu, peak);
        out
    }
}
