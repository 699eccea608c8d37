/// A transfer of an asset between two venues of the account (a withdrawal from one, a
/// deposit on the other), as a paper run simulates it: the amount leaves `from` at
/// `sentAt`, the fee stays with the sending venue, `amount − fee` arrives on `to` at
/// `arrivesAt`. In between it is in flight: still the account's, on neither venue.
public struct Transfer: Sendable, Hashable {
    /// Sequential from 0 in a run.
    public var id: Int
    public var asset: AssetId
    public var from: VenueId
    public var to: VenueId
    public var amount: Amount
    public var fee: Amount
    public var network: String
    public var sentAt: Timestamp
    public var arrivesAt: Timestamp
    public var arrived = false
    /// The fee's value in the reporting currency when sent (nil: no price then).
    public var feeValue: Amount?
    public var received: Amount { amount - fee }
}

/// Why a transfer was not sent.
public struct TransferRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
}
