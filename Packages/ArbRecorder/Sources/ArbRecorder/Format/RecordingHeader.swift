import ArbCore

/// What a recording file says about itself (JSON at the start of the file).
public struct RecordingHeader: Codable, Sendable, Hashable {
    public static let currentVersion = 1

    /// One instrument as recorded. Prices and quantities are stored as integer multiples
    /// of `price_unit` / `quantity_unit` (raw 1e-9 units); a value that is not a multiple
    /// is stored raw with an escape flag, so nothing is ever rounded.
    public struct InstrumentEntry: Codable, Sendable, Hashable {
        public var venue: String
        public var symbol: String
        public var base: String
        public var quote: String
        public var priceUnit: Int64
        public var quantityUnit: Int64

        public init(venue: String, symbol: String, base: String, quote: String, priceUnit: Int64, quantityUnit: Int64) {
            self.venue = venue; self.symbol = symbol; self.base = base; self.quote = quote
            self.priceUnit = max(1, priceUnit); self.quantityUnit = max(1, quantityUnit)
        }

        enum CodingKeys: String, CodingKey {
            case venue, symbol, base, quote, priceUnit = "price_unit", quantityUnit = "quantity_unit"
        }
    }

    public var formatVersion: Int
    /// Where the data came from (`synthetic`, `tardis-import`, a feed name).
    public var source: String
    public var venues: [String]
    /// Index in this array = the instrument id inside the file.
    public var instruments: [InstrumentEntry]
    /// Local receive time of the first event (ns since the epoch).
    public var startTimeNs: Int64
    /// zstd level used for the blocks.
    public var compressionLevel: Int

    public init(source: String, instruments: [InstrumentEntry], startTimeNs: Int64, compressionLevel: Int) {
        self.formatVersion = Self.currentVersion
        self.source = source
        self.venues = Array(Set(instruments.map(\.venue))).sorted()
        self.instruments = instruments
        self.startTimeNs = startTimeNs
        self.compressionLevel = compressionLevel
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", source, venues, instruments, startTimeNs = "start_time_ns", compressionLevel = "compression_level"
    }

    /// Why a decoded header cannot be used, or nil: fields outside their documented ranges.
    public var problem: String? {
        if formatVersion < 1 { return "format_version \(formatVersion) is not a version (1 or more)" }
        if compressionLevel < -131_072 || compressionLevel > 22 { return "compression_level \(compressionLevel) is outside zstd's range" }
        for (i, entry) in instruments.enumerated() {
            for (name, unit) in [("price_unit", entry.priceUnit), ("quantity_unit", entry.quantityUnit)] {
                // A unit is a power of ten in raw 1e-9 units: 1 (1e-9) up to 10^18.
                guard unit > 0, unit <= 1_000_000_000_000_000_000, FixedDecimal.largestPowerOfTen(dividing: [unit]) == unit else {
                    return "instrument \(i) (\(entry.venue) \(entry.symbol)): \(name) \(unit) is not a power of ten between 1 and 10^18"
                }
            }
        }
        return nil
    }

    /// Instrument entries for a run's universe: units from each instrument's tick and lot
    /// (the largest power of ten dividing both, so every valid value is a multiple).
    public static func entries(for universe: Universe) -> [InstrumentEntry] {
        universe.instruments.map { i in
            let tick: Int64
            switch i.tickRule {
            case .fixed(let t): tick = t.raw
            case .banded(let table): tick = table.bands.map(\.tick.raw).min() ?? 1
            }
            return InstrumentEntry(venue: universe.venueName(i.venue), symbol: i.symbol, base: i.baseCode, quote: i.quoteCode,
                                   priceUnit: FixedDecimal.largestPowerOfTen(dividing: [tick]),
                                   quantityUnit: FixedDecimal.largestPowerOfTen(dividing: [i.lotStep.raw]))
        }
    }
}
