/// A broken kernel invariant: a bug, never bad input. Money must not move past one.
public struct KernelInvariantViolation: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public var description: String { "kernel invariant broken: \(message)" }
}

extension Kernel {
    /// On in debug builds (and so in tests); release runs check on demand.
    public static var invariantChecksByDefault: Bool {
        #if DEBUG
        return true
        #else
        return false
        #endif
    }

    /// The invariants that protect money, or the first one that does not hold:
    /// - locked funds per venue and asset equal the remaining locks of its open orders;
    /// - no available or locked balance is negative.
    public func invariantViolation() -> KernelInvariantViolation? {
        var expected = Array(repeating: Array(repeating: Amount.zero, count: universe.assetCount), count: universe.venueCount)
        for open in openOrders.values {
            expected[open.order.venue.index][open.lock.asset.index] += open.remainingLock
        }
        for v in 0..<universe.venueCount {
            for a in 0..<universe.assetCount {
                let locked = balances[v].locked[a], available = balances[v].available[a]
                let asset = universe.assetCodes[a], venue = universe.venueNames[v]
                if locked != expected[v][a] {
                    return KernelInvariantViolation(message: "\(venue) \(asset): locked \(locked) but open orders hold \(expected[v][a])")
                }
                if available.isNegative || locked.isNegative {
                    return KernelInvariantViolation(message: "\(venue) \(asset): negative balance (available \(available), locked \(locked))")
                }
            }
        }
        return nil
    }

    /// Stops the process on a broken invariant: the run cannot be trusted past it.
    func checkInvariants() {
        if let violation = invariantViolation() { preconditionFailure(violation.description) }
    }
}
