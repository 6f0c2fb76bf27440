import KuaiCore

/// The columns of a list of batches, each concatenated on first use (window arguments and
/// key columns that need random access); the batches themselves stay as they are.
final class LazyColumns {
    private let batches: [Batch]
    private let schema: Schema
    private var cache: [Int: Column] = [:]
    init(batches: [Batch], schema: Schema) {
        self.batches = batches
        self.schema = schema
    }
    subscript(_ c: Int) -> Column {
        if let col = cache[c] { return col }
        let col: Column
        if batches.count == 1 {
            col = batches[0].columns[c]
        } else {
            var b = ColumnBuilder(type: schema[c].type)
            for batch in batches { b.append(batch.columns[c]) }
            col = b.take()
        }
        cache[c] = col
        return col
    }
}
