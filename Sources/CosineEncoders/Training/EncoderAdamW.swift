import Foundation
import CosineCore

/// AdamW over a flat parameter buffer in `Float`, as `torch.optim.AdamW` (single-tensor form)
/// steps it, with transformers' `Trainer` defaults: betas (0.9, 0.999), eps 1e-8, weight decay
/// 0.01 on the tensors whose ``BertParameterLayout/Entry/decays`` is set (not biases and
/// LayerNorm weights).
///
/// At step `t` (from 1), learning rate `lr`, for each parameter `p` with gradient `g`:
/// ```
/// p ← p·(1 − lr·λ)                       (decaying tensors only)
/// m ← m + (g − m)·(1 − β1)
/// v ← β2·v + (1 − β2)·g²
/// p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps)
/// ```
package struct EncoderAdamW: Sendable {
  package var beta1: Float = 0.9
  package var beta2: Float = 0.999
  package var eps: Float = 1e-8
  /// λ, the decoupled weight decay.
  package var weightDecay: Float = 0.01
  /// Steps taken.
  package var step = 0
  /// First and second moments, one per parameter.
  package var m: [Float]
  package var v: [Float]

  /// Zero moments for `count` parameters.
  package init(count: Int, weightDecay: Float = 0.01) {
    m = [Float](repeating: 0, count: count)
    v = [Float](repeating: 0, count: count)
    self.weightDecay = weightDecay
  }

  /// One step of rate `learningRate` on `parameters` along `gradients`.
  package mutating func update(
    _ parameters: inout BertParameters<Float>, gradients: BertParameters<Float>, learningRate: Double
  ) {
    step += 1
    let t = Double(step)
    let lr = Float(learningRate)
    let stepSize = Float(learningRate / (1 - Foundation.pow(Double(beta1), t)))
    let correction2 = Float((1 - Foundation.pow(Double(beta2), t)).squareRoot())
    let (b1, b2, e) = (beta1, beta2, eps)
    let decay = 1 - lr * weightDecay
    let entries = parameters.layout.entries
    parameters.values.withUnsafeMutableBufferPointer { pb in
      gradients.values.withUnsafeBufferPointer { gb in
        m.withUnsafeMutableBufferPointer { mb in
          v.withUnsafeMutableBufferPointer { vb in
            let p = pb.baseAddress!
            let g = gb.baseAddress!
            let mp = mb.baseAddress!
            let vp = vb.baseAddress!
            for entry in entries {
              let decays = entry.decays && weightDecay != 0
              Parallel.forEachRange(entry.count, costPerItem: 12) { range in
                for i in (entry.offset + range.lowerBound)..<(entry.offset + range.upperBound) {
                  if decays { p[i] *= decay }
                  let gi = g[i]
                  mp[i] += (gi - mp[i]) * (1 - b1)
                  vp[i] = vp[i] * b2 + (1 - b2) * gi * gi
                  p[i] -= stepSize * (mp[i] / (vp[i].squareRoot() / correction2 + e))
                }
              }
            }
          }
        }
      }
    }
  }
}
