#!/usr/bin/env python3
"""Expected values for ssim-cli/tests/reference.rs, computed once and committed
(testdata/cli/reference.json); the Rust test does not need Python.

1. `--channels y --crop-border N`: BasicSR's `calculate_ssim(img, img2, crop_border=N,
   input_order='HWC', test_y_channel=True)` (basicsr/metrics/psnr_ssim.py, 1.4.2), its
   helpers `to_y_channel`, `bgr2ycbcr` and `_ssim` copied below verbatim apart from
   comments, on images read with `cv2.imread` (BGR, uint8) as BasicSR reads them.
2. Custom parameters: scikit-image's `structural_similarity` with the same settings.

Run from the workspace root: python3 testdata/cli/reference.py
Versions used are written into the JSON.
"""
import json

import cv2
import numpy as np
import scipy
import skimage
from skimage.metrics import structural_similarity


# ---- BasicSR 1.4.2, basicsr/utils/color_util.py and basicsr/metrics/psnr_ssim.py ----
def _convert_input_type_range(img):
    img_type = img.dtype
    img = img.astype(np.float32)
    if img_type == np.float32:
        pass
    elif img_type == np.uint8:
        img /= 255.
    else:
        raise TypeError(f'The img type should be np.float32 or np.uint8, but got {img_type}')
    return img


def _convert_output_type_range(img, dst_type):
    if dst_type not in (np.uint8, np.float32):
        raise TypeError(f'The dst_type should be np.float32 or np.uint8, but got {dst_type}')
    if dst_type == np.uint8:
        img = img.round()
    else:
        img /= 255.
    return img.astype(dst_type)


def bgr2ycbcr(img, y_only=False):
    img_type = img.dtype
    img = _convert_input_type_range(img)
    if y_only:
        out_img = np.dot(img, [24.966, 128.553, 65.481]) + 16.0
    else:
        out_img = np.matmul(
            img, [[24.966, 112.0, -18.214], [128.553, -74.203, -93.786], [65.481, -37.797, 112.0]]) + [16, 128, 128]
    out_img = _convert_output_type_range(out_img, img_type)
    return out_img


def to_y_channel(img):
    img = img.astype(np.float32) / 255.
    if img.ndim == 3 and img.shape[2] == 3:
        img = bgr2ycbcr(img, y_only=True)
        img = img[..., None]
    return img * 255.


def _ssim(img, img2):
    c1 = (0.01 * 255)**2
    c2 = (0.03 * 255)**2
    kernel = cv2.getGaussianKernel(11, 1.5)
    window = np.outer(kernel, kernel.transpose())
    mu1 = cv2.filter2D(img, -1, window)[5:-5, 5:-5]
    mu2 = cv2.filter2D(img2, -1, window)[5:-5, 5:-5]
    mu1_sq = mu1**2
    mu2_sq = mu2**2
    mu1_mu2 = mu1 * mu2
    sigma1_sq = cv2.filter2D(img**2, -1, window)[5:-5, 5:-5] - mu1_sq
    sigma2_sq = cv2.filter2D(img2**2, -1, window)[5:-5, 5:-5] - mu2_sq
    sigma12 = cv2.filter2D(img * img2, -1, window)[5:-5, 5:-5] - mu1_mu2
    ssim_map = ((2 * mu1_mu2 + c1) * (2 * sigma12 + c2)) / ((mu1_sq + mu2_sq + c1) * (sigma1_sq + sigma2_sq + c2))
    return ssim_map.mean()


def calculate_ssim(img, img2, crop_border, input_order='HWC', test_y_channel=False, **kwargs):
    assert img.shape == img2.shape, (f'Image shapes are different: {img.shape}, {img2.shape}.')
    assert input_order == 'HWC'
    if crop_border != 0:
        img = img[crop_border:-crop_border, crop_border:-crop_border, ...]
        img2 = img2[crop_border:-crop_border, crop_border:-crop_border, ...]
    if test_y_channel:
        img = to_y_channel(img)
        img2 = to_y_channel(img2)
    img = img.astype(np.float64)
    img2 = img2.astype(np.float64)
    ssims = []
    for i in range(img.shape[2]):
        ssims.append(_ssim(img[..., i], img2[..., i]))
    return np.array(ssims).mean()
# ---- end of BasicSR ----


def main():
    # A JPEG made here once (OpenCV's libjpeg-turbo, quality 40, 4:2:0) so the Y channel is
    # also checked on a decoded JPEG.
    dist = cv2.imread('samples/dist.png', cv2.IMREAD_COLOR)
    ok, jpg = cv2.imencode('.jpg', dist, [cv2.IMWRITE_JPEG_QUALITY, 40])
    assert ok
    with open('testdata/cli/dist_q40.jpg', 'wb') as f:
        f.write(jpg.tobytes())

    y_cases = []
    for ref, dis in [
        ('samples/ref.png', 'samples/dist.png'),
        ('samples/ref.png', 'testdata/cli/dist_q40.jpg'),
        ('testdata/images/colorblobs_64x48.ppm', 'testdata/images/colorblobs_64x48__noise20.ppm'),
        ('testdata/images/colorchecker_256x256.ppm', 'testdata/images/colorchecker_256x256__jpeg30.ppm'),
    ]:
        a = cv2.imread(ref, cv2.IMREAD_COLOR)
        b = cv2.imread(dis, cv2.IMREAD_COLOR)
        for crop in [0, 4, 7]:
            v = calculate_ssim(a, b, crop, test_y_channel=True)
            y_cases.append({'reference': ref, 'distorted': dis, 'crop_border': crop,
                            'expected': float(v)})

    def gray(p):
        return cv2.imread(p, cv2.IMREAD_UNCHANGED)

    def rgb(p):
        return cv2.cvtColor(cv2.imread(p, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)

    g = ('testdata/images/bandnoise_161x161.pgm', 'testdata/images/bandnoise_161x161__jpeg90.pgm')
    c = ('samples/ref.png', 'samples/dist.png')
    custom = [
        # (args, files, loader, skimage kwargs)
        (['--preset', 'scikit-image', '--window-size', '11', '--k1', '0.02', '--k2', '0.05'], g, gray,
         dict(win_size=11, K1=0.02, K2=0.05)),
        (['--preset', 'scikit-image-gaussian', '--sigma', '2.0', '--covariance', 'population'], g, gray,
         dict(gaussian_weights=True, sigma=2.0, use_sample_covariance=False)),
        (['--preset', 'scikit-image', '--window-size', '5'], c, rgb,
         dict(win_size=5, channel_axis=2)),
        (['--preset', 'wang2004', '--window', 'box', '--window-size', '9', '--covariance', 'sample'], g, gray,
         dict(win_size=9)),
    ]
    custom_cases = []
    for args, (ref, dis), load, kw in custom:
        v = structural_similarity(load(ref), load(dis), data_range=255, **kw)
        custom_cases.append({'args': args, 'reference': ref, 'distorted': dis,
                             'skimage_kwargs': kw, 'expected': float(v)})

    out = {
        'generated_by': 'testdata/cli/reference.py',
        'versions': {'numpy': np.__version__, 'opencv': cv2.__version__,
                     'scikit-image': skimage.__version__, 'scipy': scipy.__version__,
                     'basicsr_functions': '1.4.2 (copied)'},
        'y_channel': y_cases,
        'custom': custom_cases,
    }
    with open('testdata/cli/reference.json', 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
