"""The images of the checks' image post (posts/images.md), made at run time with PyPI's Pillow
so that no binary file is kept in the repository: a PNG, a JPEG, a GIF, an SVG (text) and a
40-megapixel JPEG (8000×5000, one colour, so it stays small on disk), in `img/` beside the
post. The post uses the PNG twice.
"""

from pathlib import Path

# The files the image post names, by their path relative to the post.
FILES = ["img/gradient.png", "img/photo.jpg", "img/badge.gif", "img/diagram.svg",
         "img/panorama.jpg"]

SVG = """\
<svg xmlns="http://www.w3.org/2000/svg" width="480" height="160" viewBox="0 0 480 160">
  <rect x="10" y="40" width="120" height="80" fill="#4a90d9"/>
  <rect x="180" y="40" width="120" height="80" fill="#e8a33d"/>
  <rect x="350" y="40" width="120" height="80" fill="#5cb85c"/>
  <path d="M130 80 H180 M300 80 H350" stroke="#333" stroke-width="4"/>
</svg>
"""


def make(folder):
    """Writes the image post's images under `folder` (the folder holding the post); their
    paths."""
    from PIL import Image, ImageDraw

    img = Path(folder) / "img"
    img.mkdir(parents=True, exist_ok=True)

    # 1,600×400: wider than the newsletter's copies, so the newsletter must scale it down.
    gradient = Image.linear_gradient("L").resize((1600, 400))
    Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.ROTATE_90).resize(
        (1600, 400)), Image.new("L", (1600, 400), 160))).save(img / "gradient.png")

    photo = Image.new("RGB", (640, 480), (30, 60, 120))
    draw = ImageDraw.Draw(photo)
    for i in range(12):
        draw.ellipse((40 * i, 20 * i, 40 * i + 200, 20 * i + 150), fill=(20 * i, 200 - 10 * i, 90))
    photo.save(img / "photo.jpg", quality=85)

    badge = Image.new("P", (120, 40), 0)
    badge.putpalette([255, 255, 255, 200, 30, 30] + [0, 0, 0] * 254)
    ImageDraw.Draw(badge).rectangle((4, 4, 115, 35), fill=1)
    badge.save(img / "badge.gif")

    (img / "diagram.svg").write_text(SVG, encoding="utf-8")

    # 8000×5000 = 40 megapixels, one colour: a few hundred kB of JPEG.
    Image.new("RGB", (8000, 5000), (70, 130, 180)).save(img / "panorama.jpg", quality=80)
    return [Path(folder) / name for name in FILES]
