import ArbCore

/// The global and exchange tiers shared by several `arbd` processes on one account
/// (ArbRiskRedis implements it through Redis). Each process publishes its own figures
/// as absolute values under its own id, so a process that reconnects overwrites what it
/// wrote before: nothing is counted twice. Called on the kernel's thread.
public protocol SharedRiskTier: AnyObject {
    /// Before an entry that adds exposure: this process's gross exposure and its exposure
    /// on `venue` as they would be with the order. Refuses when the processes together
    /// would pass a limit, or when a shared halt covers the order.
    func reserve(gross: Amount, venue: String, venueExposure: Amount, limits: SharedLimits, at now: Timestamp) -> SharedDecision
    /// At each review: this process's current exposures and daily PnL. Returns what is
    /// halted account-wide (a shared daily loss sets `global`).
    func publish(gross: Amount, venueExposures: [String: Amount], dailyPnL: Amount, limits: SharedLimits, at now: Timestamp) -> SharedState
    /// What is halted account-wide now (polled every few tens of milliseconds of wall time).
    func poll() -> SharedState
    /// Sets or lifts an account-wide halt (the kill switch).
    func setHalt(_ scope: String, reason: String?) throws
    /// Whether the last call was answered by the shared store (false: the local fallback).
    var isShared: Bool { get }
    /// This process's id in the shared store (for the audit trail).
    var processId: String { get }
}

/// The limits the processes share (nil: off), in the reporting currency.
public struct SharedLimits: Sendable, Hashable {
    public var grossExposure: Amount?
    public var venueExposure: [String: Amount]
    public var dailyLoss: Amount?
    public init(grossExposure: Amount?, venueExposure: [String: Amount], dailyLoss: Amount?) {
        self.grossExposure = grossExposure; self.venueExposure = venueExposure; self.dailyLoss = dailyLoss
    }
}

public enum SharedDecision: Sendable, Hashable {
    /// Reserved; the processes' combined gross exposure with it, and the shared store's
    /// time (µs), for the audit trail.
    case allowed(combinedGross: Amount, serverTimeMicros: Int64?)
    case refused(code: RiskCode, scope: String, limit: Amount?, measured: Amount?)
}

/// Account-wide halts: scope name (`global`, `exchange:binance`, …) → `reason|@<time µs>`
/// (the shared store's time it was set).
public struct SharedState: Sendable, Hashable {
    public var halts: [String: String]
    /// The shared store's time (µs) of the answer, nil on the fallback.
    public var serverTimeMicros: Int64?
    /// Nil when unknown (the fallback keeps the last halts known).
    public var reachable: Bool
    public init(halts: [String: String], serverTimeMicros: Int64?, reachable: Bool) {
        self.halts = halts; self.serverTimeMicros = serverTimeMicros; self.reachable = reachable
    }
}

/// One halt value split: its reason and the shared store's time it was set (µs).
public func sharedHaltParts(_ value: String) -> (reason: String, setAtMicros: Int64?) {
    guard let marker = value.range(of: "|@", options: .backwards) else { return (value, nil) }
    return (String(value[..<marker.lowerBound]), Int64(value[marker.upperBound...]))
}
