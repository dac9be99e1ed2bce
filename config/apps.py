from django.contrib.admin.apps import AdminConfig


class OperatorAdminConfig(AdminConfig):
    """django.contrib.admin with the operators' site (config.admin) as admin.site."""

    default_site = "config.admin.OperatorAdminSite"

    def ready(self):
        super().ready()
        from django.core import checks

        from config.browser import browser_middleware_check, csrf_cookie_check

        checks.register(browser_middleware_check, checks.Tags.admin, checks.Tags.security)
        checks.register(csrf_cookie_check, checks.Tags.security, deploy=True)
