import ArbHost
import Foundation
import FuzzSupport

// `arbd report ledger`'s journal reader: any bytes must give a report (bad lines
// counted), never a trap.
runFuzzer { data, size in
    let report = LedgerReport.parse(Data(bytes(data, size)))
    _ = report.text()
    return 0
}
