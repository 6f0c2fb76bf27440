/// The built-in recipes: the files of Sources/KuaiReport/Recipes, compiled into the binary by
/// SwiftPM (`.embedInCode` in Package.swift, which names each file's bytes
/// `PackageResources.<file name with a leading digit and every '-' or '.' as '_'>`), so an
/// installed kuai-report needs no files beside it.
///
/// A file added to the folder must be added here too: RecipeCatalogTests fails while this list
/// and the folder differ.
enum BuiltInRecipes {
    /// (file name without .sql, file text), by name.
    static let files: [(name: String, text: String)] = [
        ("01-demographics", PackageResources._1_demographics_sql),
        ("02-streamer-long-tail", PackageResources._2_streamer_long_tail_sql),
        ("03-activity-by-hour", PackageResources._3_activity_by_hour_sql),
        ("04-activity-by-weekday", PackageResources._4_activity_by_weekday_sql),
        ("05-weekday-hour-heatmap", PackageResources._5_weekday_hour_heatmap_sql),
        ("06-repeat-consumption", PackageResources._6_repeat_consumption_sql),
        ("07-retention-cohorts", PackageResources._7_retention_cohorts_sql),
        ("08-ltv-by-age", PackageResources._8_ltv_by_age_sql),
        ("09-funnel-by-category", PackageResources._9_funnel_by_category_sql),
    ].map { (name: $0.0, text: String(decoding: $0.1, as: UTF8.self)) }
}
