"""MyST prose as the site shows it: what Jupyter Book lessons write, published as MkDocs pages show it.

The prose is parsed as MyST-Parser parses it (markdown-it-py with mdit-py-plugins) and each of
its constructs becomes the site engine's own: directives (directives.py), math as MathML made at
build time (mathml.py), roles and links to labels (roles.py), and references across the lessons
of a course, resolved once every lesson is translated (references.py). page.py holds one lesson;
syntax.py, a leaf that stage 1 reads too, MyST's syntax rules. Nothing is imported here, so that stage 1
takes syntax.py without the rest.
"""
