from incidents.selectors import notifications_of


def notifications(request):
    """The number on the bell: unread notifications of the signed-in person (one query, on pages only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": lambda: notifications_of(user).filter(read_at__isnull=True).count()}
