"""*Vincular* on the new-ticket pages, before the ticket exists: the chosen
articles ride along with the form as hidden fields, come back with it when
it has errors, and are linked (journaled) as the ticket is created."""

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm import journal_events as events
from itsm.tests.factories import new_ticket_data
from kb.models import ArticleLink, ArticleStatus
from kb.tests.test_kb import make_article
from notifications.tests import corpus
from notifications.tests.factories import stored
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(coordinator):
    return {
        "published": make_article(coordinator, title="Vinculación paso a paso"),
        "internal": make_article(
            coordinator, title="Vinculación: casos raros", status=ArticleStatus.INTERNAL
        ),
        "draft": make_article(
            coordinator, title="Vinculación en borrador", status=ArticleStatus.DRAFT
        ),
    }


def panel(client, **params) -> str:
    return client.get(reverse("kb:suggest"), params).content.decode()


def test_choosing_an_article_puts_it_among_the_forms_hidden_fields(client, agent, articles):
    client.force_login(agent)
    chosen = articles["published"]
    page = panel(client, summary="vinculación", kb_choose=chosen.pk)
    assert f'<input type="hidden" name="kb_article" value="{chosen.pk}">' in page
    assert "Se vinculará al guardar" in page
    # The panel keeps the choice as the agent goes on typing (the form sends it back).
    page = panel(client, summary="otra cosa", kb_article=chosen.pk)
    assert f'name="kb_article" value="{chosen.pk}"' in page and chosen.title in page
    page = panel(client, summary="vinculación", kb_article=chosen.pk, kb_drop=chosen.pk)
    assert 'name="kb_article"' not in page


def test_a_draft_or_an_unknown_id_is_never_chosen(client, agent, articles):
    client.force_login(agent)
    page = panel(client, kb_article=[articles["draft"].pk, "999999", "x", "99999999999"])
    assert 'name="kb_article"' not in page


def test_creating_the_ticket_links_the_chosen_articles_and_journals_them(
    client, agent, articles, reference
):
    customer = CustomerFactory()
    client.force_login(agent)
    chosen = [articles["published"].pk, articles["internal"].pk, articles["draft"].pk]
    data = new_ticket_data(customer, kb_article=[str(pk) for pk in chosen])
    response = client.post(reverse("incidents:new"), data)
    assert response.status_code == 302
    ticket = Incident.objects.get()
    linked = set(ArticleLink.objects.values_list("article_id", "ticket_number"))
    assert linked == {
        (articles["published"].pk, ticket.number),
        (articles["internal"].pk, ticket.number),
    }
    journaled = ticket.work_info.filter(event=events.ARTICLE_LINKED)
    assert sorted(e.data["title"] for e in journaled) == [
        "Vinculación paso a paso",
        "Vinculación: casos raros",
    ]


def test_a_form_with_errors_comes_back_with_the_chosen_articles(client, agent, articles, reference):
    customer = CustomerFactory()
    client.force_login(agent)
    chosen = articles["published"].pk
    data = new_ticket_data(customer, summary="", template="", kb_article=str(chosen))
    response = client.post(reverse("incidents:new"), data)
    assert response.status_code == 200 and not Incident.objects.exists()
    assert f'<input type="hidden" name="kb_article" value="{chosen}">' in response.content.decode()
    assert not ArticleLink.objects.exists()


def test_the_mailbox_new_ticket_page_links_the_chosen_article(
    client, agent, articles, reference, private_media
):
    customer = CustomerFactory()
    message = stored(corpus.plain(subject="No puedo vincular el certificado"))
    client.force_login(agent)
    url = reverse("notifications:mailbox_new_ticket", args=[message.pk, "WO"])
    group = client.get(url).context["form"].initial["assigned_group"]
    response = client.post(
        url,
        {
            "inbound-version": message.version,
            "customer": customer.pk,
            "summary": "No puedo vincular el certificado",
            "reported_source": "email",
            "assigned_group": group,
            "status": "assigned",
            "kb_article": articles["published"].pk,
        },
    )
    assert response.status_code == 302
    work_order = WorkOrder.objects.get()
    assert ArticleLink.objects.get().ticket_number == work_order.number
    assert work_order.work_info.filter(event=events.ARTICLE_LINKED).count() == 1
