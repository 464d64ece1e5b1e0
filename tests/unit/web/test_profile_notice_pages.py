"""Each profile has its own legal notice page (``/legal-notice?profile=de``), and the address
spoken in each profile's full notice leads to that page (real config, real HTTP server)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from aiohttp.test_utils import TestClient, TestServer

from ivr.config import Settings
from ivr.ledger import AsyncLedger
from ivr.names import Prompt
from ivr.web.app import build_app
from tests.unit.config import sample
from tests.unit.web.conftest import FakeService

CONTROLLERS = {"fr": "Acme France SAS", "de": "Acme Deutschland GmbH"}


def two_profiles(tmp_path: Path) -> Settings:
    (tmp_path / "rec").mkdir()
    changes = {
        "recordings": {"dir": "rec"},
        "ledger": {"path": "ledger.sqlite3"},
        "consent": {"default_profile": "fr", "profiles": ["fr", "de"]},
        "notice": {
            "de": {
                "purposes": "die Schulung unserer Berater",
                "legal_basis": "berechtigtes Interesse",
                "recipients": "das Qualitätsteam",
                "retention": "sechs Monate",
            }
        },
        "profiles": {
            p: {"notice": {lang: {"name": n} for lang in (p, "en")}} for p, n in CONTROLLERS.items()
        },
    }
    return sample.settings(tmp_path, changes)


async def test_each_profile_s_spoken_address_leads_to_its_own_page(tmp_path: Path) -> None:
    settings = two_profiles(tmp_path)
    async with await AsyncLedger.open(settings.ledger.path) as ledger:
        server = TestServer(build_app(FakeService(settings, ledger)), host="127.0.0.1")
        async with TestClient(server) as client:
            for profile, controller in CONTROLLERS.items():
                language = settings.consent.profiles[profile].default_language
                pack = settings.pack(profile, language)
                full = pack.prompts[Prompt.NOTICE_FULL]
                said = settings.http.public_url
                if profile != "fr":
                    said += f"?profile={profile}"
                assert urlsplit(said).netloc + urlsplit(said).path in full
                assert (f"?profile={profile}" in full) is (profile != "fr")
                query = urlsplit(said).query
                async with client.get("/legal-notice" + (f"?{query}" if query else "")) as page:
                    assert page.status == 200
                    html = await page.text()
                assert controller in html
                other = next(c for p, c in CONTROLLERS.items() if p != profile)
                assert other not in html


async def test_an_unknown_profile_is_a_404_naming_the_profiles(tmp_path: Path) -> None:
    settings = two_profiles(tmp_path)
    async with await AsyncLedger.open(settings.ledger.path) as ledger:
        server = TestServer(build_app(FakeService(settings, ledger)), host="127.0.0.1")
        async with TestClient(server) as client, client.get("/legal-notice?profile=xx") as page:
            assert page.status == 404
            assert (await page.json())["details"] == {"available": ["fr", "de"]}
