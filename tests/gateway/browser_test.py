#!/usr/bin/env python3
"""Drive headless Chromium through `moat gateway` in front of a real Streamlit app.

scripts/gateway-browser-test.sh starts the app, the gateway and its dev
identity provider, then calls this script. Each scenario runs in a fresh
browser profile:

- sign-in: the browser opens the app through the gateway, is sent to the dev
  identity provider's login page, signs in as alice and lands on the app,
  which shows the name from the gateway's identity headers. Streamlit
  renders only over its WebSocket, and a click on the app's button must come
  back as a new count, so the WebSocket is connected through the gateway.
- anonymous: without a session the app's WebSocket endpoint gets 401 and a
  page load is redirected to sign-in.
- sign-out: after /.auth/logout the app is no longer reachable without
  signing in again.

The last line of output is `gateway-browser: N passed, M failed`; the exit
status is 1 when any scenario failed.
"""

from __future__ import annotations

import argparse
import http.client
import signal
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

DEMO_PASSWORD = "moat-demo"
ALICE_USERNAME = "alice@fabrikam.example"


class CheckFailed(Exception):
    """A scenario step whose result differs from the expected one."""


def expect(condition: bool, message: str) -> None:
    # Not `assert`, because `python -O` removes asserts.
    if not condition:
        raise CheckFailed(message)


class Settings(argparse.Namespace):
    gateway: str
    idp: str
    timeout: float
    moat_log: str


def page_text(driver: WebDriver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def wait_for(driver: WebDriver, settings: Settings, condition: Callable[[WebDriver], object], description: str) -> object:
    try:
        return WebDriverWait(driver, settings.timeout).until(condition)
    except TimeoutException:
        raise CheckFailed(f"timed out after {settings.timeout} s waiting for {description}; at {driver.current_url}") from None


def sign_in(driver: WebDriver, settings: Settings, user: str) -> None:
    driver.get(settings.gateway + "/")
    wait_for(driver, settings, lambda d: d.find_elements(By.ID, "password"), "the identity provider's login form")
    expect(driver.current_url.startswith(settings.idp), f"the login form is at {driver.current_url}, expected {settings.idp}")
    driver.find_element(By.ID, "username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
    driver.find_element(By.ID, "sign-in").click()
    wait_for(driver, settings, lambda d: d.current_url.startswith(settings.gateway), "the redirect back to the app")


def count_button(driver: WebDriver) -> object:
    """Returns the app's Count button once rendered, else False."""
    matches = [button for button in driver.find_elements(By.TAG_NAME, "button") if button.text.strip() == "Count"]
    return matches[0] if matches else False


def sign_in_scenario(driver: WebDriver, settings: Settings) -> None:
    sign_in(driver, settings, "alice")
    wait_for(driver, settings, lambda d: ALICE_USERNAME in page_text(d), "the app to show alice's name from the identity headers")
    text = page_text(driver)
    expect("Assertion: present" in text, f"the app did not receive the signed assertion; page: {text!r}")
    wait_for(driver, settings, lambda d: "Clicks: 0" in page_text(d), "the initial click count")
    for expected in (1, 2):
        button = wait_for(driver, settings, count_button, "the Count button")
        button.click()  # type: ignore[attr-defined]
        wait_for(driver, settings, lambda d, n=expected: f"Clicks: {n}" in page_text(d), f"the click count {expected} over the WebSocket")
    cookies = {cookie["name"]: cookie for cookie in driver.get_cookies()}
    session = cookies.get("moat_gw_session")
    expect(session is not None, f"no gateway session cookie; cookies: {sorted(cookies)}")
    expect(bool(session and session.get("httpOnly")), "the session cookie is not HttpOnly")


def request(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", parts.path or "/", headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status, {name.lower(): value for name, value in response.getheaders()}


def anonymous_scenario(driver: WebDriver, settings: Settings) -> None:
    # Streamlit's WebSocket endpoint; the gateway must refuse the upgrade without a session.
    status, _ = request(settings.gateway + "/_stcore/stream", {
        "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Origin": settings.gateway,
        "X-MS-CLIENT-PRINCIPAL-NAME": "mallory@evil.example",
    })
    expect(status == 401, f"an anonymous WebSocket upgrade got {status}, expected 401")
    status, headers = request(settings.gateway + "/", {"Accept": "text/html"})
    expect(status == 302, f"an anonymous page load got {status}, expected a redirect")
    expect(headers.get("location", "").startswith("/.auth/login/aad"), f"the redirect goes to {headers.get('location')}")


def sign_out_scenario(driver: WebDriver, settings: Settings) -> None:
    sign_in(driver, settings, "alice")
    wait_for(driver, settings, lambda d: ALICE_USERNAME in page_text(d), "the app after sign-in")
    driver.get(settings.gateway + "/.auth/logout")
    wait_for(driver, settings, lambda d: "signed out" in page_text(d).lower() or d.current_url.startswith(settings.idp), "the sign-out to finish")
    driver.get(settings.gateway + "/")
    wait_for(driver, settings, lambda d: d.find_elements(By.ID, "password"), "the login form after sign-out")


@contextmanager
def chromium() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {
        "credentials_enable_service": False,
        "profile.password_manager_enabled": False,
        "profile.password_manager_leak_detection": False,
    })
    with tempfile.TemporaryDirectory(prefix="moat-gateway-chromium-") as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def run(name: str, scenario: Callable[[WebDriver, Settings], None], settings: Settings) -> bool:
    started = time.monotonic()
    try:
        with chromium() as driver:
            try:
                scenario(driver, settings)
            except (CheckFailed, WebDriverException) as error:
                body = ""
                try:
                    body = page_text(driver)[:1500]
                except WebDriverException:
                    pass
                print(f"gateway-browser: FAILED {name}: {error}\n  page text: {body!r}", file=sys.stderr)
                tail = Path(settings.moat_log).read_text(errors="replace").splitlines()[-20:] if settings.moat_log else []
                print("  moat log tail:\n    " + "\n    ".join(tail), file=sys.stderr)
                return False
    except WebDriverException as error:
        print(f"gateway-browser: FAILED {name}: Chromium did not start: {error}", file=sys.stderr)
        return False
    print(f"gateway-browser: passed {name} ({time.monotonic() - started:.1f} s)")
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gateway", required=True, help="the gateway's URL, for example http://127.0.0.1:8000")
    parser.add_argument("--idp", required=True, help="the dev identity provider's URL")
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for each page state (default 30)")
    parser.add_argument("--moat-log", default="", help="moat's log file, printed on failure")
    settings = parser.parse_args(namespace=Settings())
    # SIGTERM ends the run through the normal exit path, so Chromium is quit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    scenarios = [("sign-in", sign_in_scenario), ("anonymous", anonymous_scenario), ("sign-out", sign_out_scenario)]
    results = [run(name, scenario, settings) for name, scenario in scenarios]
    passed = sum(results)
    print(f"gateway-browser: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
