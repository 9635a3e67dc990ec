"""The knowledge base's pages, mounted at /kb/ by the wiring."""

from django.urls import URLPattern, path

from kb import views

app_name = "kb"

urlpatterns: list[URLPattern] = [
    path("", views.article_list, name="list"),
    path("new/", views.article_edit, name="new"),
    path("suggest/", views.suggest, name="suggest"),
    path("<int:pk>/", views.article_detail, name="detail"),
    path("<int:pk>/edit/", views.article_edit, name="edit"),
    path("<int:pk>/rate/", views.article_rate_view, name="rate"),
    path("<int:pk>/revisions/<int:number>/", views.article_revision, name="revision"),
    path("<int:pk>/link/<str:number>/", views.link, name="link"),
    path("documents/<int:pk>/", views.article_document, name="document"),
]
