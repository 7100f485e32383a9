"""Sharing links as GraphML, for network tools (Gephi, networkx, Cytoscape): the agencies and organisations as
nodes, each link as a directed edge from the agency whose data is shared to the one that may search it.

Written as it is read: the links in one query, keyset batch after batch, nodes first as they come (a node is
written once, the first time a link names it, before that link's edge: GraphML lets nodes and edges mix)."""

from collections.abc import Iterator
from xml.sax.saxutils import escape, quoteattr

from django.http import StreamingHttpResponse

from records.exports.columns import BATCH, Export

NODE_KEYS = [("label", "string"), ("kind", "string"), ("state", "string"), ("url", "string")]
EDGE_KEYS = [
    ("how", "string"), ("vendor", "string"), ("technology", "string"), ("first_seen", "string"),
    ("last_seen", "string"), ("ended_on", "string"), ("source", "string"), ("page", "int"), ("credit", "string"),
]  # fmt: skip
PATHS = (
    "pk", "sharer_agency_id", "sharer_agency__name", "sharer_agency__slug", "sharer_agency__kind",
    "sharer_agency__jurisdiction__state", "sharer_organisation_id", "sharer_organisation__name",
    "sharer_organisation__kind", "sharer_organisation__state", "receiver_agency_id", "receiver_agency__name",
    "receiver_agency__slug", "receiver_agency__kind", "receiver_agency__jurisdiction__state",
    "receiver_organisation_id", "receiver_organisation__name", "receiver_organisation__kind",
    "receiver_organisation__state", "how", "vendor__name", "technology__name", "first_seen", "last_seen", "ended_on",
    "source_url", "document_id", "document_shown", "page", "credit",
)  # fmt: skip


def _data(key: str, value) -> str:
    if value is None or value == "":
        return ""
    return f'<data key="{key}">{escape(str(value))}</data>'


def graphml_lines(links, export: Export) -> Iterator[str]:
    agency_url = export.links.detail("agency-detail")
    document_url = export.links.detail("document-detail")
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
    for name, kind in NODE_KEYS:
        yield f'  <key id="n_{name}" for="node" attr.name="{name}" attr.type="{kind}"/>\n'
    for name, kind in EDGE_KEYS:
        yield f'  <key id="e_{name}" for="edge" attr.name="{name}" attr.type="{kind}"/>\n'
    yield '  <graph id="sharing" edgedefault="directed">\n'
    written: set[str] = set()
    last_id = 0
    while True:
        rows = list(links.filter(pk__gt=last_id).order_by("pk").values_list(*PATHS)[:BATCH])
        for row in rows:
            values = dict(zip(PATHS, row, strict=True))
            ends = []
            for side in ("sharer", "receiver"):
                if values[f"{side}_agency_id"] is not None:
                    node = f"a{values[f'{side}_agency_id']}"
                    label, kind = values[f"{side}_agency__name"], values[f"{side}_agency__kind"]
                    state, url = (
                        values[f"{side}_agency__jurisdiction__state"],
                        agency_url(values[f"{side}_agency__slug"]),
                    )
                else:
                    node = f"o{values[f'{side}_organisation_id']}"
                    label, kind = values[f"{side}_organisation__name"], values[f"{side}_organisation__kind"]
                    state, url = values[f"{side}_organisation__state"], ""
                ends.append(node)
                if node not in written:
                    written.add(node)
                    data = "".join(
                        _data(f"n_{k}", v)
                        for k, v in (("label", label), ("kind", kind), ("state", state), ("url", url))
                    )
                    yield f"    <node id={quoteattr(node)}>{data}</node>\n"
            shown = values["document_shown"] and values["document_id"] is not None
            source = document_url(values["document_id"]) if shown else values["source_url"]
            edge = {
                "how": values["how"], "vendor": values["vendor__name"], "technology": values["technology__name"],
                "first_seen": values["first_seen"], "last_seen": values["last_seen"], "ended_on": values["ended_on"],
                "source": source, "page": values["page"] if shown else None, "credit": values["credit"],
            }  # fmt: skip
            data = "".join(_data(f"e_{k}", v.isoformat() if hasattr(v, "isoformat") else v) for k, v in edge.items())
            yield f'    <edge id="l{values["pk"]}" source="{ends[0]}" target="{ends[1]}">{data}</edge>\n'
        if len(rows) < BATCH:
            break
        last_id = rows[-1][0]
    yield "  </graph>\n</graphml>\n"


def graphml_response(links, export: Export, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(graphml_lines(links, export), content_type="application/graphml+xml")
    response["Content-Disposition"] = f'attachment; filename="{filename}.graphml"'
    return response
