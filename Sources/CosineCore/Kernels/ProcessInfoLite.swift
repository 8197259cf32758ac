#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The processor count, read without Foundation.
package enum ProcessInfoLite {
  package static let activeProcessorCount: Int = {
    #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
      let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
      return n > 0 ? Int(n) : 1
    #else
      return 1
    #endif
  }()
}
