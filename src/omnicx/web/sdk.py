"""Self-hosted Segment browser SDK (``@segment/analytics-next``) support.

The standalone build of analytics-next is vendored, unmodified, under
``static/vendor/analytics-next/`` (see ``VERSION`` there):

* ``standalone.js`` -- the entry bundle, served at ``/js/analytics.js`` (and,
  for pages using Segment's own snippet with only the host swapped, at
  ``/analytics.js/v1/<writeKey>/analytics.min.js``).
* ``bundles/<name>.bundle.<hash>.js`` -- webpack chunks it loads lazily with
  ``<script>`` tags from ``<cdn>/analytics-next/bundles/``.

At start-up the bundle takes its "CDN" from ``window.analytics._cdn``, which
our :func:`snippet` sets to our base URL.  From there it fetches
``<cdn>/v1/projects/<writeKey>/settings`` (:func:`settings_document`) and
then POSTs events to ``<protocol>://<apiHost>/{t,p,i,g,a,s}``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
ANALYTICS_DIR = VENDOR_DIR / "analytics-next"
ECHARTS_DIR = VENDOR_DIR / "echarts"

JS_CONTENT_TYPE = "application/javascript; charset=utf-8"

_CHUNK_RE = re.compile(
    r"/analytics-next/bundles/([A-Za-z0-9_-]+\.bundle\.[0-9a-f]+\.js)"
)
_SEGMENT_PATH_RE = re.compile(r"/analytics\.js/v1/[A-Za-z0-9_-]+/analytics\.min\.js")

STATIC_ROUTES: dict[str, Path] = {
    "/js/analytics.js": ANALYTICS_DIR / "standalone.js",
    "/js/echarts.min.js": ECHARTS_DIR / "echarts.min.js",
}


def settings_document(write_key: str, api_host: str, protocol: str) -> dict[str, Any]:
    """Source settings returned by ``GET /v1/projects/{writeKey}/settings``.

    ``api_host`` has no scheme, e.g. ``"127.0.0.1:8000/v1"``; ``protocol`` is
    ``"http"`` or ``"https"``.  Only the ``Segment.io`` integration is listed
    (any other key would make the SDK fetch device-mode destinations from the
    CDN), remote metrics are sampled at 0 and every optional feature that
    would load code or call out is off.
    """
    if "://" in api_host:
        raise ValueError("api_host must not include a scheme")
    if protocol not in ("http", "https"):
        raise ValueError("protocol must be 'http' or 'https'")
    return {
        "integrations": {
            "Segment.io": {
                "apiKey": write_key,
                "apiHost": api_host,
                "protocol": protocol,
                "unbundledIntegrations": [],
                "addBundledMetadata": True,
                "maybeBundledConfigIds": {},
                "versionSettings": {"version": "4.4.7", "componentTypes": ["browser"]},
            }
        },
        "plan": {
            "track": {"__default": {"enabled": True, "integrations": {}}},
            "identify": {"__default": {"enabled": True}},
            "group": {"__default": {"enabled": True}},
        },
        "edgeFunction": {},
        "analyticsNextEnabled": True,
        "middlewareSettings": {},
        "enabledMiddleware": {},
        "metrics": {"sampleRate": 0, "host": api_host},
        "legacyVideoPluginsEnabled": False,
        "remotePlugins": [],
        "consentSettings": {"allCategories": [], "hasUnmappedDestinations": False},
        "autoInstrumentationSettings": {"disableTraffic": True, "sampleRate": 0},
    }


_SNIPPET = """<script>
!function(){var i="analytics",a=window[i]=window[i]||[];
if(a.initialize)return;
if(a.invoked){window.console&&console.error&&
console.error("OmniCX snippet included twice.");return}
a.invoked=!0;
a.methods=["trackSubmit","trackClick","trackLink","trackForm","pageview",
"identify","reset","group","track","ready","alias","debug","page","screen",
"once","off","on","addSourceMiddleware","addIntegrationMiddleware",
"setAnonymousId","addDestinationMiddleware","register"];
a.factory=function(m){return function(){
if(window[i].initialized)return window[i][m].apply(window[i],arguments);
var n=Array.prototype.slice.call(arguments);
if(["track","screen","alias","group","page","identify"].indexOf(m)>-1){
var c=document.querySelector("link[rel='canonical']");
n.push({__t:"bpc",c:c&&c.getAttribute("href")||void 0,p:location.pathname,
u:location.href,s:location.search,t:document.title,r:document.referrer})}
n.unshift(m);a.push(n);return a}};
for(var k=0;k<a.methods.length;k++){var m=a.methods[k];a[m]=a.factory(m)}
a.load=function(key,opts){var t=document.createElement("script");
t.type="text/javascript";t.async=!0;
t.setAttribute("data-global-segment-analytics-key",i);
t.src=a._cdn+"/js/analytics.js";
var r=document.getElementsByTagName("script")[0];
r.parentNode.insertBefore(t,r);a._loadOptions=opts};
a._writeKey=__KEY__;a._cdn=__CDN__;a.SNIPPET_VERSION="5.2.0";
a.load(__KEY__);a.page()}();
</script>"""


def _js_string(value: str) -> str:
    """A JS string literal that is safe inside an HTML ``<script>`` element."""
    text = json.dumps(value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def snippet(write_key: str, base_url: str) -> str:
    """HTML ``<script>`` snippet a customer pastes into their pages.

    It loads ``{base_url}/js/analytics.js``, makes the SDK use ``base_url`` as
    its CDN (settings and lazy chunks come from us) and records a page view.
    """
    cdn = base_url.rstrip("/")
    return _SNIPPET.replace("__KEY__", _js_string(write_key)).replace(
        "__CDN__", _js_string(cdn)
    )


def vendor_file_for(path: str) -> Path | None:
    """The vendored file served at URL ``path``, or None if there is none."""
    path = path.split("?", 1)[0]
    target = STATIC_ROUTES.get(path)
    if target is None and _SEGMENT_PATH_RE.fullmatch(path):
        target = ANALYTICS_DIR / "standalone.js"
    if target is None and (match := _CHUNK_RE.fullmatch(path)):
        target = ANALYTICS_DIR / "bundles" / match.group(1)
    if target is None or not target.is_file():
        return None
    return target
