// The example of `keras.losses.cosine_similarity` in the Keras documentation:
//
//   y_true = [[0., 1.], [1., 1.], [1., 1.]]
//   y_pred = [[1., 0.], [1., 1.], [-1., -1.]]
//   loss = keras.losses.cosine_similarity(y_true, y_pred, axis=-1)
//   # [-0., -0.99999994, 0.99999994]
import CosineKit

let yTrue = Tensor<Float>([[0, 1], [1, 1], [1, 1]])
let yPred = Tensor<Float>([[1, 0], [1, 1], [-1, -1]])

let perSample = try CosineLoss(.keras, reduction: .none)(yTrue, yPred)
print("cosine_similarity:", perSample)

// The loss class reduces with sum_over_batch_size, and the metric averages +cos.
let mean = try CosineLoss(.keras)(yTrue, yPred)
var metric = CosineSimilarityMetric()
try metric.update(yTrue, yPred)
print("CosineSimilarity loss:", mean.item(), " metric:", metric.result)
