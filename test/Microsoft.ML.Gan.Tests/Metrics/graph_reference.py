"""Independent reference values for GraphMetricsTests: the NetGAN paper's graph statistics on Cora-ML, computed
with networkx, numpy and scipy from the definitions in the official NetGAN code (compute_graph_statistics).
Run: python3 graph_reference.py examples/data/cora_ml  (Debian python3-networkx, python3-scipy)."""
import sys
import numpy as np
import networkx as nx
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, shortest_path

folder = sys.argv[1]
edges = np.loadtxt(f"{folder}/cora_ml_lcc.edges", dtype=int, comments="#")
labels = np.loadtxt(f"{folder}/cora_ml_lcc.labels", dtype=int, comments="#")
n = edges.max() + 1
A = sp.coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
A = ((A + A.T) > 0).astype(float)
A.setdiag(0)
A.eliminate_zeros()
G = nx.from_scipy_sparse_array(A)
d = np.asarray(A.sum(0)).ravel()

out = {}
out["nodes"] = n
out["edges"] = G.number_of_edges()
out["d_max"] = d.max()
out["d_min"] = d.min()
out["wedges"] = float(np.sum(d * (d - 1) / 2))
out["claws"] = float(np.sum(d * (d - 1) * (d - 2) / 6))
out["triangles"] = sum(nx.triangles(G).values()) // 3
xmin = max(d.min(), 1)
tail = d[d >= xmin]
out["power_law_continuous"] = 1 + len(tail) / np.sum(np.log(tail / xmin))
ds = np.sort(d)
out["gini"] = 2 * np.sum(np.arange(n) * ds) / (n * d.sum()) - (n + 1) / n
m = G.number_of_edges()
out["entropy"] = np.sum(-d / (2 * m) * np.log((d + 1e-4) / (2 * m))) / np.log(n)
out["assortativity"] = nx.degree_assortativity_coefficient(G)
out["clustering"] = 3 * out["triangles"] / out["claws"]
out["components"] = connected_components(A)[0]
out["lcc"] = max(len(c) for c in nx.connected_components(G))
Z = np.eye(labels[:, 1].max() + 1)[labels[np.argsort(labels[:, 0]), 1]]
block = Z.T @ (A @ Z)
counts = Z.sum(0)
B = block / np.outer(counts, counts)
K = B.shape[0]
out["intra"] = np.sum(np.diag(B)) / K**2
out["inter"] = (B.sum() - np.sum(np.diag(B))) / K**2
P = shortest_path(A, unweighted=True)
mask = np.isfinite(P) & ~np.eye(n, dtype=bool)
out["cpl"] = P[mask].mean()
out["nx_average_shortest_path_length"] = nx.average_shortest_path_length(G)
for k, v in out.items():
    print(f"{k}\t{v!r}")
