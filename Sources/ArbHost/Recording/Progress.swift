import Foundation

/// A progress line on stderr for long record, replay, export and import runs: done,
/// rate and ETA, at most once a second; redrawn in place on a terminal.
public final class Progress {
    let label: String
    let total: Double?
    let unit: String
    let enabled: Bool
    private let start = MonotonicClock.nanoseconds()
    private var last: UInt64 = 0
    private let terminal: Bool
    private let output: (String) -> Void

    public init(_ label: String, total: Double?, unit: String, enabled: Bool = true, terminal: Bool = isatty(2) != 0,
                output: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label; self.total = total; self.unit = unit; self.enabled = enabled
        self.terminal = terminal; self.output = output
    }

    /// `done` in the units of `total`; `items` counts events or rows for the rate.
    public func update(done: Double, items: Int) {
        guard enabled else { return }
        let now = MonotonicClock.nanoseconds()
        guard now - last >= 1_000_000_000 else { return }
        last = now
        let elapsed = Double(now - start) / 1e9
        var text = String(format: "%@: %d %@, %.0f/s", label, items, unit, Double(items) / max(elapsed, 1e-9))
        if let total, total > 0, done > 0 {
            let fraction = min(1, done / total)
            text += String(format: ", %.0f%%, ETA %.0f s", fraction * 100, elapsed * (1 - fraction) / fraction)
        }
        output(terminal ? "\r\u{1B}[K" + text : text + "\n")
    }

    public func finish() {
        if enabled && terminal && last > 0 { output("\r\u{1B}[K") }
    }
}
