#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The processors online when the process started (at least 1), read once: glibc answers
/// `sysconf(_SC_NPROCESSORS_ONLN)` by opening and parsing /sys/devices/system/cpu/online, which
/// cost a quarter of a GROUP BY's time when every radix sort of a small run asked again.
public let processorsOnline: Int = {
    #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    #elseif canImport(Darwin)
        return max(1, Int(sysconf(_SC_NPROCESSORS_ONLN)))
    #else
        return 1
    #endif
}()
