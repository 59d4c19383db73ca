from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class SecondFactorCodeForm(forms.Form):
    """The code of the second step: six digits from the app, or a backup code."""

    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        ),
        help_text=_("The six digits your authenticator app shows now, or one of your backup codes."),
    )


class SecondFactorConfirmForm(forms.Form):
    token = forms.CharField(
        label=_("Code from the app"),
        max_length=20,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class SecondFactorDisableForm(forms.Form):
    proof = forms.CharField(
        label=_("Your password or a current code"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SecondFactorResetForm(forms.Form):
    """Django admin: why a user's second factor is reset (kept in the audit log)."""

    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
