from django.shortcuts import render

from records.permissions import staff_required


@staff_required
def dashboard(request):
    return render(request, "staff/dashboard.html", {})
