import ArbCore

/// What the feed framework needs from a venue to read its public market data. Each
/// exchange plugin implements it (`Plugins/Exchanges/<Venue>/Sources/<Venue>/Feed/`):
/// the connections and their subscriptions, the parser of its messages, its book sync,
/// and its REST snapshot if it has one. The framework owns the sockets, the clock, the
/// back-off, the rate limiter and the queue to the kernel; the venue only turns bytes
/// into events. Called from one thread at a time.
public protocol VenueFeed: AnyObject {
    /// The venue's name (logs, errors, the progress line).
    var venue: String { get }
    /// The websocket connections to open, each with its subscription.
    func connectionPlans() -> [FeedConnectionPlan]
    /// Connection `connection` is open and subscribed: books on it start their sync.
    func connected(_ connection: Int, at time: Timestamp, output: inout FeedOutput)
    /// Connection `connection` dropped: its books are unreliable until synced again.
    func disconnected(_ connection: Int, at time: Timestamp, output: inout FeedOutput)
    /// One text or binary frame from connection `connection`, received at `receivedAt`.
    func receive(_ frame: UnsafeRawBufferPointer, connection: Int, receivedAt: Timestamp, output: inout FeedOutput)
    /// The REST request that fetches `instrument`'s book, if the venue syncs that way.
    func snapshotRequest(for instrument: InstrumentId) -> FeedHTTPRequest?
    /// The answer to `snapshotRequest(for:)`.
    func receiveSnapshot(_ body: UnsafeRawBufferPointer, for instrument: InstrumentId, receivedAt: Timestamp, output: inout FeedOutput)
    /// The book of `instrument` must be rebuilt (events toward the kernel were lost).
    func resync(_ instrument: InstrumentId, at time: Timestamp, output: inout FeedOutput)
}

/// One websocket connection: where, what to send once open, which instruments it
/// carries, and how long the venue lets it live.
public struct FeedConnectionPlan: Sendable, Hashable {
    public var url: FeedURL
    /// Frames sent once the connection is open (Upbit's subscription); empty when the
    /// URL subscribes (Binance's combined streams).
    public var subscribeFrames: [String]
    public var instruments: [InstrumentId]
    /// The venue closes connections after this long (Binance: 24 h): reconnect before.
    public var maxLifetime: Duration?
    /// Send the subscription as binary frames (else text).
    public var binarySubscribe: Bool

    public init(url: FeedURL, subscribeFrames: [String] = [], instruments: [InstrumentId], maxLifetime: Duration? = nil,
                binarySubscribe: Bool = false) {
        self.url = url; self.subscribeFrames = subscribeFrames; self.instruments = instruments
        self.maxLifetime = maxLifetime; self.binarySubscribe = binarySubscribe
    }
}

/// A REST request of the feed (a book snapshot) and its cost in the venue's limiter.
public struct FeedHTTPRequest: Sendable, Hashable {
    public var url: FeedURL
    /// The limiter's key (`GET /api/v3/depth`) and the weight of this request.
    public var endpoint: String
    public var weight: Int
    public init(url: FeedURL, endpoint: String, weight: Int) { self.url = url; self.endpoint = endpoint; self.weight = weight }
}

/// A URL split the way a feed needs it: the manifest's `ws_url`/`rest_url` replace the
/// scheme, host and port, and the venue's documented path and query are kept.
public struct FeedURL: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int
    /// Path and query, starting with `/`.
    public var pathAndQuery: String

    public init(scheme: String, host: String, port: Int, pathAndQuery: String) {
        self.scheme = scheme; self.host = host; self.port = port; self.pathAndQuery = pathAndQuery
    }

    /// Whether the connection uses TLS (`wss`, `https`).
    public var isSecure: Bool { scheme == "wss" || scheme == "https" }

    public var description: String {
        let defaultPort = (scheme == "wss" || scheme == "https") ? 443 : 80
        return "\(scheme)://\(host)\(port == defaultPort ? "" : ":\(port)")\(pathAndQuery)"
    }

    /// `scheme://host[:port][/path]`: the base the manifest gives (any path is ignored
    /// by `replacingBase`). Nil with the reason when it is not one of `allowedSchemes`,
    /// has no host, or a port outside 1–65535.
    public static func parse(_ text: String, allowedSchemes: [String]) -> Result<FeedURL, FeedURLError> {
        guard let sep = text.range(of: "://") else { return .failure(FeedURLError("'\(text)' has no scheme (e.g. \(allowedSchemes[0])://host)")) }
        let scheme = String(text[..<sep.lowerBound]).lowercased()
        guard allowedSchemes.contains(scheme) else {
            return .failure(FeedURLError("'\(text)': scheme '\(scheme)' is not one of \(allowedSchemes.joined(separator: ", "))"))
        }
        var rest = text[sep.upperBound...]
        var path = "/"
        if let slash = rest.firstIndex(of: "/") { path = String(rest[slash...]); rest = rest[..<slash] }
        var host = String(rest), port = (scheme == "wss" || scheme == "https") ? 443 : 80
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            host = String(rest[..<colon])
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65_535).contains(p) else {
                return .failure(FeedURLError("'\(text)': the port must be a number from 1 to 65535"))
            }
            port = p
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "@" }) else {
            return .failure(FeedURLError("'\(text)' has no host"))
        }
        return .success(FeedURL(scheme: scheme, host: host, port: port, pathAndQuery: path))
    }

    /// This URL's path and query on `base`'s scheme, host and port.
    public func replacingBase(with base: FeedURL?) -> FeedURL {
        guard let base else { return self }
        return FeedURL(scheme: base.scheme, host: base.host, port: base.port, pathAndQuery: pathAndQuery)
    }
}

/// Why a feed URL from the manifest was refused.
public struct FeedURLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
