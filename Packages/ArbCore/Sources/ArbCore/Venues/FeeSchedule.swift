/// How a venue charges fees on an instrument.
public struct FeeSchedule: Sendable, Hashable {
    /// Which asset the fee is taken in.
    public enum Asset: Sendable, Hashable {
        /// Always the quote asset (Upbit KRW market); a buy locks price × qty × (1 + fee).
        case quote
        /// The asset the order receives (Binance without BNB): base on buys, quote on sells.
        case received
    }

    /// Fee on fills that rested first.
    public var maker: Ratio
    /// Fee on fills that took liquidity.
    public var taker: Ratio
    /// Which asset it is taken in.
    public var asset: Asset
    /// Fees are rounded up to a multiple of this (1e-8 by default, the finest unit venues show).
    public var roundingStep: Amount

    /// A fee schedule: `FeeSchedule(maker: .zero, taker: "0.001", asset: .quote)`.
    public init(maker: Ratio, taker: Ratio, asset: Asset, roundingStep: Amount = Amount(raw: 10)) {
        self.maker = maker; self.taker = taker; self.asset = asset; self.roundingStep = roundingStep
    }

    /// The asset a fill of `side` on `instrument` pays its fee in.
    @inlinable public func feeAsset(_ side: Side, _ instrument: Instrument) -> AssetId {
        switch asset {
        case .quote: return instrument.quote
        case .received: return side == .buy ? instrument.base : instrument.quote
        }
    }

    /// The fee on a fill: rate × (base quantity if charged in base, else quote notional), rounded up.
    @inlinable public func fee(side: Side, quantity: Quantity, notional: Amount, isMaker: Bool, instrument: Instrument) -> Amount {
        let rate = isMaker ? maker : taker
        let base = (asset == .received && side == .buy) ? quantity.asAmount : notional
        return base.scaled(by: rate, .up).rounded(toMultipleOf: roundingStep, .up)
    }
}
