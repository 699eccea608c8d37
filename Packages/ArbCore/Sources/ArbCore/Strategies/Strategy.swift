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
    public func onTimer(_ token: UInt64, _ context: StrategyContext) {}
}

/// What a strategy reports at the end of a run, for the summary.
public struct StrategyReport: Sendable, Hashable {
    public var name: String
    /// Free-form counters the strategy keeps (sorted by key in the summary).
    public var counters: [String: Int64]
    /// Positions the strategy could not close: base asset code → signed quantity per venue.
    public var openExposure: [ExposureLine]
    public var notes: [String]

    public init(name: String, counters: [String: Int64] = [:], openExposure: [ExposureLine] = [], notes: [String] = []) {
        self.name = name; self.counters = counters; self.openExposure = openExposure; self.notes = notes
    }
}

public struct ExposureLine: Sendable, Hashable {
    public var venue: String
    public var asset: String
    /// Signed base quantity (an `Amount`: a net over a long run can pass Int64 at 1e-9).
    public var quantity: Amount
    public init(venue: String, asset: String, quantity: Amount) { self.venue = venue; self.asset = asset; self.quantity = quantity }
}
