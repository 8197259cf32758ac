#if canImport(_Differentiation)
  import _Differentiation
  import Testing
  import CosineAnalysis
  import CosineCore
  import CosineKit
  import CosineLosses
  import CosineSearch
  import CosineTraining

  /// A model written by a user: two dense layers, differentiated by the compiler.
  struct UserTower: Differentiable {
    var first: Dense<Double>
    var second: Dense<Double>

    @differentiable(reverse)
    func callAsFunction(_ x: Tensor<Double>) -> Tensor<Double> {
      second.forward(first.forward(x))
    }
  }

  /// The model of the Training article.
  struct Siamese: Differentiable {
    var tower: Sequential<Float>

    @differentiable(reverse,wrt: self)
    func loss(_ a: Tensor<Float>, _ b: Tensor<Float>, target y: Tensor<Float>) -> Float {
      CosineLoss(.embedding(margin: 0.2)).forward(tower.forward(a), tower.forward(b), target: y).scalarized()
    }
  }

  /// Autodiff through CosineKit's registered derivatives equals the explicit pullbacks.
  @Suite struct DifferentiationTests {
    @Test(arguments: [CosineLoss.Kind.embedding(margin: 0.1), .keras, .cosineDistance(), .mse()])
    func userModelGradientEqualsExplicit(kind: CosineLoss.Kind) throws {
      var g = SeededGenerator(seed: 17)
      let tower = UserTower(
        first: Dense(inputSize: 4, outputSize: 6, activation: .tanh, generator: &g),
        second: Dense(inputSize: 6, outputSize: 3, generator: &g))
      let a = uniformTensor([5, 4], &g)
      let b = uniformTensor([5, 4], &g)
      let target: Tensor<Double>? =
        switch kind {
        case .embedding: Tensor([1, -1, 1, -1, -1])
        case .mse: Tensor([0.9, 0.1, 0.5, 0.0, 1.0])
        default: nil
        }
      let loss = CosineLoss(kind)

      let (value, grad) = valueWithGradient(at: tower) { t in
        loss.forward(t(a), t(b), target: target).scalarized()
      }

      // The same computation with the explicit API: a Sequential of the same layers.
      let sequential = Sequential<Double>(tower.first, tower.second)
      let (ya, pa) = try sequential.valueWithPullback(a)
      let (yb, pb) = try sequential.valueWithPullback(b)
      let l = try loss.valueWithGradient(ya, yb, target: target)
      let ga = try pa(l.gradientTrue).parameters
      let gb = try pb(l.gradientPred).parameters
      let explicit = zip(ga, gb).map { $0 + $1 }

      #expect(value == l.value.scalarized())
      let auto = grad.first.tensors + grad.second.tensors
      #expect(auto.count == explicit.count)
      for (x, y) in zip(auto, explicit) {
        #expect(x.shape == y.shape)
        GradientCheck.expectClose(x.scalars, y.scalars, tolerance: 1e-14, "parameter gradient")
      }
    }

    @Test func opGradientsEqualTheirPullbacks() throws {
      var g = SeededGenerator(seed: 23)
      let a = uniformTensor([4, 3], &g)
      let b = uniformTensor([4, 3], &g)
      let w = uniformTensor([4], &g)

      let (ga, gb) = gradient(at: a, b) { x, y in
        GradientCheck.weightedSum(x.cosineSimilarity(to: y), w)
      }
      let (pa, pb) = try cosineSimilarityWithPullback(a, b).pullback(w)
      #expect(ga == pa && gb == pb)

      let w2 = uniformTensor([4, 3], &g)
      let gn = gradient(at: a) { x in GradientCheck.weightedSum(x.l2Normalized(), w2) }
      #expect(gn == (try l2NormalizeWithPullback(a).pullback(w2)))

      let (da, db) = gradient(at: a, b) { x, y in GradientCheck.weightedSum(CosineDot().forward(x, y), w) }
      let (ea, eb) = try CosineDot().valueWithPullback(a, b).pullback(w)
      #expect(da == ea && db == eb)
    }

    @Test func layersAreDifferentiable() throws {
      var g = SeededGenerator(seed: 29)
      let model = Sequential<Double>(
        Dense(inputSize: 3, outputSize: 5, activation: .relu, generator: &g),
        Dense(inputSize: 5, outputSize: 4, generator: &g),
        L2NormalizeLayer())
      let x = uniformTensor([6, 3], &g)
      let z = uniformTensor([6, 4], &g)
      let merge = CosineDot(keepsAxis: true)
      let (gm, gx) = gradient(at: model, x) { m, x in merge.forward(m.forward(x), z).sum().scalarized() }

      let (y, pm) = try model.valueWithPullback(x)
      let (_, pd) = try merge.valueWithPullback(y, z)
      let (gy, _) = try pd(Tensor(shape: [6, 1], repeating: 1))
      let explicit = try pm(gy)
      #expect(gm.tensors == explicit.parameters)
      #expect(gx == explicit.input)
    }

    @Test func theArticleExampleTrains() throws {
      var g = SeededGenerator(seed: 37)
      var model = Siamese(tower: .multilayerPerceptron(sizes: [4, 8, 3], activation: .tanh, generator: &g))
      let a: Tensor<Float> = uniformTensor([16, 4], &g).converted()
      let b: Tensor<Float> = uniformTensor([16, 4], &g).converted()
      let y = Tensor<Float>((0..<16).map { $0 % 2 == 0 ? 1 : -1 })
      var adam = Adam<Float>(learningRate: 0.02)
      let before = model.loss(a, b, target: y)
      for _ in 0..<40 {
        let grad = gradient(at: model) { m in m.loss(a, b, target: y) }
        try adam.update(&model.tower, along: grad.tower.tensors)
      }
      #expect(model.loss(a, b, target: y) < 0.5 * before)
    }

    @Test func aGradientStepMovesTheModel() throws {
      var g = SeededGenerator(seed: 31)
      var model = Sequential<Double>(Dense(inputSize: 2, outputSize: 2, generator: &g))
      let a = uniformTensor([8, 2], &g)
      let b = uniformTensor([8, 2], &g)
      let loss = CosineLoss(.cosineDistance())
      let before = try loss(model(a), b).scalarized()
      var adam = Adam<Double>(learningRate: 0.05)
      for _ in 0..<50 {
        let grad = gradient(at: model) { m in loss.forward(m.forward(a), b).scalarized() }
        try adam.update(&model, along: grad.tensors)
      }
      #expect(try loss(model(a), b).scalarized() < before)
    }
  }

  extension GradientCheck {
    /// `Σ w·y` as a differentiable scalar.
    @differentiable(reverse,wrt: y)
    static func weightedSum(_ y: Tensor<Double>, _ w: Tensor<Double>) -> Double {
      weightedSumValue(y, w)
    }

    static func weightedSumValue(_ y: Tensor<Double>, _ w: Tensor<Double>) -> Double {
      zip(y.scalars, w.scalars).reduce(0) { $0 + $1.0 * $1.1 }
    }

    @derivative(of: weightedSumValue, wrt: y)
    static func _vjpWeightedSumValue(
      _ y: Tensor<Double>, _ w: Tensor<Double>
    ) -> (value: Double, pullback: (Double) -> Tensor<Double>) {
      (weightedSumValue(y, w), { s in w.scaled(by: s) })
    }
  }
#endif
