import CoreMetrics

/// A feed's figures through swift-metrics, for whatever backend the process bootstrapped
/// (none: swift-metrics' no-op). Published from the connector's housekeeping every
/// 250 ms as the change since the last publication, so a message costs nothing extra.
/// Every metric carries the dimension `exchange`.
///
/// Counters: `arbor_feed_messages_total`, `arbor_feed_malformed_total`,
/// `arbor_feed_gaps_total`, `arbor_feed_resyncs_total`, `arbor_feed_reconnects_total`,
/// `arbor_feed_connect_failures_total`, `arbor_feed_snapshot_requests_total`,
/// `arbor_feed_snapshot_refusals_total`, `arbor_feed_queue_overflows_total`,
/// `arbor_feed_stale_markers_total`. Gauges: `arbor_feed_connections_up`,
/// `arbor_feed_stale_books`.
final class FeedMetrics {
    struct Figures: Equatable {
        var messages = 0, malformed = 0, gaps = 0, resyncs = 0, reconnects = 0, connectFailures = 0
        var snapshotRequests = 0, snapshotRefusals = 0, queueOverflows = 0, staleMarkers = 0
        init() {}
        init(_ r: FeedReport) {
            messages = r.counters.messages; malformed = r.counters.malformed; gaps = r.counters.gaps; resyncs = r.counters.resyncs
            reconnects = r.reconnects; connectFailures = r.connectFailures; snapshotRequests = r.snapshotRequests
            snapshotRefusals = r.snapshotRefusals; queueOverflows = r.queueOverflows; staleMarkers = r.staleMarkers
        }
    }

    let counters: [(KeyPath<Figures, Int>, Counter)]
    let connectionsUp: Gauge
    let staleBooks: Gauge
    var published = Figures()

    init(exchange: String, factory: any MetricsFactory) {
        let dimensions = [("exchange", exchange)]
        func counter(_ name: String) -> Counter { Counter(label: "arbor_feed_\(name)_total", dimensions: dimensions, factory: factory) }
        counters = [
            (\.messages, counter("messages")), (\.malformed, counter("malformed")), (\.gaps, counter("gaps")),
            (\.resyncs, counter("resyncs")), (\.reconnects, counter("reconnects")), (\.connectFailures, counter("connect_failures")),
            (\.snapshotRequests, counter("snapshot_requests")), (\.snapshotRefusals, counter("snapshot_refusals")),
            (\.queueOverflows, counter("queue_overflows")), (\.staleMarkers, counter("stale_markers")),
        ]
        connectionsUp = Gauge(label: "arbor_feed_connections_up", dimensions: dimensions, factory: factory)
        staleBooks = Gauge(label: "arbor_feed_stale_books", dimensions: dimensions, factory: factory)
    }

    /// Adds what grew since the last call; sets the gauges.
    func publish(_ report: FeedReport) {
        let now = Figures(report)
        if now != published {
            for (path, counter) in counters where now[keyPath: path] > published[keyPath: path] {
                counter.increment(by: Int64(now[keyPath: path] - published[keyPath: path]))
            }
            published = now
        }
        connectionsUp.record(report.connected)
        staleBooks.record(report.staleNow)
    }
}
