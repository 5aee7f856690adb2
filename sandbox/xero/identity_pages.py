"""What the emulator's authorize endpoint shows a browser: Xero's "allow access" page, an error page, or a redirect
back to the app."""

from __future__ import annotations

import html
from urllib.parse import urlencode, urlsplit, urlunsplit

from sandbox.xero.messages import EmulatorRequest, EmulatorResponse

CONSENT_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Xero | Allow access</title>
<style>body{{font-family:sans-serif;background:#f2f4f5;margin:0}}main{{max-width:420px;margin:60px auto;
background:#fff;padding:24px 32px;border-radius:8px}}h1{{font-size:20px}}button{{font-size:15px;padding:8px 18px;
margin-right:8px;border-radius:4px;border:1px solid #13b5ea}}#allow{{background:#13b5ea;color:#fff}}</style></head>
<body><main><p>xero <small>(emulator)</small></p><h1>Allow access to your organisation</h1>
<p>The app will connect to:</p><ul id="organisations">{organisations}</ul>
<p>and be able to:</p><ul>{scopes}</ul>
<form method="get" action="/identity/connect/authorize">{hidden}
<button id="allow" name="consent" value="allow">Allow access</button>
<button id="deny" name="consent" value="deny">Cancel</button></form></main></body></html>
"""


def html_error(message: str) -> EmulatorResponse:
    page = f"<html><body><h1>Sorry, something went wrong</h1><p>{html.escape(message)}</p></body></html>"
    return EmulatorResponse(status=400, body=page.encode(), content_type="text/html; charset=utf-8")


def redirect(redirect_uri: str, params: dict[str, str]) -> EmulatorResponse:
    parts = urlsplit(redirect_uri)
    query = f"{parts.query}&{urlencode(params)}" if parts.query else urlencode(params)
    location = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    return EmulatorResponse(status=302, content_type="text/html", headers={"Location": location})


def consent_form(request: EmulatorRequest, organisation_names: list[str], scope: str) -> EmulatorResponse:
    """Xero's "allow access" page: the organisation to connect and what the app asks for."""
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(key)}" value="{html.escape(value)}">'
        for key, values in request.query.items()
        if key != "consent"
        for value in values
    )
    organisations = "".join(f"<li>{html.escape(name)}</li>" for name in organisation_names)
    scopes = "".join(f"<li><code>{html.escape(item)}</code></li>" for item in scope.split())
    page = CONSENT_PAGE.format(hidden=hidden, organisations=organisations, scopes=scopes)
    return EmulatorResponse(status=200, body=page.encode(), content_type="text/html; charset=utf-8")
