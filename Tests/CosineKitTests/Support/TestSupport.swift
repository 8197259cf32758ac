// The shared test toolkit (seeded data, closeness and ulp checks, references, finite
// differences), visible in every file of this target.
@_exported import CosineTestSupport
