/// Exact values written in code as string literals: `let tick: Price = "0.01"`,
/// `.limit(.buy, on: id, price: "100", quantity: "0.5")`. A literal is part of the program,
/// not input: one that is not a decimal with at most 9 decimals stops the program at
/// once, naming it. Text from files and the network goes through `init?(_:)` instead,
/// which refuses with nil.
extension DecimalText {
    static func literal(_ text: String) -> Self {
        guard let value = Self(text) else {
            preconditionFailure("\"\(text)\" is not a \(Self.self) literal: write a decimal with at most 9 decimals, e.g. \"\(example)\"")
        }
        return value
    }
}

extension Price: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .literal(value) }
}
extension Quantity: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .literal(value) }
}
extension Amount: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .literal(value) }
}
extension Ratio: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .literal(value) }
}
