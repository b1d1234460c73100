"""Feature level: saliency, Grad-CAM, Model Doctor diagnosis, discriminative channels, SVM/PCA projection."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.nets import ChannelReader, OnePixel, QuadrantNet, SmallCNN
from tltui.core.levels import features


def test_saliency_of_one_pixel_model_peaks_there() -> None:
    torch.manual_seed(0)
    x = torch.randn(4, 3, 8, 8)
    sal = features.input_saliency(OnePixel(), x, target=0, batch_size=3)
    assert sal.shape == (4, 8, 8)
    for s in sal:
        assert np.unravel_index(s.argmax(), s.shape) == (3, 5)
        assert s[3, 5] == pytest.approx(1.0)
        assert np.count_nonzero(s) == 1


def test_grad_cam_lights_the_quadrant_the_class_reads() -> None:
    torch.manual_seed(0)
    x = torch.rand(3, 1, 16, 16) + 0.1
    net = QuadrantNet()
    for target, (rows, cols) in {0: (slice(0, 8), slice(0, 8)), 1: (slice(8, 16), slice(8, 16))}.items():
        cam = features.grad_cam(net, x, "conv", target=target)
        assert cam.shape == (3, 16, 16)
        assert cam.min() >= 0.0 and cam.max() == pytest.approx(1.0)
        for c in cam:
            assert c[rows, cols].sum() / c.sum() > 0.85


def test_grad_cam_matches_manual_computation() -> None:
    torch.manual_seed(0)
    net = SmallCNN().eval()
    x = torch.randn(2, 1, 8, 8)
    got = features.grad_cam(net, x, "conv2", target=[1, 2])
    for i, t in enumerate([1, 2]):
        a = net.conv2(net.relu(net.conv1(x[i : i + 1])))
        a.retain_grad()
        net.fc(torch.flatten(net.pool(net.relu(a)), 1))[0, t].backward()
        assert a.grad is not None
        cam = torch.relu((a.grad.mean(dim=(2, 3), keepdim=True) * a).sum(1, keepdim=True)).detach()
        cam = torch.nn.functional.interpolate(cam, size=(8, 8), mode="bilinear", align_corners=False)[0, 0]
        cam = (cam - cam.min()) / (cam.max() - cam.min()).clamp_min(1e-12)
        np.testing.assert_allclose(got[i], cam.numpy(), atol=1e-5)


def _reader_data() -> tuple[torch.Tensor, np.ndarray]:
    """Images whose dominant input channel is the one their class reads; a few deliberately mislabelled."""
    g = torch.Generator().manual_seed(0)
    xs, ys = [], []
    for k, j in enumerate(ChannelReader.READS):
        n = 60 if k == 0 else 10
        x = 0.1 * torch.randn(n, 4, 4, 4, generator=g)
        x[:, j] += 2.0
        xs.append(x)
        ys += [k] * n
    y = np.array(ys)
    y[-2:] = 1  # two class-2 images labelled 1: misclassified, so never used
    return torch.cat(xs), y


def test_channel_grad_scores_by_hand() -> None:
    x, _ = _reader_data()
    got = features.channel_grad_scores(ChannelReader(), x[:5], [0] * 5, "conv", batch_size=2)
    # ∂logit_0/∂A_c = W[0, c] / HW on positive activations: summed over space, exactly W[0, c]
    np.testing.assert_allclose(got, np.tile([0.0, 0.0, 1.0, 0.0], (5, 1)), atol=1e-6)


def test_channel_grads_is_differentiable_for_treatments() -> None:
    from tltui.core.hooks import capture

    net = ChannelReader()
    x, y = _reader_data()
    with capture(net, ["conv"], detach=False) as store:
        logits = net(x[:4])
        g = features.channel_grads(logits, store["conv"], torch.as_tensor(y[:4]), create_graph=True)
    assert g.shape == (4, 4)
    (dw,) = torch.autograd.grad(g.sum(), net.fc.weight)
    assert dw.abs().sum() > 0


def test_model_doctor_mask_is_exactly_the_read_channel() -> None:
    x, y = _reader_data()
    net = ChannelReader().train()
    got = features.model_doctor_map(net, x, y, "conv", n_per_class=50, theta=0.2, batch_size=16)
    assert net.training
    assert got["counts"].tolist() == [50, 10, 8]
    for k, j in enumerate(ChannelReader.READS):
        assert set(np.flatnonzero(got["mask"][k])) == {j}
        assert got["scores"][k, j] == pytest.approx(1.0)
    assert got["scores"].shape == (3, 4) and got["mask"].dtype == bool


def test_channel_activations_are_spatial_means() -> None:
    torch.manual_seed(0)
    net = SmallCNN().eval()
    x = torch.randn(5, 1, 8, 8)
    got = features.channel_activations(net, x, "conv1", batch_size=2)
    with torch.no_grad():
        want = net.conv1(x).mean(dim=(2, 3)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_discriminative_channels_rank_the_shifted_channel_first() -> None:
    rng = np.random.default_rng(0)
    src = rng.normal(size=(80, 6))
    tgt = rng.normal(size=(70, 6))
    tgt[:, 3] += 2.5
    got = features.discriminative_channels(src, tgt, C=1.0, bins=12)
    assert got["order"][0] == 3
    assert got["coef"][3] > 0  # higher on target
    assert got["edges"].shape == (6, 13) and got["hist_source"].shape == (6, 12)
    assert got["hist_source"].sum(axis=1).tolist() == [80] * 6
    assert got["hist_target"].sum(axis=1).tolist() == [70] * 6
    assert float(got["accuracy"]) > 0.8
    svm = features.discriminative_channels(src, tgt, method="svm")
    assert svm["order"][0] == 3


def test_svm_pca_projection_axes() -> None:
    rng = np.random.default_rng(0)
    n = 100
    dom = np.r_[np.zeros(n), np.ones(n)]
    acts = rng.normal(size=(2 * n, 5)) * 0.1
    acts[:, 1] += rng.normal(size=2 * n) * 5.0  # the dominant variance, unrelated to domain
    acts[:, 2] += dom * 1.0  # the domain direction
    got = features.svm_pca_projection(acts, dom, channels=[1, 2, 4], C=100)
    x_axis, y_axis = got["x_axis"], got["y_axis"]
    assert np.linalg.norm(x_axis) == pytest.approx(1.0)
    assert np.linalg.norm(y_axis) == pytest.approx(1.0)
    assert x_axis @ y_axis == pytest.approx(0.0, abs=1e-9)
    assert abs(x_axis[1]) > 0.9  # channel 2 is position 1 among the chosen channels
    assert abs(y_axis[0]) > 0.9
    xy = got["xy"]
    assert xy.shape == (2 * n, 2)
    assert xy[dom == 1, 0].mean() > xy[dom == 0, 0].mean()
    with pytest.raises(ValueError):
        features.svm_pca_projection(acts, np.zeros(2 * n), [0, 1])
