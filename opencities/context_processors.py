from django.conf import settings


def site(request):
    user = request.user if hasattr(request, "user") else None
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "is_editor": bool(user and user.is_authenticated and user.is_staff),
    }
