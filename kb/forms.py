from django import forms
from django.utils.translation import gettext_lazy

from itsm.fields import AttachmentField
from itsm.models import TicketTemplate
from kb.models import MAX_ID, Article


class TemplatesField(forms.ModelMultipleChoiceField):
    """Refuses what no id can be before asking the database: an ``IN``
    list with a number past the column's range is an error there."""

    def clean(self, value):
        for item in value or ():
            text = str(item)
            if not text.isdigit() or int(text) > MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": text},
                )
        return super().clean(value)


class ArticleForm(forms.ModelForm):
    templates = TemplatesField(
        queryset=TicketTemplate.objects.filter(active=True).order_by("name"),
        required=False,
        label=gettext_lazy("Templates"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    # A standard document to add (the LOPD form, the cuadro de vinculación…),
    # checked as every attachment of the desk.
    document = AttachmentField(label=gettext_lazy("Add a document"))

    class Meta:
        model = Article
        fields = (
            "title",
            "status",
            "body",
            "keywords",
            "templates",
            "operational_tier_1",
            "operational_tier_2",
            "product_tier_1",
            "product_tier_2",
            "review_on",
        )
        widgets = {
            "body": forms.Textarea(attrs={"rows": 16}),
            "review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
