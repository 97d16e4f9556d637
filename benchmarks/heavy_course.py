"""A generated course of heavy notebooks, as real textbooks' are: many figures, JavaScript animations of several MB,
a 20 MB stream, HTML tables, LaTeX outputs and a lesson of 2,000 cells. Nothing in it is copied from anyone.

    .venv/bin/python benchmarks/heavy_course.py PATH      # writes the project at PATH

bench_author_loop.py builds it with `--sizes heavy`.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent

FRONT = "---\ntitle: {title}\n---\n\n# {title}\n\nSome prose of {slug}: what the code below shows.\n\n"
CELL = "```{{code-cell}} ipython3\n{code}\n```\n\n"

FIGURES = """import matplotlib.pyplot as plt
import numpy as np
x = np.linspace(0, 2 * np.pi, 200)
for k in range({start}, {stop}):
    figure, axes = plt.subplots(figsize=(4, 2.5))
    axes.plot(x, np.sin(k * x) * np.exp(-x / (k + 1)))
    axes.set_title(f"damped wave {{k}}")
    plt.show()"""

ANIMATION = """import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML
from matplotlib import animation
figure, axes = plt.subplots(figsize=(4, 3))
x = np.linspace(0, 2 * np.pi, 300)
line, = axes.plot(x, np.sin(x))
def step(frame):
    line.set_ydata(np.sin(x + frame / {speed}) * np.cos(x * frame / 50))
    return (line,)
movie = animation.FuncAnimation(figure, step, frames={frames}, interval=40)
plt.close(figure)
HTML(movie.to_jshtml())"""

STREAM = """for row in range(200_000):
    print(f"step {row:7d}: loss {1 / (row + 1):.12f} accuracy {row / 200_000:.6f} lr 0.001000")"""

TABLE = """from IPython.display import HTML, display
rows = "".join(f"<tr><th>{{i}}</th>" + "".join(f"<td>{{(i * 7 + j * 13) % 101 / 3:.4f}}</td>" for j in range(12)) + "</tr>"
               for i in range({rows}))
head = "<tr><th></th>" + "".join(f"<th>feature_{{j}}</th>" for j in range(12)) + "</tr>"
display(HTML(f'<table border="1" class="dataframe"><thead>{{head}}</thead><tbody>{{rows}}</tbody></table>'))"""

LATEX = """from IPython.display import Math, display
for n in range(1, 41):
    display(Math(rf"\\sum_{{{{k=1}}}}^{{{{{{n}}}}}} k^2 = \\frac{{{{{{n}}({{n}}+1)(2 \\cdot {{n}}+1)}}}}{{{{6}}}}"))"""


def heavy_lessons() -> dict[str, str]:
    """Each lesson's slug and text."""
    lessons = {
        "01-figures": _lesson("Many figures", "01-figures", [FIGURES.format(start=s, stop=s + 20) for s in (1, 21, 41, 61)]),
        "02-animations": _lesson("Animations", "02-animations",
                                 [ANIMATION.format(frames=100, speed=s) for s in (5, 7, 9)]),
        "03-stream": _lesson("A long training log", "03-stream", [STREAM]),
        "04-tables": _lesson("Tables", "04-tables", [TABLE.format(rows=r) for r in (50, 500, 2000)]),
        "05-latex": _lesson("Formulas", "05-latex", [LATEX]),
        "06-long": _lesson("Two thousand cells", "06-long", [f"value = {n}\nvalue * 3" for n in range(2000)]),
    }
    for n in range(7, 13):  # ordinary lessons beside them
        slug = f"{n:02d}-plain"
        lessons[slug] = _lesson(f"Plain lesson {n}", slug, [f"print({n} ** 2)"])
    return lessons


def _lesson(title: str, slug: str, codes: list[str]) -> str:
    body = "".join(CELL.format(code=code) + f"Prose after cell {index}.\n\n" for index, code in enumerate(codes))
    return FRONT.format(title=title, slug=slug) + body


def write_heavy_course(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPOSITORY / "mkdocs.yml", root / "mkdocs.yml")
    course = root / "lessons" / "heavy"
    course.mkdir(parents=True)
    lessons = heavy_lessons()
    (course / "course.yml").write_text("title: Heavy notebooks\nlessons:\n" + "".join(f"  - {slug}\n" for slug in lessons))
    for slug, text in lessons.items():
        (course / f"{slug}.md").write_text(text)
    return root


if __name__ == "__main__":
    print(write_heavy_course(Path(sys.argv[1])))
