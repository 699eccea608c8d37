import ArbCore
import CoreMetrics

/// The kernel's counters as metrics, published with the status line (about once a
/// second of wall time) as the change since the last time: `arbor_run_market_events_total`,
/// `arbor_run_opportunities_total`, `arbor_run_orders_sent_total`, `arbor_run_fills_total`,
/// `arbor_run_venue_rejections_total`, `arbor_run_pre_trade_rejections_total`.
final class RunMetrics {
    let counters: [(KeyPath<KernelCounters, Int>, Counter)]
    var published: [Int]

    init(factory: any MetricsFactory) {
        func counter(_ name: String) -> Counter { Counter(label: "arbor_run_\(name)_total", dimensions: [], factory: factory) }
        counters = [
            (\.marketEvents, counter("market_events")), (\.opportunities, counter("opportunities")),
            (\.ordersSent, counter("orders_sent")), (\.fills, counter("fills")),
            (\.venueRejections, counter("venue_rejections")), (\.preTradeRejections, counter("pre_trade_rejections")),
        ]
        published = Array(repeating: 0, count: counters.count)
    }

    func publish(_ c: KernelCounters) {
        for (k, (path, counter)) in counters.enumerated() where c[keyPath: path] > published[k] {
            counter.increment(by: Int64(c[keyPath: path] - published[k]))
            published[k] = c[keyPath: path]
        }
    }
}
