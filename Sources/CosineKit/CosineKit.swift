// CosineKit is the whole library: it re-exports its layers, so `import CosineKit` gives every
// public type and function. A client that needs one layer can import it alone (`CosineCore`,
// `CosineLosses`, `CosineSearch`, `CosineTraining`, `CosineAnalysis`).
@_exported import CosineAnalysis
@_exported import CosineCore
@_exported import CosineLosses
@_exported import CosineSearch
@_exported import CosineTraining
