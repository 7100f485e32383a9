"""The benchmark's measurement functions run end to end on a tiny synthetic set and give well-formed results."""

import json

import pytest
from django.core.management import call_command
from django.test import Client

from bench import harness

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.urls"), pytest.mark.bench]


@pytest.fixture
def tiny():
    call_command("generate_synthetic", "--scale", "0.0005", verbosity=0)


def test_the_floor_renders_the_base_template_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/bench/floor/")
    assert response.status_code == 200
    assert response.content.count(b'class="event"') == 50
    assert b'class="site-header"' in response.content


def test_key_pages_are_chosen_from_the_data_and_answer(tiny):
    pages = harness.key_pages()
    assert {"floor", "agency timeline", "vendor page", "search rare phrase", "timeline deep page", "csv export"} <= set(
        pages
    )
    client = Client()
    for name, (url, _note) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url)


def test_measurements_have_percentiles_and_query_counts(tiny):
    pages = harness.key_pages()
    chosen = {name: pages[name] for name in ("floor", "agency timeline", "csv export")}
    results = harness.measure_pages(chosen, warmup=1, iterations=3)
    assert [r.name for r in results] == list(chosen)
    for result in results:
        row = json.loads(json.dumps(result.as_dict()))
        assert row["status"] == 200 and row["iterations"] >= 3
        assert 0 < row["min_ms"] <= row["p50_ms"] <= row["p95_ms"] <= row["max_ms"]
        assert row["queries"] == len(row["query_sql"])
    assert results[0].queries == 0 and results[1].queries > 0


def test_percentile_is_the_nearest_rank():
    samples = [float(n) for n in range(1, 101)]
    assert harness.percentile(samples, 0.5) == 50
    assert harness.percentile(samples, 0.95) == 95
    assert harness.percentile([7.0], 0.95) == 7


def test_the_report_is_computed_from_the_results():
    from bench import run

    timing = {"note": "", "cold_ms": 40.0, "cold_queries": 9}
    page = {"name": "agency timeline", "url": "/a/", "p50_ms": 10.0, "p95_ms": 12.0, "queries": 8} | timing
    floor = {"name": "floor", "url": "/bench/floor/", "p50_ms": 2.0, "p95_ms": 3.0, "queries": 0} | timing
    results = {
        "date": "today",
        "command": "bench/run.py",
        "machine": {"cpu": "cpu", "cores": 2, "memory_gib": 1, "python": "3.13", "load_average_at_start": [0]},
        "scales": [
            {
                "scale": 0.01,
                "counts": {"agencies": 180, "events": 10_000},
                "pages": [floor, page | {"queries": 1}],
                "pages_rendered": [floor, page],
            },
            {
                "scale": 1.0,
                "counts": {"agencies": 18_000, "events": 10**6},
                "pages": [floor, page | {"queries": 1, "p95_ms": 3.0}],
                "pages_rendered": [floor, page | {"p95_ms": 30.0}],
            },
        ],
    }
    checks = run.evaluate(results)
    growth = next(c for c in checks if c["target"].startswith("agency timeline, every page rendered: p95 at"))
    assert growth["met"] is False and "2.50x" in growth["measured"]
    deployed = next(c for c in checks if c["target"].startswith("agency timeline, as deployed: p95 at"))
    assert deployed["met"] is True and "0.25x" in deployed["measured"]
    assert all(c["met"] for c in checks if "queries" in c["target"])
    results["targets"] = checks
    text = run.markdown(results)
    assert text.startswith(run.SECTION) and "| agency timeline |" in text and "**no**" in text
    assert "as deployed" in text and "every page rendered" in text
