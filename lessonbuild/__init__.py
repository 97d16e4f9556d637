"""lessonbuild: lesson sources into executed notebooks and a course site."""
import sys

# jsonschema imports the checkers of string formats (durations, dates, URIs, colours, host names) whenever
# they are installed (jupyter_server, needed for --gateway, brings them), though only a validator given a
# format checker uses them: rfc3987_syntax compiles a grammar for most of a second, isoduration brings arrow
# and dateutil, and together they are most of the 0.13 s jsonschema takes to import, which every build that
# reads a lesson pays through nbformat. No schema of the build checks a format, so they are kept out: a format
# whose checker is missing is not checked, as jsonschema does where one is not installed.
# A None entry makes the import raise ImportError; typeshed types sys.modules as holding modules only.
UNUSED_FORMAT_CHECKERS = ("rfc3987_syntax", "isoduration", "rfc3986_validator", "rfc3339_validator", "webcolors",
                          "uri_template", "fqdn")
for _module in UNUSED_FORMAT_CHECKERS:
    sys.modules.setdefault(_module, None)  # type: ignore[arg-type]


def __getattr__(name: str):
    # Looked up on demand: reading installed metadata costs time that a no-op build does not spend.
    if name == "__version__":
        from importlib import metadata

        try:
            return metadata.version("lessonbuild")
        except metadata.PackageNotFoundError:  # run from a checkout that was never installed
            return "0+unknown"
    raise AttributeError(name)
