from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from playbooks import selectors


@login_required
def playbook_list(request):
    playbooks = selectors.playbooks_visible_to(request.user).order_by(
        "organization__name", "name", "language"
    )
    return render(request, "playbooks/playbook_list.html", {"playbooks": playbooks})


@login_required
def playbook_detail(request, pk: int):
    queryset = selectors.playbooks_with_contents(selectors.playbooks_visible_to(request.user))
    playbook = get_object_or_404(queryset, pk=pk)
    return render(
        request,
        "playbooks/playbook_detail.html",
        {
            "playbook": playbook,
            "revisions": selectors.revisions_of(playbook)[:20],
            "roles_without_primary": selectors.roles_without_primary(playbook.role_assignments.all()),
            "can_author": request.user.has_perm("accounts.author_playbooks", playbook.organization),
        },
    )


@login_required
def playbook_revision(request, pk: int, number: int):
    playbook = get_object_or_404(selectors.playbooks_visible_to(request.user), pk=pk)
    revision = get_object_or_404(selectors.revisions_of(playbook), number=number)
    return render(request, "playbooks/playbook_revision.html", {"playbook": playbook, "revision": revision})
