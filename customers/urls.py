from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("lookup/", views.customer_lookup, name="lookup"),
    path("new/", views.customer_create_inline, name="create"),
    path("<int:pk>/pick/", views.customer_pick, name="pick"),
]
