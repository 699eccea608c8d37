import ArbCore

/// Upbit's KRW-market order rules (docs.upbit.com, KRW market info updated 2026-05-04,
/// new-order page updated 2026-11-04).
public struct UpbitRules: VenueRules {
    public let name = "upbit"
    public var settings: UpbitSettings

    public init(settings: UpbitSettings) { self.settings = settings }

    /// The KRW tick table in force since 2025-07-31. Bands at or above 100 KRW are
    /// confirmed; those below are a third-party transcription (secondary).
    public static let krwTickTable: TickTable = {
        let rows: [(String, String)] = [
            ("0", "0.00000001"), ("0.00001", "0.0000001"), ("0.0001", "0.000001"), ("0.001", "0.00001"),
            ("0.01", "0.0001"), ("0.1", "0.001"), ("1", "0.01"), ("10", "0.1"), ("100", "1"), ("1000", "1"),
            ("5000", "5"), ("10000", "10"), ("50000", "50"), ("100000", "100"), ("500000", "500"),
            ("1000000", "1000"), ("2000000", "1000"),
        ]
        return TickTable(bands: rows.map { TickTable.Band(minPrice: Price($0.0)!, tick: Price($0.1)!) })!
    }()

    /// The USDT market's table (confirmed since 2024-08-19).
    public static let usdtTickTable: TickTable = {
        let rows: [(String, String)] = [
            ("0", "0.00000001"), ("0.0001", "0.0000001"), ("0.001", "0.000001"), ("0.01", "0.00001"),
            ("0.1", "0.0001"), ("1", "0.001"), ("10", "0.01"),
        ]
        return TickTable(bands: rows.map { TickTable.Band(minPrice: Price($0.0)!, tick: Price($0.1)!) })!
    }()

    public func fees(for instrument: Instrument) -> FeeSchedule {
        let rate = instrument.quoteCode == "KRW" ? settings.krwFee : settings.otherMarketsFee
        return FeeSchedule(maker: rate, taker: rate, asset: .quote)
    }

    public func validate(_ intent: OrderIntent, instrument: Instrument, book: OrderBook) -> Rejection? {
        let side = intent.side
        // Order types: limit (GTC/IOC/FOK/post_only), `price` = market buy by KRW total,
        // `market` = market sell by volume. A market buy by volume or sell by total does not exist.
        if intent.type == .market {
            if side == .buy && !intent.isQuoteSized {
                return UpbitErrors.validation(.unsupportedOrder, "시장가 매수는 ord_type=price(주문 총액)로만 가능합니다.")
            }
            if side == .sell && intent.quoteAmount.raw > 0 {
                return UpbitErrors.validation(.unsupportedOrder, "시장가 매도는 ord_type=market(주문 수량)으로만 가능합니다.")
            }
        }
        if let rejection = checkForm(intent, instrument: instrument, wording: { reason in
            switch reason {
            case .priceOffTick: return UpbitErrors.invalidPrice(side)
            case .belowMinNotional: return UpbitErrors.underMinTotal(side)
            case .aboveMaxNotional: return UpbitErrors.tooLarge(side)
            case .tooMuchPrecision: return UpbitErrors.validation(.tooMuchPrecision, "소수점 자릿수가 허용 범위를 초과했습니다.")
            default: return UpbitErrors.validation(reason, "주문 수량이 올바르지 않습니다.")
            }
        }) { return rejection }
        // Market orders: rejected when larger than what rests on the first 30 levels
        // (since 2025-05-07). A market sell's value is checked against the minimum at the bid.
        if intent.type == .market {
            if side == .buy && intent.quoteAmount > book.notional(.ask, levels: settings.marketGuardLevels) {
                return UpbitErrors.validation(.insufficientLiquidity, "주문 금액이 호가 1~30단계 잔량을 초과합니다.")
            }
            if side == .sell {
                if intent.quantity > book.quantity(.bid, levels: settings.marketGuardLevels) {
                    return UpbitErrors.validation(.insufficientLiquidity, "주문 수량이 호가 1~30단계 잔량을 초과합니다.")
                }
                if let bid = book.bestBid, Amount.notional(bid.price, intent.quantity, .down) < instrument.minNotional {
                    return UpbitErrors.underMinTotal(side)
                }
            }
        }
        return nil
    }

    public func insufficientBalance(side: Side) -> Rejection { UpbitErrors.insufficientFunds(side) }

    /// Upbit cancels a post-only order that would take instead of executing it
    /// (behaviour as documented for `post_only`; the cancel wording is unconfirmed).
    public func postOnlyWouldTake(side: Side) -> PostOnlyOutcome { .cancel }

    public func unknownOrder() -> Rejection { UpbitErrors.orderNotFound }
}
