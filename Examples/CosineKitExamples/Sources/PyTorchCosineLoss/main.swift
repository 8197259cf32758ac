// A PyTorch-style module and its backward pass:
//
//   class CosineSimilarityLoss(nn.Module):
//       def forward(self, a, b):
//           return (1 - F.cosine_similarity(a, b, dim=1)).mean()
//
//   a = torch.randn(4, 8, requires_grad=True); b = torch.randn(4, 8, requires_grad=True)
//   loss = CosineSimilarityLoss()(a, b); loss.backward()   # a.grad, b.grad
import CosineKit

/// `mean(1 − cos(a, b))` over the rows, with its gradients.
struct CosineSimilarityLoss {
  let distance = CosineLoss(.cosineDistance(eps: 1e-8), axis: 1)

  func callAsFunction(_ a: Tensor<Float>, _ b: Tensor<Float>) throws -> Tensor<Float> {
    try distance(a, b)
  }

  /// The loss and the gradients `backward()` would leave in `a.grad` and `b.grad`.
  func backward(_ a: Tensor<Float>, _ b: Tensor<Float>) throws -> (
    loss: Tensor<Float>, a: Tensor<Float>, b: Tensor<Float>
  ) {
    let (value, gradA, gradB) = try distance.valueWithGradient(a, b)
    return (value, gradA, gradB)
  }
}

let a = Tensor<Float>.random(normal: [4, 8], seed: 0)
let b = Tensor<Float>.random(normal: [4, 8], seed: 1)
let criterion = CosineSimilarityLoss()
let (loss, gradA, gradB) = try criterion.backward(a, b)
print("loss:", loss.item())
print("a.grad:", gradA)
print("b.grad row 0:", gradB[0])

// The same loss written with tensor arithmetic: 1 − cos, then the mean.
let byHand = (1 - a.cosineSimilarity(to: b, axis: 1)).mean()
print("by hand:", byHand.item())
