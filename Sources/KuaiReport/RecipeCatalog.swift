import Foundation

/// The recipes of one report: the built-in ones (Sources/KuaiReport/Recipes, compiled into the
/// binary as `BuiltInRecipes`) and those of `--recipes` folders.
///
/// Order: built-in recipes by name, then each folder's recipes by name. A folder recipe with the
/// name of a built-in one (or of an earlier folder's) replaces it in place.
public enum RecipeCatalog {
    /// A recipe, or the error of a file that could not be read as one (the report shows it).
    public enum Entry: Sendable {
        case recipe(Recipe)
        case invalid(name: String, origin: String, error: RecipeError, text: String)

        public var name: String {
            switch self {
            case .recipe(let r): return r.name
            case .invalid(let name, _, _, _): return name
            }
        }
    }

    /// The built-in recipes, parsed. A built-in recipe that does not parse is a bug caught by the
    /// test suite (RecipeCatalogTests); it is still listed as `.invalid`, never dropped.
    public static func builtIn() -> [Entry] {
        BuiltInRecipes.files.map { file in entry(text: file.text, name: file.name, origin: "built-in") }
    }

    /// The `*.sql` files of `folder` (not its subfolders), by name.
    /// - Throws: `RecipeError` when the folder cannot be listed.
    public static func folder(_ folder: String) throws -> [Entry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw RecipeError("cannot list the recipe folder: \(error.localizedDescription)", at: folder)
        }
        var out: [Entry] = []
        for file in names.sorted() where file.hasSuffix(".sql") {
            let path = (folder.hasSuffix("/") ? folder : folder + "/") + file
            let name = String(file.dropLast(4))
            guard let data = FileManager.default.contents(atPath: path) else {
                out.append(
                    .invalid(name: name, origin: path, error: RecipeError("cannot read the file", at: path), text: ""))
                continue
            }
            out.append(entry(text: String(decoding: data, as: UTF8.self), name: name, origin: path))
        }
        return out
    }

    static func entry(text: String, name: String, origin: String) -> Entry {
        do {
            return .recipe(try RecipeParser.parse(text, name: name, origin: origin))
        } catch let e as RecipeError {
            return .invalid(name: name, origin: origin, error: e, text: text)
        } catch {
            return .invalid(name: name, origin: origin, error: RecipeError("\(error)", at: origin), text: text)
        }
    }

    /// `base` with each of `additions` replacing the entry of the same name, or appended.
    public static func merged(_ base: [Entry], _ additions: [Entry]) -> [Entry] {
        var out = base
        for a in additions {
            if let i = out.firstIndex(where: { $0.name == a.name }) { out[i] = a } else { out.append(a) }
        }
        return out
    }
}
