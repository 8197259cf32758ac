import CosineCore

/// Which rows of an index a search may return, by id.
///
/// A filtered search returns the exact top k among the rows that pass (ties by lower id): the
/// same as searching an index that holds only those rows.
///
/// ```swift
/// let r = try index.search(queries, k: 10, filter: .allowing([3, 17, 42]))
/// let s = try index.search(queries, k: 10, filter: .denying(seen))
/// let t = try index.search(queries, k: 10, filter: .matching { $0 % 2 == 0 })
/// ```
///
/// **Edge cases:** ids that are not in the index are ignored (an allow set of none of them
/// gives empty result lists); removed rows never pass.
public struct CosineIndexFilter: Sendable {
  package enum Kind: Sendable {
    case allow(Set<Int>)
    case deny(Set<Int>)
    case predicate(@Sendable (Int) -> Bool)
  }

  package let kind: Kind

  /// Only rows whose id is in `ids` pass.
  ///
  /// - Complexity: O(|ids|) to build; a search then touches only the panels holding those rows.
  public static func allowing<S: Sequence>(_ ids: S) -> CosineIndexFilter where S.Element == Int {
    CosineIndexFilter(kind: .allow(Set(ids)))
  }

  /// Every row passes except those whose id is in `ids`.
  public static func denying<S: Sequence>(_ ids: S) -> CosineIndexFilter where S.Element == Int {
    CosineIndexFilter(kind: .deny(Set(ids)))
  }

  /// Rows pass when `predicate(id)` is true. It is called once per stored row per search
  /// (from one thread), so it should be cheap.
  public static func matching(_ predicate: @escaping @Sendable (Int) -> Bool) -> CosineIndexFilter {
    CosineIndexFilter(kind: .predicate(predicate))
  }
}
