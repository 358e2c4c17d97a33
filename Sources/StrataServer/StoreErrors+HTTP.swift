import Foundation
public import Hummingbird
public import Strata
public import StrataCore
public import StrataOffline
public import StrataOnline
public import StrataRegistry
public import StrataColumnar

// Store errors reach HTTP by conforming to Hummingbird's `HTTPResponseError`, as Hummingbird's own errors do: the
// status and code live here in the server, and Core and the stores never know a status code.

extension HTTPResponse.Status {
    /// 507: the store's disk (or map) is full.
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
}

/// The JSON error answer for a Strata error: 4xx, 503 and 507 carry the message and fix, other 5xx only a generic
/// one (the middleware logs the details).
func errorAnswer(_ error: some StrataError, status: HTTPResponse.Status, code: String, retryAfterSeconds: Int? = nil) -> Response {
    let isClientVisible = status.code < 500 || status == .serviceUnavailable || status == .insufficientStorage
    let message = isClientVisible ? error.what + (error.fix.map { "; \($0)" } ?? "") : "internal error (see the server log)"
    return ServerError(status: status, code: code, message: message, retryAfterSeconds: retryAfterSeconds).response
}

extension FeatureStoreError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch self {
        case .unknownService, .unknownView, .unknownSource: return .notFound
        case .nothingApplied: return .serviceUnavailable
        case .badFeatureList, .ambiguousBareNames, .badOutput, .needsOutputPath: return .badRequest
        case .invalidKey, .wouldOverwriteOriginal, .reproductionDiffers, .storageNotPrepared, .undecodableRecord: return .internalServerError
        case .registryMoved: return .serviceUnavailable
        case .storageChangeRefused: return .conflict
        }
    }

    /// The error's code in JSON answers (and in the CLI's JSON errors).
    package var code: String {
        switch self {
        case .unknownService, .unknownView, .unknownSource: return "unknown_object"
        case .nothingApplied: return "not_ready"
        case .badFeatureList, .ambiguousBareNames: return "bad_selection"
        case .wouldOverwriteOriginal: return "would_overwrite"
        case .reproductionDiffers: return "reproduction_differs"
        default: return status == .badRequest ? "bad_request" : "internal"
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        errorAnswer(self, status: status, code: code)
    }
}

extension KeyCodecError: HTTPResponseError {
    public var status: HTTPResponse.Status { .badRequest }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        errorAnswer(self, status: status, code: code.name)
    }
}

extension Diagnostic: HTTPResponseError {
    public var status: HTTPResponse.Status { .badRequest }

    package var code: String { "unknown_feature" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        errorAnswer(self, status: status, code: code)
    }
}

extension OfflineStoreError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        if isBusy { return .serviceUnavailable }
        if isFull { return .insufficientStorage }
        switch self {
        case .limitExceeded: return .contentTooLarge
        case .strictRowRejected, .badHeader, .spineProblem: return .badRequest
        case .unknownTrainingSet: return .notFound
        case .spineChanged: return .conflict
        default: return .internalServerError
        }
    }

    package var code: String {
        switch self {
        case .spineProblem: return "bad_spine"
        case .unknownTrainingSet: return "unknown_training_set"
        case .spineChanged: return "spine_changed"
        case .limitExceeded: return "too_large"
        default: return isBusy ? "busy" : isFull ? "storage_full" : status == .internalServerError ? "internal" : "bad_request"
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        errorAnswer(self, status: status, code: code, retryAfterSeconds: isBusy ? 1 : nil)
    }
}

extension OnlineStoreError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch self {
        case .mapFull: return .insufficientStorage
        case .lmdb(_, _, let code, _) where code == ENOSPC: return .insufficientStorage
        default: return .internalServerError
        }
    }

    package var code: String { status == .insufficientStorage ? "storage_full" : "internal" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        errorAnswer(self, status: status, code: code)
    }
}

extension RegistryError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch self {
        case .unknownObject, .unknownVersion: return .notFound
        case .database(_, _, let code, _) where SQLiteFailure.isBusy(code): return .serviceUnavailable
        case .database(_, _, let code, _) where SQLiteFailure.isFull(code): return .insufficientStorage
        default: return .internalServerError
        }
    }

    package var code: String {
        status == .notFound ? "unknown_object" : status == .serviceUnavailable ? "busy" : status == .insufficientStorage ? "storage_full" : "internal"
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        errorAnswer(self, status: status, code: code, retryAfterSeconds: status == .serviceUnavailable ? 1 : nil)
    }
}

extension ColumnarError: HTTPResponseError {
    /// A spine body that is not valid Arrow or Parquet, or uses what Strata does not read, is the client's error (400);
    /// one with more rows than `--spine-rows-max` is too large (413).
    public var status: HTTPResponse.Status { code == .limitExceeded ? .contentTooLarge : .badRequest }

    package var errorCode: String { code == .limitExceeded ? "spine_too_large" : "bad_spine" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        errorAnswer(self, status: status, code: errorCode)
    }
}

/// The status and code a Strata error answers with over HTTP, for the CLI's JSON errors (`STRATA_ERROR_FORMAT=json`),
/// so a client sees the same code from either; nil for errors that are not Strata's own.
package func errorClassification(_ error: any Error) -> (status: Int, code: String)? {
    switch error {
    case let e as FeatureStoreError: return (Int(e.status.code), e.code)
    case let e as Diagnostic: return (Int(e.status.code), e.code)
    case let e as OfflineStoreError: return (Int(e.status.code), e.code)
    case let e as OnlineStoreError: return (Int(e.status.code), e.code)
    case let e as RegistryError: return (Int(e.status.code), e.code)
    case let e as ColumnarError: return (Int(e.status.code), e.errorCode)
    default: return nil
    }
}
