# SPDX-License-Identifier: GPL-3.0-or-later
"""Drives explore.html in headless Chromium (Debian's chromium + chromium-driver, python3-selenium)
and checks what a student sees against the library's own numbers from the CLI.

usage: explore_browser.py PAGE DEEPRELAX TMPDIR SCREENSHOT.png
Prints one "PASS name" or "FAIL name: why" line per check. The page must hold sharp-wide (1-D,
with t = 1 and t = 1.5 among its times: the viscous global minimiser at beta = 10 jumps from the
sharp well at -1.5 to the wide one at +1.5 at t = 1.3688, see tests/cli/test_widen_cli.sh) and
one 2-D landscape; the reference values come from `deeprelax solve` on the same grid."""
import csv
import json
import os
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

PAGE, DEEPRELAX, TMP, SHOT = sys.argv[1:5]
failures = 0


def check(name, ok, why=""):
    global failures
    print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, why)), flush=True)
    failures += 0 if ok else 1


def digits_agree(shown, ref, rel_slack=0.0):
    """shown (the page's text) equals ref to the digits shown: within half a unit of the last
    digit printed, plus rel_slack * |ref| (the float32 rounding of embedded fields)."""
    s = shown.strip().lower()
    mant = s.split("e")[0]
    exp = int(s.split("e")[1]) if "e" in s else 0
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    half_unit = 0.5 * 10.0 ** (exp - decimals)
    return abs(float(s) - ref) <= half_unit * (1 + 1e-9) + rel_slack * abs(ref)


def solve(*args):
    out = subprocess.run([DEEPRELAX, "solve", *args], check=True, capture_output=True, text=True)
    return out.stdout


def solve_json(*args):
    return json.loads(solve(*args, "--json"))


def solve_table(*args):
    path = os.path.join(TMP, "ref.csv")
    solve(*args, "--out", path)
    with open(path) as f:
        return list(csv.DictReader(f))


def browser(width, height):
    opt = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=%d,%d" % (width, height), "--hide-scrollbars",
              "--force-device-scale-factor=1"):
        opt.add_argument(a)
    opt.binary_location = "/usr/bin/chromium"
    opt.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(executable_path="/usr/bin/chromedriver")
    d = webdriver.Chrome(options=opt, service=service)
    # the viewport itself, not the window around it, is width x height
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1,
                       "mobile": width < 600})
    return d


def text(d, ident):
    return d.find_element(By.ID, ident).text


def canvas_png(d):
    return d.execute_script("return document.getElementById('main-plot').toDataURL();")


def wait_frames(d, before):
    for _ in range(100):
        if d.execute_script("return window.explore ? window.explore.frames : 0") > before:
            return True
        time.sleep(0.05)
    return False


def slider_to(d, ident, index):
    """Moves a slider with the keyboard only (Home, then Right), as a keyboard user would."""
    el = d.find_element(By.ID, ident)
    el.send_keys(Keys.HOME)
    for _ in range(index):
        el.send_keys(Keys.ARROW_RIGHT)
    return int(el.get_attribute("value"))


def click_x(d, x):
    """A real mouse click on the main plot at data abscissa x."""
    cv = d.find_element(By.ID, "main-plot")
    p = d.execute_script("return window.explore.pixelOf(arguments[0], 0);", x)
    r = d.execute_script("return arguments[0].getBoundingClientRect();", cv)
    ActionChains(d).move_to_element_with_offset(cv, int(round(p["x"] - r["width"] / 2)),
                                                int(round(p["y"] - r["height"] / 2))).click().perform()


def check_load(d, url):
    d.get(url)
    check("explore-loads", wait_frames(d, 0), "the page never drew (window.explore.frames = 0)")
    severe = [e for e in d.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    check("explore-no-console-error", not severe, severe)
    resources = d.execute_script("return performance.getEntriesByType('resource').length")
    requests = []
    for e in d.get_log("performance"):
        m = json.loads(e["message"])["message"]
        if m["method"] == "Network.requestWillBeSent":
            requests.append(m["params"]["request"]["url"])
    foreign = [u for u in requests if u != url]
    check("explore-no-network", resources == 0 and not foreign and url in requests,
          "resource entries %d, requests %s" % (resources, requests))


def check_1d(d, data):
    names = [c["name"] for c in data["cases"]]
    ci = names.index("sharp-wide")
    case = data["cases"][ci]
    Select(d.find_element(By.ID, "landscape")).select_by_index(ci)
    betas, ts = data["betas"], data["ts"]
    kb = slider_to(d, "beta", betas.index(10))
    check("explore-beta-slider-keyboard", kb == betas.index(10) and text(d, "ro-beta") == "10",
          "beta slider at %d, readout %r" % (kb, text(d, "ro-beta")))
    n = str(case["n"][0])
    slider_to(d, "t", ts.index(1))
    before = canvas_png(d)
    u_before, arg_before = text(d, "ro-minu"), text(d, "ro-argmin")
    frames = d.execute_script("return window.explore.frames")
    d.find_element(By.ID, "t").send_keys(Keys.ARROW_RIGHT)
    wait_frames(d, frames)
    after = canvas_png(d)
    check("explore-t-slider-redraws", text(d, "ro-t") == "1.5" and after != before,
          "t readout %r, canvas changed: %s" % (text(d, "ro-t"), after != before))
    for t, shown_u, shown_x in (("1", u_before, arg_before),
                                ("1.5", text(d, "ro-minu"), text(d, "ro-argmin"))):
        ref = solve_json("--landscape", "sharp-wide", "--beta", "10", "--t", t, "--n", n)
        ok = digits_agree(shown_u, ref["min_u"][0]) and digits_agree(shown_x, ref["argmin_u"][0][0])
        check("explore-readout-equals-solve-t%s" % t, ok,
              "page min u %s at %s, solve %r at %r" % (shown_u, shown_x, ref["min_u"][0],
                                                        ref["argmin_u"][0][0]))
    # the jump itself: sharp well (x < 0) at t = 1, wide well (x > 1) at t = 1.5
    check("explore-argmin-jumps", float(arg_before) < -1 and float(text(d, "ro-argmin")) > 1,
          "argmin %s then %s" % (arg_before, text(d, "ro-argmin")))
    return case, n


def check_gibbs(d, case, n):
    """Clicked x: <y> shown equals the library's Gibbs mean there, x - t du/dx from the heat
    solver of `deeprelax solve` (the page embeds dr_gibbs_moments' mean: two routes to one
    number); at beta = inf, y* equals x - t du/dx of Hopf-Lax on the same refined y-grid."""
    click_x(d, 0.3)
    at = text(d, "ro-at")  # "at x = X (grid point I)"
    i = int(at.split("grid point")[1].strip(" )"))
    rows = solve_table("--landscape", "sharp-wide", "--beta", "10", "--t", "1.5", "--n", n)
    x, dudx = float(rows[i]["x"]), float(rows[i]["du_dx"])
    ref = x - 1.5 * dudx
    shown = text(d, "ro-mean")
    # the embedded mean is float32: 6e-8 relative on top of the digits shown
    check("explore-click-gibbs-mean", digits_agree(shown, ref, 6e-8) and abs(x - 0.3) < 0.02,
          "x = %r (grid %d): page <y> %s, library %r" % (x, i, shown, ref))
    grid_mean = d.execute_script("return window.explore.gridMean")
    print("info: at x = %.6g the trapezoid mean on the page's f samples is %.9g, the library's "
          "%.9g (difference %.2g): the page shows the library's" % (x, grid_mean, ref,
                                                                   grid_mean - ref))
    rows = solve_table("--landscape", "sharp-wide", "--beta", "inf", "--method", "hopf-lax",
                       "--refine", str(case["refine"]), "--t", "1.5", "--n", n)
    ref = float(rows[i]["x"]) - 1.5 * float(rows[i]["du_dx"])
    shown = text(d, "ro-prox")
    check("explore-click-prox", digits_agree(shown, ref, 6e-8),
          "page y* %s, Hopf-Lax %r" % (shown, ref))
    cv = d.find_element(By.ID, "main-plot")
    p0 = d.execute_script("return window.explore.pixelOf(-2, 0);")
    p1 = d.execute_script("return window.explore.pixelOf(2, 0);")
    r = d.execute_script("return arguments[0].getBoundingClientRect();", cv)
    ox, oy = int(p0["x"] - r["width"] / 2), int(p0["y"] - r["height"] / 2)
    ActionChains(d).move_to_element_with_offset(cv, ox, oy).click_and_hold() \
        .move_by_offset(int(p1["x"] - p0["x"]), 0).release().perform()
    xd = float(text(d, "ro-at").split("=")[1].split("(")[0])
    check("explore-drag-moves-x", abs(xd - 2) < 0.05, "after the drag: %s" % text(d, "ro-at"))


def check_2d(d, data):
    ci = next(i for i, c in enumerate(data["cases"]) if c["dim"] == 2)
    case = data["cases"][ci]
    before = canvas_png(d)
    Select(d.find_element(By.ID, "landscape")).select_by_index(ci)
    ok = canvas_png(d) != before and not d.find_element(By.ID, "grad-plot").is_displayed()
    t = text(d, "ro-t")
    ref = solve_json("--landscape", case["name"], "--beta", "10", "--t", t, "--n",
                     "%d,%d" % (case["n"][0], case["n"][1]))
    shown = text(d, "ro-minu")
    check("explore-2d-readout-equals-solve", ok and digits_agree(shown, ref["min_u"][0]),
          "heatmap drawn %s; page min u %s, solve %r" % (ok, shown, ref["min_u"][0]))
    mins = case["steps"][data["betas"].index(10) * len(data["ts"]) + data["ts"].index(float(t))]
    check("explore-2d-minima", mins["minima_found"] >= 1, "no minimum listed")


def main():
    url = "file://" + os.path.abspath(PAGE)
    data = None
    d = browser(1280, 800)
    try:
        check_load(d, url)
        data = d.execute_script("return window.explore.data;")
        case, n = check_1d(d, data)
        check_gibbs(d, case, n)
        click_x(d, -0.6)
        d.save_screenshot(SHOT)
        size = d.execute_script("return [window.innerWidth, window.innerHeight]")
        check("explore-screenshot", os.path.getsize(SHOT) > 10000 and size == [1280, 800],
              "viewport %s, %s" % (size, SHOT))
        check_2d(d, data)
        d.save_screenshot(SHOT.replace(".png", "-2d.png"))
    finally:
        d.quit()
    d = browser(412, 900)  # a phone's width: nothing wider than the screen
    try:
        d.get(url)
        wait_frames(d, 0)
        w = d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        check("explore-phone-width", w[0] <= w[1], "page %d px wide in a %d px window" % tuple(w))
        d.save_screenshot(SHOT.replace(".png", "-phone.png"))
    finally:
        d.quit()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
