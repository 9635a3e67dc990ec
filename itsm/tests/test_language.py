from django.urls import reverse


def test_a_browser_asking_for_english_still_gets_the_spanish_desk(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="es">' in response.content.decode()
    assert "Iniciar sesión" in response.content.decode()


def test_an_unknown_language_cookie_falls_back_to_spanish(client, db):
    client.cookies["django_language"] = "xx"

    response = client.get(reverse("login"))

    assert '<html lang="es">' in response.content.decode()


def test_the_login_page_offers_english_and_switching_needs_no_login(client, db):
    page = client.get(reverse("login")).content.decode()
    assert 'name="language" value="en"' in page

    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})

    assert response.status_code == 302
    assert '<html lang="en">' in client.get(reverse("login")).content.decode()


def test_an_agent_can_switch_back_to_spanish_from_the_menu(client, agent):
    client.force_login(agent)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    page = client.get(reverse("incidents:console")).content.decode()
    assert 'name="language" value="es"' in page
    assert "Español" in page

    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert '<html lang="es">' in client.get(reverse("incidents:console")).content.decode()
