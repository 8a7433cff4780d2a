"""sitemap.xml: every published listing and the public pages (django.contrib.sitemaps)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Practitioner


class PractitionerSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 10_000  # per sitemap page; the index lists the pages

    def items(self):
        return Practitioner.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, practitioner: Practitioner):
        return practitioner.updated_at


class StaticPageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self) -> list[str]:
        return ["home", "guide", "practitioners:list"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"pages": StaticPageSitemap, "practitioners": PractitionerSitemap}
