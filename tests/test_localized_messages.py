"""The api/engine layers write English; the UI shows their messages in the interface language.

nanobanana_desktop/messages.py registers each message template; ui/translations.localized
finds the template a finished message came from, translates it, and fills the values back.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nanobanana_desktop.api
import nanobanana_desktop.engine
from nanobanana_desktop import credentials, session
from nanobanana_desktop.api.endpoint import ApiKey, normalize_base_url
from nanobanana_desktop.api.errors import InsecureBaseUrlError
from nanobanana_desktop.api.parsing import error_for_code, error_for_status
from nanobanana_desktop.messages import registered
from nanobanana_desktop.ui.translations import install_language, localized

for package in (nanobanana_desktop.api, nanobanana_desktop.engine):
    for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        importlib.import_module(module.name)  # every template is registered on import
assert credentials and session  # imported for their templates too

TEMPLATES = {t.text: t for t in registered()}
FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Values no template's fixed text can be made of, so each filled template matches only itself.
VALUE = st.text(alphabet="xyzXYZ0123456789", min_size=1, max_size=30)
PIECES = sorted({piece for text in TEMPLATES for piece in FIELD.split(text) if piece})


@pytest.fixture
def dutch(qapp):
    assert install_language(qapp, "nl") is None
    yield
    install_language(qapp, "en")


@pytest.fixture
def english(qapp):
    assert install_language(qapp, "en") is None


def test_the_layers_register_their_messages():
    assert len(TEMPLATES) >= 100
    contexts = {t.context for t in TEMPLATES.values()}
    # At least these (a module that starts declaring its messages adds its own context).
    assert contexts >= {
        "ApiErrors",
        "Credentials",
        "Downloads",
        "Engine",
        "Export",
        "ImageSettings",
        "References",
        "RequestErrors",
        "Session",
        "Store",
        "TaskState",
        "Webhooks",
    }
    # Plain {name} fields only: a format spec or conversion could not be matched back.
    assert [t for t in TEMPLATES if re.search(r"\{[^}]*[!:][^}]*\}", t)] == []


def test_a_plain_message_is_translated(dutch):
    refused = str(error_for_status(401, 401, "Invalid API key", None))
    assert refused == "The API key was refused (401): check it in Settings"
    assert (
        localized(refused) == "De API-sleutel werd geweigerd (401): controleer hem in Instellingen"
    )
    assert localized(session.NO_KEY_YET).startswith("Nog geen API-sleutel")


def test_values_are_filled_back_into_the_translation(dutch):
    with pytest.raises(InsecureBaseUrlError) as caught:
        normalize_base_url("http://example.com/v1")
    assert localized(str(caught.value)) == (
        "Het API-adres 'http://example.com/v1' gebruikt gewoon http, waardoor je sleutel "
        "onversleuteld zou gaan; gebruik https:// (gewoon http mag alleen op 127.0.0.1)"
    )
    busy = str(error_for_status(503, 1, "overloaded: try later", None, retry_after=None))
    assert localized(busy) == (
        "De server had een probleem (503): overloaded: try later. "
        "Later opnieuw proberen helpt meestal"
    )


def test_a_message_quoting_a_message_is_translated_whole(dutch):
    try:
        ApiKey("two words")
    except ValueError as exc:
        quoted = f"NANOBANANA_API_KEY is set but unusable: {exc}"
    assert localized(quoted) == (
        "NANOBANANA_API_KEY is ingesteld maar onbruikbaar: "
        "De API-sleutel bevat spaties of stuurtekens; plak hem opnieuw"
    )
    offline = "Offline, retrying: " + str(error_for_status(402, 402, None, None))
    assert localized(offline) == (
        "Offline, opnieuw proberen: Je account heeft te weinig tegoed (402): "
        "waardeer het op en probeer het opnieuw"
    )


def test_the_most_specific_template_wins(dutch):
    assert localized("Not used here: Steps, Sampler and 3 more.") == (
        "Hier niet gebruikt: Steps, Sampler en nog 3."
    )
    assert localized("Not used here: Steps.") == "Hier niet gebruikt: Steps."
    coded = str(error_for_code(200, 7, "quota: exceeded", None))
    assert localized(coded) == "De API weigerde het verzoek (code 7): quota: exceeded"


def test_text_no_template_matches_comes_back_unchanged(dutch):
    for text in ("", "Something the server said", "The API key was refused", "Connected!"):
        assert localized(text) == text


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(template=st.sampled_from(sorted(TEMPLATES)), data=st.data())
def test_any_filled_template_reads_as_its_translation(dutch, template, data):
    from PySide6.QtCore import QCoreApplication

    values = {name: data.draw(VALUE, label=name) for name in FIELD.findall(template)}
    translated = QCoreApplication.translate(TEMPLATES[template].context, template)
    assert translated != template or template in ("{field}: {message}", "Connected")
    assert localized(template.format(**values)) == translated.format(**values)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([*PIECES, "x", " (", ": ", "; "]), max_size=400))
def test_english_text_stays_as_it_is_and_long_text_is_matched_in_linear_time(english, pieces):
    # Every template's fixed pieces, repeated and shuffled: the worst case for nested lazy
    # groups. Each field is atomic (ui/translations._compile), so this stays quick; with
    # backtracking, a few hundred pieces would not finish.
    text = "".join(pieces) * 20
    assert localized(text) == text


def test_a_huge_message_is_matched_quickly(dutch):
    reason = "x (" * 50_000 + ": " * 50_000
    text = f"The connection to the API broke during POST /api/image/gen ({reason})"
    dutch_text = f"De verbinding met de API werd verbroken tijdens POST /api/image/gen ({reason})"
    assert localized(text) == dutch_text
    # Without its closing parenthesis nothing matches. Lazy fields that could be re-split
    # would try every split first: over a minute for 2,000 "x (" here, hours for 50,000.
    unclosed = "The connection to the API broke during " + "x (" * 50_000 + ": " * 50_000
    assert localized(unclosed) == unclosed
