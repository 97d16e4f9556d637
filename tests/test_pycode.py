from lessonbuild.pycode import imported_modules, without_magics


def test_imports_are_found_past_ipython_syntax_with_their_lines():
    # The shell assignment on the last line makes the code unparsable: the line-by-line reading takes over.
    source = "%matplotlib inline\nimport os, helper.sub\nfrom words import HELLO\nfrom . import x\nresult = !ls\n"
    assert imported_modules(source) == [("os", 2), ("helper", 2), ("words", 3)]


def test_parsed_code_gives_each_module_once_at_its_first_import():
    source = "import numpy as np\n\ndef f():\n    import helper\n    from numpy import linalg\n%time f()\n"
    assert imported_modules(source) == [("numpy", 1), ("helper", 4)]


def test_magics_become_pass_and_lines_keep_their_numbers():
    assert without_magics("%load_ext x\nx = 1\n  !pip install y") == "pass\nx = 1\npass"
