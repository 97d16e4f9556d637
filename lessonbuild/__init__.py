"""lessonbuild: lesson sources into executed notebooks and a course site."""
import sys

# jsonschema imports rfc3987_syntax whenever it is installed (jupyter_server, needed for --gateway,
# brings it), and that module compiles a grammar for most of a second at import. The build checks
# no IRI formats, so it is kept out: a no-op build should take a fraction of a second.
# A None entry makes the import raise ImportError; typeshed types sys.modules as holding modules only.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def __getattr__(name: str):
    # Looked up on demand: reading installed metadata costs time that a no-op build does not spend.
    if name == "__version__":
        from importlib import metadata

        try:
            return metadata.version("lessonbuild")
        except metadata.PackageNotFoundError:  # run from a checkout that was never installed
            return "0+unknown"
    raise AttributeError(name)
