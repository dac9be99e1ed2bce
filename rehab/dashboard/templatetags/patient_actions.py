"""The patient page's Actions section: its forms blank, or one as it was typed and refused."""

from django import template

from rehab.dashboard.actions import patient_forms as forms

register = template.Library()


@register.inclusion_tag("dashboard/actions/_patient_actions.html", takes_context=True)
def patient_actions(context) -> dict:
    """Needs the page's `patient` and `o` (PatientOverview); `action_refused` and `action_done` come from
    rehab.dashboard.actions.patient_actions when the page answers one of its forms."""
    patient, overview = context["patient"], context["o"]
    shown = forms.forms_blank(patient=patient, milestones=overview.milestones, today=overview.today)
    refused = context.get("action_refused")
    if refused is not None:
        shown[refused.name] = refused
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "patient": patient,
        "f": shown,
        "done": context.get("action_done"),
        "reviews": forms.reviews_of(overview.milestones),
        **forms.choices(),
    }
