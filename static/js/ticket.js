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
      const template =
        document.getElementById("id_template-filter") || document.getElementById("id_template");
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

// The ticket page: its keys, the fields that follow the status and the group,
// long texts folded, templates found by any word of their name.
(function () {
  "use strict";

  const typing = function (element) {
    return window.itsmIsTyping ? window.itsmIsTyping(element) : false;
  };

  function focusField(container) {
    if (!container) {
      return false;
    }
    const field = container.querySelector(
      "textarea:not([hidden]), select:not([hidden]), input:not([type=hidden]):not([hidden])",
    );
    if (field) {
      field.scrollIntoView({ block: "nearest" });
      field.focus();
    }
    return Boolean(field);
  }

  function hideHelp() {
    const help = document.getElementById("keys-help");
    if (help && window.bootstrap && help.classList.contains("show")) {
      window.bootstrap.Modal.getOrCreateInstance(help).hide();
    }
  }

  // e fields, w work info, m e-mail, ? this list (/ is site-wide, itsm.js).
  document.addEventListener("keydown", function (event) {
    const page = document.getElementById("ticket-page");
    if (
      !page ||
      event.defaultPrevented ||
      event.isComposing ||
      event.ctrlKey ||
      event.metaKey ||
      event.altKey ||
      typing(event.target)
    ) {
      return;
    }
    if (event.key === "e") {
      hideHelp();
      if (focusField(document.getElementById("ticket-edit-form"))) {
        event.preventDefault();
      }
    } else if (event.key === "w") {
      hideHelp();
      if (focusField(document.getElementById("work-info-form"))) {
        event.preventDefault();
      }
    } else if (event.key === "m" && page.dataset.emailUrl) {
      event.preventDefault();
      window.location.assign(page.dataset.emailUrl);
    } else if (event.key === "?") {
      const help = document.getElementById("keys-help");
      if (help && window.bootstrap) {
        event.preventDefault();
        window.bootstrap.Modal.getOrCreateInstance(help).toggle();
      }
    }
  });

  // Resolución belongs to a resolved or completed ticket only.
  function followStatus(status) {
    const resolution = status.form && status.form.querySelector("[data-resolution-field]");
    if (resolution) {
      resolution.hidden = !(status.value === "resolved" || status.value === "completed");
    }
  }

  // The escalation guidance shows while the agent escalates: the escalate
  // panel open, or the coordination group picked in the fields (the server
  // says which group that is when it sends the group's assignees).
  let coordinationPicked = false;

  function updateGuidance() {
    const help = document.getElementById("escalation-help");
    if (!help) {
      return;
    }
    const panel = document.getElementById("action-escalate");
    const open = Boolean(panel && panel.classList.contains("show"));
    help.hidden = !(coordinationPicked || open);
  }

  document.body.addEventListener("grouppicked", function (event) {
    const source = event.detail && event.detail.elt;
    if (source && source.closest && !source.closest("#ticket-edit-form")) {
      return;
    }
    coordinationPicked = Boolean(event.detail && event.detail.coordination);
    updateGuidance();
  });

  document.addEventListener("change", function (event) {
    if (event.target.name === "status") {
      followStatus(event.target);
    }
  });
  document.addEventListener("shown.bs.collapse", updateGuidance);
  document.addEventListener("hidden.bs.collapse", updateGuidance);

  // Texts longer than about 15 lines are folded, with *Mostrar todo*.
  const FOLD_LINES = 15;

  function fold(element) {
    if (element.dataset.foldDone || !element.offsetParent) {
      return;
    }
    const lineHeight = parseFloat(window.getComputedStyle(element).lineHeight) || 20;
    if (element.scrollHeight <= lineHeight * (FOLD_LINES + 2)) {
      element.dataset.foldDone = "short";
      return;
    }
    element.dataset.foldDone = "folded";
    element.classList.add("folded");
    const labels = element.closest("[data-fold-more]") || document.body;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-link btn-sm p-0 fold-toggle";
    button.textContent = labels.dataset.foldMore || "…";
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function () {
      const folded = element.classList.toggle("folded");
      button.textContent = folded ? labels.dataset.foldMore : labels.dataset.foldLess;
      button.setAttribute("aria-expanded", folded ? "false" : "true");
    });
    element.insertAdjacentElement("afterend", button);
  }

  function foldAll() {
    document.querySelectorAll("[data-fold]").forEach(fold);
  }

  // Templates found by any word of their name: they all start with CAMPAÑA,
  // so the select's own type-ahead (first letters) cannot tell them apart.
  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function wordFilter(select) {
    if (select.dataset.wordFilterReady) {
      return;
    }
    select.dataset.wordFilterReady = "1";
    const input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm mb-1 word-filter";
    input.id = select.id + "-filter";
    input.autocomplete = "off";
    input.placeholder = select.dataset.wordFilter;
    input.setAttribute("aria-label", select.dataset.wordFilter);
    input.setAttribute("aria-controls", select.id);
    select.insertAdjacentElement("beforebegin", input);
    let pending = null;

    function choose(option) {
      if (option && select.value !== option.value) {
        select.value = option.value;
        clearTimeout(pending);
        // Let the agent finish the word before the template fills the form.
        pending = setTimeout(function () {
          pending = null;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }, 300);
      }
    }

    function matches() {
      const words = plain(input.value).split(/\s+/).filter(Boolean);
      const found = [];
      Array.from(select.options).forEach(function (option) {
        const hit = option.value && words.every(function (word) {
          return plain(option.text).indexOf(word) !== -1;
        });
        option.hidden = words.length > 0 && !hit && option.value !== "";
        if (hit) {
          found.push(option);
        }
      });
      return found;
    }

    input.addEventListener("input", function () {
      const found = matches();
      if (found.length && found.indexOf(select.selectedOptions[0]) === -1) {
        choose(found[0]);
      }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        select.focus();
      } else if (event.key === "Enter") {
        // Enter takes the template found and goes on to the notes.
        event.preventDefault();
        if (pending) {
          clearTimeout(pending);
          pending = null;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
        const next = document.getElementById(select.dataset.wordFilterNext);
        (next || select).focus();
      }
    });
  }

  // Vincular / Quitar on the new-ticket form: the choice goes into the form's
  // hidden fields at the click, before the button's request leaves. The panel
  // also reloads from the form (typing, or the summary's change on leaving it)
  // and such a reload replaces a request still in flight: it then carries the
  // choice itself. Capture phase: this runs before htmx gathers the values.
  document.addEventListener("click", function (event) {
    const button = event.target.closest ? event.target.closest("[data-kb_choose], [data-kb_drop]") : null;
    const panel = button && button.closest(".suggestions-panel");
    if (!panel) return;
    const field = button.dataset.chosenField;
    if (button.dataset.kb_choose) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = field;
      input.value = button.dataset.kb_choose;
      panel.prepend(input);
    } else {
      panel.querySelectorAll("input[type=hidden]").forEach(function (input) {
        if (input.name === field && input.value === button.dataset.kb_drop) input.remove();
      });
    }
  }, true);

  function prepare() {
    foldAll();
    document.querySelectorAll("select[data-word-filter]").forEach(wordFilter);
  }

  document.addEventListener("DOMContentLoaded", prepare);
  document.addEventListener("shown.bs.tab", foldAll);
  document.body.addEventListener("htmx:afterSettle", prepare);
})();
