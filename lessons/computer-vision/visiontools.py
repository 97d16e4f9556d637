"""Helpers for the Computer Vision lessons: the diagrams the lessons draw, and small image utilities.

Every diagram is drawn from fixed data or a fixed seed, so drawing it twice gives the same pixels.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle


def max_pool(feature_map: np.ndarray, size: int = 2) -> np.ndarray:
    """Maximum pooling of a 2-D map with a size x size window and stride, edges padded like 'SAME'."""
    rows = -(-feature_map.shape[0] // size) * size
    cols = -(-feature_map.shape[1] // size) * size
    padded = np.full((rows, cols), -np.inf)
    padded[: feature_map.shape[0], : feature_map.shape[1]] = feature_map
    return padded.reshape(rows // size, size, cols // size, size).max(axis=(1, 3))


def ring_feature_map(size: int = 12, seed: int = 0) -> np.ndarray:
    """A size x size map of random activations on a ring, zero elsewhere: what ReLU leaves of a round feature."""
    y, x = np.mgrid[:size, :size] - (size - 1) / 2
    radius = np.hypot(x, y)
    ring = (radius > size * 0.2) & (radius < size * 0.42)
    values = np.random.default_rng(seed).uniform(0.3, 1.0, (size, size))
    return np.where(ring, values, 0.0)


def two_dots(size: int = 16, first=(5, 5), second=(6, 8)) -> np.ndarray:
    """A map with two single active pixels."""
    feature_map = np.zeros((size, size))
    feature_map[first] = 1.0
    feature_map[second] = 1.0
    return feature_map


def show_extraction(image, kernel, pool_size: int = 2, cmap: str = "magma"):
    """Input, Filter, Detect and Condense of one image, four panels in a row."""
    import tensorflow as tf

    image = tf.image.convert_image_dtype(image, dtype=tf.float32)[tf.newaxis, ...]
    kernel = tf.reshape(tf.constant(kernel, dtype=tf.float32), [*np.shape(kernel), 1, 1])
    filtered = tf.nn.conv2d(image, kernel, strides=1, padding="SAME")
    detected = tf.nn.relu(filtered)
    condensed = tf.nn.pool(detected, window_shape=(pool_size, pool_size), pooling_type="MAX",
                           strides=(pool_size, pool_size), padding="SAME")
    panels = [("Input", image, "gray"), ("Filter", filtered, cmap), ("Detect", detected, cmap), ("Condense", condensed, cmap)]
    figure, axes = plt.subplots(1, 4, figsize=(16, 4.6))
    for axis, (title, values, colours) in zip(axes, panels):
        axis.imshow(tf.squeeze(values), cmap=colours)
        axis.set_title(title)
        axis.axis("off")
    return figure


def show_max_pooling(feature_map: np.ndarray, size: int = 2, cmap: str = "magma"):
    """A feature map with its pooling blocks outlined, beside the map that maximum pooling makes of it."""
    pooled = max_pool(feature_map, size)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4.8), gridspec_kw={"width_ratios": [2, 1]})
    left.imshow(feature_map, cmap=cmap, vmin=0, vmax=1)
    for row in range(0, feature_map.shape[0], size):
        for col in range(0, feature_map.shape[1], size):
            left.add_patch(Rectangle((col - 0.5, row - 0.5), size, size, fill=False, edgecolor="white", linewidth=1.2))
    left.set_title(f"Feature map {feature_map.shape[0]}x{feature_map.shape[1]}")
    right.imshow(pooled, cmap=cmap, vmin=0, vmax=1)
    right.set_title(f"Max pooled {pooled.shape[0]}x{pooled.shape[1]}")
    for axis in (left, right):
        axis.set_xticks([])
        axis.set_yticks([])
    return figure


def show_repeated_pooling(feature_map: np.ndarray, steps: int = 3, size: int = 2, cmap: str = "magma"):
    """The map, then the map pooled again and again: one panel per step, titled with its shape."""
    maps = [feature_map]
    for _ in range(steps):
        maps.append(max_pool(maps[-1], size))
    figure, axes = plt.subplots(1, len(maps), figsize=(4 * len(maps), 4.4))
    for step, (axis, values) in enumerate(zip(axes, maps)):
        axis.imshow(values, cmap=cmap, vmin=0, vmax=1)
        axis.set_title("Original" if step == 0 else f"Pooled {step}x: {values.shape[0]}x{values.shape[1]}")
        axis.set_xticks([])
        axis.set_yticks([])
    return figure


def show_kernels(kernels: dict[str, np.ndarray], cmap: str = "Blues"):
    """Each kernel as a small heat map with its weights written in the cells, one panel per kernel."""
    figure, axes = plt.subplots(1, len(kernels), figsize=(3.2 * len(kernels), 3.6))
    for axis, (title, kernel) in zip(np.atleast_1d(axes), kernels.items()):
        kernel = np.asarray(kernel, dtype=float)
        axis.imshow(kernel, cmap=cmap)
        for (row, col), weight in np.ndenumerate(kernel):
            axis.text(col, row, f"{weight:g}", ha="center", va="center", fontsize=13)
        axis.set_title(title)
        axis.set_xticks([])
        axis.set_yticks([])
    return figure


def show_window_positions(size: int = 7, window: int = 3, strides=(1, 2), padding: str = "VALID"):
    """Where a window lands on a size x size input for each stride: one panel per stride, window corners marked."""
    figure, axes = plt.subplots(1, len(strides), figsize=(4.4 * len(strides), 4.6))
    for axis, stride in zip(np.atleast_1d(axes), strides):
        starts = range(0, size - window + 1, stride)
        axis.imshow(np.zeros((size, size)), cmap="Greys", vmin=0, vmax=1)
        for step, col in enumerate(list(starts)[:2]):  # the first window, and where the next one lands
            style = {"linewidth": 3, "linestyle": "-" if step == 0 else "--"}
            axis.add_patch(Rectangle((col - 0.5, -0.5), window, window, fill=False, edgecolor="tab:orange", **style))
        for row in starts:
            for col in starts:
                axis.plot(col + (window - 1) / 2, row + (window - 1) / 2, "o", color="tab:blue", markersize=7)
        out = len(starts)
        axis.set_title(f"stride {stride}: {out}x{out} output")
        axis.set_xticks(np.arange(-0.5, size, 1), labels=[])
        axis.set_yticks(np.arange(-0.5, size, 1), labels=[])
        axis.grid(color="lightgray")
        axis.tick_params(length=0)
    return figure


SHAPES = ("square", "disc")  # the classes of shapes_dataset, by label


def shapes_dataset(count: int, size: int = 32, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`count` grey images of one filled shape each, a square (label 0) or a disc (label 1), on a noisy background.

    Each shape has its own place, size and brightness, and a square and a disc of the same size cover
    about the same area, so brightness alone does not tell them apart. The same seed gives the same images.
    """
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[:size, :size]
    labels = rng.integers(0, 2, count)
    images = rng.normal(0.15, 0.08, (count, size, size))
    for image, label in zip(images, labels):
        radius = rng.uniform(size * 0.12, size * 0.3)
        row, col = rng.uniform(radius, size - radius, 2)
        if label == 1:
            shape = (rows - row) ** 2 + (cols - col) ** 2 <= radius**2
        else:
            half_side = radius * np.sqrt(np.pi) / 2  # the square of the disc's area
            shape = (abs(rows - row) <= half_side) & (abs(cols - col) <= half_side)
        image[shape] += rng.uniform(0.35, 0.8)
    return np.clip(images, 0, 1)[..., np.newaxis].astype("float32"), labels.astype("float32")


def show_shapes(images: np.ndarray, labels: np.ndarray, count: int = 8):
    """The first `count` images of a shapes data set, titled with their class."""
    figure, axes = plt.subplots(1, count, figsize=(1.4 * count, 1.8))
    for axis, image, label in zip(axes, images, labels):
        axis.imshow(image[..., 0], cmap="gray", vmin=0, vmax=1)
        axis.set_title(SHAPES[int(label)], fontsize=10)
        axis.axis("off")
    return figure


def show_learning_curves(history: dict[str, list[float]]):
    """Loss and accuracy per epoch, on the training and the validation data, side by side."""
    figure, (loss, accuracy) = plt.subplots(1, 2, figsize=(9, 3.4))
    epochs = np.arange(1, len(history["loss"]) + 1)
    for axis, metric, title in ((loss, "loss", "Loss (cross-entropy)"), (accuracy, "binary_accuracy", "Accuracy")):
        axis.plot(epochs, history[metric], label="training", color="tab:blue")
        axis.plot(epochs, history[f"val_{metric}"], label="validation", color="tab:orange")
        axis.set_title(title)
        axis.set_xlabel("epoch")
        axis.grid(color="lightgray")
    # Fixed scales: a run that ends a little differently moves the lines, not every tick label.
    loss.set_ylim(0, 0.8)
    accuracy.set_ylim(0.4, 1.02)
    loss.legend()
    figure.tight_layout()
    return figure
