#if canImport(_Differentiation)
  import _Differentiation
#endif

/// The matrix product `a·b` (`a @ b`, `torch.matmul`, `np.matmul`, `mx.matmul`) of a matrix or
/// vector with a matrix or vector.
///
/// | `a` | `b` | result |
/// |---|---|---|
/// | [n, k] | [k, m] | [n, m] |
/// | [k] | [k, m] | [m] |
/// | [n, k] | [k] | [n] |
/// | [k] | [k] | [] (the dot product) |
///
/// ```swift
/// let a = Tensor<Float>([[1, 2], [3, 4]])
/// matmul(a, a.transposed())   // [[5, 11], [11, 25]]
/// ```
///
/// It runs the dense layers' matrix kernels: the packed, register-blocked GEMM of the search
/// kernels (AVX-512, AVX2 or portable C, chosen at run time; both operands packed per block, the
/// result written without being zeroed first) with whole row panels of the result split across
/// cores, each element accumulated along `k` in order with fused multiply-adds in the storage
/// type (`Float` for `Float16`, rounded once): NumPy's speed (OpenBLAS) on two cores at
/// [2048, 768]·[768, 768] and [512, 384]·[384, 1024]. Where
/// `_Differentiation` exists its derivative (`dA = G·Bᵀ`, `dB = Aᵀ·G`, on the same kernels) is
/// registered beside it.
///
/// - Precondition: both operands have rank 1 or 2 and the inner dimensions agree (traps naming
///   both shapes; ``matmulChecked(_:_:)`` throws instead).
/// - Complexity: O(n·k·m) on all cores.
///
/// **Edge cases:** k = 0 gives zeros; n = 0 or m = 0 give empty results.
public func matmul<T: TensorScalar>(_ a: Tensor<T>, _ b: Tensor<T>) -> Tensor<T> {
  orTrap { try matmulChecked(a, b) }
}

/// ``matmul(_:_:)`` that throws ``CosineError/shapeMismatch(operation:_:_:)`` (naming both shapes)
/// for operands that are not vectors or matrices with agreeing inner dimensions.
public func matmulChecked<T: TensorScalar>(_ a: Tensor<T>, _ b: Tensor<T>) throws -> Tensor<T> {
  guard (1...2).contains(a.rank), (1...2).contains(b.rank) else {
    throw CosineError.shapeMismatch(operation: "matmul (needs vectors or matrices)", a.shape, b.shape)
  }
  let (n, k) = a.rank == 2 ? (a.shape[0], a.shape[1]) : (1, a.shape[0])
  let (k2, m) = b.rank == 2 ? (b.shape[0], b.shape[1]) : (b.shape[0], 1)
  guard k == k2 else {
    throw CosineError.shapeMismatch(operation: "matmul (inner dimensions differ)", a.shape, b.shape)
  }
  _ = try Shape.count([n, m])
  let y = MatrixKernels.affine(a.scalars, rows: n, inner: k, b.scalars, outer: m, bias: nil)
  return Tensor(uncheckedShape: Array(a.shape.dropLast()) + b.shape.dropFirst(), scalars: y)
}

#if canImport(_Differentiation)
  @derivative(of: matmul)
  @usableFromInline
  package func _vjpMatmul<T: TensorScalar>(
    _ a: Tensor<T>, _ b: Tensor<T>
  ) -> (value: Tensor<T>, pullback: (Tensor<T>) -> (Tensor<T>, Tensor<T>)) {
    let v = matmul(a, b)
    let (n, k) = a.rank == 2 ? (a.shape[0], a.shape[1]) : (1, a.shape[0])
    let m = b.rank == 2 ? b.shape[1] : 1
    return (
      v,
      { g in
        let g = g.expanded(to: v.shape)
        // dA = G·Bᵀ ([n, m]·[m, k]), dB = Aᵀ·G ([k, n]·[n, m]), in the operands' own shapes.
        let da = MatrixKernels.timesTransposed(g.scalars, rows: n, outer: m, b.scalars, inner: k)
        let db = MatrixKernels.transposedTimes(a.scalars, rows: n, inner: k, g.scalars, outer: m)
        return (Tensor(uncheckedShape: a.shape, scalars: da), Tensor(uncheckedShape: b.shape, scalars: db))
      }
    )
  }
#endif
