"""The sign-in's forms: they read what was typed; the rules are in patients.services.second_factor."""

from django import forms


class SignInForm(forms.Form):
    username = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    # As typed: a password with a space at either end is still that password (as the API reads it).
    password = forms.CharField(strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows now, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


class RequireTotpForm(forms.Form):
    require_totp = forms.BooleanField(label="Require TOTP for staff", required=False)
