#!/usr/bin/env python3
"""`ssim --gradient` against float64 PyTorch autograd on photographs not in the repository.

Usage: check_gradients.py [PATH_TO_SSIM]   (default: target/release/ssim)

For scikit-image's sample photos (gray) against noisy and JPEG copies: the derivative of
pytorch_msssim's SSIM (Gaussian 11, valid: the `wang2004` preset) and MS-SSIM (the
`pytorch-msssim` preset), in float64, with respect to every pixel of the distorted image,
against the float32 PFM that `ssim --gradient` writes. pytorch_msssim gets an explicit
float64 window: its default one is built in float32, so its weights sum to about 1 - 6e-8,
which adds about 6e-8 mu^2 to every variance and moves values by up to ~1e-5 (the reference
definitions, like scikit-image, use the exact window). Passes when every pixel is within
1e-6 x max|gradient| (the issue's bound); exits 1 otherwise.
Needs: pip install numpy scikit-image opencv-python-headless torch pytorch-msssim
"""
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
import pytorch_msssim
import torch
from skimage import color, data

SSIM = sys.argv[1] if len(sys.argv) > 1 else "target/release/ssim"


def read_pfm(path):
    raw = Path(path).read_bytes()
    header, pos = [], 0
    while len(header) < 3:
        end = raw.index(b"\n", pos)
        header.append(raw[pos:end].decode())
        pos = end + 1
    assert header[0] == "Pf", "gray PFM expected"
    w, h = map(int, header[1].split())
    dtype = "<f4" if float(header[2]) < 0 else ">f4"
    # PFM rows run bottom to top.
    return np.frombuffer(raw[pos:], dtype=dtype, count=w * h).reshape(h, w)[::-1]


def window64():
    c = torch.arange(11, dtype=torch.float64) - 5
    g = torch.exp(-(c**2) / (2 * 1.5**2))
    return (g / g.sum()).reshape(1, 1, 1, 11)


def main():
    rng = np.random.default_rng(3)
    gray = lambda rgb: (color.rgb2gray(rgb) * 255).round().astype(np.uint8)
    photos = {"coffee": gray(data.coffee()), "chelsea": gray(data.chelsea()), "camera": data.camera()}
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        r, d, g = Path(tmp, "r.pgm"), Path(tmp, "d.pgm"), Path(tmp, "g.pfm")
        for name, ref in photos.items():
            noisy = np.clip(ref + rng.normal(0, 12, ref.shape), 0, 255).round().astype(np.uint8)
            jpeg = cv2.imdecode(cv2.imencode(".jpg", ref, [cv2.IMWRITE_JPEG_QUALITY, 20])[1], 0)
            for how, dist in (("noise", noisy), ("jpeg20", jpeg)):
                cv2.imwrite(str(r), ref)
                cv2.imwrite(str(d), dist)
                for metric, preset, fn in (
                    ("ssim", "wang2004", pytorch_msssim.ssim),
                    ("ms-ssim", "pytorch-msssim", pytorch_msssim.ms_ssim),
                ):
                    x = torch.from_numpy(ref.astype(np.float64))[None, None]
                    y = torch.from_numpy(dist.astype(np.float64))[None, None].requires_grad_(True)
                    value = fn(x, y, data_range=255, size_average=True, win=window64())
                    value.backward()
                    want = y.grad[0, 0].numpy()
                    subprocess.run(
                        [SSIM, "--metric", metric, "--preset", preset, "--gradient", str(g), str(r), str(d)],
                        check=True, capture_output=True,
                    )
                    got = read_pfm(g).astype(np.float64)
                    scale = np.abs(want).max()
                    worst = np.abs(got - want).max() / scale
                    failed |= not worst <= 1e-6
                    print(f"{name:8s} {ref.shape[1]}x{ref.shape[0]} {how:6s} {metric:7s} {preset:15s} "
                          f"value={value.item():.8f} max|grad|={scale:.3e} worst/max={worst:.2e}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
