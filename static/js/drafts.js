// Drafts: what is typed in a form marked data-draft-key (the new-ticket form,
// a work-info entry, an e-mail being written) is kept in this browser's
// localStorage, per user and ticket, so a reload, a crash or a closed tab loses
// nothing. A kept draft is put back with a "Borrador recuperado" note and a way
// to discard it; it is forgotten once the form is saved.
//
// Saved or not is told by the next page: the form sent with data-draft-bound
// (the server showed it again with errors) keeps its draft; any other page
// after a send means the save went through.
(function () {
  "use strict";

  const PREFIX = "itsm-draft:";
  const SENT = "itsm-draft-sent:";
  const SKIPPED = ["hidden", "file", "password", "submit", "button", "reset", "image"];

  function storage(kind) {
    try {
      return window[kind];
    } catch (error) {
      return null; // storage disabled: no drafts, nothing else breaks
    }
  }
  const local = storage("localStorage");
  const session = storage("sessionStorage");

  function fields(form) {
    return Array.from(form.elements).filter(function (field) {
      return field.name && !field.disabled && SKIPPED.indexOf(field.type) === -1;
    });
  }

  function values(form) {
    const result = {};
    fields(form).forEach(function (field) {
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked) {
          result[field.name] = field.value;
        }
      } else if (field.tagName === "SELECT" && field.multiple) {
        result[field.name] = Array.from(field.selectedOptions).map(function (o) { return o.value; });
      } else {
        result[field.name] = field.value;
      }
    });
    return result;
  }

  function apply(form, saved) {
    fields(form).forEach(function (field) {
      if (!(field.name in saved)) {
        return;
      }
      const value = saved[field.name];
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = field.value === value;
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.from(field.options).forEach(function (o) { o.selected = value.indexOf(o.value) !== -1; });
      } else {
        field.value = value;
      }
    });
  }

  function typedSomething(form, initial) {
    const now = values(form);
    return Object.keys(now).some(function (name) {
      return JSON.stringify(now[name]) !== JSON.stringify(initial[name]);
    });
  }

  function note(form, key, initial) {
    const box = document.createElement("div");
    box.className = "alert alert-info py-2 d-flex align-items-center gap-2";
    box.setAttribute("role", "status");
    box.setAttribute("data-draft-restored", "");
    const text = document.createElement("span");
    text.className = "me-auto";
    text.textContent = form.dataset.draftRestoredText || "Borrador recuperado";
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-secondary";
    discard.textContent = form.dataset.draftDiscardText || "Descartar";
    discard.addEventListener("click", function () {
      local.removeItem(PREFIX + key);
      apply(form, initial);
      box.remove();
    });
    box.append(text, discard);
    form.prepend(box);
  }

  function setUp(form) {
    const key = form.dataset.draftKey;
    const initial = values(form);
    const bound = form.hasAttribute("data-draft-bound");
    if (session && session.getItem(SENT + key)) {
      session.removeItem(SENT + key);
      if (!bound) {
        local.removeItem(PREFIX + key); // sent and saved: a fresh form
      }
    }
    let saved = null;
    try {
      saved = JSON.parse(local.getItem(PREFIX + key) || "null");
    } catch (error) {
      saved = null;
    }
    // A form shown again with errors already holds what was typed.
    if (saved && saved.values && !bound) {
      apply(form, saved.values);
      if (typedSomething(form, initial)) {
        note(form, key, initial);
      }
    }
    let timer = null;
    function keep() {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        if (typedSomething(form, initial)) {
          local.setItem(PREFIX + key, JSON.stringify({ values: values(form), at: Date.now() }));
        } else {
          local.removeItem(PREFIX + key);
        }
      }, 300);
    }
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      if (typedSomething(form, initial)) {
        local.setItem(PREFIX + key, JSON.stringify({ values: values(form), at: Date.now() }));
      }
      if (session) {
        session.setItem(SENT + key, "1");
      }
    });
  }

  function start() {
    if (!local) {
      return;
    }
    const forms = Array.from(document.querySelectorAll("form[data-draft-key]"));
    const here = forms.map(function (form) { return form.dataset.draftKey; });
    // A form sent from another page whose form is not here: the save went through.
    if (session) {
      for (let index = session.length - 1; index >= 0; index -= 1) {
        const name = session.key(index);
        if (name && name.indexOf(SENT) === 0 && here.indexOf(name.slice(SENT.length)) === -1) {
          session.removeItem(name);
          local.removeItem(PREFIX + name.slice(SENT.length));
        }
      }
    }
    forms.forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
