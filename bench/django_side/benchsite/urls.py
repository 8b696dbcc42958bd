from django.urls import path
from pages.views import page

urlpatterns = [
    path("s/<slug:slug>/", page, {"kind": "dashboard"}),
    path("s/<slug:slug>/feed/", page, {"kind": "feed"}),
]
