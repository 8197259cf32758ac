// `import CosineAnalysis` also gives the search layer it builds on, spherical k-means and the
// analyses' progress reports included (they live in CosineSearch, whose IVF index trains them).
@_exported import CosineSearch
