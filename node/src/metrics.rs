//! The node's metrics: one [`prometheus_client`] registry, rendered at
//! `GET /metrics` as OpenMetrics text.
//!
//! Every series the node keeps is registered in one [`Registry`] shared by
//! the HTTP layer, the store's flush callback and the peer protocol, which
//! adds libp2p's own swarm, bandwidth, gossipsub, identify, ping and
//! Kademlia series to it (see [`crate::p2p::metrics`]). The hot path stays
//! one relaxed atomic add per counter; labelled counters are
//! [`Family`]s whose label values all come from fixed sets (error codes,
//! route templates, status codes) and are capped besides.
//!
//! Gauges that mirror the store (objects by kind, pending objects, bytes on
//! disk) are not kept at all: [`Metrics::render`] reads them from the store
//! it is given, and a [`Collector`] writes that reading into the same
//! exposition, so they can never drift from the store.
//!
//! Counters are registered without their `_total` suffix, which the
//! encoder appends: the rendered sample names are the ones
//! `docs/OPERATING.md` has always documented.

use std::collections::HashSet;
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{
    DescriptorEncoder, EncodeLabelSet, EncodeLabelValue, EncodeMetric, LabelValueEncoder,
};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use crate::store::ObjectStore;

/// Upper bounds (seconds) of the flush-latency histogram buckets.
pub const FLUSH_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// The media type of [`Metrics::render`]'s text when the scraper asks for
/// OpenMetrics (Prometheus does).
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The media type for every other scraper (curl, older tools): the same
/// text, which the 0.0.4 parsers read too (`# UNIT` and `# EOF` are comments).
pub const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Most distinct label sets one labelled counter keeps; anything beyond
/// is folded into the value `"other"` (a guard, not expected to trigger).
const MAX_LABEL_VALUES: usize = 256;

/// What happened to one submitted object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

impl EncodeLabelValue for SubmissionResult {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> Result<(), std::fmt::Error> {
        EncodeLabelValue::encode(&self.as_str(), encoder)
    }
}

/// `{result}` of `baraza_submissions_total`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ResultLabel {
    result: SubmissionResult,
}

/// `{reason}` of `baraza_rejections_total` (and of the gossip rejections).
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub(crate) struct ReasonLabel {
    pub(crate) reason: &'static str,
}

/// `{route,status}` of `baraza_http_requests_total`; the route is stored
/// escaped (prometheus-client writes label values as they are).
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct HttpLabels {
    route: String,
    status: u16,
}

/// A counter family keyed by label sets from a fixed vocabulary, capped at
/// [`MAX_LABEL_VALUES`] sets so a bug cannot grow it without bound.
#[derive(Debug)]
pub(crate) struct BoundedFamily<S> {
    family: Family<S, Counter>,
    /// The label sets admitted so far (the family cannot say how many it has).
    admitted: Mutex<HashSet<S>>,
}

impl<S> BoundedFamily<S>
where
    S: Clone + Hash + Eq + EncodeLabelSet + Debug + Send + Sync + 'static,
{
    /// An empty family.
    pub(crate) fn new() -> BoundedFamily<S> {
        BoundedFamily {
            family: Family::default(),
            admitted: Mutex::new(HashSet::new()),
        }
    }

    /// The family, to register it.
    pub(crate) fn family(&self) -> Family<S, Counter> {
        self.family.clone()
    }

    /// Counts one under `key`, or under `other` once the family is full.
    pub(crate) fn add(&self, key: S, other: impl FnOnce() -> S) {
        let key = {
            let mut admitted = lock(&self.admitted);
            if admitted.contains(&key) {
                key
            } else {
                let key = if admitted.len() >= MAX_LABEL_VALUES {
                    other()
                } else {
                    key
                };
                admitted.insert(key.clone());
                key
            }
        };
        self.family.get_or_create(&key).inc();
    }

    #[cfg(test)]
    fn snapshot(&self) -> Vec<(S, u64)> {
        let admitted = lock(&self.admitted);
        admitted
            .iter()
            .map(|k| (k.clone(), self.family.get_or_create(k).get()))
            .collect()
    }
}

/// What the store said when the metrics were last asked for.
#[derive(Debug, Default)]
struct StoreReading {
    objects: Vec<(String, u64)>,
    pending: u64,
    log_entries: u64,
    /// `None` when the size could not be read (the gauge is then left out).
    bytes: Option<u64>,
}

impl StoreReading {
    fn of(store: &dyn ObjectStore) -> StoreReading {
        StoreReading {
            objects: store
                .counts()
                .into_iter()
                .map(|(kind, n)| (kind.to_string(), n))
                .collect(),
            pending: store.pending_len() as u64,
            log_entries: store.log_size(),
            bytes: store.size_on_disk().ok(),
        }
    }
}

/// The store's gauges, encoded from the reading [`Metrics::render`] just
/// took; outside a render the slot is empty and nothing is written.
#[derive(Debug, Clone, Default)]
struct StoreGauges {
    reading: Arc<Mutex<Option<StoreReading>>>,
}

impl Collector for StoreGauges {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let reading = lock(&self.reading);
        let Some(reading) = reading.as_ref() else {
            return Ok(());
        };
        {
            let mut family = encoder.encode_descriptor(
                "baraza_objects",
                "Stored objects by kind.",
                None,
                MetricType::Gauge,
            )?;
            for (kind, count) in &reading.objects {
                let labels = [("kind", kind.as_str())];
                ConstGauge::new(*count).encode(family.encode_family(&labels)?)?;
            }
        }
        let pending = ConstGauge::new(reading.pending);
        pending.encode(encoder.encode_descriptor(
            "baraza_pending_objects",
            "Objects waiting for referenced objects.",
            None,
            pending.metric_type(),
        )?)?;
        let log = ConstGauge::new(reading.log_entries);
        log.encode(encoder.encode_descriptor(
            "baraza_log_entries",
            "Entries in this node's transparency log (durable).",
            None,
            log.metric_type(),
        )?)?;
        if let Some(bytes) = reading.bytes {
            let bytes = ConstGauge::new(bytes);
            bytes.encode(encoder.encode_descriptor(
                "baraza_store_bytes",
                "Bytes the data directory uses on disk.",
                None,
                bytes.metric_type(),
            )?)?;
        }
        Ok(())
    }
}

/// The transparency log's series (PROTOCOL.md §14): the log's own size
/// is a store gauge (`baraza_log_entries`); these follow the node's
/// statements about it.
#[derive(Debug, Default)]
pub struct TlogMetrics {
    /// Checkpoints signed.
    checkpoints: Counter,
    /// Size of the latest checkpoint signed.
    checkpoint_size: prometheus_client::metrics::gauge::Gauge,
    /// When it was signed (Unix seconds): its age is `time() - this`.
    checkpoint_time: prometheus_client::metrics::gauge::Gauge,
    /// Receipts signed for submissions.
    receipts: Counter,
    /// Cosignatures this node's checkpoints received from witnesses.
    cosignatures_received: Counter,
    /// Cosignatures this node gave as a witness.
    cosignatures_given: Counter,
    /// Logs this node holds equivocation evidence against.
    equivocating: prometheus_client::metrics::gauge::Gauge,
}

impl TlogMetrics {
    fn register(&self, registry: &mut Registry) {
        registry.register(
            "baraza_log_checkpoints",
            "Checkpoints of the transparency log signed by this node",
            self.checkpoints.clone(),
        );
        registry.register(
            "baraza_log_checkpoint_size",
            "Entries in the latest checkpoint this node signed",
            self.checkpoint_size.clone(),
        );
        registry.register(
            "baraza_log_checkpoint_timestamp_seconds",
            "When this node signed its latest checkpoint (Unix time; age = time() - this)",
            self.checkpoint_time.clone(),
        );
        registry.register(
            "baraza_log_receipts",
            "Receipts signed for submitted objects",
            self.receipts.clone(),
        );
        registry.register(
            "baraza_log_cosignatures_received",
            "Witness cosignatures added to this node's checkpoints",
            self.cosignatures_received.clone(),
        );
        registry.register(
            "baraza_log_cosignatures_given",
            "Checkpoints of other nodes' logs this node cosigned as a witness",
            self.cosignatures_given.clone(),
        );
        registry.register(
            "baraza_log_equivocating_nodes",
            "Logs (nodes) this node holds checked equivocation evidence against",
            self.equivocating.clone(),
        );
    }

    /// `n` cosignatures were added to this node's checkpoints.
    pub fn cosignatures_received(&self, n: usize) {
        self.cosignatures_received.inc_by(n as u64);
    }

    /// This node cosigned a checkpoint as a witness.
    pub fn cosigned(&self) {
        self.cosignatures_given.inc();
    }

    /// This node holds evidence against `n` logs.
    pub fn set_equivocating(&self, n: usize) {
        self.equivocating.set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    /// A checkpoint of `size` entries was signed now.
    pub fn checkpointed(&self, size: u64) {
        self.checkpoints.inc();
        self.checkpoint_size
            .set(i64::try_from(size).unwrap_or(i64::MAX));
        let now = crate::store::now_ms() / 1000;
        self.checkpoint_time
            .set(i64::try_from(now).unwrap_or(i64::MAX));
    }

    /// At start: the latest checkpoint kept is of `size` entries (its
    /// signing time is not kept, so the timestamp gauge waits for the next).
    pub fn seed_checkpoint_size(&self, size: u64) {
        self.checkpoint_size
            .set(i64::try_from(size).unwrap_or(i64::MAX));
    }

    /// `n` receipts were signed.
    pub fn receipts_signed(&self, n: u64) {
        self.receipts.inc_by(n);
    }
}

/// Every metric the node keeps. Share it behind an `Arc`.
#[derive(Debug)]
pub struct Metrics {
    /// The one registry `/metrics` renders; the peer protocol adds to it.
    registry: Arc<Mutex<Registry>>,
    /// Submitted objects by outcome (every outcome present from the start).
    submissions: Family<ResultLabel, Counter>,
    /// Rejected submissions by error code.
    rejections: BoundedFamily<ReasonLabel>,
    /// Durability flushes of the store, in seconds.
    flush: Histogram,
    /// HTTP responses by route template and status.
    http: BoundedFamily<HttpLabels>,
    /// The store's gauges, filled during a render.
    store: StoreGauges,
    /// One render at a time: the store reading is per render.
    rendering: Mutex<()>,
    /// The peer protocol's counters and libp2p's metrics.
    pub p2p: Arc<crate::p2p::metrics::P2pMetrics>,
    /// The transparency log's.
    pub tlog: Arc<TlogMetrics>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Empty metrics, registered in a new registry.
    pub fn new() -> Metrics {
        let registry = Arc::new(Mutex::new(Registry::default()));
        let submissions = Family::<ResultLabel, Counter>::default();
        for result in SubmissionResult::ALL {
            let _ = submissions.get_or_create(&ResultLabel { result });
        }
        let rejections = BoundedFamily::new();
        let flush = Histogram::new(FLUSH_BUCKETS);
        let http = BoundedFamily::new();
        let store = StoreGauges::default();
        let tlog = Arc::new(TlogMetrics::default());
        {
            let mut r = lock(&registry);
            r.register_collector(Box::new(store.clone()));
            r.register(
                "baraza_submissions",
                "Submitted objects by outcome",
                submissions.clone(),
            );
            r.register(
                "baraza_rejections",
                "Rejected submissions by reason (error code)",
                rejections.family(),
            );
            r.register(
                "baraza_flush_seconds",
                "Duration of the store's durability flushes (group commits)",
                flush.clone(),
            );
            r.register(
                "baraza_http_requests",
                "HTTP responses by route template and status",
                http.family(),
            );
            tlog.register(&mut r);
        }
        let p2p = Arc::new(crate::p2p::metrics::P2pMetrics::in_registry(
            registry.clone(),
        ));
        Metrics {
            registry,
            submissions,
            rejections,
            flush,
            http,
            store,
            rendering: Mutex::new(()),
            p2p,
            tlog,
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

    /// Counts one submitted object's outcome.
    pub fn count_submission(&self, result: SubmissionResult) {
        self.submissions
            .get_or_create(&ResultLabel { result })
            .inc();
    }

    /// Counts one rejected submission: its outcome and its reason (a stable error code).
    pub fn count_rejection(&self, reason: &'static str) {
        self.count_submission(SubmissionResult::Rejected);
        self.rejections
            .add(ReasonLabel { reason }, || ReasonLabel { reason: "other" });
    }

    /// Submissions so far with this outcome.
    pub fn submissions(&self, result: SubmissionResult) -> u64 {
        self.submissions
            .get_or_create(&ResultLabel { result })
            .get()
    }

    /// Counts one HTTP response. `route` is the route template (e.g.
    /// `/v1/objects/{id}`), never the raw path, so labels stay bounded.
    pub fn count_http(&self, route: &str, status: u16) {
        self.http.add(
            HttpLabels {
                route: escape_label(route),
                status,
            },
            || HttpLabels {
                route: "other".to_owned(),
                status,
            },
        );
    }

    /// The OpenMetrics text of every metric, with the store's gauges read now.
    pub fn render(&self, store: &dyn ObjectStore) -> String {
        let _one_at_a_time = lock(&self.rendering);
        *lock(&self.store.reading) = Some(StoreReading::of(store));
        let mut out = String::with_capacity(16 * 1024);
        {
            let registry = lock(&self.registry);
            // Writing to a String cannot fail, and every encoder here is ours
            // or libp2p's: an error would leave a truncated text, not a panic.
            if let Err(error) = prometheus_client::encoding::text::encode(&mut out, &registry) {
                tracing::warn!(%error, "metrics could not be encoded");
            }
        }
        *lock(&self.store.reading) = None;
        out
    }
}

/// Locks `mutex`, recovering from poisoning (a counter is never half-updated).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
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

    fn encoded(registry: &Registry) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, registry).expect("encodes");
        out
    }

    #[test]
    fn histogram_buckets_are_cumulative() {
        let h = Histogram::new(FLUSH_BUCKETS);
        h.observe(0.0001);
        h.observe(0.003);
        h.observe(10.0);
        let mut registry = Registry::default();
        registry.register("x", "A histogram.", h);
        let out = encoded(&registry);
        assert!(out.contains("x_bucket{le=\"0.0005\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"0.005\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"2.5\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"+Inf\"} 3\n"), "{out}");
        assert!(out.contains("x_count 3\n"), "{out}");
    }

    #[test]
    fn labelled_counters_are_bounded() {
        let c: BoundedFamily<ReasonLabel> = BoundedFamily::new();
        let reasons: Vec<&'static str> = (0..MAX_LABEL_VALUES + 10)
            .map(|i| &*format!("v{i}").leak())
            .collect();
        for reason in reasons {
            c.add(ReasonLabel { reason }, || ReasonLabel { reason: "other" });
        }
        let snapshot = c.snapshot();
        assert_eq!(snapshot.len(), MAX_LABEL_VALUES + 1);
        assert!(snapshot.contains(&(ReasonLabel { reason: "other" }, 10)));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label("a\"b\\c\n"), "a\\\"b\\\\c\\n");
    }

    #[test]
    fn routes_are_rendered_escaped() {
        let metrics = Metrics::new();
        metrics.count_http("/a\"b", 200);
        let out = encoded(&lock(&metrics.registry));
        assert!(
            out.contains("baraza_http_requests_total{route=\"/a\\\"b\",status=\"200\"} 1\n"),
            "{out}"
        );
    }

    #[test]
    fn counters_keep_their_documented_names() {
        let metrics = Metrics::new();
        metrics.count_submission(SubmissionResult::Stored);
        metrics.count_rejection("bad_signature");
        metrics.observe_flush(0.003, 1);
        let out = encoded(&lock(&metrics.registry));
        for line in [
            "baraza_submissions_total{result=\"stored\"} 1",
            "baraza_submissions_total{result=\"held\"} 0",
            "baraza_submissions_total{result=\"rejected\"} 1",
            "baraza_rejections_total{reason=\"bad_signature\"} 1",
            "baraza_flush_seconds_bucket{le=\"0.005\"} 1",
            "baraza_flush_seconds_count 1",
            "baraza_p2p_peers 0",
            "baraza_sync_bytes_total{direction=\"in\"} 0",
            "baraza_sync_sessions_total{result=\"failed\"} 0",
            "baraza_gossip_messages_total{result=\"ignored\"} 0",
            "baraza_sync_requests_refused_total 0",
            "# EOF",
        ] {
            assert!(out.lines().any(|l| l == line), "missing {line:?} in\n{out}");
        }
        assert_eq!(metrics.submissions(SubmissionResult::Rejected), 1);
        // Outside a render the store's gauges are not written at all.
        assert!(!out.contains("baraza_objects"), "{out}");
    }
}
