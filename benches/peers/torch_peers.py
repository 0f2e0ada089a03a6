#!/usr/bin/env python3
"""CPU time of the PyTorch SSIM libraries on one image pair, one thread, float32.

Usage: torch_peers.py REF.pgm DIST.pgm [ROUNDS]

torchmetrics and piq SSIM / MS-SSIM (inference mode), and pytorch_msssim's forward +
backward (the gradient with respect to DIST, as an optimiser uses it). Each is called ROUNDS
times (default 5); the first is dropped as a warm-up and the minimum CPU time
(`time.process_time`) of the rest is printed, one `RESULT` line per peer, for comparison with
`perf stat -e task-clock` of this project's commands in the same run.
Needs: pip install numpy torch torchmetrics piq pytorch-msssim
"""
import sys
import time
from pathlib import Path

import numpy as np
import piq
import pytorch_msssim
import torch
from torchmetrics.functional.image import multiscale_structural_similarity_index_measure as tm_msssim
from torchmetrics.functional.image import structural_similarity_index_measure as tm_ssim

sys.path.insert(0, str(Path(__file__).parent))
from py_peers import read_pgm  # noqa: E402


def main():
    ref, dist = read_pgm(sys.argv[1]), read_pgm(sys.argv[2])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    torch.set_num_threads(1)
    x = torch.from_numpy(ref.astype(np.float32))[None, None]
    y = torch.from_numpy(dist.astype(np.float32))[None, None]

    def backward(fn):
        def run():
            yg = y.clone().requires_grad_(True)
            v = fn(x, yg, data_range=255, size_average=True)
            v.backward()
            return v
        return run

    peers = [
        ("torchmetrics-ssim", True, lambda: tm_ssim(y, x, data_range=255.0)),
        ("torchmetrics-msssim", True, lambda: tm_msssim(y, x, data_range=255.0)),
        ("piq-ssim", True, lambda: piq.ssim(x, y, data_range=255.0)),
        ("piq-msssim", True, lambda: piq.multi_scale_ssim(x, y, data_range=255.0)),
        ("pytorch_msssim-ssim-forward+backward", False, backward(pytorch_msssim.ssim)),
        ("pytorch_msssim-msssim-forward+backward", False, backward(pytorch_msssim.ms_ssim)),
    ]
    for name, inference, fn in peers:
        times = []
        for _ in range(rounds):
            t = time.process_time()
            if inference:
                with torch.inference_mode():
                    v = fn().item()
            else:
                v = fn().item()
            times.append((time.process_time() - t) * 1e3)
        best = min(times[1:]) if len(times) > 1 else times[0]
        print(f"RESULT peer={name} torch={torch.__version__.split('+')[0]} dtype=float32 threads=1 "
              f"size={ref.shape[1]}x{ref.shape[0]} cpu_ms={best:.1f} value={v:.6f}")


if __name__ == "__main__":
    main()
