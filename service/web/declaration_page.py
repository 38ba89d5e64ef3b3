"""The accessibility declaration's view model: settings about the deploying body, else a
placeholder, next to what the project states about itself (declaration_text.py)."""

from datetime import date

from service.settings import Settings
from service.web.context import DeclarationPage, Stated, Ui
from service.web.declaration_text import CHECKS, DECLARATION, LIMITATIONS, OMBUDSMAN_URL


def build_declaration_page(settings: Settings, ui: Ui, base_url: str) -> DeclarationPage:
    """`base_url` is where the page was asked for: the site's address unless a setting says."""
    d = DECLARATION[ui.lang]
    placeholder = Stated(text=d["placeholder"], missing=True)

    def stated(value: str | date | None, href_prefix: str = "") -> Stated:
        if value is None or value == "":
            return placeholder
        text = value.isoformat() if isinstance(value, date) else value  # the template's format
        href = f"{href_prefix}{text.replace(' ', '')}" if href_prefix else None
        return Stated(text=text, href=href)

    status = settings.a11y_status
    assessment = settings.a11y_assessment
    return DeclarationPage(
        title=d["title"],
        d=d,
        entity=stated(settings.a11y_entity),
        site_url=settings.a11y_site or base_url,
        published=stated(settings.a11y_published),
        updated=stated(settings.a11y_updated),
        status=Stated(text=d[f"status_{status}"]) if status else placeholder,
        prepared=stated(settings.a11y_prepared),
        reviewed=stated(settings.a11y_reviewed),
        assessment=Stated(text=d[f"assessment_{assessment}"]) if assessment else placeholder,
        contact_name=stated(settings.a11y_contact_name),
        contact_email=stated(settings.a11y_contact_email, "mailto:"),
        contact_phone=stated(settings.a11y_contact_phone, "tel:"),
        address=stated(settings.a11y_address),
        building=stated(settings.a11y_building),
        limitations=LIMITATIONS[ui.lang],
        checks=CHECKS[ui.lang],
        ombudsman_url=OMBUDSMAN_URL,
    )
