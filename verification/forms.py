"""The reviewer's decision forms: one per decision on one credential, and the bulk form.

Each form's `apply` calls the matching `verification.services` action; the admin only renders them.
"""

from django import forms

from practitioners.models import License, VerificationRecord, VerificationState

from . import services

NOTE_MAX_LENGTH = 2000


class DecisionForm(forms.Form):
    """One reviewer decision on one credential. Subclasses name the decision and its fields."""

    decision = ""
    title = ""
    button = ""
    # The version of the credential the reviewer saw; a decision on an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def apply(self, *, credential, actor) -> VerificationRecord:
        raise NotImplementedError

    @classmethod
    def available_for(cls, credential) -> bool:
        raise NotImplementedError


def _source_field(required: bool, label: str = "Checked against") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=300,
        required=required,
        help_text="The board's lookup page, the document or the phone call you checked.",
    )


def _text_field(label: str, required: bool) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class VerifyForm(DecisionForm):
    decision = "verify"
    title = "Verify"
    button = "Verify"
    source = _source_field(required=True)
    note = _text_field("Note (optional)", required=False)

    @classmethod
    def available_for(cls, credential) -> bool:
        return VerificationState.VERIFIED in services.ALLOWED_TRANSITIONS[credential.verification_state]

    def apply(self, *, credential, actor):
        data = self.cleaned_data
        return services.credential_verify(
            credential=credential,
            actor=actor,
            source=data["source"],
            note=data["note"],
            expected_version=data["version"],
        )


class RefusalForm(DecisionForm):
    """Reject or revoke: a reason the practitioner reads, and optionally what was checked.
    The two decisions differ only in their labels and the state they lead to."""

    new_state = ""
    reason = _text_field("Reason (shown to the practitioner)", required=True)
    source = _source_field(required=False, label="Checked against (optional)")

    @classmethod
    def available_for(cls, credential) -> bool:
        return cls.new_state in services.ALLOWED_TRANSITIONS[credential.verification_state]

    def apply(self, *, credential, actor):
        data = self.cleaned_data
        return services.credential_refuse(
            credential=credential,
            actor=actor,
            new_state=self.new_state,
            reason=data["reason"],
            source=data["source"],
            expected_version=data["version"],
        )


class RejectForm(RefusalForm):
    decision = "reject"
    title = "Reject"
    button = "Reject"
    new_state = VerificationState.REJECTED


class RevokeForm(RefusalForm):
    decision = "revoke"
    title = "Revoke the verification"
    button = "Revoke"
    new_state = VerificationState.REVOKED


class RestrictForm(DecisionForm):
    decision = "restrict"
    title = "Mark restricted / disciplined"
    button = "Mark restricted"
    source = _source_field(required=True, label="Where the restriction is recorded")
    note = _text_field("Note (optional)", required=False)

    @classmethod
    def available_for(cls, credential) -> bool:
        return isinstance(credential, License) and not credential.restricted

    def apply(self, *, credential, actor):
        data = self.cleaned_data
        return services.credential_mark_restricted(
            credential=credential,
            actor=actor,
            source=data["source"],
            note=data["note"],
            expected_version=data["version"],
        )


class UnrestrictForm(RestrictForm):
    decision = "unrestrict"
    title = "Lift the restriction"
    button = "Lift restriction"
    source = _source_field(required=True, label="Where the lifting is recorded")

    @classmethod
    def available_for(cls, credential) -> bool:
        return isinstance(credential, License) and credential.restricted

    def apply(self, *, credential, actor):
        data = self.cleaned_data
        return services.credential_mark_restricted(
            credential=credential,
            actor=actor,
            source=data["source"],
            note=data["note"],
            restricted=False,
            expected_version=data["version"],
        )


DECISION_FORMS: dict[str, type[DecisionForm]] = {
    form.decision: form for form in (VerifyForm, RejectForm, RestrictForm, UnrestrictForm, RevokeForm)
}


class BulkDecisionForm(forms.Form):
    """Verify or reject several credentials at once (changelist action and queue page)."""

    decision = forms.ChoiceField(
        label="Decision",
        choices=[("verify", "Verify all selected"), ("reject", "Reject all selected")],
        widget=forms.RadioSelect,
    )
    source = _source_field(required=False, label="Checked against (required to verify)")
    note = _text_field("Note, or the reason when rejecting (shown to the practitioner)", required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "verify" and not data.get("source", "").strip():
            self.add_error("source", "Say what you checked the credentials against.")
        if data.get("decision") == "reject" and not data.get("note", "").strip():
            self.add_error("note", "Give the reason; each practitioner sees it.")
        return data
