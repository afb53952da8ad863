from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.models import Membership


@login_required
def dashboard(request):
    memberships = Membership.objects.filter(user=request.user).select_related("organization")
    return render(request, "dashboard.html", {"memberships": memberships})
