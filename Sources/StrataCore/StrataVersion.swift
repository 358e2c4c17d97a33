/// Strata's version: printed by `strata --version` and written into the metadata of files Strata produces.
public let strataVersion = "0.1.0"
