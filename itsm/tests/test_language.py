from django.urls import reverse


def test_a_browser_asking_for_english_still_gets_the_spanish_desk(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="es">' in response.content.decode()
    assert "Iniciar sesión" in response.content.decode()


def test_an_unknown_language_cookie_falls_back_to_spanish(client, db):
    client.cookies["django_language"] = "xx"

    response = client.get(reverse("login"))

    assert '<html lang="es">' in response.content.decode()
