"""Reads a PigPig indices directory the way the bot does (faiss.read_index + pickle.load) and checks
that every vector retrieves its own message id as nearest neighbour. Prints one JSON summary.

Usage: /usr/bin/python3 check_indexes.py <indices dir> [--no-self-retrieval]
"""
import json
import pickle
import sys
from pathlib import Path

import faiss
import numpy as np


def check_channel(index_path: Path, self_retrieval: bool) -> dict:
    index = faiss.read_index(str(index_path))
    with open(index_path.with_suffix(".mapping"), "rb") as handle:
        mapping = pickle.load(handle)
    id_map = mapping["id_map"]
    reverse = mapping["reverse_id_map"]
    problems = []
    if index.ntotal != len(id_map):
        problems.append(f"ntotal {index.ntotal} != id_map {len(id_map)}")
    if sorted(id_map) != list(range(index.ntotal)):
        problems.append("id_map positions are not 0..n-1")
    if any(reverse[message_id] != position for position, message_id in id_map.items()):
        problems.append("reverse_id_map disagrees")
    if mapping["dimension"] != index.d:
        problems.append(f"mapping dimension {mapping['dimension']} != index {index.d}")
    if mapping.get("next_id") != index.ntotal:
        problems.append("next_id != ntotal")
    misses = 0
    if self_retrieval and index.ntotal > 0:
        vectors = index.reconstruct_n(0, index.ntotal)
        k = min(10, index.ntotal)
        distances, labels = index.search(np.ascontiguousarray(vectors, dtype="float32"), k)
        for position in range(index.ntotal):
            # Repeated texts ("ok", "哈哈哈") have (near-)identical vectors: the message counts as
            # retrieving itself when it ties with the best hit.
            nearest = labels[position, 0]
            duplicate = float(np.sum((vectors[nearest] - vectors[position]) ** 2)) <= 1e-6
            if nearest != position and not duplicate:
                misses += 1
    return {
        "channel": index_path.stem,
        "ntotal": int(index.ntotal),
        "dimension": int(index.d),
        "metric_l2": index.metric_type == faiss.METRIC_L2,
        "message_ids": [id_map[i] for i in range(min(index.ntotal, 3))],
        "all_ids": sorted(id_map.values()),
        "self_retrieval_misses": misses,
        "problems": problems,
    }


def main() -> None:
    directory = Path(sys.argv[1])
    self_retrieval = "--no-self-retrieval" not in sys.argv
    channels = [check_channel(path, self_retrieval) for path in sorted(directory.glob("*.index"))]
    print(json.dumps({"channels": channels}))


if __name__ == "__main__":
    main()
