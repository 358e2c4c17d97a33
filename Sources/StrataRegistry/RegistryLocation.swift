import Foundation

/// Where a project's registry lives: `.strata/registry.db` (SQLite, the default), or a PostgreSQL database a team
/// shares, named by `registry: {url: postgresql://user@host:port/db}` in strata.yaml or `STRATA_REGISTRY_URL`.
public struct RegistryURL: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var host: String
    public var port: Int
    public var database: String

    /// The URL as written, without a password (there never is one: passwords come from `PGPASSWORD` or a file).
    public var description: String { "postgresql://\(user)@\(host):\(port)/\(database)" }

    /// Parses `postgresql://user@host[:port]/database` (or `postgres://`).
    /// - Returns: nil and a reason when the text is not such a URL, or holds a password.
    public static func parse(_ text: String) -> Result<RegistryURL, RegistryURLProblem> {
        guard let components = URLComponents(string: text), let scheme = components.scheme, ["postgresql", "postgres"].contains(scheme) else {
            return .failure(.init(text: text, problem: "it is not a postgresql:// URL"))
        }
        if components.password != nil {
            return .failure(.init(text: text, problem: "it holds a password; put the password in PGPASSWORD or in the file `registry.password_file` names"))
        }
        guard let user = components.user, !user.isEmpty else { return .failure(.init(text: text, problem: "it names no user (postgresql://USER@host/db)")) }
        guard let host = components.host, !host.isEmpty else { return .failure(.init(text: text, problem: "it names no host")) }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { return .failure(.init(text: text, problem: "it names no database (…/DATABASE)")) }
        return .success(RegistryURL(user: user, host: host, port: components.port ?? 5432, database: database))
    }

    /// The password for this URL: `PGPASSWORD`, else the first line of `passwordFile`, else a matching line of
    /// `PGPASSFILE` or `~/.pgpass` (`host:port:database:user:password`, `*` matching anything); nil without one.
    public func password(environment: [String: String], passwordFile: String?) throws -> String? {
        if let password = environment["PGPASSWORD"] { return password }
        if let passwordFile {
            let text = try String(contentsOfFile: passwordFile, encoding: .utf8)
            return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        }
        let pgpass = environment["PGPASSFILE"] ?? (environment["HOME"].map { $0 + "/.pgpass" } ?? "")
        guard let text = try? String(contentsOfFile: pgpass, encoding: .utf8) else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = line.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }
}

/// Why a registry URL does not parse.
public struct RegistryURLProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var problem: String
    public var description: String { "`\(text)` is not a registry URL: \(problem)" }
}
