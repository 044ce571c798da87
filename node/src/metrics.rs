//! The node's metrics, rendered as Prometheus text (exposition format 0.0.4).
//!
//! Hand-rolled on atomics rather than a metrics crate: the node exposes a
//! dozen series, and a registry of plain counters keeps the dependency tree
//! (and the hot path: one relaxed atomic add) small. Labelled counters whose
//! label sets are open-ended in principle (rejection reasons, HTTP routes)
//! live in small mutex-guarded maps; their labels all come from fixed sets
//! (error codes, route templates, status codes), so the maps stay bounded.
//!
//! Gauges that mirror the store (objects by kind, pending objects, bytes on
//! disk) are read from the store when the metrics are rendered, so they can
//! never drift from it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::store::ObjectStore;

/// Upper bounds (seconds) of the flush-latency histogram buckets.
pub const FLUSH_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Most distinct label values one labelled counter keeps; anything beyond
/// is folded into the value `"other"` (a guard, not expected to trigger).
const MAX_LABEL_VALUES: usize = 256;

/// What happened to one submitted object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmissionResult {
    /// Newly stored.
    Stored,
    /// Already stored before.
    Known,
    /// Waiting for referenced objects.
    Pending,
    /// Future-dated: held until its time comes.
    Held,
    /// Refused (invalid, over a limit, or the store could not take it).
    Rejected,
}

impl SubmissionResult {
    const ALL: [SubmissionResult; 5] = [
        SubmissionResult::Stored,
        SubmissionResult::Known,
        SubmissionResult::Pending,
        SubmissionResult::Held,
        SubmissionResult::Rejected,
    ];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionResult::Stored => "stored",
            SubmissionResult::Known => "known",
            SubmissionResult::Pending => "pending",
            SubmissionResult::Held => "held",
            SubmissionResult::Rejected => "rejected",
        }
    }
}

/// A histogram with fixed buckets, lock-free.
#[derive(Debug)]
pub struct Histogram {
    /// Upper bounds, ascending (the `+Inf` bucket is implicit).
    bounds: &'static [f64],
    /// Non-cumulative counts per bucket; the last one is `+Inf`.
    buckets: Vec<AtomicU64>,
    /// Sum of observed values, as `f64` bits (updated by compare-and-swap).
    sum_bits: AtomicU64,
    /// Number of observations.
    count: AtomicU64,
}

impl Histogram {
    /// A histogram with these bucket upper bounds (ascending).
    pub fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            buckets: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_bits: AtomicU64::new(0f64.to_bits()),
            count: AtomicU64::new(0),
        }
    }

    /// Records one value.
    pub fn observe(&self, value: f64) {
        let index = self
            .bounds
            .iter()
            .position(|b| value <= *b)
            .unwrap_or(self.bounds.len());
        self.buckets[index].fetch_add(1, Ordering::Relaxed);
        let _ = self
            .sum_bits
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                Some((f64::from_bits(bits) + value).to_bits())
            });
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Number of observations so far.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    fn render(&self, out: &mut String, name: &str) {
        let mut cumulative = 0;
        for (bound, bucket) in self.bounds.iter().zip(&self.buckets) {
            cumulative += bucket.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        if let Some(last) = self.buckets.last() {
            cumulative += last.load(Ordering::Relaxed);
        }
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {cumulative}");
        let sum = f64::from_bits(self.sum_bits.load(Ordering::Relaxed));
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {}", self.count());
    }
}

/// A counter family keyed by label values from a fixed vocabulary.
#[derive(Debug, Default)]
struct LabelledCounter<K: Ord> {
    values: Mutex<BTreeMap<K, u64>>,
}

impl<K: Ord + Clone> LabelledCounter<K> {
    fn add(&self, key: K, other: K) {
        let mut values = self.values.lock().unwrap_or_else(|p| p.into_inner());
        let key = if values.len() >= MAX_LABEL_VALUES && !values.contains_key(&key) {
            other
        } else {
            key
        };
        *values.entry(key).or_default() += 1;
    }

    fn snapshot(&self) -> Vec<(K, u64)> {
        let values = self.values.lock().unwrap_or_else(|p| p.into_inner());
        values.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }
}

/// Every metric the node keeps. Share it behind an `Arc`.
#[derive(Debug)]
pub struct Metrics {
    /// Submitted objects by outcome, indexed like [`SubmissionResult::ALL`].
    submissions: [AtomicU64; 5],
    /// Rejected submissions by error code.
    rejections: LabelledCounter<&'static str>,
    /// Durability flushes of the store, in seconds.
    flush: Histogram,
    /// HTTP responses by route template and status.
    http: LabelledCounter<(String, u16)>,
    /// The peer protocol's counters.
    pub p2p: Arc<crate::p2p::metrics::P2pMetrics>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Empty metrics.
    pub fn new() -> Metrics {
        Metrics {
            submissions: Default::default(),
            rejections: LabelledCounter::default(),
            flush: Histogram::new(&FLUSH_BUCKETS),
            http: LabelledCounter::default(),
            p2p: Arc::default(),
        }
    }

    /// A callback for [`crate::store::StoreOptions::on_flush`] that feeds
    /// the flush histogram.
    pub fn flush_observer(self: &Arc<Self>) -> Arc<dyn Fn(f64, usize) + Send + Sync> {
        let metrics = Arc::clone(self);
        Arc::new(move |seconds, waiters| metrics.observe_flush(seconds, waiters))
    }

    /// Records one store flush: its duration and how many writers it served.
    pub fn observe_flush(&self, seconds: f64, _waiters: usize) {
        self.flush.observe(seconds);
    }

    /// The flush-latency histogram.
    pub fn flush(&self) -> &Histogram {
        &self.flush
    }

    /// Counts one submitted object's outcome.
    pub fn count_submission(&self, result: SubmissionResult) {
        let index = SubmissionResult::ALL
            .iter()
            .position(|r| *r == result)
            .unwrap_or(0);
        self.submissions[index].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one rejected submission: its outcome and its reason (a stable error code).
    pub fn count_rejection(&self, reason: &'static str) {
        self.count_submission(SubmissionResult::Rejected);
        self.rejections.add(reason, "other");
    }

    /// Submissions so far with this outcome.
    pub fn submissions(&self, result: SubmissionResult) -> u64 {
        let index = SubmissionResult::ALL
            .iter()
            .position(|r| *r == result)
            .unwrap_or(0);
        self.submissions[index].load(Ordering::Relaxed)
    }

    /// Counts one HTTP response. `route` is the route template (e.g.
    /// `/v1/objects/{id}`), never the raw path, so labels stay bounded.
    pub fn count_http(&self, route: &str, status: u16) {
        self.http
            .add((route.to_owned(), status), ("other".to_owned(), status));
    }

    /// The Prometheus text of every metric, with the store's gauges read now.
    pub fn render(&self, store: &dyn ObjectStore) -> String {
        let mut out = String::with_capacity(4096);
        header(
            &mut out,
            "baraza_objects",
            "gauge",
            "Stored objects by kind.",
        );
        for (kind, count) in store.counts() {
            let _ = writeln!(out, "baraza_objects{{kind=\"{kind}\"}} {count}");
        }
        header(
            &mut out,
            "baraza_pending_objects",
            "gauge",
            "Objects waiting for referenced objects.",
        );
        let _ = writeln!(out, "baraza_pending_objects {}", store.pending_len());
        if let Ok(bytes) = store.size_on_disk() {
            header(
                &mut out,
                "baraza_store_bytes",
                "gauge",
                "Bytes the data directory uses on disk.",
            );
            let _ = writeln!(out, "baraza_store_bytes {bytes}");
        }
        header(
            &mut out,
            "baraza_submissions_total",
            "counter",
            "Submitted objects by outcome.",
        );
        for result in SubmissionResult::ALL {
            let _ = writeln!(
                out,
                "baraza_submissions_total{{result=\"{}\"}} {}",
                result.as_str(),
                self.submissions(result)
            );
        }
        header(
            &mut out,
            "baraza_rejections_total",
            "counter",
            "Rejected submissions by reason (error code).",
        );
        for (reason, count) in self.rejections.snapshot() {
            let _ = writeln!(
                out,
                "baraza_rejections_total{{reason=\"{reason}\"}} {count}"
            );
        }
        header(
            &mut out,
            "baraza_flush_seconds",
            "histogram",
            "Duration of the store's durability flushes (group commits).",
        );
        self.flush.render(&mut out, "baraza_flush_seconds");
        header(
            &mut out,
            "baraza_http_requests_total",
            "counter",
            "HTTP responses by route template and status.",
        );
        for ((route, status), count) in self.http.snapshot() {
            let _ = writeln!(
                out,
                "baraza_http_requests_total{{route=\"{}\",status=\"{status}\"}} {count}",
                escape_label(&route)
            );
        }
        self.p2p.render(&mut out);
        out
    }
}

pub(crate) fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Escapes a label value per the exposition format.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let h = Histogram::new(&FLUSH_BUCKETS);
        h.observe(0.0001);
        h.observe(0.003);
        h.observe(10.0);
        let mut out = String::new();
        h.render(&mut out, "x");
        assert!(out.contains("x_bucket{le=\"0.0005\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"0.005\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"2.5\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"+Inf\"} 3\n"), "{out}");
        assert!(out.contains("x_count 3\n"), "{out}");
    }

    #[test]
    fn labelled_counters_are_bounded() {
        let c: LabelledCounter<String> = LabelledCounter::default();
        for i in 0..MAX_LABEL_VALUES + 10 {
            c.add(format!("v{i}"), "other".into());
        }
        let snapshot = c.snapshot();
        assert_eq!(snapshot.len(), MAX_LABEL_VALUES + 1);
        assert!(snapshot.contains(&("other".to_owned(), 10)));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label("a\"b\\c\n"), "a\\\"b\\\\c\\n");
    }
}
