"""The follow form: an address, how often, and the page to follow. Each field says what is wrong with it."""

from django import forms

from records.models import Cadence
from records.web import digests


class FollowForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        error_messages={
            "required": "Give the email address the alerts should go to.",
            "invalid": "That is not an email address: it looks like name@example.org.",
        },
        help_text="Used for these alerts only, never shown; deleted when you unsubscribe.",
    )
    cadence = forms.ChoiceField(
        label="How often",
        choices=Cadence.choices,
        initial=Cadence.WEEKLY,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose daily or weekly.", "invalid_choice": "Choose daily or weekly."},
    )
    url = forms.CharField(
        label="Page to follow",
        max_length=1000,
        help_text="Its address on this site: an agency, vendor or technology page, a filtered list or a search.",
        error_messages={
            "required": "Say which page to follow: open it and use its “Follow” link.",
            "max_length": "That address is too long to follow (at most %(limit_value)d characters).",
        },
    )

    def clean_url(self):
        try:
            self.followed = digests.describe(self.cleaned_data["url"])
        except digests.NotFollowable as error:
            raise forms.ValidationError(str(error)) from None
        return self.followed.url
