"""Fits scikit-learn's HistGradientBoostingRegressor on the data bench/gbdt-vs-sklearn.ts wrote.

Usage: python bench/sklearn_hgbr.py <dir>
Reads <dir>/meta.json, X.f32 (row-major little-endian float32, NaN = missing) and y.f64; the first
nTrain rows train, the rest are the test rows. Then serves commands on stdin, one per line, so the
caller can interleave its own fits with these (fairer on a shared machine):
  fit      -> fits once, prints {"seconds": s, "nIter": n}   (only fit() is timed)
  predict  -> writes the last model's test predictions to <dir>/sklearn-test.f64, prints {"ok": true}
  time-predict -> times the last model's predict(): the whole test set repeated for >= 1 s (rows/s)
              and one row at a time for up to 500 rows (seconds per call, p50 and p99)
  info     -> prints {"version": ..., "threads": OpenMP threads}
  quit
"""
import json
import pathlib
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_info


def main() -> None:
    root = pathlib.Path(sys.argv[1])
    meta = json.loads((root / "meta.json").read_text())
    n, d, n_train = meta["nRows"], meta["nCols"], meta["nTrain"]
    X = np.fromfile(root / "X.f32", dtype="<f4").reshape(n, d)
    y = np.fromfile(root / "y.f64", dtype="<f8")
    X_train, y_train, X_test = X[:n_train], y[:n_train], X[n_train:]
    params = dict(meta["sklearnParams"])
    if meta["categorical"]:
        params["categorical_features"] = meta["categorical"]
    model = None
    for line in sys.stdin:
        command = line.strip()
        if command == "fit":
            model = HistGradientBoostingRegressor(**params)
            started = time.perf_counter()
            model.fit(X_train, y_train)
            reply = {"seconds": time.perf_counter() - started, "nIter": int(model.n_iter_)}
        elif command == "predict" and model is not None:
            model.predict(X_test).astype("<f8").tofile(root / "sklearn-test.f64")
            reply = {"ok": True}
        elif command == "time-predict" and model is not None:
            reps, started = 0, time.perf_counter()
            while True:
                model.predict(X_test)
                reps += 1
                elapsed = time.perf_counter() - started
                if elapsed >= 1.0:
                    break
            calls = []
            for i in range(min(500, len(X_test))):
                row = X_test[i : i + 1]
                t0 = time.perf_counter()
                model.predict(row)
                calls.append(time.perf_counter() - t0)
            calls.sort()
            reply = {
                "batchRowsPerSecond": reps * len(X_test) / elapsed,
                "singleP50": calls[len(calls) // 2],
                "singleP99": calls[min(len(calls) - 1, int(0.99 * len(calls)))],
            }
        elif command == "info":
            openmp = [p for p in threadpool_info() if p.get("user_api") == "openmp"]
            reply = {"version": sklearn.__version__, "threads": openmp[0]["num_threads"] if openmp else None}
        elif command == "quit":
            break
        else:
            reply = {"error": f"unknown command {command!r}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
