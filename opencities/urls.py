from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import accounts, views

admin.site.site_header = _("OPENCities administration")
admin.site.site_title = _("OPENCities administration")
admin.site.index_title = _("Curate content, cities and access")

auth_patterns = [
    path("login/", accounts.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path("password/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/", accounts.PasswordResetConfirmView.as_view(), name="password_reset_confirm"
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]

# Outside the language prefixes: what machines, the admin and emailed one-click links reach (docs/languages.md).
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("language/", views.language_choose, name="language_choose"),
    # Before the admin's own: its login shares the site's limit on failures per address.
    path("admin/login/", accounts.refused_after_login_failures(admin.site.login)),
    path("admin/", admin.site.urls),
    path("", include("recommendations.urls_unprefixed")),
]

# Every page a person reads, under its language: /en/…, /fr/…
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("method/", views.about_method, name="about_method"),
    path("accounts/", include(auth_patterns)),
    path("accounts/notifications/", views.notice_preferences, name="notice_preferences"),
    path("", include("assessments.urls")),
    path("", include("casestudies.urls")),
    path("", include("recommendations.urls")),
)

handler400 = "opencities.errors.bad_request"
handler403 = "opencities.errors.permission_denied"
handler404 = "opencities.errors.page_not_found"
handler500 = "opencities.errors.server_error"
