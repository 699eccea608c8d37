import ArbHost
import ArbRisk
import Foundation
import FuzzSupport

// The kill switch's control file (`risk-control.jsonl`): any bytes, line by line, give
// commands or nothing, never a trap; a command's scope prints back as it parses.
runFuzzer { data, size in
    let text = String(decoding: bytes(data, size), as: UTF8.self)
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
        if let command = RiskCommand.parse(line) {
            precondition(ScopeName(parsing: command.scope.description) == command.scope, "a scope must print back as it parses")
        }
    }
    return 0
}
