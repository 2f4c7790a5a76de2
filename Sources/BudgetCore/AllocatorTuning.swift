#if canImport(Glibc)
import Glibc
#endif

/// Process-wide allocator settings for budgetq's executables.
///
/// glibc serves each block above its mmap threshold (128 KiB at first) with a fresh `mmap` and
/// returns it with `munmap` when freed, so every statement's selection vectors and key arrays
/// were new pages: faulted in and zeroed by the kernel each time. At 100k projects that was
/// ~1.5 ms of system time in each ~5 ms repetition of Q5 run from a script (BENCHMARKS.md).
/// Keeping blocks up to 64 MiB in the heap, and up to 256 MiB of free heap before trimming, lets
/// the next statement reuse the pages. Called after loading: during a load it raised the peak.
public enum AllocatorTuning {
    /// Before loading: blocks from 256 KiB up are mapped on their own and returned when freed.
    /// glibc otherwise raises its mmap threshold each time such a block is freed, so the loader's
    /// freed per-file columns stayed in the heap, too scattered for the joined columns to reuse:
    /// the peak of a 1M-project load was store + parts (issue 13, BENCHMARKS.md). Setting the
    /// threshold turns that adjustment off.
    public static func returnLargeBlocks() {
        #if canImport(Glibc)
        guard let mallopt = mallopt() else { return }
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
        _ = mallopt(mmapThreshold, 256 << 10)
        #endif
    }

    /// Gives the kernel back the free pages inside the heap (glibc's `malloc_trim`). The loader
    /// frees each file's small columns as it joins them, but blocks under the mmap threshold stay
    /// in the heap, scattered, while the joined columns take new pages: without this a 1M-project
    /// load held both (issue 13, BENCHMARKS.md).
    public static func releaseFreedMemory() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }

    #if canImport(Glibc)
    // <malloc.h> is not in Swift's Glibc module: look mallopt up (a C function, C convention).
    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private static func mallopt() -> Mallopt? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return nil }
        return unsafeBitCast(symbol, to: Mallopt.self)
    }
    #endif

    public static func keepLargeBlocks() {
        #if canImport(Glibc)
        guard let mallopt = mallopt() else { return }
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
        _ = mallopt(mmapThreshold, 64 << 20)
        _ = mallopt(trimThreshold, 256 << 20)
        #endif
    }
}
