/// Constants of the column-file format (Formats/column-file.md).
public enum FormatConstants {
    /// Rows per block (64 Ki): Formats/column-file.md, "Blocks".
    public static let blockRows = 65_536
}
