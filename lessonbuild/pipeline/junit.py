"""`--junit FILE`: one JUnit test case per lesson, for CI systems that show test reports."""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

from lessonbuild.errors import CellFailure
from lessonbuild.fsutil import write_atomic
from lessonbuild.model import ExecutedLesson


def write_junit(path: Path, results: list[tuple[str, ExecutedLesson | CellFailure]]) -> None:
    """`results`: ("course/slug", what became of the lesson), in build order."""
    failures = sum(isinstance(result, CellFailure) for _, result in results)
    suite = ElementTree.Element("testsuite", name="lessons", tests=str(len(results)), failures=str(failures))
    for name, result in results:
        course = name.split("/", 1)[0]
        seconds = 0.0 if isinstance(result, CellFailure) else result.seconds
        case = ElementTree.SubElement(suite, "testcase", classname=course, name=name, time=f"{seconds:.2f}")
        if isinstance(result, CellFailure):
            failure = ElementTree.SubElement(case, "failure", message=str(result))
            failure.text = result.details or str(result)
        elif not result.ran:
            ElementTree.SubElement(case, "skipped", message="not executed")
    write_atomic(path, ElementTree.tostring(suite, encoding="unicode", xml_declaration=True))
