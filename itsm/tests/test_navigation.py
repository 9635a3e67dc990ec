"""The top bar is drawn once per language, roles and page in each process:
what is a person's or a request's own (names, the search text, the page to
come back to, the CSRF token) is put in afterwards, escaped as the template
would have, and nothing of one person reaches another."""

import re

import pytest
from django.urls import reverse

from conftest import make_role_user
from itsm.templatetags import navigation
from itsm.tests.console import INCIDENTS

pytestmark = pytest.mark.django_db


def nav(response) -> str:
    page = response.content.decode()
    drawn = page[page.index("<nav ") : page.index("</nav>") + len("</nav>")]
    # Each response masks the CSRF token anew.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", drawn)


def test_a_bar_drawn_for_one_person_serves_the_next_with_their_own_names(
    client, agent, django_user_model
):
    agent.first_name, agent.last_name = "Ana", "Ruiz"
    agent.save()
    other = make_role_user(django_user_model, "another agent")
    other.first_name, other.last_name = 'Íñigo "Iñi"', "O'Brien <b>&"
    other.save()
    navigation._drawn.clear()
    client.force_login(agent)
    client.get(INCIDENTS)
    client.force_login(other)
    from_cache = nav(client.get(INCIDENTS, {"f": "1"}))
    assert "Ana Ruiz" not in from_cache
    assert "Íñigo &quot;Iñi&quot; O&#x27;Brien &lt;b&gt;&amp;" in from_cache
    assert 'value="/incidents/?f=1"' in from_cache
    navigation._drawn.clear()
    assert nav(client.get(INCIDENTS, {"f": "1"})) == from_cache


def test_a_value_holding_a_marker_is_put_in_as_it_is(client, agent):
    client.force_login(agent)
    marker = navigation.MARKERS["nav_next"]
    page = nav(client.get(reverse("search"), {"q": marker}))
    assert f'value="{marker}"' in page


def test_the_search_box_keeps_the_text_searched_escaped(client, agent):
    client.force_login(agent)
    client.get(reverse("search"), {"q": "primera"})
    page = nav(client.get(reverse("search"), {"q": 'García "<x>'}))
    assert 'value="García &quot;&lt;x&gt;"' in page
    assert "primera" not in nav(client.get(reverse("search"), {"q": "otra"}))


def test_roles_and_languages_get_bars_of_their_own(client, agent, coordinator):
    client.force_login(agent)
    assert reverse("coordination") not in nav(client.get(INCIDENTS))
    client.force_login(coordinator)
    assert reverse("coordination") in nav(client.get(INCIDENTS))
    client.post(reverse("set_language"), {"language": "en", "next": INCIDENTS})
    assert "Sign out" in nav(client.get(INCIDENTS))
    client.post(reverse("set_language"), {"language": "es", "next": INCIDENTS})
    assert "Salir" in nav(client.get(INCIDENTS))


def test_the_language_form_and_sign_out_post_with_the_token_of_the_page(client, agent):
    client.force_login(agent)
    client.handler.enforce_csrf_checks = True
    page = client.get(INCIDENTS).content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page[: page.index("</nav>")])
    assert len(tokens) == 2
    response = client.post(
        reverse("set_language"),
        {"language": "en", "next": INCIDENTS, "csrfmiddlewaretoken": tokens[0]},
    )
    assert response.status_code == 302
