"""Static files in production: CSS minified, then hashed and compressed by WhiteNoise."""

from typing import Any

import rcssmin
from django.core.files.base import ContentFile
from whitenoise.storage import CompressedManifestStaticFilesStorage


class MinifiedCompressedManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage (hashed names, .gz and .br beside each file) that first minifies every
    stylesheet, so the hash, the compressed copies and the file served all come from the minified text.

    The stylesheets stay hand-written and readable in `static/`; no Node build. `/*! … */` comments
    (licences of vendored CSS) are kept.
    """

    def post_process(self, paths: dict[str, tuple[Any, str]], dry_run: bool = False, **options: Any):
        if not dry_run:
            for name in [name for name in paths if name.endswith(".css")]:
                source_storage, source_path = paths[name]
                with source_storage.open(source_path) as source:
                    minified = rcssmin.cssmin(source.read().decode("utf-8"), keep_bang_comments=True)
                # collectstatic copied the file here already; hashing then reads this minified copy.
                self.delete(name)
                self.save(name, ContentFile(minified.encode("utf-8")))
                paths[name] = (self, name)
        yield from super().post_process(paths, dry_run=dry_run, **options)
