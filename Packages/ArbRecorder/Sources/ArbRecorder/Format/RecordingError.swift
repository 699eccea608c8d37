/// A problem with a recording, located (file, byte offset) and actionable.
public struct RecordingError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case io
        case notARecording = "not_a_recording"
        case unsupportedVersion = "unsupported_version"
        case corrupt
        case truncated
        case compression
        case badInput = "bad_input"
    }
    public var code: Code
    public var message: String
    public var file: String?
    public var offset: Int?

    public init(_ code: Code, _ message: String, file: String? = nil, offset: Int? = nil) {
        self.code = code; self.message = message; self.file = file; self.offset = offset
    }

    public var description: String {
        var location = file ?? ""
        if let offset { location += location.isEmpty ? "byte \(offset)" : " at byte \(offset)" }
        return location.isEmpty ? "\(code.rawValue): \(message)" : "\(location): \(code.rawValue): \(message)"
    }
}
