"""sitemap.xml sections for the landing pages: every condition page and every city with published listings."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from practitioners.models import Condition

from .cities import City
from .selectors import city_index


class ConditionSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.7

    def items(self):
        return Condition.objects.order_by("sort_order", "name").only("slug")

    def location(self, condition: Condition) -> str:
        return reverse("condition", args=[condition.slug])


class CitySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.7
    limit = 10_000

    def items(self) -> list[City]:
        return sorted(city_index().values(), key=lambda city: (city.state, city.slug))

    def location(self, city: City) -> str:
        return reverse("city", args=[city.state_slug, city.slug])


SITEMAPS = {"conditions": ConditionSitemap, "cities": CitySitemap}
