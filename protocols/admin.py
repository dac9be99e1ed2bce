from django.contrib import admin

from protocols.models import Protocol, ProtocolVersion


class ProtocolVersionInline(admin.TabularInline):
    model = ProtocolVersion
    fields = ("version", "published_at", "checksum")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Protocol)
class ProtocolAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "care")
    list_filter = ("care",)
    inlines = [ProtocolVersionInline]


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(admin.ModelAdmin):
    """Published versions are read-only: a change is a new version, never an edit."""

    list_display = ("protocol", "version", "published_at")
    list_filter = ("protocol",)
    readonly_fields = ("protocol", "version", "document", "checksum", "published_at")

    def has_change_permission(self, request, obj=None):
        return False
