"""Page-number pagination that answers 400 with a message for a page that isn't there.

DRF's default answers 404 ("Invalid page."). Here `page=0`, `page=abc`, two different
`page` values and a page past the last one are client errors with a field message,
like every other bad search parameter. An empty result has one (empty) page 1.
"""

from django.core.paginator import Paginator
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from search.selectors import PAGE_SIZE


class SearchPagination(PageNumberPagination):
    page_size = PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        number = self.requested_page(request.query_params.getlist(self.page_query_param))
        paginator = Paginator(queryset, self.page_size)
        if number > paginator.num_pages:
            pages = paginator.num_pages
            raise ValidationError(
                {
                    self.page_query_param: [
                        f"Page {number} does not exist; there {'is' if pages == 1 else 'are'} "
                        f"{pages} page{'' if pages == 1 else 's'} of results."
                    ]
                }
            )
        self.request = request
        self.page = paginator.page(number)
        return list(self.page)

    def requested_page(self, raw_values: list[str]) -> int:
        given = [value.strip() for value in raw_values if value and value.strip()]
        if not given:
            return 1
        if len(set(given)) > 1:
            raise ValidationError({self.page_query_param: ["Give one page number only."]})
        try:
            number = int(given[0])
        except ValueError:
            raise ValidationError(
                {self.page_query_param: [f"“{given[0][:20]}” is not a page number; pages start at 1."]}
            ) from None
        if number < 1:
            raise ValidationError({self.page_query_param: ["Page numbers start at 1."]})
        return number
