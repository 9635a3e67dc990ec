// Presence on the ticket page (itsm/presence.py): the page polls who else is
// on it (htmx, #ticket-presence); here it says at once when its reader starts
// typing (*editando* instead of *viendo*) and sends a beacon when it closes,
// so the others stop seeing them within seconds.
(function () {
  "use strict";

  function state() {
    return document.getElementById("presence-editing");
  }

  function pollNow() {
    document.body.dispatchEvent(new Event("presencenow"));
  }

  // Typing in one of the page's forms (not a search) makes the reader an editor.
  document.addEventListener("input", function (event) {
    const editing = state();
    const form = event.target && event.target.form;
    if (!editing || editing.value === "1" || !form || form.method.toLowerCase() !== "post") {
      return;
    }
    editing.value = "1";
    pollNow();
  });

  // A tab coming back to the front says so at once instead of at its next poll.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && state()) {
      pollNow();
    }
  });

  window.addEventListener("pagehide", function () {
    const page = document.getElementById("presence-page");
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (!page || !token || !navigator.sendBeacon) {
      return;
    }
    const data = new FormData();
    data.append("csrfmiddlewaretoken", token.value);
    data.append("page", page.value);
    navigator.sendBeacon(page.dataset.leaveUrl, data);
  });
})();
