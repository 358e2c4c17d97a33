public import Foundation
public import StrataCore
public import StrataOnline

/// A project on disk: a folder with `featuresets/*.yaml` definitions and a `.strata/` state folder.
public struct ProjectFolder: Sendable {
    public var root: URL

    public init(path: String) {
        root = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    public var definitionsFolder: URL { root.appendingPathComponent("featuresets", isDirectory: true) }
    public var stateFolder: URL { root.appendingPathComponent(".strata", isDirectory: true) }
    public var registryPath: String { stateFolder.appendingPathComponent("registry.db").path }
    public var offlinePath: String { stateFolder.appendingPathComponent("offline.db").path }
    public var onlinePath: String { stateFolder.appendingPathComponent("online").path }
    public var featureLogPath: String { stateFolder.appendingPathComponent("feature_log.db").path }

    /// The YAML files under `featuresets/` (recursively), as paths relative to the project and their text.
    /// - Throws: `ProjectError` when the folder is missing or a file is unreadable or not UTF-8.
    public func definitionFiles() throws(ProjectError) -> [(path: String, text: String)] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: definitionsFolder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .noDefinitions(folder: definitionsFolder.path)
        }
        guard let enumerator = manager.enumerator(at: definitionsFolder, includingPropertiesForKeys: nil) else {
            throw .noDefinitions(folder: definitionsFolder.path)
        }
        var files: [(String, String)] = []
        for case let url as URL in enumerator where ["yaml", "yml"].contains(url.pathExtension.lowercased()) {
            let relative = relativePath(url)
            guard let data = FileManager.default.contents(atPath: url.path) else { throw .unreadable(path: relative) }
            guard let text = String(data: data, encoding: .utf8) else { throw .notUTF8(path: relative) }
            files.append((relative, text))
        }
        if files.isEmpty { throw .noDefinitions(folder: definitionsFolder.path) }
        return files.sorted { $0.0 < $1.0 }
    }

    /// Loads and compiles the project's definitions.
    public func compile() throws -> CompiledProject {
        try CompiledProject.compile(try definitionFiles()).get()
    }

    /// Creates the state folder if needed, and checks this user may use it (every store lives there).
    /// - Throws: `ProjectError.unwritable`, `.permissionDenied` naming the folder.
    public func ensureStateFolder() throws(ProjectError) {
        do {
            try FileManager.default.createDirectory(at: stateFolder, withIntermediateDirectories: true)
        } catch {
            throw .unwritable(path: stateFolder.path, reason: "\(error.localizedDescription)")
        }
        guard access(stateFolder.path, R_OK | W_OK | X_OK) == 0 else { throw .permissionDenied(path: stateFolder.path) }
    }

    public func relativePath(_ url: URL) -> String {
        let full = url.standardizedFileURL.path
        let base = root.path.hasSuffix("/") ? root.path : root.path + "/"
        return full.hasPrefix(base) ? String(full.dropFirst(base.count)) : full
    }

    public func url(forRelative path: String) -> URL { root.appendingPathComponent(path) }
}

/// Problems with the project folder itself.
public enum ProjectError: StrataError {
    case noDefinitions(folder: String)
    case unreadable(path: String)
    case notUTF8(path: String)
    case unwritable(path: String, reason: String)
    case folderNotEmpty(path: String)
    case permissionDenied(path: String)
    /// A setting (in strata.yaml or the environment) that cannot be used.
    case badSetting(field: String, problem: String)

    public var what: String {
        switch self {
        case .noDefinitions(let folder): return "no definition files (*.yaml) found in \(folder)"
        case .unreadable(let path): return "cannot read \(path)"
        case .notUTF8(let path): return "\(path) is not valid UTF-8"
        case .unwritable(let path, let reason): return "cannot write \(path): \(reason)"
        case .folderNotEmpty(let path): return "\(path) already contains a project"
        case .permissionDenied(let path): return "permission denied: this user cannot read and write the state folder \(path)"
        case .badSetting(let field, let problem): return "`\(field)`: \(problem)"
        }
    }

    public var location: SourceLocation? {
        switch self {
        case .unreadable(let path), .notUTF8(let path): return SourceLocation(file: path, line: 0, column: 0)
        default: return nil
        }
    }

    public var fix: String? {
        switch self {
        case .noDefinitions: return "run inside a project folder, pass `--project DIR`, or create one with `strata init DIR`"
        case .unreadable: return "check the file's permissions"
        case .notUTF8: return "save the file as UTF-8"
        case .unwritable: return "check permissions and free space"
        case .folderNotEmpty: return "choose an empty or new folder, or pass `--force` to overwrite the example files"
        case .permissionDenied: return "run as the user that owns it, or give this user access (chown -R or chmod -R u+rwX on the folder)"
        case .badSetting: return "write `registry: {url: postgresql://USER@HOST:PORT/DATABASE}` and give the password in PGPASSWORD or `registry.password_file`"
        }
    }
}

extension ProjectFolder {
    /// `strata.yaml` at the project's root: operational settings such as the online store's map size.
    public var settingsFile: URL { root.appendingPathComponent("strata.yaml") }

    /// The project's settings; the defaults when there is no `strata.yaml`.
    /// - Throws: `DefinitionErrors` naming each bad setting with its line, `ProjectError.unreadable`.
    public func settings() throws -> ProjectSettings {
        guard FileManager.default.fileExists(atPath: settingsFile.path) else { return ProjectSettings() }
        guard let data = FileManager.default.contents(atPath: settingsFile.path) else { throw ProjectError.unreadable(path: "strata.yaml") }
        guard let text = String(data: data, encoding: .utf8) else { throw ProjectError.notUTF8(path: "strata.yaml") }
        return try ProjectSettings.parse(text, file: "strata.yaml").get()
    }
}

extension ProjectSettings {
    /// The online store's options these settings give (defaults where unset).
    public var onlineOptions: OnlineStoreOptions {
        OnlineStoreOptions(mapSizeBytes: mapSizeBytes ?? OnlineStoreOptions.defaultMapSizeBytes,
                           mapSizeMaxBytes: mapSizeMaxBytes ?? OnlineStoreOptions.defaultMapSizeMaxBytes)
    }
}
