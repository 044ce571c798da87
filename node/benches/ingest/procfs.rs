//! What the kernel says about this process: resident memory and CPU time
//! per thread, from `/proc/self`. Linux only, like the targets.

use std::collections::BTreeMap;
use std::time::Duration;

/// `VmRSS` and `VmHWM` (peak RSS) of this process, in bytes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Memory {
    pub(crate) rss: u64,
    pub(crate) peak: u64,
}

pub(crate) fn memory() -> Memory {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    Memory {
        rss: field("VmRSS:"),
        peak: field("VmHWM:"),
    }
}

/// CPU time (user + system) of each live thread, summed by thread name
/// with trailing digits dropped (`sled-io-3` counts as `sled-io-`).
#[derive(Debug, Clone, Default)]
pub(crate) struct ThreadCpu(BTreeMap<String, Duration>);

/// Clock ticks per second for `/proc/*/stat` (USER_HZ; 100 on every
/// mainstream Linux architecture).
const TICKS_PER_SECOND: u64 = 100;

impl ThreadCpu {
    pub(crate) fn now() -> ThreadCpu {
        let mut by_name = BTreeMap::new();
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return ThreadCpu(by_name);
        };
        for task in tasks.flatten() {
            let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
                continue;
            };
            // "tid (comm) state ppid …": comm may hold spaces, so split at
            // the last ')'; utime and stime are fields 14 and 15.
            let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
                continue;
            };
            let name = stat[open + 1..close]
                .trim_end_matches(|c: char| c.is_ascii_digit())
                .to_owned();
            let fields: Vec<&str> = stat[close + 2..].split_whitespace().collect();
            let ticks: u64 = fields
                .get(11..13)
                .map(|f| f.iter().filter_map(|v| v.parse::<u64>().ok()).sum())
                .unwrap_or(0);
            *by_name.entry(name).or_insert(Duration::ZERO) +=
                Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND);
        }
        ThreadCpu(by_name)
    }

    /// CPU used by each thread group since `earlier` (threads that exited
    /// in between are not counted), largest first.
    pub(crate) fn since(&self, earlier: &ThreadCpu) -> Vec<(String, Duration)> {
        let mut out: Vec<(String, Duration)> = self
            .0
            .iter()
            .map(|(name, t)| {
                let before = earlier.0.get(name).copied().unwrap_or(Duration::ZERO);
                (name.clone(), t.saturating_sub(before))
            })
            .filter(|(_, t)| !t.is_zero())
            .collect();
        out.sort_by_key(|(_, t)| std::cmp::Reverse(*t));
        out
    }
}

/// Machine-wide CPU time from `/proc/stat`: busy (everything but idle
/// and iowait), and stolen by the hypervisor.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct MachineCpu {
    busy_ticks: u64,
    steal_ticks: u64,
}

impl MachineCpu {
    pub(crate) fn now() -> MachineCpu {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let fields: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or("")
            .split_whitespace()
            .skip(1)
            .filter_map(|v| v.parse().ok())
            .collect();
        let get = |i: usize| fields.get(i).copied().unwrap_or(0);
        // user nice system idle iowait irq softirq steal
        MachineCpu {
            busy_ticks: get(0) + get(1) + get(2) + get(5) + get(6),
            steal_ticks: get(7),
        }
    }

    /// "machine busy 1.93 cores (steal 0.02)" since `earlier`, over `wall`.
    pub(crate) fn describe_since(&self, earlier: &MachineCpu, wall: Duration) -> String {
        let cores =
            |ticks: u64| ticks as f64 / TICKS_PER_SECOND as f64 / wall.as_secs_f64().max(1e-9);
        format!(
            "machine busy {:.2} cores (steal {:.2})",
            cores(self.busy_ticks.saturating_sub(earlier.busy_ticks)),
            cores(self.steal_ticks.saturating_sub(earlier.steal_ticks))
        )
    }
}

/// "node-worker 1.62 cores, bench-client 0.21, …" over `wall`.
pub(crate) fn describe_cpu(used: &[(String, Duration)], wall: Duration) -> String {
    let wall = wall.as_secs_f64().max(1e-9);
    let total: f64 = used.iter().map(|(_, t)| t.as_secs_f64()).sum::<f64>() / wall;
    let parts: Vec<String> = used
        .iter()
        .take(6)
        .map(|(name, t)| format!("{name} {:.2}", t.as_secs_f64() / wall))
        .collect();
    format!("{total:.2} cores in all: {}", parts.join(", "))
}

pub(crate) fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
