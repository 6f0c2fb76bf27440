#!/usr/bin/env python3
"""Renders a kuai-report page in headless Chromium and checks that it loads cleanly.

Usage
    python3 Tools/report_render.py REPORT.html [--png PAGE.png] [--charts DIR [--only NAME,...] [--quantize]]
                                   [--width 860] [--chromium PATH]

Checks (exit 1 when one fails, each failure printed):
  - the page loads (Page.loadEventFired) within 60 s;
  - no console message of level error or warning, no uncaught exception, no browser log entry
    of level error (a blocked or failed resource load, a CSP or parse problem shows up there);
  - no request leaves the file: every URL the page asked for is the page itself or a data: URL;
  - the page holds no <script> element, and every recipe section holds an <svg> chart or a
    problem/missing/empty box.
Writes a screenshot of the whole page (--png) and, with --charts DIR, one PNG per drawn chart:
the chart's title and figure, clipped (DIR/NAME.png); --quantize passes those through pngquant
(256 colours: about a third of the bytes; the README's screenshots are made so).

Chromium is Debian's `chromium` package (apt-get install -y chromium), driven over the DevTools
protocol on a pipe (--remote-debugging-pipe: JSON messages ending in NUL on fds 3 and 4), so no
Python package and no network port is needed.
"""
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


class Browser:
    """A headless Chromium driven over --remote-debugging-pipe."""

    def __init__(self, exe):
        self.profile = tempfile.mkdtemp(prefix="kuai-report-chromium-")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def wire():
            # Move both ends above 4 first, so that neither dup2 overwrites the other.
            r, w = os.dup(to_child_r) + 100, os.dup(from_child_w) + 100
            os.dup2(to_child_r, r)
            os.dup2(from_child_w, w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [exe, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--no-default-browser-check",
             "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe", "--user-data-dir=" + self.profile,
             "about:blank"],
            pass_fds=(3, 4), preexec_fn=wire,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, session=True, timeout=60):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.read(deadline)
            if m is None:
                break
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)
        raise RuntimeError(f"{method}: no answer within {timeout} s")

    def read(self, deadline):
        while b"\0" not in self.buffer:
            if time.time() > deadline:
                return None
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                return None
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def wait_event(self, method, timeout=60):
        deadline = time.time() + timeout
        for e in self.events:
            if e.get("method") == method:
                return e
        while time.time() < deadline:
            m = self.read(deadline)
            if m is None:
                break
            self.events.append(m)
            if m.get("method") == method:
                return m
        return None

    def close(self):
        try:
            self.send("Browser.close", session=False, timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def box(browser, root, selector):
    """The (x, y, width, height) of the first element matching selector, or None."""
    node = browser.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    if not node:
        return None
    quad = browser.send("DOM.getBoxModel", {"nodeId": node})["model"]["border"]
    xs, ys = quad[0::2], quad[1::2]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def screenshot(browser, path, clip=None):
    params = {"format": "png", "captureBeyondViewport": True}
    if clip:
        x, y, w, h = clip
        params["clip"] = {"x": x, "y": y, "width": w, "height": h, "scale": 1}
    data = browser.send("Page.captureScreenshot", params)["data"]
    with open(path, "wb") as f:
        f.write(base64.b64decode(data))
    return os.path.getsize(path)


def problems_in(events, page_url):
    out = []
    for e in events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            out.append("console " + p["type"] + ": " + " ".join(str(a.get("value", a.get("description"))) for a in p.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            out.append("exception: " + json.dumps(p.get("exceptionDetails", {}))[:300])
        elif method == "Log.entryAdded" and p["entry"].get("level") in ("error", "warning"):
            out.append(f"log {p['entry']['level']} ({p['entry'].get('source')}): {p['entry'].get('text')}")
        elif method == "Network.requestWillBeSent":
            url = p["request"]["url"]
            if url != page_url and not url.startswith("data:"):
                out.append("request for another resource: " + url)
        elif method == "Network.loadingFailed":
            out.append("loading failed: " + p.get("errorText", ""))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("report")
    ap.add_argument("--png", help="screenshot of the whole page")
    ap.add_argument("--charts", help="folder for one PNG per drawn chart")
    ap.add_argument("--only", help="comma-separated recipe names for --charts")
    ap.add_argument("--width", type=int, default=860)
    ap.add_argument("--quantize", action="store_true",
                    help="shrink the chart PNGs with pngquant (Debian's pngquant package), e.g. for the README")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = ap.parse_args()
    if args.quantize and not shutil.which("pngquant"):
        sys.exit("--quantize needs pngquant: apt-get install -y pngquant")
    if not os.path.exists(args.chromium):
        sys.exit("chromium not found: apt-get install -y chromium")
    url = "file://" + os.path.abspath(args.report)
    b = Browser(args.chromium)
    failures = []
    try:
        target = b.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        b.session = b.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network", "DOM"):
            b.send(domain + ".enable")
        b.send("Emulation.setDeviceMetricsOverride",
               {"width": args.width, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        t0 = time.time()
        b.send("Page.navigate", {"url": url})
        if not b.wait_event("Page.loadEventFired"):
            failures.append("the page did not load within 60 s")
        load_s = time.time() - t0
        time.sleep(0.3)  # let late log entries arrive
        b.send("Runtime.evaluate", {"expression": "0"})  # drains the event queue up to here
        root = b.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        scripts = b.send("DOM.querySelectorAll", {"nodeId": root, "selector": "script"})["nodeIds"]
        if scripts:
            failures.append(f"{len(scripts)} <script> element(s) in the page")
        sections = b.send("DOM.querySelectorAll", {"nodeId": root, "selector": "section.chart"})["nodeIds"]
        names, drawn = [], []
        for node in sections:
            attrs = b.send("DOM.getAttributes", {"nodeId": node})["attributes"]
            sid = attrs[attrs.index("id") + 1]
            names.append(sid)
            has_svg = b.send("DOM.querySelector", {"nodeId": node, "selector": "figure svg"})["nodeId"]
            has_box = b.send("DOM.querySelector", {"nodeId": node, "selector": ".problem, .missing, .empty"})["nodeId"]
            if has_svg:
                drawn.append(sid)
            elif not has_box:
                failures.append(f"section {sid}: neither a chart nor a box saying why not")
        failures += problems_in(b.events, url)
        print(f"{args.report}: loaded in {load_s:.2f} s; {len(sections)} sections, {len(drawn)} charts drawn; "
              f"{len(scripts)} scripts; problems: {len(failures)}")
        if args.png:
            metrics = b.send("Page.getLayoutMetrics")["cssContentSize"]
            size = screenshot(b, args.png, (0, 0, args.width, metrics["height"]))
            print(f"  wrote {args.png} ({size // 1024} KB, {args.width}x{int(metrics['height'])})")
        if args.charts:
            os.makedirs(args.charts, exist_ok=True)
            wanted = set(args.only.split(",")) if args.only else None
            for sid in drawn:
                name = sid[2:]
                if wanted and name not in wanted:
                    continue
                h2 = box(b, root, f"#{sid} h2")
                fig = box(b, root, f"#{sid} figure")
                x, y = min(h2[0], fig[0]) - 8, h2[1] - 8
                w = max(h2[0] + h2[2], fig[0] + fig[2]) - x + 8
                h = fig[1] + fig[3] - y + 8
                path = os.path.join(args.charts, name + ".png")
                size = screenshot(b, path, (x, y, w, h))
                if args.quantize:
                    subprocess.run(["pngquant", "--quality", "70-95", "--speed", "1", "--strip", "-f", "-o", path, path],
                                   check=True)
                    size = os.path.getsize(path)
                print(f"  wrote {path} ({size // 1024} KB, {int(w)}x{int(h)})")
    finally:
        b.close()
    for f in failures:
        print("  FAIL " + f)
    print("page check: " + ("ok" if not failures else f"{len(failures)} problem(s)"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
