#!/usr/bin/env python3
"""Writes Tests/CosineKitTests/Fixtures/ir/evaluator_case.json: a small retrieval case and the
metrics sentence-transformers' InformationRetrievalEvaluator reports for it.

14 queries and 30 corpus rows of 8 float32 values (seeded normal draws; corpus rows 7 and 19 are
copies of row 3, so ties are ranked by corpus id; ids are zero-padded because the evaluator
compares them as strings), 1 to 3 relevant rows per query, and two
queries without any (the evaluator leaves them out). The evaluator runs on the vectors through
a stand-in model whose encode_query / encode_document return them.

  python3 Scripts/make_ir_metrics_case.py
"""

import json
import os

import numpy as np
import torch
from sentence_transformers import util
from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator

rng = np.random.default_rng(7)
Q = rng.standard_normal((14, 8)).astype(np.float32)
C = rng.standard_normal((30, 8)).astype(np.float32)
C[7] = C[3]
C[19] = C[3]
# Queries near their first relevant row, so that the metrics are not all zero.
relevant = {}
for i in range(14):
    if i in (5, 11):
        continue  # no relevant row
    m = 1 + i % 3
    rows = sorted(set(int(x) for x in rng.choice(30, size=m, replace=False)))
    if i == 2:
        rows = [3, 19]
    relevant[i] = rows
    Q[i] = (C[rows[0]] + 0.9 * Q[i]).astype(np.float32)


class StandIn:
    similarity_fn_name = "cosine"

    def similarity(self, a, b):
        return util.cos_sim(a, b)

    def encode_query(self, sentences, **kw):
        return torch.tensor(np.stack([Q[int(s[1:])] for s in sentences]))

    def encode_document(self, sentences, **kw):
        return torch.tensor(np.stack([C[int(s[1:])] for s in sentences]))


ev = InformationRetrievalEvaluator(
    # Zero-padded ids: the evaluator orders equal scores by id, as strings.
    queries={f"q{i:02d}": f"q{i:02d}" for i in range(14)},
    corpus={f"d{j:02d}": f"d{j:02d}" for j in range(30)},
    relevant_docs={f"q{i:02d}": {f"d{j:02d}" for j in rows} for i, rows in relevant.items()},
    mrr_at_k=[10],
    ndcg_at_k=[10],
    accuracy_at_k=[1, 5, 10],
    precision_recall_at_k=[1, 5, 10],
    map_at_k=[10],
    corpus_chunk_size=7,
    score_functions={"cosine": util.cos_sim},
    show_progress_bar=False,
)
scores = ev.compute_all_metrics(StandIn())["cosine"]
out = {
    "queries": Q.tolist(),
    "corpus": C.tolist(),
    "relevant": [relevant.get(i, []) for i in range(14)],
    "recall": {str(k): float(v) for k, v in scores["recall@k"].items()},
    "accuracy": {str(k): float(v) for k, v in scores["accuracy@k"].items()},
    "mrr": {str(k): float(v) for k, v in scores["mrr@k"].items()},
    "ndcg": {str(k): float(v) for k, v in scores["ndcg@k"].items()},
}
path = os.path.join(os.path.dirname(__file__), "..", "Tests/CosineKitTests/Fixtures/ir/evaluator_case.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print({k: out[k] for k in ("recall", "accuracy", "mrr", "ndcg")})
