#!/usr/bin/env python3
"""Makes the fused.pt fixtures in test/fixtures/fused/ with real torch, and checks that a file written by
our TypeScript writer (writeFused) loads in torch.load(weights_only=True) and torch.load(mmap=True).

CI has no torch: it reads the committed files. Re-run this after changing the writer:

    python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch
    npx tsc -p tsconfig.json
    /tmp/torchvenv/bin/python scripts/make-fused-fixtures.py

What each fixture holds is listed in test/fixtures/fused/README.md (written by this script).
"""
import json
import os
import subprocess
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "fused")
IDS = ["a", "b", "c"]


def base() -> torch.Tensor:
    # Row r, column c = r + c / 4 - 1: exact in float16, bfloat16, float32 and float64.
    return torch.tensor([[r + c / 4 - 1 for c in range(4)] for r in range(3)], dtype=torch.float64)


def save(name: str, obj, **kwargs) -> None:
    path = os.path.join(OUT, name)
    torch.save(obj, path, **kwargs)
    # The archive folder is named after the file by torch; keep the files reproducible otherwise.
    print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)")


def with_extras() -> dict:
    return {"ids": IDS, "fused": base().float(), "big": 2**70, "neg": -5, "inf": float("inf"), "raw": b"\x00\xff",
            "tuple": (1, "x", None, True), "size": torch.Size([2, 3]), "dtype": torch.bfloat16}


FIXTURES = {
    "float32.pt": ("fused float32 [3,4], ids a,b,c, value[r][c] = r + c/4 - 1",
                   lambda: save("float32.pt", {"ids": IDS, "fused": base().float()})),
    "float16.pt": ("same values as float16",
                   lambda: save("float16.pt", {"ids": IDS, "fused": base().half()})),
    "bfloat16.pt": ("same values as bfloat16",
                    lambda: save("bfloat16.pt", {"ids": IDS, "fused": base().bfloat16()})),
    "float64.pt": ("float64 [3,4], value[r][c] = r + c/4 - 1 + 0.1 (not exact in float32: read rounds)",
                   lambda: save("float64.pt", {"ids": IDS, "fused": base() + 0.1})),
    "transposed.pt": ("float32 [3,4] stored as the transpose of a contiguous [4,3] (strides (1, 3)), same values as float32.pt",
                      lambda: save("transposed.pt", {"ids": IDS, "fused": base().float().t().contiguous().t()})),
    "offset-view.pt": ("float32 [3,4] = rows 1..3 of a [4,4] storage (storage offset 4), same values as float32.pt",
                       lambda: save("offset-view.pt", {"ids": IDS, "fused": torch.cat([torch.full((1, 4), 9.0), base().float()])[1:]})),
    "protocol4.pt": ("float32.pt's content saved with pickle_protocol=4 (FRAME, MEMOIZE, STACK_GLOBAL)",
                     lambda: save("protocol4.pt", {"ids": IDS, "fused": base().float()}, pickle_protocol=4)),
    "protocol1.pt": ("float32.pt's content plus extras of every scalar kind, pickle_protocol=1 "
                     "(big int 2**70, -5, inf, bytes b'\\x00\\xff' via _codecs.encode, a tuple, torch.Size, torch.bfloat16)",
                     lambda: save("protocol1.pt", with_extras(), pickle_protocol=1)),
    "protocol5.pt": ("protocol1.pt's content with pickle_protocol=5 (SHORT_BINBYTES, STACK_GLOBAL, FRAME)",
                     lambda: save("protocol5.pt", with_extras(), pickle_protocol=5)),
    "legacy.pt": ("float32.pt's content in the legacy (pre-1.6) format",
                  lambda: save("legacy.pt", {"ids": IDS, "fused": base().float()}, _use_new_zipfile_serialization=False)),
    "extra-keys.pt": ("float32.pt's content plus an unrelated key `model` (a string): extra keys are allowed",
                      lambda: save("extra-keys.pt", {"model": "clip-x", "ids": IDS, "fused": base().float()})),
    "duplicate-ids.pt": ("ids a,b,a: invalid (duplicate id a at rows 0 and 2)",
                         lambda: save("duplicate-ids.pt", {"ids": ["a", "b", "a"], "fused": base().float()})),
    "nan.pt": ("float32 [3,4] with NaN at row 1, column 2: invalid",
               lambda: save("nan.pt", {"ids": IDS, "fused": base().float().index_put_((torch.tensor([1]), torch.tensor([2])), torch.tensor([float("nan")]))})),
    "int-tensor.pt": ("fused is an int64 tensor: invalid",
                      lambda: save("int-tensor.pt", {"ids": IDS, "fused": base().long()})),
    "row-mismatch.pt": ("2 ids for 3 rows: invalid",
                        lambda: save("row-mismatch.pt", {"ids": ["a", "b"], "fused": base().float()})),
    "non-string-id.pt": ("ids a, 7, c: invalid (ids[1] is an int)",
                         lambda: save("non-string-id.pt", {"ids": ["a", 7, "c"], "fused": base().float()})),
    "fused-not-tensor.pt": ("fused is a list of lists: invalid",
                            lambda: save("fused-not-tensor.pt", {"ids": IDS, "fused": base().tolist()})),
}


def check_ours() -> None:
    """Writes the sample with our writer and loads it with torch: weights_only, then mmap."""
    path = os.path.join(OUT, "written-by-virality.pt")
    subprocess.run(["node", os.path.join(ROOT, "dist", "scripts", "write-fused-sample.js"), path], check=True)
    for kwargs in ({"weights_only": True}, {"weights_only": True, "mmap": True}):
        obj = torch.load(path, **kwargs)
        assert set(obj) == {"ids", "fused"}, obj.keys()
        ids, fused = obj["ids"], obj["fused"]
        assert ids == ["vid-000", "vid-001", "vidéo-002", "視頻-003", "vid-004"], ids
        assert fused.dtype == torch.float32 and list(fused.shape) == [5, 6], (fused.dtype, fused.shape)
        expected = torch.tensor([[r - c / 8 + 0.125 for c in range(6)] for r in range(5)], dtype=torch.float32)
        assert torch.equal(fused, expected), fused
        print(f"torch {torch.__version__} loaded {os.path.relpath(path, ROOT)} with {json.dumps(kwargs)}: OK")


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    only = sys.argv[1:]
    lines = ["# fused.pt fixtures", "",
             f"Generated by `scripts/make-fused-fixtures.py` with torch {torch.__version__}; do not edit by hand.", "",
             "| file | holds |", "|---|---|"]
    for name, (what, make) in FIXTURES.items():
        if not only or name in only:
            make()
        lines.append(f"| {name} | {what} |")
    check_ours()
    lines.append("| written-by-virality.pt | written by our `writeFused` (scripts/write-fused-sample.ts); "
                 "loaded by torch.load(weights_only=True) and with mmap=True, values checked |")
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
