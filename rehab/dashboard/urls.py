"""The physiotherapists' web pages (server-rendered, htmx for the parts that change in place)."""

app_name = "dashboard"

urlpatterns = []
