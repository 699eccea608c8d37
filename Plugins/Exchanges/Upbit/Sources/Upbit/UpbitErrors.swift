import ArbCore

/// Upbit's error names and messages (docs.upbit.com "API 주요 에러 코드 목록";
/// body format `{"error": {"name": ..., "message": ...}}`).
public enum UpbitErrors {
    static func sideSuffix(_ side: Side) -> String { side == .buy ? "bid" : "ask" }

    public static func insufficientFunds(_ side: Side) -> Rejection {
        Rejection(reason: .insufficientBalance, venueCode: "insufficient_funds_\(sideSuffix(side))",
                  message: side == .buy ? "매수 가능 잔고가 부족합니다." : "매도 가능 잔고가 부족합니다.")
    }

    public static func underMinTotal(_ side: Side) -> Rejection {
        Rejection(reason: .belowMinNotional, venueCode: "under_min_total_\(sideSuffix(side))",
                  message: "주문 요청 금액이 최소주문금액 미만입니다.")
    }

    public static func invalidPrice(_ side: Side) -> Rejection {
        Rejection(reason: .priceOffTick, venueCode: "invalid_price_\(sideSuffix(side))",
                  message: "The price unit has not been input correctly. Please check it and try again.")
    }

    /// Above the market's maximum order value. The docs' secondary list names
    /// `volume_too_large`; the exact wording is unconfirmed.
    public static func tooLarge(_ side: Side) -> Rejection {
        Rejection(reason: .aboveMaxNotional, venueCode: "volume_too_large", message: "주문 요청 금액이 최대주문금액을 초과합니다.")
    }

    /// Malformed parameters (precision, zero quantity, unsupported combination).
    public static func validation(_ reason: RejectReason, _ message: String) -> Rejection {
        Rejection(reason: reason, venueCode: "validation_error", message: message)
    }

    public static let orderNotFound = Rejection(reason: .unknownOrder, venueCode: "order_not_found", message: "주문을 찾지 못했습니다.", httpStatus: 404)
}
