"""Partners' unsubscribing from a city's reports, by the token in their email."""

from django.shortcuts import render

from .. import services


def partner_unsubscribe(request, token):
    following = services.following_from_token(token)
    if following is None:
        return render(request, "recommendations/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        services.partner_unsubscribe(following=following)
        return render(request, "recommendations/unsubscribe.html", {"following": following, "done": True})
    return render(request, "recommendations/unsubscribe.html", {"following": following})
