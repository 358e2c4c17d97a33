@main struct StrataMain { static func main() {} }
