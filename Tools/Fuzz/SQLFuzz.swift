import KuaiCore
import KuaiSQL

// SQL lexer and parser: the bytes as SQL (lossy UTF-8); the statement is printed and the printed SQL
// parsed again. A KuaiError is fine, a trap is a bug. Seeds: the SQL of every corpus record.

func setUp() {}

func fuzzOne(_ bytes: UnsafeBufferPointer<UInt8>) {
    let sql = String(decoding: bytes, as: UTF8.self)
    guard let statement = try? Parser.parse(sql) else { return }
    _ = try? Parser.parse(statement.sqlDescription)
}
