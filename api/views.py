"""Read-only API views: the same search and profile as the HTML pages."""

import json

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import generics, serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from practitioners import places
from practitioners.selectors import practitioner_profile
from search.filters import PractitionerFilterSet
from search.selectors import SearchResultList, kept_answer, search_base_qs

from .pagination import SearchPagination
from .serializers import PractitionerDetailSerializer, PractitionerListSerializer

SearchErrorsSerializer = inline_serializer(
    name="SearchErrors",
    fields={
        name: serializers.ListField(child=serializers.CharField(), required=False)
        for name in [*PractitionerFilterSet.base_filters, "page"]
    },
)


@extend_schema(
    summary="Search practitioners",
    responses={
        200: PractitionerListSerializer,
        400: OpenApiResponse(SearchErrorsSerializer, description="Messages for each unusable parameter."),
    },
    description=(
        "The directory search, with the same parameters as /practitioners/. Each result has "
        "`distance_miles` (to its nearest location) when `location` is given. Invalid parameters, "
        "including a page that does not exist, give 400 with a message per parameter."
    ),
)
class PractitionerListView(generics.ListAPIView):
    authentication_classes = []  # public and read-only: every caller is anonymous (and throttled as such)
    serializer_class = PractitionerListSerializer
    filterset_class = PractitionerFilterSet
    pagination_class = SearchPagination

    def get_queryset(self):
        return search_base_qs()

    def filter_queryset(self, queryset):
        """DjangoFilterBackend's validation (400 with field errors), then the results as a
        `SearchResultList`: the count and each page's order come from the search cache and a
        page costs one query for its rows (see search.selectors)."""
        filterset = DjangoFilterBackend().get_filterset(self.request, queryset, self)
        if not filterset.is_valid():
            raise field_errors(filterset.errors)
        return SearchResultList(filterset)

    def list(self, request, *args, **kwargs):
        """As the search page: the same search asked again within SEARCH_CACHE_SECONDS (and no write
        since) is served from its serialized page, after one query that re-checks its listings; a bad
        search raises before anything is kept. Links are absolute, so the host is part of the key."""

        def compute() -> dict:
            data = super(PractitionerListView, self).list(request, *args, **kwargs).data
            # As JSON text: a serializer's output (hyperlinks, return lists) takes 30× longer to unpickle.
            text = json.dumps(data, cls=JSONEncoder)
            return {"ids": [row.pk for row in self.paginator.page.object_list], "json": text}

        page = kept_answer("api-page", request.query_params, compute, base=request.build_absolute_uri("/"))
        return Response(json.loads(page["json"]))

    def get_serializer_context(self) -> dict:
        # The filters validated `location` already; cards use it to pick the nearest location.
        place = places.resolve(self.request.query_params.get("location", "")).place if self.request else None
        return {**super().get_serializer_context(), "place": place}


def field_errors(errors) -> ValidationError:
    """The filters' errors as the API's 400, field by field, each message as the page shows it.

    django-filter's `translate_validation` applies `%` to every message, so a message quoting what the
    visitor typed ("you entered “%”") raised a 500; a message is formatted only when it has parameters."""
    return ValidationError(
        {
            field: [ErrorDetail(next(iter(error)), code=error.code) for error in error_list]
            for field, error_list in errors.as_data().items()
        }
    )


@extend_schema(
    summary="One practitioner's profile",
    responses={
        200: PractitionerDetailSerializer,
        404: OpenApiResponse(
            inline_serializer(name="NotFound", fields={"detail": serializers.CharField()}),
            description="No published practitioner has this slug.",
        ),
    },
)
class PractitionerDetailView(generics.RetrieveAPIView):
    authentication_classes = []
    serializer_class = PractitionerDetailSerializer
    lookup_field = "slug"

    def get_object(self):
        return practitioner_profile(slug=self.kwargs["slug"], today=timezone.localdate())


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files (drf-spectacular-sidecar), with its setup script
    served as a separate file so the page needs no inline script or style (strict CSP)."""

    template_name = "api/docs.html"
    title = "Meridian API"
