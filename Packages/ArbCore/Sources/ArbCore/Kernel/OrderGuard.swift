/// The account's risk guard as the kernel sees it (ArbRisk behind it). Every order intent
/// passes it after the venue's rules and the balance check and before the rate limiter,
/// so that an order the guard refuses spends no rate budget. It is told what was sent and
/// what came back, and is reviewed at event times it chooses (marks, PnL, feed health).
/// Called on the kernel's thread only.
public protocol OrderGuard: AnyObject {
    /// `nil` to let the order go on; otherwise why not (reason `.riskLimit`, the guard's
    /// stable code as `venueCode`). The intent is not sent.
    func admit(_ intent: OrderIntent, instrument: Instrument, strategy: StrategyId, kernel: Kernel) -> Rejection?
    /// Two legs that go together or not at all: the second is checked as if the first
    /// were already sent. `leg` (0 or 1) names the one refused.
    func admitPair(_ a: OrderIntent, _ instrumentA: Instrument, _ b: OrderIntent, _ instrumentB: Instrument,
                   strategy: StrategyId, kernel: Kernel) -> (leg: Int, Rejection)?
    /// An order went to its venue.
    func orderSent(_ order: Order, instrument: Instrument, kernel: Kernel)
    /// A report was booked into the account (a fill, a rejection, the order's end).
    func orderReported(_ report: ExecutionReport, order: Order, instrument: Instrument, kernel: Kernel)
    /// A strategy recorded a row of the opportunity ledger (an attempt's outcome).
    func opportunityRecorded(_ record: OpportunityRecord, kernel: Kernel)
    /// A simulated transfer left its venue or arrived: balances moved outside any order.
    func transferMoved(_ transfer: Transfer, kernel: Kernel)
    /// Event time reached the review the guard asked for: marks, PnL, feed health and
    /// cool-downs are looked at. Returns when to be reviewed next.
    func review(kernel: Kernel) -> Timestamp
}

extension OrderGuard {
    public func admitPair(_ a: OrderIntent, _ instrumentA: Instrument, _ b: OrderIntent, _ instrumentB: Instrument,
                          strategy: StrategyId, kernel: Kernel) -> (leg: Int, Rejection)? {
        if let r = admit(a, instrument: instrumentA, strategy: strategy, kernel: kernel) { return (0, r) }
        if let r = admit(b, instrument: instrumentB, strategy: strategy, kernel: kernel) { return (1, r) }
        return nil
    }
    public func opportunityRecorded(_ record: OpportunityRecord, kernel: Kernel) {}
    public func transferMoved(_ transfer: Transfer, kernel: Kernel) {}
}
