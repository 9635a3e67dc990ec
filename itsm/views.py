from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from itsm.access import agent_required
from itsm.permissions import is_coordinator

CONSOLES = ("incidents", "workorders")


@agent_required
def home(request: HttpRequest) -> HttpResponse:
    """Straight to work: the console the user last used, else the coordination
    queue for coordinators and the incident console for everyone else."""
    namespace = request.session.get("console")
    if namespace in CONSOLES:
        return redirect(f"{namespace}:console")
    if is_coordinator(request.user):
        return redirect("coordination")
    return redirect("incidents:console")
