"""Writes the generality-check data sets of docs/benchmarks.md ("Generality check") into the folder given (default
/tmp/generality): scikit-learn's make_classification (binary: 6 informative, 6 redundant, 3 repeated of 50; 3 classes:
5 informative, 4 redundant of 30) and Friedman #1 (5 relevant of 20, interactions), two random states each. They were
not used for any choice of the selector's design or defaults. Run: /usr/bin/python3 make_generality_sets.py [folder]"""
import os
import sys

from sklearn.datasets import make_classification, make_friedman1


def save(path, x, y):
    with open(path, "w") as f:
        f.write(",".join([f"x{i}" for i in range(x.shape[1])] + ["Label"]) + "\n")
        for row, label in zip(x, y):
            f.write(",".join(f"{v:.6g}" for v in row) + f",{label:.6g}\n")


folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/generality"
os.makedirs(folder, exist_ok=True)
for state in (1, 2):
    x, y = make_classification(n_samples=1000, n_features=50, n_informative=6, n_redundant=6, n_repeated=3,
                               n_clusters_per_class=2, flip_y=0.03, random_state=state)
    save(os.path.join(folder, f"cls{state}.csv"), x, y)
    x, y = make_classification(n_samples=600, n_features=30, n_informative=5, n_redundant=4, n_classes=3,
                               n_clusters_per_class=1, random_state=state)
    save(os.path.join(folder, f"mc{state}.csv"), x, y)
    x, y = make_friedman1(n_samples=500, n_features=20, noise=1.0, random_state=state)
    save(os.path.join(folder, f"fr{state}.csv"), x, y)
