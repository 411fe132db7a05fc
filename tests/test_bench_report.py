"""The benchmark report: each issue's goal judged from the sections' figures, and the chart written."""

from bench import report

FIGURES = {
    "bench.notifier_throughput": {"raw": 700.0, "notifier": 420.0},
    "bench.directory_bench": {"bare_rps": 2000.0, "search_rps": 600.0, "profile_rps": 1600.0,
                              "acceptance_p99_s": 1.4},
}


def test_each_goal_is_judged_from_its_section_figures():
    ratios, latencies = report.goals(FIGURES)
    judged = {r.what: (round(r.ratio, 2), r.met) for r in ratios}
    assert judged == {"notifier: mails sent": (0.6, True), "directory: search": (0.3, False),
                      "directory: profile page": (0.8, True)}
    assert [(lat.what, lat.met) for lat in latencies] == [("acceptance → searchable", False)]


def test_the_summary_says_which_goals_are_not_met_and_shows_the_chart():
    ratios, latencies = report.goals(FIGURES)
    text = report.summary_markdown(ratios, latencies, "goals.png")
    assert "| directory: search | 600 req/s | 2000 req/s | 30% | ≥ 40% | **NOT met** |" in text
    assert "| notifier: mails sent | 420 mails/s | 700 mails/s | 60% | ≥ 50% | met |" in text
    assert "![Each service against its bare baseline](goals.png)" in text


def test_the_chart_is_a_png_image(tmp_path):
    ratios, latencies = report.goals(FIGURES)
    report.draw_chart(ratios, latencies, tmp_path / "goals.png")
    assert (tmp_path / "goals.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_section_that_pairs_its_rounds_is_judged_by_its_own_ratio():
    figures = {"bench.directory_bench": {"bare_rps": 2000.0, "search_rps": 600.0, "profile_rps": 1300.0,
                                         "search_ratio": 0.45, "profile_ratio": 0.72, "acceptance_p99_s": 0.1}}
    ratios, latencies = report.goals(figures)
    assert {r.what: (r.ratio, r.met) for r in ratios} == {"directory: search": (0.45, True),
                                                          "directory: profile page": (0.72, True)}
    text = report.summary_markdown(ratios, latencies, None)
    assert "| directory: profile page | 1300 req/s | 2000 req/s | 72% † | ≥ 70% | met |" in text
    assert "† the median of each round's ratio" in text


WEB = {"api_search_rps": 900.0, "results_rps": 500.0, "api_profile_rps": 1500.0, "profile_rps": 600.0,
       "results_ratio": 0.55, "profile_ratio": 0.41, "profile_html_kb_max": 38.2, "static_files": 12,
       "repeat_visit_static_requests": 0}


def test_the_web_pages_are_judged_against_the_directory_api_and_its_bounds_in_their_own_table():
    figures = {"bench.web_bench": WEB}
    ratios, latencies = report.goals(figures)
    assert {r.what: (r.ratio, r.met) for r in ratios} == {"web: results page (vs directory search)": (0.55, True),
                                                          "web: profile page (vs directory profile)": (0.41, False)}
    bounds = report.checks(figures)
    assert [(c.what, c.measured, c.met) for c in bounds] == [
        ("web: profile page HTML (heaviest seeded profile)", "38.2 kB", True),
        ("web: repeat visit, static files fetched again", "0 of 12", True)]
    text = report.summary_markdown(ratios, latencies, None, bounds)
    assert "| web: profile page HTML (heaviest seeded profile) | 38.2 kB | ≤ 60 kB | met |" in text
    assert "| web: repeat visit, static files fetched again | 0 of 12 | 0 | met |" in text


def test_a_heavy_profile_page_or_a_static_file_fetched_again_is_not_met():
    bounds = report.checks({"bench.web_bench": {**WEB, "profile_html_kb_max": 61.0,
                                                "repeat_visit_static_requests": 2}})
    assert [c.met for c in bounds] == [False, False]
    nothing = report.checks({"bench.web_bench": {**WEB, "repeat_visit_static_requests": None}})
    assert (nothing[1].measured, nothing[1].met) == ("nothing checked", False)
