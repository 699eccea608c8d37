/// Every asset's value in the reporting currency at one moment: the mids of the books
/// on each asset's conversion path, frozen (e.g. BTC → KRW → USDT through `KRW-BTC`
/// and `KRW-USDT`). Converting through the mids keeps a small currency (1 KRW ≈ 0.0007
/// USDT) exact to 1e-9 per hop, which a rounded price per unit would not.
public struct Marks: Sendable {
    let paths: [[Valuation.Hop]?]
    let mids: [Price]

    /// `amount` of `asset` at these marks, rounded half-even to 1e-9 at each hop (nil: no
    /// path or no price; zero is always worth zero).
    public func value(_ amount: Amount, of asset: AssetId) -> Amount? {
        if amount.isZero { return .zero }
        guard let path = paths[asset.index] else { return nil }
        var result = amount
        for hop in path {
            let mid = mids[hop.instrument.index]
            guard mid.raw > 0 else { return nil }
            result = hop.assetIsBase ? result.converted(at: mid, .nearestHalfEven) : result.converted(dividingBy: mid, .nearestHalfEven)
        }
        return result
    }

    /// Whether `asset` has a value at these marks.
    public func canValue(_ asset: AssetId) -> Bool { value(Amount(units: 1), of: asset) != nil }
}

/// A run's PnL as a trader reconciles it, in the reporting currency. Two identities
/// hold exactly, by construction and checked in tests:
///
///     total == equityEnd - equityStart
///     total == realisedTotal + unrealised + fxTranslation - transferCosts
///
/// - `realisedTotal`: closed trades at average cost, each fill valued at its own time,
///   net of fees (the route ledgers, and per-instrument ledgers for unrouted fills).
/// - `unrealised`: what is still open, at the end marks, against its cost: the ledgers'
///   open positions (cost: their fills) and the inventory held from the start (cost: the
///   start marks) of every asset that is not a quote currency.
/// - `fxTranslation`: the rest, which is the move of the quote currencies' marks (KRW
///   against USDT) on the balances held in them and on the quote flows of the fills,
///   plus the revaluation of fees paid in coins and the rounding of each valuation to
///   1e-9 (a few units of 1e-9 per line; tests bound it).
/// - `transferCosts`: the fees of transfers between venues (rebalancing), valued when
///   each was sent.
public struct PnLStatement: Sendable, Hashable {
    public var equityStart: Amount
    public var equityEnd: Amount
    public var realisedTotal: Amount
    public var unrealised: Amount
    public var fxTranslation: Amount
    public var transferCosts: Amount = .zero
    public var total: Amount
    /// Assets that could not be valued at the start or end marks (their lines are left out).
    public var unvaluedAssets: [AssetId]

    /// - Parameters:
    ///   - start, end: total balances per asset over all venues, at the start and end.
    ///   - ledgers: every position ledger whose fills make up the run (routes and unrouted).
    ///   - ledgerBases: the base asset of each ledger.
    ///   - quoteCurrencies: assets translated as currencies (quotes other than the reporting one).
    public init(start: [Amount], end: [Amount], startMarks: Marks, endMarks: Marks,
                ledgers: [PositionLedger], ledgerBases: [AssetId], quoteCurrencies: Set<AssetId>, transferCosts: Amount = .zero) {
        var equityStart = Amount.zero, equityEnd = Amount.zero, unrealised = Amount.zero
        var unvalued: [AssetId] = []
        for a in start.indices {
            let asset = AssetId(a)
            guard let v0 = startMarks.value(start[a], of: asset), let v1 = endMarks.value(end[a], of: asset) else {
                if !start[a].isZero || !end[a].isZero { unvalued.append(asset) }
                continue
            }
            equityStart += v0
            equityEnd += v1
            if !quoteCurrencies.contains(asset), let held = endMarks.value(start[a], of: asset) {
                unrealised += held - v0
            }
        }
        var realised = Amount.zero
        for (ledger, base) in zip(ledgers, ledgerBases) {
            realised += ledger.realised
            if ledger.quantity.raw != 0, let open = endMarks.value(ledger.quantity, of: base) {
                unrealised += open - ledger.cost
            }
        }
        let total = equityEnd - equityStart
        self.equityStart = equityStart
        self.equityEnd = equityEnd
        self.realisedTotal = realised
        self.unrealised = unrealised
        self.transferCosts = transferCosts
        // A transfer's fee is a cost of its own line; the rest is translation.
        self.fxTranslation = total - realised - unrealised + transferCosts
        self.total = total
        self.unvaluedAssets = unvalued
    }
}
