import Foundation
public import Hummingbird
public import Strata
public import StrataCore
public import StrataOffline
public import StrataOnline
public import StrataRegistry

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
        case .badFeatureList, .ambiguousBareNames, .badOutput: return .badRequest
        case .invalidKey, .wouldOverwriteOriginal, .reproductionDiffers: return .internalServerError
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let code: String
        switch self {
        case .unknownService, .unknownView, .unknownSource: code = "unknown_object"
        case .nothingApplied: code = "not_ready"
        case .badFeatureList, .ambiguousBareNames: code = "bad_selection"
        default: code = status == .badRequest ? "bad_request" : "internal"
        }
        return errorAnswer(self, status: status, code: code)
    }
}

extension Diagnostic: HTTPResponseError {
    public var status: HTTPResponse.Status { .badRequest }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        errorAnswer(self, status: status, code: "unknown_feature")
    }
}

extension OfflineStoreError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        if isBusy { return .serviceUnavailable }
        if isFull { return .insufficientStorage }
        switch self {
        case .limitExceeded: return .contentTooLarge
        case .strictRowRejected, .badHeader: return .badRequest
        default: return .internalServerError
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let code = isBusy ? "busy" : isFull ? "storage_full" : status == .internalServerError ? "internal" : "bad_request"
        return errorAnswer(self, status: status, code: code, retryAfterSeconds: isBusy ? 1 : nil)
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

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        errorAnswer(self, status: status, code: status == .insufficientStorage ? "storage_full" : "internal")
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

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let code = status == .notFound ? "unknown_object" : status == .serviceUnavailable ? "busy" : status == .insufficientStorage ? "storage_full" : "internal"
        return errorAnswer(self, status: status, code: code, retryAfterSeconds: status == .serviceUnavailable ? 1 : nil)
    }
}
