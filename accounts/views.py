from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import DisplayNameForm


@login_required
@require_http_methods(["GET", "POST"])
def display_name_edit(request: HttpRequest) -> HttpResponse:
    """Change the public name shown beside one's reviews."""
    form = DisplayNameForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your display name was updated.")
        return redirect("account_display_name")
    return render(request, "account/display_name.html", {"form": form})
