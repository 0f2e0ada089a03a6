#!/usr/bin/env python3
"""The torchmetrics and piq presets of the `ssim` command against the libraries themselves.

Usage: check_presets.py [PATH_TO_SSIM]   (default: target/release/ssim)

Photographs: scikit-image's sample images (astronaut, coffee, chelsea as gray and as RGB;
camera, gray), none of them in this repository, each against a noisy copy and (gray) a
JPEG quality-20 copy. Each library runs in float64 on the same 8-bit pixels with
data_range=255; the CLI gets the same pixels as PGM/PNG files and reports `--json` values.
Prints one line per case and exits 1 if any differs by more than 1e-6.
Needs: pip install numpy scikit-image opencv-python-headless torch torchmetrics piq
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
import piq
import torch
from skimage import color, data
from torchmetrics.functional.image import multiscale_structural_similarity_index_measure as tm_msssim
from torchmetrics.functional.image import structural_similarity_index_measure as tm_ssim

SSIM = sys.argv[1] if len(sys.argv) > 1 else "target/release/ssim"
BOUND = 1e-6


def tensor(img):
    t = torch.from_numpy(img.astype(np.float64))
    return t[None, None] if img.ndim == 2 else t.permute(2, 0, 1)[None]


def write(path, img):
    # OpenCV writes BGR.
    cv2.imwrite(str(path), img if img.ndim == 2 else img[:, :, ::-1])


def cases():
    rng = np.random.default_rng(7)
    gray = lambda rgb: (color.rgb2gray(rgb) * 255).round().astype(np.uint8)
    photos = {
        "astronaut": data.astronaut(),
        "coffee": data.coffee(),
        "chelsea": data.chelsea(),
    }
    for name, rgb in photos.items():
        for label, ref in ((name + "-gray", gray(rgb)), (name + "-rgb", rgb)):
            yield label, "noise", ref, np.clip(ref + rng.normal(0, 12, ref.shape), 0, 255).round().astype(np.uint8)
    cam = data.camera()
    yield "camera", "noise", cam, np.clip(cam + rng.normal(0, 12, cam.shape), 0, 255).round().astype(np.uint8)
    for name, ref in (("camera", cam), ("coffee-gray", gray(photos["coffee"]))):
        jpeg = cv2.imencode(".jpg", ref, [cv2.IMWRITE_JPEG_QUALITY, 20])[1]
        yield name, "jpeg20", ref, cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)


def main():
    worst, failed = {}, False
    with tempfile.TemporaryDirectory() as tmp:
        r, d = Path(tmp, "r.png"), Path(tmp, "d.png")
        for name, how, ref, dist in cases():
            write(r, ref)
            write(d, dist)
            x, y = tensor(ref), tensor(dist)
            libs = {
                ("ssim", "torchmetrics"): tm_ssim(y, x, data_range=255.0).item(),
                ("ms-ssim", "torchmetrics"): tm_msssim(y, x, data_range=255.0).item(),
                ("ssim", "piq"): piq.ssim(x, y, data_range=255.0).item(),
                ("ms-ssim", "piq"): piq.multi_scale_ssim(x, y, data_range=255.0).item(),
            }
            for (metric, preset), lib in libs.items():
                out = subprocess.run(
                    [SSIM, "--json", "--metric", metric, "--preset", preset, str(r), str(d)],
                    capture_output=True, text=True, check=True,
                )
                ours = json.loads(out.stdout)["value"]
                diff = abs(ours - lib)
                worst[(metric, preset)] = max(worst.get((metric, preset), 0.0), diff)
                failed |= not diff <= BOUND
                print(f"{name:15s} {ref.shape[1]}x{ref.shape[0]} {how:6s} {metric:7s} {preset:12s} "
                      f"library={lib:.10f} ssim={ours:.10f} diff={diff:.2e}")
    for (metric, preset), w in worst.items():
        print(f"WORST {metric} {preset} {w:.2e}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
