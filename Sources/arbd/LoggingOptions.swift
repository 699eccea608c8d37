import ArbCore
import ArgumentParser
import Foundation
import Logging

/// `--log-level` and `--log-format`: how the libraries' loggers write (stderr).
struct LoggingOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(name: .long, help: "text, or json (one object per line).")
    var logFormat: Format = .text

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level: '\(logLevel)'; use one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// Installs the handler once, before anything logs.
    func bootstrap() {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let format = logFormat
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// One JSON object per line on stderr: time, level, label, message and metadata.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        var fields = metadata
        if let extra { fields.merge(extra) { $1 } }
        var text = "{\"time\":\(JSONText.quote(ISO8601DateFormatter().string(from: Date()))),\"level\":\"\(level.rawValue)\","
            + "\"label\":\(JSONText.quote(label)),\"message\":\(JSONText.quote(message.description))"
        for key in fields.keys.sorted() { text += ",\(JSONText.quote(key)):\(JSONText.quote(fields[key]!.description))" }
        text += "}\n"
        FileHandle.standardError.write(Data(text.utf8))
    }
}
