"""What the procurement list and a procurement's page show beside the records themselves."""

from django.db.models import F

from records.models import Procurement
from records.models.procurements import Spend

# A master contract's page lists this many of the purchases under it; the procurement list has them all.
PURCHASES_SHOWN = 20


def procurements_spend(*, procurements, reader) -> Spend:
    """The known spend of a (filtered) list of procurements, of those `reader` may see."""
    return procurements.visible_to(reader).spend()


def known_spend(*, reader, agency=None, vendor=None, technology=None, state: str = "") -> Spend:
    """The known spend of an agency, a vendor (in one state, if given) or a technology, as `reader` may see it.
    A technology's is that of procurements of its products: one that names no product is not counted there."""
    procurements = Procurement.objects.all()
    if agency is not None:
        procurements = procurements.filter(agency=agency)
    if vendor is not None:
        procurements = procurements.filter(vendor=vendor)
    if technology is not None:
        procurements = procurements.filter(product__technologies=technology)
    if state:
        procurements = procurements.filter(state=state)
    return procurements_spend(procurements=procurements, reader=reader)


def procurement_terms(*, procurement: Procurement, reader) -> dict:
    """The contract a procurement was bought under, if `reader` may see it; for a cooperative or master
    contract, the newest purchases under it and their known spend (which counts them all). At most three
    queries, whatever the number of purchases."""
    parent = None
    if procurement.parent_contract_id is not None:
        parent = (
            Procurement.objects.visible_to(reader)
            .select_related("agency")
            .filter(pk=procurement.parent_contract_id)
            .first()
        )
    purchases, spend = [], None
    if procurement.is_framework:
        under = Procurement.objects.visible_to(reader).filter(parent_contract=procurement)
        purchases = list(
            under.select_related("agency", "vendor").order_by(F("signed_on").desc(nulls_last=True), "-id")[
                :PURCHASES_SHOWN
            ]
        )
        spend = under.spend()
    return {"parent_contract": parent, "purchases": purchases, "purchases_spend": spend}
