import ArgumentParser
import Foundation
import Strata
import StrataCore
import StrataServer

/// Runs a command body, printing Strata errors to stderr in the standard format and exiting 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as any StrataError {
        printStrataError(error)
        throw ExitCode.failure
    } catch let error as DefinitionErrors {
        printStrataError(error)
        throw ExitCode.failure
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch let error as EncodingError {
        printError("error: cannot write the output as JSON: \(error)\n  fix: report this as a bug, with the command that printed it")
        throw ExitCode.failure
    } catch {
        printError("error: \(error)")
        throw ExitCode.failure
    }
}

/// Prints a Strata error to stderr: the standard `error:` / `-->` / `fix:` text, or with `STRATA_ERROR_FORMAT=json` one
/// line `{"error": {"code", "status", "message", "what", "where", "fix"}}` with the code and status the HTTP server would
/// answer with, so clients (the Python client) tell errors apart the same way from the CLI and the server.
func printStrataError(_ error: any Error & CustomStringConvertible) {
    guard ProcessInfo.processInfo.environment["STRATA_ERROR_FORMAT"] == "json" else { return printError(error.description) }
    struct Line: Encodable {
        struct Body: Encodable {
            var code: String
            var status: Int?
            var message: String
            var what: String?
            var `where`: String?
            var fix: String?
        }
        var error: Body
    }
    let strata = error as? any StrataError
    let classified = errorClassification(error)
    let body = Line.Body(code: classified?.code ?? (error is DefinitionErrors ? "invalid_definitions" : "error"), status: classified?.status,
                         message: strata.map { $0.what + ($0.fix.map { "; \($0)" } ?? "") } ?? error.description,
                         what: strata?.what, where: strata?.location.map { "\($0)" }, fix: strata?.fix)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    do {
        printError(String(decoding: try encoder.encode(Line(error: body)), as: UTF8.self))
    } catch {
        printError(#"{"error":{"code":"error","message":"the error could not be encoded as JSON"}}"#)
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Prints any Encodable as pretty, key-sorted JSON.
/// - Throws: the encoding error (reported, exit 1): printing nothing and succeeding would be a wrong answer.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Prints registry records as the HTTP API answers them (`PublicJSON`: snake_case keys), pretty-printed.
func printPublicJSON(_ value: some Encodable) throws {
    print(String(decoding: try PublicJSON.encode(value, pretty: true), as: UTF8.self))
}

/// A plain text table with a header row and aligned columns.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) {
        self.headers = headers
    }

    mutating func add(_ cells: String...) { rows.append(cells) }

    func render() -> String {
        var widths = headers.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[i] - cell.count))
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(headers), rule] + rows.map(line)).joined(separator: "\n")
    }
}

func formatTime(_ micros: Int64) -> String { Timestamp.format(micros) }
