"""The interface speaks Spanish; English is available."""

from django.urls import reverse
from django.utils import translation

from itsm.models import Status
from workorders.models import WorkOrder


def test_the_login_page_renders_in_spanish(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="es">' in content
    assert "Iniciar sesión" in content
    assert "Nombre de usuario" in content
    assert "Contraseña" in content


def test_a_wrong_password_is_explained_in_spanish(client, agent):
    response = client.post(reverse("login"), {"username": "agente", "password": "mal"})

    assert "Por favor, introduzca un nombre de usuario y clave correctos" in (
        response.content.decode()
    )


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_switching_to_english_shows_english_labels(client, agent):
    client.force_login(agent)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    content = client.get(reverse("login")).content.decode()

    assert response.status_code == 302
    assert '<html lang="en">' in content
    assert "Log in" in content
    assert "Username" in content
    assert "Iniciar sesión" not in content


def test_labels_follow_the_active_language(db):
    with translation.override("en"):
        assert str(Status.PENDING.label) == "Pending"
        assert str(WorkOrder.GROUP_LABEL) == "Support group name"
        assert str(WorkOrder._meta.verbose_name_plural) == "work orders"
    with translation.override("es"):
        assert str(Status.PENDING.label) == "Pendiente"
        assert str(Status.COMPLETED.label) == "Terminado"
        assert str(WorkOrder.GROUP_LABEL) == "Nombre de grupo de soporte"
        assert str(WorkOrder._meta.verbose_name_plural) == "órdenes de trabajo"
