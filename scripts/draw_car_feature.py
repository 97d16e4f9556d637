"""Draw lessons/computer-vision/data/car_feature.jpg, the lessons' stand-in for Kaggle's car photo.

The picture is the project's own work (CC0): a side view of a car on a road, in greys, with
straight edges, curves and texture so that edge-detecting kernels have something to find.
Run it from the repository root: python scripts/draw_car_feature.py
"""
from pathlib import Path

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 400, 300
TARGET = Path("lessons/computer-vision/data/car_feature.jpg")


def draw_car() -> Image.Image:
    image = Image.new("L", (WIDTH, HEIGHT))
    pen = ImageDraw.Draw(image)
    pen.rectangle([0, 0, WIDTH, 215], fill=190)  # flat sky: no gradient for the kernels to pick up
    pen.rectangle([0, 215, WIDTH, HEIGHT], fill=70)  # road
    pen.rectangle([0, 250, WIDTH, 256], fill=180)  # kerb stripe
    pen.rounded_rectangle([40, 150, 360, 225], radius=24, fill=35)  # body
    pen.polygon([(110, 150), (150, 100), (270, 100), (310, 150)], fill=35)  # cabin
    pen.polygon([(125, 147), (156, 108), (205, 108), (205, 147)], fill=150)  # front window
    pen.polygon([(215, 147), (215, 108), (265, 108), (293, 147)], fill=150)  # back window
    pen.line([(206, 150), (206, 222)], fill=90, width=2)  # door seam
    pen.rectangle([335, 165, 358, 180], fill=235)  # headlight
    pen.rectangle([42, 170, 56, 184], fill=120)  # tail light
    for x in (110, 290):  # wheels with hubcaps
        pen.ellipse([x - 32, 193, x + 32, 257], fill=15)
        pen.ellipse([x - 14, 211, x + 14, 239], fill=170)
    return image  # sharp edges: the kernels in the lessons respond to them strongly


if __name__ == "__main__":
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    draw_car().save(TARGET, format="JPEG", quality=92)
    print(f"wrote {TARGET}")
