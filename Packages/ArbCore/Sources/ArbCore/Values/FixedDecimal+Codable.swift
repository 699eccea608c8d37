/// Exact values are written as decimal strings in manifests and JSON (`"0.0005"`), so
/// nothing passes through a binary float. A bare integer is accepted too (`5000`).
protocol DecimalText: Codable, CustomStringConvertible {
    init?(_ text: String)
    static var example: String { get }
}

extension DecimalText {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        if let string = try? container.decode(String.self) {
            text = string
        } else if let integer = try? container.decode(Int64.self) {
            text = String(integer)
        } else {
            throw DecodingError.typeMismatch(Self.self, .init(codingPath: decoder.codingPath,
                debugDescription: "expected a decimal string such as \"\(Self.example)\""))
        }
        guard let value = Self(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "expected a decimal string with at most 9 decimals such as \"\(Self.example)\", got \"\(text)\""))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Price: DecimalText, Codable { static var example: String { "27123.45" } }
extension Quantity: DecimalText, Codable { static var example: String { "0.015" } }
extension Amount: DecimalText, Codable { static var example: String { "1000000" } }
extension Ratio: DecimalText, Codable { static var example: String { "0.0005" } }

extension KeyedDecodingContainer {
    /// The value at `key`, or `fallback` when the key is absent. A present key with the
    /// wrong type or form is an error, never the fallback.
    public func decode<T: Decodable>(_ key: Key, default fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}
