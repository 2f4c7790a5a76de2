import Foundation

/// Paths into the repository, found from this file's location.
enum TestPaths {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static var datasets: String { root + "/datasets" }
    static var seed: String { datasets + "/2024-dongguan-economic-cooperation-office.txt" }
}
