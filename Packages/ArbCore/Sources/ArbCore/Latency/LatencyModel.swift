import Foundation

/// How long something takes on the wire: an order to reach a venue, a report to come
/// back, a feed message to reach the client. Each can be fixed, drawn from a seeded
/// lognormal fitted to a median and a 99th percentile, or replayed from measured values.
public enum LatencyModel: Sendable, Hashable, CustomStringConvertible {
    case fixed(Duration)
    /// Lognormal with the given median and 99th percentile (p99 ≥ p50 > 0).
    case lognormal(p50: Duration, p99: Duration)
    /// Measured latencies in nanoseconds, replayed in order and then again from the start.
    case samples([Int64])

    public static let zero = LatencyModel.fixed(.zero)

    /// Why the model cannot be used, or nil.
    public var problem: String? {
        switch self {
        case .fixed(let d):
            return d < .zero ? "a latency cannot be negative" : nil
        case .lognormal(let p50, let p99):
            if p50 <= .zero { return "p50 must be positive" }
            if p99 < p50 { return "p99 must not be below p50" }
            if p99 > .seconds(3_600) { return "p99 above one hour is not a latency" }
            return nil
        case .samples(let values):
            if values.isEmpty { return "the latency file holds no values" }
            if let negative = values.first(where: { $0 < 0 }) { return "a latency cannot be negative (got \(negative) ns)" }
            return nil
        }
    }

    public var description: String {
        switch self {
        case .fixed(let d): return "fixed \(Self.milliseconds(d)) ms"
        case .lognormal(let p50, let p99): return "lognormal p50 \(Self.milliseconds(p50)) ms p99 \(Self.milliseconds(p99)) ms"
        case .samples(let values): return "\(values.count) measured values"
        }
    }

    static func milliseconds(_ d: Duration) -> String {
        let ns = d.nanosecondsInt64
        return ns % 1_000_000 == 0 ? "\(ns / 1_000_000)" : String(Double(ns) / 1e6)
    }
}

/// Draws latencies from a model with its own seeded stream, so one venue's draws never
/// shift another's and a run repeats exactly.
public struct LatencySampler: Sendable {
    public let model: LatencyModel
    private var rng: SplitMix64
    private var cursor = 0
    /// Box–Muller makes normals in pairs: the second waits here.
    private var spareNormal: Double?
    // Lognormal parameters in log-nanoseconds.
    private let mu: Double
    private let sigma: Double
    private let fixedNs: Int64
    /// No draw exceeds this (one hour): a latency model is not a way to stop time.
    static let ceilingNs: Int64 = 3_600_000_000_000

    public init(_ model: LatencyModel, seed: UInt64) {
        self.model = model
        self.rng = SplitMix64(seed: seed)
        switch model {
        case .fixed(let d):
            fixedNs = max(0, d.nanosecondsInt64); mu = 0; sigma = 0
        case .lognormal(let p50, let p99):
            fixedNs = -1
            let median = Double(max(1, p50.nanosecondsInt64))
            let tail = Double(max(p50.nanosecondsInt64, p99.nanosecondsInt64))
            mu = log(median)
            // z(0.99) = 2.3263: p99 = exp(mu + 2.3263 sigma).
            sigma = (log(tail) - mu) / 2.326_347_874
        case .samples:
            fixedNs = -1; mu = 0; sigma = 0
        }
    }

    /// The next latency, in nanoseconds (never negative, at most one hour).
    @inline(__always)
    public mutating func nextNanoseconds() -> Int64 {
        if fixedNs >= 0 { return fixedNs }
        return drawSlow()
    }

    public mutating func next() -> Duration { .nanoseconds(nextNanoseconds()) }

    private mutating func drawSlow() -> Int64 {
        switch model {
        case .fixed: return fixedNs
        case .lognormal:
            let z: Double
            if let spare = spareNormal {
                z = spare
                spareNormal = nil
            } else {
                // Box–Muller from two uniforms in (0, 1]: two independent normals.
                let u1 = (Double(rng.next() >> 11) + 1) / 9_007_199_254_740_992
                let u2 = Double(rng.next() >> 11) / 9_007_199_254_740_992
                let r = (-2 * log(u1)).squareRoot(), angle = 2 * Double.pi * u2
                z = r * cos(angle)
                spareNormal = r * sin(angle)
            }
            let value = exp(mu + sigma * z)
            guard value.isFinite, value < Double(Self.ceilingNs) else { return Self.ceilingNs }
            return max(0, Int64(value.rounded()))
        case .samples(let values):
            let v = values[cursor]
            cursor = cursor + 1 == values.count ? 0 : cursor + 1
            return min(max(0, v), Self.ceilingNs)
        }
    }
}

/// The three latencies of one venue connection.
public struct VenueLatencyModels: Sendable, Hashable {
    /// Client → venue: an order or cancel reaching the matching engine.
    public var orderOutbound: LatencyModel
    /// Venue → client: an execution report reaching the client.
    public var orderInbound: LatencyModel
    /// Venue → client: a market-data message reaching the client.
    public var feed: LatencyModel

    public init(orderOutbound: LatencyModel, orderInbound: LatencyModel, feed: LatencyModel) {
        self.orderOutbound = orderOutbound; self.orderInbound = orderInbound; self.feed = feed
    }

    /// Fixed order latencies each way and no feed latency (unit tests).
    public static func fixed(outbound: Duration, inbound: Duration, feed: Duration = .zero) -> VenueLatencyModels {
        VenueLatencyModels(orderOutbound: .fixed(outbound), orderInbound: .fixed(inbound), feed: .fixed(feed))
    }

    public static let zero = VenueLatencyModels.fixed(outbound: .zero, inbound: .zero)
}

/// A file of measured latencies: one value in milliseconds per line (decimals allowed,
/// up to six places), blank lines and `#` comments ignored.
public enum LatencyFile {
    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Parses the text of a latency file into nanoseconds, checking every value.
    public static func parse(_ text: String) throws(ParseError) -> [Int64] {
        var values: [Int64] = []
        var lineNumber = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let ns = nanoseconds(fromMilliseconds: trimmed) else {
                throw ParseError(line: lineNumber, message: "'\(trimmed.prefix(40))' is not a latency in milliseconds (e.g. 12.5), between 0 and 3600000")
            }
            values.append(ns)
        }
        if values.isEmpty { throw ParseError(line: lineNumber, message: "no latency values; write one value in milliseconds per line") }
        return values
    }

    /// `"12.5"` → 12_500_000; nil for anything but a non-negative decimal of at most six
    /// places and at most one hour.
    public static func nanoseconds(fromMilliseconds text: String) -> Int64? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= 7, whole.allSatisfy(\.isASCIIDigit) else { return nil }
        var fraction = parts.count == 2 ? Substring(parts[1]) : ""
        guard fraction.count <= 6, fraction.allSatisfy(\.isASCIIDigit), parts.count == 1 || !fraction.isEmpty else { return nil }
        while fraction.count < 6 { fraction += "0" }
        // Six decimals of a millisecond are nanoseconds.
        guard let ms = Int64(whole), let fractionNs = Int64(fraction) else { return nil }
        let ns = ms * 1_000_000 + fractionNs  // whole ≤ 7 digits: no overflow
        return ns <= LatencySampler.ceilingNs ? ns : nil
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
