"""Every file and folder the build keeps in the build folder (project.BUILD, _build/), each named here once.

Nothing there is a source: `lessonbuild clean` removes it all, and the next build makes it again.
"""
# Kept by the stages so that a prose edit reads and renders one lesson.
READ = "read"  # read/<course>.pickle: each course's lessons as read, by file digest
RENDER = "render"  # render/<course>/: each lesson's notebooks as rendered, with what its prose looked at
CACHE = "cache"  # the execution cache, its entries and manifests below
CACHE_ENTRIES = f"{CACHE}/entries"  # entries/<key[:2]>/<key>.ipynb: executed notebooks by the key of their inputs
CACHE_MANIFESTS = f"{CACHE}/last"  # last/<course>/<lesson>.json: each lesson's last run, and the entry it wrote
PUBLISHED = "published.json"  # each lesson page's inputs digest, and the files it wrote
PAGE_TEMPLATE_CHECKED = "page-template.checked"  # the templates' digest when the page template last passed
# Up to date: what lets a build with nothing to do say so without reading a lesson.
SOURCES_STAMP = "sources.stamp"  # every source's size and time at the last good build, and its status lines
CHECK_STAMP = "check.stamp"  # the same at the last `check` that found no problem, and what it printed
SITE_DIGEST = "site.digest"  # the inputs of the site now in site/
SITE_FINGERPRINT = "site.fingerprint"  # site/ as the last build left it
# What the stages write on their way.
DOCS = "docs"  # the pages, images and downloads the site engine builds from
SITE_CONFIG = "mkdocs.yml"  # the project's site settings and the navigation the build made
SITE_STAGING = "site.new"  # the site being built; it replaces site/ when the engine succeeds
SITE_OUTPUT = "site.out"  # MkDocs' own output, kept so that its next build rewrites only the pages that changed
SITE_OUTPUT_MADE = "site.out.json"  # what site.out/ was last built whole from: the settings and the pages' names
PREVIEW = "preview"  # what `serve` shows, built in place
PREVIEW_CONFIG = "preview.yml"  # its site settings
PUBLISH_LOCK = "publish.lock"  # two builds of one project take turns at publishing
SCRATCH = "scratch"  # scratch/<course>/<lesson>/: the copy of the course each local kernel runs in
LOGS = "logs"  # logs/<course>/<lesson>.kernel.log: a kernel's own output
FIGURES_CHECK = "figures-check"  # regenerated figures being compared with figures/
FIGURES_DIFF = "figures-diff"  # committed | regenerated | difference, for each drifted figure (a CI artifact)
KAGGLE = "kaggle"  # kaggle/<course>/<lesson>/: the kaggle target's kernels, ready to push
KAGGLE_STAGING = "kaggle.new"  # the kernels being written; they replace kaggle/ when every one is
IMPORT = "import"  # import/<course>/: a course being imported, swapped into lessons/ when whole
