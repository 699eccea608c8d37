/// Dense integer ids used on the hot path instead of strings. They are assigned
/// once at wiring time, in manifest order, so a run is reproducible.

/// An exchange (venue) taking part in the run, e.g. Upbit = 0, Binance = 1.
public struct VenueId: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Dense from 0, in the order the universe added them.
    public let index: Int
    /// An id by index; the universe hands them out.
    @inlinable public init(_ index: Int) { self.index = index }
    @inlinable public static func < (a: VenueId, b: VenueId) -> Bool { a.index < b.index }
    public var description: String { "venue#\(index)" }
}

/// An asset (currency or coin) known to the run: KRW, USDT, BTC...
public struct AssetId: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Dense from 0, in the order the universe added them.
    public let index: Int
    /// An id by index; the universe hands them out.
    @inlinable public init(_ index: Int) { self.index = index }
    @inlinable public static func < (a: AssetId, b: AssetId) -> Bool { a.index < b.index }
    public var description: String { "asset#\(index)" }
}

/// One tradable instrument on one venue (Upbit KRW-BTC and Binance BTCUSDT are two).
public struct InstrumentId: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Dense from 0, in the order the universe added them.
    public let index: Int
    /// An id by index; the universe hands them out.
    @inlinable public init(_ index: Int) { self.index = index }
    @inlinable public static func < (a: InstrumentId, b: InstrumentId) -> Bool { a.index < b.index }
    public var description: String { "instrument#\(index)" }
}

/// A strategy instance within the run.
public struct StrategyId: Hashable, Sendable, CustomStringConvertible {
    /// Dense from 0, in the order the universe added them.
    public let index: Int
    /// An id by index; the universe hands them out.
    @inlinable public init(_ index: Int) { self.index = index }
    public var description: String { "strategy#\(index)" }
}
