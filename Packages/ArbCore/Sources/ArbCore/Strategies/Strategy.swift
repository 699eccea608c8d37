/// A trading strategy. Called synchronously on the kernel's thread; it reads the
/// market through its context and acts only through it.
public protocol Strategy: AnyObject {
    /// The plugin id, e.g. `cross-spread`.
    var name: String { get }
    /// Called once before the first event: look up instruments, subscribe, register routes.
    func start(_ context: StrategyContext) throws
    /// A book the strategy subscribed to changed (once per feed message).
    func onBook(_ instrument: InstrumentId, _ context: StrategyContext)
    /// A report on one of its own orders.
    func onReport(_ report: ExecutionReport, order: Order, _ context: StrategyContext)
    /// A timer it scheduled fired.
    func onTimer(_ token: UInt64, _ context: StrategyContext)
    /// The run is ending: say what is left open. Orders may still be cancelled here.
    func stop(_ context: StrategyContext) -> StrategyReport
}

extension Strategy {
    /// Does nothing: a strategy that schedules no timer need not implement `onTimer`.
    public func onTimer(_ token: UInt64, _ context: StrategyContext) {}
}

/// What a strategy reports at the end of a run, for the summary.
public struct StrategyReport: Sendable, Hashable {
    /// The strategy's plugin id.
    public var name: String
    /// Counters the strategy keeps, by name (sorted by name in the summary): counts,
    /// exact decimals or durations.
    public var counters: [String: StrategyCounter]
    /// Positions the strategy could not close: base asset code → signed quantity per venue.
    public var openExposure: [ExposureLine]
    /// Free text for the summary: what happened that counters do not say.
    public var notes: [String]

    /// A report; `openExposure` must say what the strategy leaves unhedged (the conformance check holds it to that).
    public init(name: String, counters: [String: StrategyCounter] = [:], openExposure: [ExposureLine] = [], notes: [String] = []) {
        self.name = name; self.counters = counters; self.openExposure = openExposure; self.notes = notes
    }
}

/// A position the strategy leaves open at its stop.
public struct ExposureLine: Sendable, Hashable {
    /// The venue (or venues, `upbit+binance`) it sits on.
    public var venue: String
    /// The base asset's code.
    public var asset: String
    /// Signed base quantity (an `Amount`: a net over a long run can pass Int64 at 1e-9).
    public var quantity: Amount
    /// A signed open quantity of `asset` on `venue`.
    public init(venue: String, asset: String, quantity: Amount) { self.venue = venue; self.asset = asset; self.quantity = quantity }
}

/// One value a strategy reports: a count, an exact decimal (an amount, a ratio, a
/// price) or a duration. Integer literals are counts: `["attempts": 3]`.
public enum StrategyCounter: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    case count(Int64)
    /// Any exact decimal, held at the decimal types' scale (9 places).
    case decimal(Amount)
    case duration(Duration)

    public init(integerLiteral value: Int64) { self = .count(value) }
    /// A ratio as a decimal counter.
    public static func decimal(_ ratio: Ratio) -> StrategyCounter { .decimal(Amount(raw: Int128(ratio.raw))) }
    /// A price as a decimal counter.
    public static func decimal(_ price: Price) -> StrategyCounter { .decimal(Amount(raw: Int128(price.raw))) }
    /// A quantity as a decimal counter.
    public static func decimal(_ quantity: Quantity) -> StrategyCounter { .decimal(Amount(raw: Int128(quantity.raw))) }

    /// The count, if it is one.
    public var integer: Int64? { if case .count(let n) = self { return n } else { return nil } }

    /// Counts as numbers, decimals as `"1.25"`, durations as seconds `"1.5s"`.
    public var description: String {
        switch self {
        case .count(let n): return String(n)
        case .decimal(let d): return d.description
        case .duration(let d):
            let ns = d.nanosecondsInt64
            return FixedDecimal.format(raw: Int128(ns)) + "s"
        }
    }

    /// Within a kind by value; counts before decimals before durations.
    public static func < (a: StrategyCounter, b: StrategyCounter) -> Bool {
        switch (a, b) {
        case (.count(let x), .count(let y)): return x < y
        case (.decimal(let x), .decimal(let y)): return x < y
        case (.duration(let x), .duration(let y)): return x < y
        default: return a.rank < b.rank
        }
    }
    private var rank: Int {
        switch self { case .count: return 0; case .decimal: return 1; case .duration: return 2 }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .count(let n): try c.encode(n)
        default: try c.encode(description)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int64.self) { self = .count(n); return }
        let text = try c.decode(String.self)
        if text.hasSuffix("s"), let seconds = Amount(text.dropLast()), let ns = Int64(exactly: seconds.raw) {
            self = .duration(.nanoseconds(ns))
        } else if let value = Amount(text) {
            self = .decimal(value)
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not a count, a decimal or a duration such as \"1.5s\"")
        }
    }
}
