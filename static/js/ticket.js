// The ticket pages: customer look-up by keyboard, "Asignarme", tabs from the URL hash.
(function () {
  "use strict";

  function results() {
    return Array.from(document.querySelectorAll("#customer-results [data-customer-result]"));
  }

  // Consultar cliente: arrow keys walk the results, Enter picks, Escape goes back.
  document.addEventListener("keydown", function (event) {
    const target = event.target;
    if (target.id === "customer-q") {
      const found = results();
      if (event.key === "ArrowDown" && found.length) {
        event.preventDefault();
        found[0].focus();
      } else if (event.key === "Enter" && found.length) {
        event.preventDefault();
        found[0].click();
      }
      return;
    }
    if (target.matches && target.matches("[data-customer-result]")) {
      const found = results();
      const index = found.indexOf(target);
      if (event.key === "ArrowDown" && index < found.length - 1) {
        event.preventDefault();
        found[index + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (index > 0 ? found[index - 1] : document.getElementById("customer-q")).focus();
      } else if (event.key === "Escape") {
        document.getElementById("customer-q").focus();
      }
    }
  });

  // Once a customer is picked (or created), clear the look-up and go on with the template.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    const picked = document.getElementById("customer-picked");
    if (!picked || !picked.querySelector("[data-customer-picked]")) {
      return;
    }
    if (event.detail.target === picked || event.detail.target.id === "customer-create-form") {
      document.getElementById("customer-results").replaceChildren();
      document.getElementById("customer-q").value = "";
      const errors = document.getElementById("customer-errors");
      if (errors) {
        errors.remove();
      }
      const create = document.getElementById("customer-create");
      if (create && event.detail.target.id === "customer-create-form" && window.bootstrap) {
        window.bootstrap.Collapse.getOrCreateInstance(create, { toggle: false }).hide();
      }
      const template = document.getElementById("id_template");
      if (template) {
        template.focus();
      }
    }
  });

  // A panel opens with the cursor in its first field, unless the agent is
  // already typing in it (the panel animates for a moment after the click).
  document.addEventListener("shown.bs.collapse", function (event) {
    if (event.target.contains(document.activeElement)) {
      return;
    }
    const field = event.target.querySelector("select, input:not([type=hidden]), textarea");
    if (field) {
      field.focus();
    }
  });

  // Asignarme: one click puts the current user in the assignee field.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-assign-to-me]");
    if (!button) {
      return;
    }
    const select = document.getElementById(button.dataset.assignTarget);
    if (select) {
      select.value = button.dataset.assignToMe;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  // Requiere atención follows the status as the server will store it:
  // Pendiente ⇒ Requiere respuesta; resolved or completed ⇒ empty.
  document.addEventListener("change", function (event) {
    const status = event.target;
    if (status.name !== "status" || !status.form) {
      return;
    }
    const attention = status.form.querySelector('select[name="requires_attention"]');
    if (!attention) {
      return;
    }
    if (status.value === "pending") {
      attention.value = "response";
    } else if (status.value === "resolved" || status.value === "completed") {
      attention.value = "";
    }
  });

  // Open the tab a link or a redirect points at (#relations, #history, #emails).
  function showTabFromHash() {
    if (!window.bootstrap || !location.hash) {
      return;
    }
    let trigger = document.querySelector('[data-bs-toggle="tab"][data-bs-target="' + location.hash + '"]');
    if (!trigger) {
      // Or at something inside a tab (#ticket-emails after sending a mail): open that tab.
      const target = document.getElementById(location.hash.slice(1));
      const pane = target && target.closest(".tab-pane");
      if (pane) {
        trigger = document.querySelector('[data-bs-toggle="tab"][data-bs-target="#' + pane.id + '"]');
      }
    }
    if (trigger) {
      window.bootstrap.Tab.getOrCreateInstance(trigger).show();
    }
  }
  window.addEventListener("hashchange", showTabFromHash);
  document.addEventListener("DOMContentLoaded", showTabFromHash);
})();
