// A Keras-style Siamese network trained for a few steps:
//
//   tower = keras.Sequential([layers.Dense(16, activation="relu"), layers.Dense(8)])
//   cos = layers.Dot(axes=1, normalize=True)([tower(input_a), tower(input_b)])
//   model = keras.Model([input_a, input_b], cos)
//   model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
//   model.fit([a, b], labels, epochs=30, batch_size=64)
import CosineKit

// Pairs of 6-dimensional points; a pair is similar (label 1) when both come from one cluster.
func sample(_ count: Int, centers: Tensor<Float>, _ rng: inout SeededGenerator) -> (
  a: Tensor<Float>, b: Tensor<Float>, labels: Tensor<Float>
) {
  var a = Tensor<Float>.zeros([count, 6])
  var b = Tensor<Float>.zeros([count, 6])
  var labels = Tensor<Float>.zeros([count, 1])
  for i in 0..<count {
    let ca = rng.nextInt(below: 4)
    let same = rng.nextUniform() < 0.5
    let cb = same ? ca : (ca + 1 + rng.nextInt(below: 3)) % 4
    a[i] = centers[ca] + Tensor.random(normal: [6], standardDeviation: 0.5, using: &rng)
    b[i] = centers[cb] + Tensor.random(normal: [6], standardDeviation: 0.5, using: &rng)
    labels[i] = [same ? 1 : 0]
  }
  return (a, b, labels)
}

func main() throws {
  var rng = SeededGenerator(seed: 7)
  let centers = Tensor<Float>.random(normal: [4, 6], standardDeviation: 2, using: &rng)
  var tower = Sequential<Float>.multilayerPerceptron(sizes: [6, 16, 8], activation: .relu, generator: &rng)
  let dot = CosineDot(axis: 1, normalize: true, keepsAxis: true)
  let mse = MeanSquaredError()
  var adam = Adam<Float>(learningRate: 1e-2)

  let train = sample(512, centers: centers, &rng)
  let test = sample(256, centers: centers, &rng)

  /// The loss on a batch of pairs and its gradient with respect to each tower parameter.
  func step(_ a: Tensor<Float>, _ b: Tensor<Float>, _ labels: Tensor<Float>) throws -> (Float, [Tensor<Float>]) {
    let (ea, backA) = try tower.valueWithPullback(a)
    let (eb, backB) = try tower.valueWithPullback(b)
    let (cos, backDot) = try dot.valueWithPullback(ea, eb)
    let (loss, backLoss) = try mse.valueWithPullback(labels, cos)
    let (_, gradCos) = try backLoss(Tensor(scalar: 1))
    let (gradA, gradB) = try backDot(gradCos)
    // One tower embeds both inputs: its gradient is the sum of both paths.
    let gradients = zip(try backA(gradA).parameters, try backB(gradB).parameters).map { $0 + $1 }
    return (loss.item(), gradients)
  }

  let before = try mse(test.labels, dot(tower(test.a), tower(test.b))).item()
  print("test loss before:", before)
  for epoch in 1...30 {
    var total: Float = 0
    for start in stride(from: 0, to: 512, by: 64) {
      let (loss, gradients) = try step(
        train.a[start..<start + 64], train.b[start..<start + 64], train.labels[start..<start + 64])
      try adam.update(&tower, along: gradients)
      total += loss
    }
    if epoch % 10 == 0 { print("epoch \(epoch): loss \(total / 8)") }
  }
  let testLoss = try mse(test.labels, dot(tower(test.a), tower(test.b))).item()
  print("test loss after:", testLoss)
  guard testLoss < 0.5 * before else { fatalError("training did not reduce the test loss") }
}

try main()
