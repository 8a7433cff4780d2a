"""Reads for the credential checks."""

from practitioners.models import License

from .roster import OurLicense, normalize_number


def roster_licenses(*, state: str) -> dict[str, OurLicense]:
    """Our licenses of one state keyed by normalized number, as the roster cross-check compares them (one query)."""
    return {
        normalize_number(lic.number): OurLicense(
            pk=lic.pk,
            number=lic.number,
            practitioner_name=lic.practitioner.name,
            board_status=lic.board_status,
            expiry_date=lic.expiry_date,
            verification_state=lic.verification_state,
        )
        for lic in License.objects.filter(state_id=state).select_related("practitioner").order_by("pk")
    }
