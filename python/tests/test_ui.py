"""The web UI in a real browser: every page of `strata serve` (example project, every job run once, a definition with
markup in its description and tags, a breaking change) loads in headless Chromium through Selenium, shows its key
elements, logs no console error (CSP violations included) and is saved under .build/ui-screenshots/; XSS payloads
render as text; with a token every UI route redirects to the login page and a wrong token is refused."""

from __future__ import annotations

import http.cookiejar
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / ".build" / "ui-screenshots"
XSS_DESCRIPTION = '<script>window.__xss=1</script> "><img src=x onerror="window.__xss=2">'
XSS_TAG = '"><img src=x onerror="window.__xss=3">'
# A value in a source's `in:` list: user text that reaches an expectation's name on the data-quality pages.
XSS_EXPECTATION = '<script>window.__xss=4</script><img src=x onerror="window.__xss=5">'
TOKEN = "s3cret-token"


def strata_binary() -> str:
    path = os.environ.get("STRATA_BIN")
    if not path or not os.access(path, os.X_OK):
        pytest.fail(f"STRATA_BIN must name the built strata binary (got {path!r}): run `make test`, or "
                    "`swift build --product strata` and STRATA_BIN=.build/debug/strata", pytrace=False)
    return path


def run(project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([strata_binary(), *args], cwd=project, capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        pytest.fail(f"strata {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}", pytrace=False)
    return result


def yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project after every job, then a second version with markup in a description and a tag, then a
    breaking TTL change (three versions of driver_stats)."""
    root = tmp_path_factory.mktemp("ui")
    subprocess.run([strata_binary(), "init", "proj"], cwd=root, check=True, capture_output=True)
    p = root / "proj"
    definitions = p / "featuresets" / "drivers.yaml"
    allowed = "city: {in: [Delhi, Lisbon, Porto, São Paulo, Zürich]}"
    assert allowed in definitions.read_text()
    definitions.write_text(definitions.read_text().replace(allowed, allowed[:-2] + ", " + yaml_quote(XSS_EXPECTATION) + "]}"))
    run(p, "apply", "-m", "first", "--author", "ana")
    run(p, "ingest")
    run(p, "historical", "--entities", "featuresets/data/driver_spine.csv", "--service", "driver_activity", "--out", "train.csv")
    # Drift of the second day against the first (stored; exit 1 when it drifts).
    run(p, "drift", "--service", "driver_activity", "--reference", "source:2026-03-01T00:00:00Z..2026-03-02T00:00:00Z",
        "--current", "source:2026-03-02T00:00:00Z..", check=False)
    run(p, "materialize", "--end", "2026-03-02T10:00:00Z")
    run(p, "get", "--service", "driver_activity", "--key", "driver_id=1024", "--at", "2026-03-02T12:00:00Z")
    run(p, "check", "--logs", "--max-mismatch", "0", check=False)
    run(p, "check", "--snapshot", "--at", "2026-03-02T12:00:00Z", "--sample", "3")
    text = definitions.read_text()
    text = text.replace("description: Conversion times acceptance, a rough reliability score.", "description: " + yaml_quote(XSS_DESCRIPTION))
    text = text.replace("tags: [core, hourly]", "tags: [core, hourly, " + yaml_quote(XSS_TAG) + "]")
    definitions.write_text(text)
    run(p, "apply", "-m", "markup in a description", "--author", "eve")
    definitions.write_text(text.replace("ttl: 2h", "ttl: 3h"))
    run(p, "apply", "-m", "longer ttl", "--author", "ana", "--allow-breaking")
    run(p, "materialize", "--end", "2026-03-02T10:00:00Z")
    return p


class Server:
    def __init__(self, project: Path, *args: str) -> None:
        self.process = subprocess.Popen([strata_binary(), "serve", "--port", "0", *args], cwd=project, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if "serving on" not in line:
            self.stop()
            pytest.fail(f"strata serve did not start: {line!r} {self.process.stderr.read() if self.process.stderr else ''}", pytrace=False)
        self.base = line.strip().rsplit(" ", 1)[-1]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def server(project: Path):
    s = Server(project)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail("headless Chromium is missing: `make deps` installs Debian's chromium and chromium-driver", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


def console_errors(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def visit(browser, url: str, shot: str, *selectors: str) -> None:
    """Loads a page, waits for its key elements, saves a screenshot and asserts the console stayed clean."""
    browser.get_log("browser")
    browser.get(url)
    for selector in selectors:
        WebDriverWait(browser, 10).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, selector)),
                                         message=f"{url}: no `{selector}`")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / f"{shot}.png"))
    assert console_errors(browser) == [], f"{url} logged console errors"
    assert browser.execute_script("return window.__xss === undefined"), f"{url}: an XSS payload ran"
    assert browser.find_elements(By.CSS_SELECTOR, "img[onerror]") == [], f"{url}: an XSS payload became an element"


def first_link(browser, selector: str) -> str:
    return browser.find_element(By.CSS_SELECTOR, selector).get_attribute("href")


PAGES = [
    ("overview", "/ui", ["#page-overview", "#counts", "#ingest-runs", "#freshness", "#last-check", "#latest-validation .good, #latest-validation .warn, #latest-validation .bad",
                         "#drift a[href^='/ui/quality/drift/']"]),
    ("registry", "/ui/registry", ["#page-registry", "#objects tr td a"]),
    ("search", "/ui/registry?q=conv", ["#page-registry", "#objects tr td a"]),
    ("view", "/ui/registry/feature_view/driver_stats", ["#page-object", "#features", "#definition", "#history", "#used-by"]),
    ("source", "/ui/registry/source/driver_stats_source", ["#page-object", "#definition", "#used-by"]),
    ("diff", "/ui/registry/feature_view/driver_stats/diff?from=2&to=3", ["#page-diff", "#diff tr.breaking", "#breaking .bad"]),
    ("feature", "/ui/feature/driver_stats/conv_x_acc", ["#page-feature", "#feature-facts", "#feature-parity", "#online-histogram svg", "#profile svg"]),
    ("feature-text", "/ui/feature/driver_stats/city", ["#page-feature", "#online-histogram svg", "#profile svg"]),
    ("feature-drift", "/ui/feature/driver_stats/conv_rate", ["#page-feature", "#profile svg", "#drift-status a"]),
    ("training-sets", "/ui/training-sets", ["#page-training-sets", "#training-sets tr td a"]),
    ("quality", "/ui/quality", ["#page-quality", "#quality-runs", "#reasons", "#quarantine tr td", "#expectation-runs table.expectations td",
                                "#drift-reports tr td a"]),
    ("quality-filtered", "/ui/quality?source=driver_stats_source&reason=column", ["#page-quality", "#quarantine-count"]),
    ("parity", "/ui/parity", ["#page-parity", "#reports tr td a"]),
    ("lookup", "/ui/lookup?service=driver_activity&key.driver_id=1024", ["#page-lookup", "#lookup-result"]),
]


@pytest.mark.parametrize("shot,path,selectors", PAGES, ids=[p[0] for p in PAGES])
def test_every_page_loads_with_its_key_elements_and_no_console_error(browser, server, shot, path, selectors) -> None:
    visit(browser, server.base + path, shot, *selectors)


def test_training_set_page_shows_the_reproduce_command_and_an_svg_lineage_graph(browser, server) -> None:
    visit(browser, server.base + "/ui/training-sets", "training-sets", "#training-sets tr td a")
    visit(browser, first_link(browser, "#training-sets tr td a"), "training-set", "#reproduce", "#lineage-graph svg", "#manifest")
    assert browser.find_element(By.ID, "reproduce").text.startswith("strata historical --reproduce ts-")
    labels = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#lineage-graph svg text")]
    assert any("driver_stats.csv" in label for label in labels), labels
    assert any(label.startswith("ingest run") for label in labels), labels
    assert "driver_stats v1" in labels and "driver_activity" in labels, labels


def test_parity_report_page_charts_mismatch_rates(browser, server) -> None:
    visit(browser, server.base + "/ui/parity", "parity", "#reports tr td a")
    # A check without --max-mismatch judges nothing, so it is not called "passed"; the logs check had a threshold of 0.
    table = browser.find_element(By.ID, "reports").text
    assert "no threshold" in table and "(threshold 0.00%)" in table, table
    # The logs check (newest report is the snapshot one) has example mismatches: trace one to its source line.
    reports = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#reports tr td a")]
    for report in reports:
        visit(browser, report, "parity-report", "#parity-features", "svg.bars", "#examples")
        traces = browser.find_elements(By.CSS_SELECTOR, "#examples a")
        if traces:
            visit(browser, traces[0].get_attribute("href"), "parity-lineage", "#value-lineage", "#lineage-values", "#source-values")
            assert "driver_stats.csv:" in browser.find_element(By.ID, "value-lineage").text
            return
    pytest.fail("no report has an example mismatch to trace")


def test_object_history_lists_every_version_with_author_and_message(browser, server) -> None:
    visit(browser, server.base + "/ui/registry/feature_view/driver_stats", "view", "#history")
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#history tr")[1:]]
    assert [r.split()[0] for r in rows] == ["v3", "v2", "v1"], rows
    assert "longer ttl" in rows[0] and "breaking" in rows[0] and "eve" in rows[1] and "first" in rows[2]


def test_search_as_you_type_suggests_features(browser, server) -> None:
    visit(browser, server.base + "/ui", "overview", "#q")
    browser.find_element(By.ID, "q").send_keys("conv_x")
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#suggest li a"), message="no suggestions")
    suggestions = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#suggest li a")]
    assert any("driver_stats:conv_x_acc" in s for s in suggestions), suggestions
    assert console_errors(browser) == []


def test_choosing_another_service_shows_its_keys(browser, server) -> None:
    from selenium.webdriver.support.ui import Select
    visit(browser, server.base + "/ui/lookup?service=driver_activity", "lookup-form", "#service")
    Select(browser.find_element(By.ID, "service")).select_by_value("driver_everything")
    WebDriverWait(browser, 10).until(lambda b: "service=driver_everything" in b.current_url
                                     and b.find_elements(By.CSS_SELECTOR, ".key-input"), message="the form was not reloaded")
    assert [i.get_attribute("name") for i in browser.find_elements(By.CSS_SELECTOR, ".key-input")] == ["key.driver_id"]
    assert Select(browser.find_element(By.ID, "service")).first_selected_option.text == "driver_everything"
    # A service with windowed aggregations: its aggregations are served online and listed with their statuses.
    visit(browser, server.base + "/ui/lookup?service=driver_activity_windows&key.driver_id=1001", "lookup-windows", "#service", "#lookup-result")
    rows = {r.find_elements(By.TAG_NAME, "td")[0].text: r.find_elements(By.TAG_NAME, "td")[2].text
            for r in browser.find_elements(By.CSS_SELECTOR, "#lookup-result tr")[1:]}
    for name in ["driver_trips:trips_1h", "driver_trips:trips_24h", "driver_trips:completed_fare_24h", "driver_trips:avg_fare_7d", "driver_trips:riders_7d"]:
        assert name in rows and rows[name], rows
    assert browser.find_elements(By.ID, "lookup-error") == []
    assert console_errors(browser) == []


def test_markup_in_descriptions_and_tags_renders_as_text(browser, server) -> None:
    for shot, path in [("xss-view", "/ui/registry/feature_view/driver_stats"), ("xss-feature", "/ui/feature/driver_stats/conv_x_acc"),
                       ("xss-search", "/ui/registry?q=xss"), ("xss-diff", "/ui/registry/feature_view/driver_stats/diff?from=1&to=2"),
                       ("xss-registry", "/ui/registry?kind=feature_view")]:
        visit(browser, server.base + path, shot, "main")
        text = browser.find_element(By.TAG_NAME, "main").text
        assert "window.__xss=3" in text, f"{path}: the tag is not shown as text"
        if shot != "xss-registry":
            assert "<script>window.__xss=1</script>" in text, f"{path}: the description is not shown as text"
        with urllib.request.urlopen(server.base + path) as response:
            html = response.read().decode()
        assert "<script>window.__xss" not in html and "<img src=x" not in html, f"{path}: a payload is in the HTML unescaped"


def test_security_headers_forbid_inline_script_and_outside_origins(server) -> None:
    with urllib.request.urlopen(server.base + "/ui") as response:
        csp = response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp


def test_unknown_pages_and_objects_are_404_pages(server) -> None:
    for path in ["/ui/nope", "/ui/registry/feature_view/no_such_view", "/ui/training-sets/ts-missing", "/ui/registry/bogus/x"]:
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(server.base + path)
        assert error.value.code == 404, path


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def request(url: str, data: bytes | None = None, cookie: str | None = None):
    opener = urllib.request.build_opener(NoRedirect)
    req = urllib.request.Request(url, data=data, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(req) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture(scope="module")
def token_server(project: Path, tmp_path_factory: pytest.TempPathFactory):
    token_file = tmp_path_factory.mktemp("token") / "token"
    token_file.write_text(TOKEN + "\n")
    s = Server(project, "--token-file", str(token_file))
    yield s
    s.stop()


def test_with_a_token_every_ui_route_redirects_to_the_login_page(token_server) -> None:
    for _, path, _ in PAGES + [("", "/ui/search.json?q=conv", []), ("", "/ui/training-sets/ts-x", [])]:
        status, headers, body = request(token_server.base + path)
        assert status == 303, path
        assert headers["Location"].startswith("/ui/login?next="), path
        assert "driver_stats" not in body, path
    status, _, body = request(token_server.base + "/ui/login")
    assert status == 200 and 'id="token"' in body


def test_a_wrong_token_is_refused_and_the_right_one_sets_a_strict_http_only_cookie(token_server) -> None:
    form = lambda token: urllib.parse.urlencode({"token": token, "next": "/ui/registry"}).encode()
    status, headers, body = request(token_server.base + "/ui/login", data=form("wrong"))
    assert status == 401 and headers["Set-Cookie"] is None and "not this server" in body
    status, headers, _ = request(token_server.base + "/ui/login", data=form(TOKEN))
    assert status == 303 and headers["Location"] == "/ui/registry"
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
    session = cookie.split(";", 1)[0]
    status, _, body = request(token_server.base + "/ui/registry", cookie=session)
    assert status == 200 and "driver_stats" in body
    status, _, _ = request(token_server.base + "/ui/registry", cookie="strata_ui=" + "0" * 64)
    assert status == 303
    # The cookie opens the UI only: the API still wants its bearer token.
    status, _, _ = request(token_server.base + "/registry/views", cookie=session)
    assert status == 401
    status, _, _ = request(token_server.base + "/ui/login", data=urllib.parse.urlencode({"token": TOKEN, "next": "https://evil.example/"}).encode())
    assert status == 303


def test_signing_in_through_the_login_page_in_the_browser(browser, token_server) -> None:
    browser.delete_all_cookies()
    visit(browser, token_server.base + "/ui/parity", "login", "#page-login", "#token")
    browser.find_element(By.ID, "token").send_keys("wrong")
    browser.find_element(By.ID, "sign-in").click()
    WebDriverWait(browser, 10).until(expected_conditions.presence_of_element_located((By.ID, "login-error")))
    # The refusal is a 401, which Chromium logs as a failed resource load; that entry is the expected answer, not a fault.
    assert all("/ui/login" in entry and "401" in entry for entry in console_errors(browser))
    browser.find_element(By.ID, "token").send_keys(TOKEN)
    browser.find_element(By.ID, "sign-in").click()
    WebDriverWait(browser, 10).until(expected_conditions.presence_of_element_located((By.ID, "page-parity")))
    assert browser.current_url.endswith("/ui/parity")
    assert console_errors(browser) == []


def test_drift_report_page_draws_reference_vs_current_histograms(browser, server) -> None:
    visit(browser, server.base + "/ui/quality", "quality", "#drift-reports tr td a")
    # The report `strata drift` stored in the fixture (the server's monitor may have stored others since).
    cli = [r for r in browser.find_elements(By.CSS_SELECTOR, "#drift-reports tr")[1:] if r.find_elements(By.TAG_NAME, "td")[5].text == "cli"]
    assert cli, "the fixture's drift report is not listed"
    visit(browser, cli[0].find_element(By.CSS_SELECTOR, "td a").get_attribute("href"), "drift-report", "#page-drift-report", "#drift-verdict", "#drift-features",
          ".drift-chart svg rect")
    charts = browser.find_elements(By.CSS_SELECTOR, ".drift-chart")
    assert len(charts) == len(browser.find_elements(By.CSS_SELECTOR, "#drift-features tr")) - 1
    assert "reference" in browser.find_element(By.CSS_SELECTOR, ".drift-chart svg").text


def test_markup_in_an_expectation_renders_as_text(browser, server) -> None:
    for shot, path in [("xss-quality", "/ui/quality"), ("xss-overview", "/ui")]:
        visit(browser, server.base + path, shot, "main")
        with urllib.request.urlopen(server.base + path) as response:
            html = response.read().decode()
        assert "<script>window.__xss" not in html and "<img src=x" not in html, f"{path}: a payload is in the HTML unescaped"
    browser.get(server.base + "/ui/quality")
    for details in browser.find_elements(By.CSS_SELECTOR, "#expectation-runs details"):
        browser.execute_script("arguments[0].open = true", details)
    assert "<script>window.__xss=4</script>" in browser.find_element(By.ID, "expectation-runs").text


def test_head_answers_like_get_without_a_body(server) -> None:
    for path in ["/ui", "/ui/quality", "/ui/registry?q=conv", "/ui/nope", "/ui/static/app.css"]:
        get_status, get_headers, _ = request(server.base + path)
        req = urllib.request.Request(server.base + path, method="HEAD")
        try:
            with urllib.request.urlopen(req) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read()
        assert status == get_status, path
        assert body == b"", path
        assert headers["Content-Type"] == get_headers["Content-Type"], path
        assert headers["Content-Security-Policy"] == get_headers["Content-Security-Policy"], path


def test_repeated_wrong_tokens_are_slowed_down_with_429_and_retry_after(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    token_file = tmp_path_factory.mktemp("token-limit") / "token"
    token_file.write_text(TOKEN + "\n")
    s = Server(project, "--token-file", str(token_file))
    try:
        form = lambda token: urllib.parse.urlencode({"token": token, "next": "/ui"}).encode()
        codes = [request(s.base + "/ui/login", data=form("wrong"))[0] for _ in range(6)]
        assert codes == [401] * 6, codes
        status, headers, body = request(s.base + "/ui/login", data=form(TOKEN))
        assert status == 429 and int(headers["Retry-After"]) >= 1 and "try again" in body
        time.sleep(int(headers["Retry-After"]) + 0.2)
        status, headers, _ = request(s.base + "/ui/login", data=form(TOKEN))
        assert status == 303 and headers["Set-Cookie"]
    finally:
        s.stop()
