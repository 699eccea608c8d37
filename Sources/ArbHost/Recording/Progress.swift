import Foundation

/// A progress line for long record, replay, export and import runs: done, rate and
/// ETA, at most once a second; redrawn in place on a terminal. Written where the
/// program says (`StatusOutput`); nil shows nothing.
public final class Progress {
    let label: String
    let total: Double?
    let unit: String
    private let start = MonotonicClock.nanoseconds()
    private var last: UInt64 = 0
    private let output: StatusOutput?

    public init(_ label: String, total: Double?, unit: String, output: StatusOutput?) {
        self.label = label; self.total = total; self.unit = unit; self.output = output
    }

    /// `done` in the units of `total`; `items` counts events or rows for the rate.
    public func update(done: Double, items: Int) {
        guard let output else { return }
        let now = MonotonicClock.nanoseconds()
        guard now - last >= 1_000_000_000 else { return }
        last = now
        let elapsed = Double(now - start) / 1e9
        var text = String(format: "%@: %d %@, %.0f/s", label, items, unit, Double(items) / max(elapsed, 1e-9))
        if let total, total > 0, done > 0 {
            let fraction = min(1, done / total)
            text += String(format: ", %.0f%%, ETA %.0f s", fraction * 100, elapsed * (1 - fraction) / fraction)
        }
        output.write(output.isTerminal ? "\r\u{1B}[K" + text : text + "\n")
    }

    public func finish() {
        if let output, output.isTerminal, last > 0 { output.write("\r\u{1B}[K") }
    }
}
