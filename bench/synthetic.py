"""Synthetic national-size data for benchmarks: `python manage.py generate_synthetic --scale S`.

S=1 is the size of the whole country: 18,000 agencies in the 50 states, 400 vendors, 1,000 products,
100,000 procurements, 100,000 records requests with 300,000 correspondence entries, 300,000 documents
of one to ten pages, 1,000,000 timeline entries. It is skewed like real data: agencies, vendors and
technologies are drawn with Zipf-like weights, so a few of them hold much of it, and page text is
drawn from a vocabulary with a Zipf-like term frequency, so search meets both very common and very
rare words (and a few planted rare phrases, RARE_PHRASES).

Everything made here is visibly synthetic, without a schema change: names and titles end with
"(synthetic)", slugs start with "synthetic-", timeline entries' external_id with "synthetic:". Some
records are private or embargoed (a few with an embargo that has ended) so that visibility filtering
is exercised.

Rows are written in bulk, with ids assigned here: COPY on PostgreSQL, executemany on SQLite, inside
one transaction. Search structures (migration 0005) are rebuilt once after the load instead of row by
row: on PostgreSQL the GIN index of the page tsvectors is dropped and created again, on SQLite the FTS5
triggers are dropped and the index rebuilt. History tables (django-simple-history) are not filled.
"""

import bisect
import datetime
import importlib
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from records.models import (
    Agency,
    Correspondence,
    Document,
    DocumentMention,
    DocumentPage,
    EventSource,
    Jurisdiction,
    Procurement,
    Product,
    RecordsRequest,
    Technology,
    TimelineEvent,
    Vendor,
    write_watch,
)
from records.models.agencies import AgencyKind
from records.models.documents import DocumentKind, ExtractionStatus, MentionStatus
from records.models.procurements import ProcurementKind, ProcurementStatus
from records.models.requests import Channel, Direction, RequestStatus
from records.models.timeline import DatePrecision, EventKind
from records.models.visibility import Visibility
from records.rules.requests import TERMINAL_STATUSES
from records.rules.search_terms import page_terms
from records.rules.states import STATE_NAMES

MARK = "(synthetic)"
SLUG_PREFIX = "synthetic-"
EXTERNAL_ID_PREFIX = "synthetic:"
FULL_SCALE = {
    "agencies": 18_000,
    "vendors": 400,
    "products": 1_000,
    "procurements": 100_000,
    "requests": 100_000,
    "correspondence": 300_000,
    "documents": 300_000,
    "events": 1_000_000,
}
MINIMUM = {"agencies": 10, "vendors": 5, "products": 5}
FIFTY_STATES = sorted(code for code in STATE_NAMES if code not in {"DC", "PR", "GU", "VI", "AS", "MP"})
FIRST_DAY = datetime.date(2010, 1, 1)
WORDS_PER_PAGE = (40, 120)
# Most released documents are short (an email, a letter); a few run to ten pages. Mean about 3 pages.
PAGES_WEIGHTS = [30, 20, 13, 9, 7, 6, 5, 4, 3, 3]
# Phrases planted on a dozen pages at every scale, for benchmarking a rare-phrase search (a results page of the
# same size at every scale); each word is rare too.
RARE_PHRASES = ["quillmoss vandert overlay", "harrowgate sensor lattice", "obsidian kestrel protocol"]
RARE_PHRASE_PAGES = 12
TERMINAL = sorted(TERMINAL_STATUSES)
OPEN_STATUSES = [
    RequestStatus.FILED,
    RequestStatus.ACKNOWLEDGED,
    RequestStatus.PROCESSING,
    RequestStatus.FIX_REQUIRED,
    RequestStatus.PAYMENT_REQUIRED,
    RequestStatus.APPEALED,
]
DOMAIN_TEXT = (
    "the of and to a in for is on that by this with from be as at are or contract agreement camera police "
    "department sheriff office county city data system license plate reader face recognition drone vendor "
    "records request public invoice amount purchase order renewal term annual subscription hardware software "
    "installation support training retention policy audit access search warrant hotlist alert detection gunshot "
    "sensor cloud storage evidence body worn video analytics network sharing council approval budget grant "
    "federal state program pilot trial deployment footage image database officer investigation report quote "
    "pricing service maintenance equipment surveillance monitoring location tracking cell site simulator "
    "predictive policing real time crime center fusion partnership neighbors doorbell registry integration "
    "upgrade license fee per unit year month total payment schedule exhibit attachment confidential redacted "
    "memo email meeting presentation slide demo proposal signature approved board resolution minutes"
)
DOMAIN_WORDS = DOMAIN_TEXT.split()
SYLLABLE_TEXT = (
    "ka ri to ne mar vel dor sin lo pra tem quo zan bel fi gor hu lin mo rus ta ve wex yor ab el im on ur "
    "stra clo bri dex fen gal hol jin kip lum nax orp pel quin ros sul tiv ump vor wil xan yel zor"
)
SYLLABLES = SYLLABLE_TEXT.split()


def counts_for(scale: float) -> dict[str, int]:
    """How many of each to make at a scale (1 = national size), never fewer than a working minimum."""
    counts = {name: max(MINIMUM.get(name, 10), round(full * scale)) for name, full in FULL_SCALE.items()}
    counts["products"] = max(counts["products"], counts["vendors"])
    return counts


def zipf_cumulative(n: int, exponent: float) -> list[float]:
    """Cumulative Zipf weights of n items (rank 1 heaviest), for random.choices(cum_weights=...)."""
    total, cumulative = 0.0, []
    for rank in range(1, n + 1):
        total += rank**-exponent
        cumulative.append(total)
    return cumulative


class Picker:
    """Draws items with Zipf-like weights; which item is heaviest is shuffled, so it is not the first id."""

    def __init__(self, items: list, exponent: float, rng: random.Random):
        self.items = list(items)
        rng.shuffle(self.items)
        self.cumulative = zipf_cumulative(len(self.items), exponent)
        self.total = self.cumulative[-1]
        self.rng = rng

    def one(self):
        return self.items[bisect.bisect(self.cumulative, self.rng.random() * self.total)]

    def many(self, k: int) -> list:
        return self.rng.choices(self.items, cum_weights=self.cumulative, k=k)


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """Domain words first (the most frequent), then made-up pronounceable words, the rarer the later."""
    words, seen = list(DOMAIN_WORDS), set(DOMAIN_WORDS)
    reserved = {word for phrase in RARE_PHRASES for word in phrase.split()}
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen and word not in reserved:
            seen.add(word)
            words.append(word)
    return words


# Writing rows in bulk


@dataclass
class Table:
    """A table, the columns the generator gives, and constant values for the other columns (their defaults)."""

    name: str
    columns: list[str]
    constants: list = field(default_factory=list)

    @classmethod
    def of(cls, model, columns: list[str]) -> "Table":
        constants, names = [], list(columns)
        for model_field in model._meta.concrete_fields:
            if model_field.column in columns:
                continue
            if model_field.has_default() or (not model_field.null and model_field.empty_strings_allowed):
                value = model_field.get_default()
            elif model_field.null:
                value = None
            else:
                raise RuntimeError(
                    f"generate_synthetic does not fill {model._meta.db_table}.{model_field.column}, which has no "
                    "default: add it to bench/synthetic.py."
                )
            names.append(model_field.column)
            constants.append(json.dumps(value) if isinstance(value, list | dict) else value)
        return cls(model._meta.db_table, names, constants)


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class BulkWriter:
    """COPY on PostgreSQL, executemany on SQLite, in chunks, with a progress bar per table."""

    CHUNK = 20_000

    def __init__(self, progress: bool):
        self.progress = progress
        self.vendor = connection.vendor
        self.timings: dict[str, float] = {}
        self.rows: dict[str, int] = {}

    def write(self, table: Table, rows: Iterable[tuple], total: int, label: str) -> None:
        started = time.perf_counter()
        constants = tuple(table.constants)
        columns = ", ".join(connection.ops.quote_name(column) for column in table.columns)
        bar = tqdm(total=total, desc=f"{label:<24}", unit=" rows", disable=not self.progress, leave=True)
        raw = connection.connection
        chunk: list[tuple] = []
        written = 0

        def flush():
            nonlocal written
            if not chunk:
                return
            if self.vendor == "postgresql":
                data = "".join("\t".join(map(_copy_value, row + constants)) + "\n" for row in chunk)
                with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                    copy.write(data)
            else:
                marks = ", ".join("?" * len(table.columns))
                raw.executemany(
                    f"INSERT INTO {table.name} ({columns}) VALUES ({marks})",  # noqa: S608 -- names from the models
                    [_sqlite_row(row + constants) for row in chunk],
                )
            written += len(chunk)
            bar.update(len(chunk))
            chunk.clear()

        for row in rows:
            chunk.append(row)
            if len(chunk) >= self.CHUNK:
                flush()
        flush()
        bar.close()
        # COPY and the raw executemany bypass Django's cursor, where writes are watched: say so here.
        write_watch.bump_on_commit(connection)
        self.timings[label] = self.timings.get(label, 0) + time.perf_counter() - started
        self.rows[label] = self.rows.get(label, 0) + written


def _sqlite_row(row: tuple) -> tuple:
    return tuple(
        value.isoformat() if isinstance(value, datetime.date) else str(value) if isinstance(value, Decimal) else value
        for value in row
    )


def next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")  # noqa: S608 -- a model's table
        return cursor.fetchone()[0] + 1


def synthetic_exists() -> bool:
    return Agency.objects.filter(slug__startswith=SLUG_PREFIX).exists()


# Removing an earlier synthetic set


AGENCIES = "SELECT id FROM records_agency WHERE slug LIKE %s"
EVENTS = "SELECT id FROM records_timelineevent WHERE external_id LIKE %s"
DOCUMENTS = "SELECT id FROM records_document WHERE agency_id IN (SELECT id FROM records_agency WHERE slug LIKE %s)"
REQUESTS = "SELECT id FROM records_recordsrequest WHERE agency_id IN (SELECT id FROM records_agency WHERE slug LIKE %s)"
# (label, table, column, the rows' ids, whether that selects by external_id); children before parents.
DELETIONS = [
    ("event sources", "records_eventsource", "event_id", EVENTS),
    ("event vendors", "records_timelineevent_vendors", "timelineevent_id", EVENTS),
    ("event products", "records_timelineevent_products", "timelineevent_id", EVENTS),
    ("event technologies", "records_timelineevent_technologies", "timelineevent_id", EVENTS),
    ("timeline events", "records_timelineevent", "id", EVENTS),
    ("mentions", "records_documentmention", "document_id", DOCUMENTS),
    ("pages", "records_documentpage", "document_id", DOCUMENTS),
    ("procurement documents", "records_procurement_documents", "document_id", DOCUMENTS),
    ("documents", "records_document", "id", DOCUMENTS),
    ("status changes", "records_requeststatuschange", "request_id", REQUESTS),
    ("correspondence", "records_correspondence", "request_id", REQUESTS),
    ("requests", "records_recordsrequest", "id", REQUESTS),
    ("procurements", "records_procurement", "agency_id", AGENCIES),
    (
        "product technologies",
        "records_product_technologies",
        "product_id",
        "SELECT id FROM records_product WHERE slug LIKE %s",
    ),
    ("products", "records_product", "slug", None),
    ("vendors", "records_vendor", "slug", None),
    ("agencies", "records_agency", "slug", None),
    ("jurisdictions", "records_jurisdiction", "slug", None),
]


def delete_synthetic() -> dict[str, int]:
    """Remove every synthetic row (they all hang off synthetic agencies, vendors and jurisdictions)."""
    deleted = {}
    with connection.cursor() as cursor:
        for label, table, column, ids in DELETIONS:
            pattern = f"{EXTERNAL_ID_PREFIX}%" if ids is EVENTS else f"{SLUG_PREFIX}%"
            # Table and column names are the constants above; the pattern is a parameter.
            condition = f"{column} LIKE %s" if ids is None else f"{column} IN ({ids})"
            cursor.execute(f"DELETE FROM {table} WHERE {condition}", [pattern])  # noqa: S608
            deleted[label] = cursor.rowcount
    return deleted


# The search structures of migration 0018


def _search_migration():
    return importlib.import_module("records.migrations.0018_search_terms")


PG_SEARCH_INDEX = "records_documentpage_search_vector"


def _trigram_indexes() -> dict[str, str]:
    return importlib.import_module("records.migrations.0006_name_search_indexes").TRIGRAM_INDEXES


def suspend_search_index() -> list[str]:
    """Drop the search indexes (migrations 0018 and 0006) before a bulk load; the names of those dropped."""
    dropped = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name in [PG_SEARCH_INDEX, *_trigram_indexes()]:
                cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
                if cursor.fetchone():
                    cursor.execute(f"DROP INDEX {name}")
                    dropped.append(name)
        else:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'records_documentpage_fts'")
            if cursor.fetchone():
                for name in ("insert", "delete", "update"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS records_documentpage_fts_{name}")
                dropped.append("records_documentpage_fts")
    return dropped


def restore_search_index(dropped: list[str]) -> None:
    """Build each dropped index once over every row, as migrations 0018 and 0006 made them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            trigram = _trigram_indexes()
            for name in dropped:
                if name == PG_SEARCH_INDEX:
                    cursor.execute(_search_migration().POSTGRES_FORWARD[1])
                else:
                    cursor.execute(f"CREATE INDEX {name} ON {trigram[name]}")
        elif dropped:
            cursor.execute("INSERT INTO records_documentpage_fts (records_documentpage_fts) VALUES ('rebuild')")
            for statement in _search_migration().SQLITE_TRIGGERS:
                cursor.execute(statement)


# The generator


@dataclass
class Result:
    counts: dict[str, int]
    seconds: float
    steps: dict[str, float]
    rows: dict[str, int]
    largest: dict[str, str]


class Generator:
    def __init__(self, scale: float, seed: int = 2017, progress: bool = False, rebuild_search: bool = True):
        self.scale = scale
        self.counts = counts_for(scale)
        self.rng = random.Random(seed)
        self.progress = progress
        self.rebuild_search = rebuild_search
        self.writer = BulkWriter(progress)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.span = (self.today - FIRST_DAY).days
        self.steps: dict[str, float] = {}

    # Helpers

    def _step(self, label: str, action: Callable[[], None]) -> None:
        started = time.perf_counter()
        action()
        self.steps[label] = self.steps.get(label, 0) + time.perf_counter() - started

    def day(self) -> datetime.date:
        """A date since 2010, more of them recent (density grows linearly with time)."""
        return FIRST_DAY + datetime.timedelta(days=int(self.span * self.rng.random() ** 0.5))

    def visibility(self) -> tuple[str, datetime.date | None]:
        """Mostly public; about 2% private, 1% under a running embargo and 1% whose embargo has ended."""
        draw = self.rng.random()
        if draw < 0.96:
            return Visibility.PUBLIC, None
        if draw < 0.98:
            return Visibility.PRIVATE, None
        if draw < 0.99:
            return Visibility.EMBARGOED, self.today + datetime.timedelta(days=self.rng.randint(1, 400))
        return Visibility.EMBARGOED, self.today - datetime.timedelta(days=self.rng.randint(1, 400))

    def words(self, n: int) -> str:
        return " ".join(self.rng.choices(self.vocab, cum_weights=self.vocab_cumulative, k=n))

    # Steps

    def run(self) -> Result:
        started = time.perf_counter()
        self.vocab = vocabulary(20_000, self.rng)
        self.vocab_cumulative = zipf_cumulative(len(self.vocab), 1.07)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                    # Foreign keys are checked row by row, not queued to the commit: a queue of millions of
                    # checks costs memory, and pending checks forbid the CREATE INDEX at the end.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            suspended = suspend_search_index() if self.rebuild_search else []
            self._step("jurisdictions and agencies", self.agencies)
            self._step("vendors and products", self.vendors)
            self._step("procurements", self.procurements)
            self._step("requests and correspondence", self.requests)
            self._step("documents and pages", self.documents)
            self._step("timeline events", self.events)
            if suspended:
                self._step("search indexes", lambda: restore_search_index(suspended))
            self._step("sequences", self.reset_sequences)
        self._step("analyze", self.analyze)
        largest = {
            "agency": self.agencies_by_weight[0][1],
            "vendor": self.vendor_slugs[self.vendor_picker.items[0]],
        }
        return Result(self.counts, time.perf_counter() - started, self.steps, self.writer.rows, largest)

    def agencies(self):
        states = {
            j.state: j.pk
            for j in Jurisdiction.objects.filter(level="state", state__in=FIFTY_STATES).only("id", "state")
        }
        codes = [code for code in FIFTY_STATES if code in states]
        n_agencies = self.counts["agencies"]
        n_places = max(len(codes), n_agencies // 2)
        first = next_id(Jurisdiction)
        places = []  # (id, state code)
        rows = []
        for i in range(n_places):
            code = codes[i % len(codes)]
            level = "county" if i % 3 == 0 else "city"
            name = f"{'Cedar' if level == 'county' else 'Maple'} {level.title()} {i + 1} {MARK}"
            pk = first + i
            places.append((pk, code))
            rows.append((pk, name, f"{SLUG_PREFIX}{level}-{i + 1}-{code.lower()}", level, states[code], code))
        self.writer.write(
            Table.of(Jurisdiction, ["id", "name", "slug", "level", "parent_id", "state"]),
            rows,
            len(rows),
            "jurisdictions",
        )
        kinds = (
            [AgencyKind.POLICE] * 6
            + [AgencyKind.SHERIFF] * 3
            + [
                AgencyKind.STATE_POLICE,
                AgencyKind.PROSECUTOR,
                AgencyKind.SCHOOL_DISTRICT,
                AgencyKind.CITY_GOVERNMENT,
                AgencyKind.FUSION_CENTER,
                AgencyKind.OTHER,
            ]
        )
        first = next_id(Agency)
        self.agency_ids = list(range(first, first + n_agencies))
        self.agency_state = {}
        self.agency_slug = {}
        rows = []
        for i, pk in enumerate(self.agency_ids):
            place, code = places[i % n_places]
            kind = self.rng.choice(kinds)
            label = AgencyKind(kind).label
            slug = f"{SLUG_PREFIX}agency-{i + 1}-{code.lower()}"
            self.agency_state[pk] = code
            self.agency_slug[pk] = slug
            rows.append((pk, f"{label} {i + 1} {MARK}", slug, kind, place))
        self.writer.write(
            Table.of(Agency, ["id", "name", "slug", "kind", "jurisdiction_id"]), rows, n_agencies, "agencies"
        )
        # A few agencies hold much of everything: Zipf weights over a shuffled order.
        self.agency_picker = Picker(self.agency_ids, 0.8, self.rng)
        self.agencies_by_weight = [(pk, self.agency_slug[pk]) for pk in self.agency_picker.items]

    def vendors(self):
        n_vendors, n_products = self.counts["vendors"], self.counts["products"]
        first = next_id(Vendor)
        vendor_ids = list(range(first, first + n_vendors))
        self.vendor_slugs = {pk: f"{SLUG_PREFIX}vendor-{i + 1}" for i, pk in enumerate(vendor_ids)}
        rows = [(pk, f"Vendor {i + 1} {MARK}", self.vendor_slugs[pk]) for i, pk in enumerate(vendor_ids)]
        self.writer.write(Table.of(Vendor, ["id", "name", "slug"]), rows, n_vendors, "vendors")
        self.vendor_picker = Picker(vendor_ids, 0.9, self.rng)
        technology_ids = list(Technology.objects.order_by("id").values_list("id", flat=True))
        self.technology_picker = Picker(technology_ids, 0.7, self.rng)
        # Every vendor has a product; the rest go to vendors by weight.
        owners = vendor_ids + self.vendor_picker.many(n_products - n_vendors)
        first = next_id(Product)
        self.products_of: dict[int, list[int]] = {}
        self.product_technologies: dict[int, list[int]] = {}
        rows, links = [], []
        for i, vendor in enumerate(owners):
            pk = first + i
            self.products_of.setdefault(vendor, []).append(pk)
            rows.append((pk, vendor, f"Product {i + 1} {MARK}", f"{SLUG_PREFIX}product-{i + 1}"))
            technologies = {self.technology_picker.one() for _ in range(self.rng.choice([1, 1, 1, 2]))}
            self.product_technologies[pk] = sorted(technologies)
            links += [(pk, technology) for technology in sorted(technologies)]
        self.writer.write(Table.of(Product, ["id", "vendor_id", "name", "slug"]), rows, len(rows), "products")
        first = next_id(Product.technologies.through)
        self.writer.write(
            Table(Product.technologies.through._meta.db_table, ["id", "product_id", "technology_id"]),
            ((first + i, product, technology) for i, (product, technology) in enumerate(links)),
            len(links),
            "product technologies",
        )

    def procurements(self):
        n = self.counts["procurements"]
        first = next_id(Procurement)
        kinds = [k for k, _ in ProcurementKind.choices]
        statuses = [s for s, _ in ProcurementStatus.choices]
        self.procurement_rows = []  # (id, agency, vendor, product, signed_on, title)
        agencies, vendors = self.agency_picker.many(n), self.vendor_picker.many(n)

        def rows() -> Iterator[tuple]:
            for i in range(n):
                pk, agency, vendor = first + i, agencies[i], vendors[i]
                product = self.rng.choice(self.products_of[vendor])
                kind = self.rng.choice(kinds)
                signed = self.day()
                start = signed + datetime.timedelta(days=self.rng.randint(0, 60))
                end = start + datetime.timedelta(days=self.rng.choice([90, 365, 730, 1095]))
                amount = Decimal(int(self.rng.paretovariate(1.2) * 5000)) if kind != ProcurementKind.FREE_TRIAL else 0
                title = f"{ProcurementKind(kind).label} {i + 1} {MARK}"
                self.procurement_rows.append((pk, agency, vendor, product, signed, title))
                yield (
                    pk, agency, self.agency_state[agency], vendor, product, kind, self.rng.choice(statuses), title,
                    amount, "USD", signed, start, end, f"SYN-{i + 1}", self.now, self.now,
                )  # fmt: skip

        columns = ["id", "agency_id", "state", "vendor_id", "product_id", "kind", "status", "title", "amount"]
        columns += ["currency", "signed_on", "start_on", "end_on", "reference_number", "created_at", "updated_at"]
        self.writer.write(Table.of(Procurement, columns), rows(), n, "procurements")

    def requests(self):
        n, n_letters = self.counts["requests"], self.counts["correspondence"]
        first = next_id(RecordsRequest)
        self.request_rows = []  # (id, agency, filed_on, subject, visibility, embargo)
        agencies = self.agency_picker.many(n)
        letters_per_request = [0] * n
        for index in self.rng.choices(range(n), k=n_letters):
            letters_per_request[index] += 1
        organisations = ["ACLU (synthetic)", "EFF (synthetic)", "MuckRock (synthetic)", "Local News (synthetic)"]

        def rows() -> Iterator[tuple]:
            for i in range(n):
                pk, agency = first + i, agencies[i]
                filed = self.day()
                terminal = filed < self.today - datetime.timedelta(days=120) and self.rng.random() < 0.8
                status = self.rng.choice(TERMINAL if terminal else OPEN_STATUSES)
                closed = filed + datetime.timedelta(days=self.rng.randint(5, 200)) if terminal else None
                if closed and closed > self.today:
                    closed = self.today
                visibility, embargo = self.visibility()
                subject = f"Records about surveillance technology, request {i + 1} {MARK}"
                self.request_rows.append((pk, agency, filed, subject, visibility, embargo))
                yield (
                    pk, agency, self.rng.choice(organisations), subject, f"Synthetic request text {i + 1}.",
                    f"SYN-R-{i + 1}", status, filed, filed + datetime.timedelta(days=self.rng.choice([5, 10, 20, 30])),
                    closed, visibility, embargo, self.now, self.now,
                )  # fmt: skip

        columns = ["id", "agency_id", "requester_organization", "subject", "text", "tracking_number", "status"]
        columns += ["filed_on", "due_on", "closed_on", "visibility", "embargo_until", "created_at", "updated_at"]
        self.writer.write(Table.of(RecordsRequest, columns), rows(), n, "records requests")

        first = next_id(Correspondence)
        channels = [c for c, _ in Channel.choices]

        def letters() -> Iterator[tuple]:
            pk = first
            for i, (request, _agency, filed, _subject, visibility, embargo) in enumerate(self.request_rows):
                for number in range(letters_per_request[i]):
                    direction = Direction.OUT if number == 0 else self.rng.choice([Direction.IN, Direction.OUT])
                    date = filed + datetime.timedelta(days=number * self.rng.randint(1, 30))
                    summary = f"{Direction(direction).label}: {self.words(12)} {MARK}"
                    yield (
                        pk, request, date, direction, self.rng.choice(channels), summary, visibility, embargo, self.now
                    )  # fmt: skip
                    pk += 1

        columns = ["id", "request_id", "date", "direction", "channel", "summary", "visibility", "embargo_until"]
        columns += ["created_at"]
        self.writer.write(Table.of(Correspondence, columns), letters(), n_letters, "correspondence")

    def documents(self):
        n = self.counts["documents"]
        first = next_id(Document)
        kinds = [k for k, _ in DocumentKind.choices]
        pages_per_document = self.rng.choices(range(1, 11), weights=PAGES_WEIGHTS, k=n)
        total_pages = sum(pages_per_document)
        planted: dict[int, str] = {}
        for phrase in RARE_PHRASES:
            for index in self.rng.sample(range(total_pages), min(total_pages, RARE_PHRASE_PAGES)):
                planted[index] = phrase
        self.document_rows = []  # (id, agency, date, pages, visibility)
        requests = self.request_rows

        def rows() -> Iterator[tuple]:
            for i in range(n):
                pk = first + i
                if self.rng.random() < 0.7:
                    request, agency, filed, subject, visibility, embargo = self.rng.choice(requests)
                    date = min(self.today, filed + datetime.timedelta(days=self.rng.randint(10, 200)))
                else:
                    request, agency, date = None, self.agency_picker.one(), self.day()
                    visibility, embargo = self.visibility()
                kind = self.rng.choice(kinds)
                title = f"{DocumentKind(kind).label} {i + 1} {MARK}"
                self.document_rows.append((pk, agency, date, pages_per_document[i], visibility))
                yield (
                    pk, title, kind, date, agency, request, ExtractionStatus.DONE, visibility, embargo, self.now,
                    "text/plain", f"synthetic-{i + 1}.txt",
                )  # fmt: skip

        columns = ["id", "title", "kind", "date", "agency_id", "request_id", "extraction_status", "visibility"]
        columns += ["embargo_until", "created_at", "content_type", "original_filename"]
        self.writer.write(Table.of(Document, columns), rows(), n, "documents")

        first_page = next_id(DocumentPage)
        low, high = WORDS_PER_PAGE

        def pages() -> Iterator[tuple]:
            index = 0
            for document, _agency, _date, count, _visibility in self.document_rows:
                for number in range(1, count + 1):
                    text = self.words(self.rng.randint(low, high))
                    if index in planted:
                        cut = text.find(" ", len(text) // 2)
                        text = f"{text[:cut]} {planted[index]}{text[cut:]}"
                    yield (first_page + index, document, number, text, page_terms(text))
                    index += 1

        self.writer.write(
            Table.of(DocumentPage, ["id", "document_id", "number", "text", "search_text"]),
            pages(),
            total_pages,
            "pages",
        )

        # One document in five names a vendor (found by extraction), as vendor pages list them.
        first = next_id(DocumentMention)
        mentioned = [row for row in self.document_rows if self.rng.random() < 0.2]
        self.writer.write(
            Table.of(DocumentMention, ["id", "document_id", "vendor_id", "pages", "status"]),
            (
                (first + i, row[0], self.vendor_picker.one(), json.dumps([1]), MentionStatus.FOUND)
                for i, row in enumerate(mentioned)
            ),
            len(mentioned),
            "document mentions",
        )

    def events(self):
        n = self.counts["events"]
        first = next_id(TimelineEvent)
        procurements, requests = self.procurement_rows, self.request_rows
        released = [row for row in self.document_rows if row[4] == Visibility.PUBLIC]
        n_derived = len(procurements) + len(requests)
        n_free = max(0, n - n_derived)
        free_agencies = self.agency_picker.many(n_free)
        free_kinds = [EventKind.DEPLOYMENT] * 4 + [
            EventKind.PRESENTATION,
            EventKind.POLICY,
            EventKind.REPORTING,
            EventKind.ADVOCACY,
            EventKind.DOCUMENTS_RELEASED,
            EventKind.OTHER,
        ]
        vendor_links, technology_links, sources = [], [], []

        def rows() -> Iterator[tuple]:
            pk = first
            for number in range(n):
                visibility, embargo = self.visibility()
                procurement = request = None
                if number < len(procurements):
                    procurement, agency, vendor, product, date, title = procurements[number]
                    kind, vendors = EventKind.PROCUREMENT, [vendor]
                    technologies = self.product_technologies[product]
                    title = f"Signed: {title}"
                elif number < n_derived:
                    request, agency, date, subject, visibility, embargo = requests[number - len(procurements)]
                    kind, vendors, technologies = EventKind.REQUEST_FILED, [], []
                    title = f"Filed: {subject}"
                else:
                    agency, date = free_agencies[number - n_derived], self.day()
                    kind = self.rng.choice(free_kinds)
                    draw = self.rng.random()
                    vendors = [] if draw < 0.3 else [self.vendor_picker.one()]
                    if draw > 0.9:
                        vendors = sorted({vendors[0], self.vendor_picker.one()})
                    technologies = sorted({self.technology_picker.one() for _ in range(1 if draw < 0.85 else 2)})
                    title = f"{EventKind(kind).label} {number + 1} {MARK}"
                    if released and self.rng.random() < 0.3:
                        document = self.rng.choice(released)
                        sources.append((pk, document[0], self.rng.randint(1, document[3])))
                vendor_links.extend((pk, vendor) for vendor in vendors)
                technology_links.extend((pk, technology) for technology in technologies)
                yield (
                    pk, date, DatePrecision.DAY, kind, title, self.words(self.rng.randint(8, 25)), agency,
                    self.agency_state[agency], procurement, request, f"{EXTERNAL_ID_PREFIX}{number + 1}", visibility,
                    embargo, self.now,
                )  # fmt: skip
                pk += 1

        columns = ["id", "date", "date_precision", "kind", "title", "summary", "agency_id", "state", "procurement_id"]
        columns += ["records_request_id", "external_id", "visibility", "embargo_until", "created_at"]
        self.writer.write(Table.of(TimelineEvent, columns), rows(), n, "timeline events")
        for through, column, links, label in (
            (TimelineEvent.vendors.through, "vendor_id", vendor_links, "event vendors"),
            (TimelineEvent.technologies.through, "technology_id", technology_links, "event technologies"),
        ):
            first_link = next_id(through)
            self.writer.write(
                Table(through._meta.db_table, ["id", "timelineevent_id", column]),
                ((first_link + i, event, other) for i, (event, other) in enumerate(links)),
                len(links),
                label,
            )
        first_source = next_id(EventSource)
        self.writer.write(
            Table.of(EventSource, ["id", "event_id", "document_id", "page"]),
            ((first_source + i, *row) for i, row in enumerate(sources)),
            len(sources),
            "event sources",
        )

    def reset_sequences(self):
        models = [Jurisdiction, Agency, Vendor, Product, Procurement, RecordsRequest, Correspondence, Document]
        models += [DocumentPage, DocumentMention, TimelineEvent, EventSource, Product.technologies.through]
        models += [TimelineEvent.vendors.through, TimelineEvent.technologies.through]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)

    def analyze(self):
        """Fresh planner statistics; on PostgreSQL a VACUUM too, so index-only scans work at once."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                cursor.execute("VACUUM (ANALYZE)")
            else:
                cursor.execute("ANALYZE")
