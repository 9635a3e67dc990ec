// Keyboard shortcuts shared by every page:
//   /           focus the global search box
//   n           new ticket of the current console (pages that set data-new-url)
//   Ctrl+Enter  submit the form that has the focus (any form, site-wide)
// Single-key shortcuts never fire while the user is typing.
(function () {
  "use strict";

  function isTyping(element) {
    if (!element || element === document.body) {
      return false;
    }
    if (element.isContentEditable) {
      return true;
    }
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") {
      return true;
    }
    if (tag === "INPUT") {
      var type = (element.getAttribute("type") || "text").toLowerCase();
      return ["button", "submit", "reset", "checkbox", "radio", "file", "image"].indexOf(type) === -1;
    }
    return false;
  }

  // For the page-specific shortcuts (ticket.js).
  window.itsmIsTyping = isTyping;

  function submitFocusedForm(event) {
    var target = event.target;
    var form = target && (target.form || (target.closest && target.closest("form")));
    if (!form) {
      return false;
    }
    event.preventDefault();
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) {
      return;
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      submitFocusedForm(event);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
      return;
    }
    if (event.key === "/") {
      var search = document.getElementById("global-search");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    } else if (event.key === "n" || event.key === "N") {
      var url = document.body.getAttribute("data-new-url");
      if (url && event.key === "n") {
        event.preventDefault();
        window.location.assign(url);
      }
    }
  });

  // Escape leaves the search box, so the single-key shortcuts work again.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && event.target && event.target.id === "global-search") {
      event.target.blur();
    }
  });

  // A multiple-choice filter (status, priority) names what is ticked as the
  // boxes change, as the server does once the filters are applied.
  document.addEventListener("change", function (event) {
    var picker = event.target.closest && event.target.closest("details.filter-choices");
    var summary = picker && picker.querySelector("summary");
    if (!summary) {
      return;
    }
    var labels = [];
    picker.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      var label = picker.querySelector('label[for="' + box.id + '"]');
      labels.push(label ? label.textContent.trim() : box.value);
    });
    summary.textContent = labels.length ? labels.join(", ") : summary.getAttribute("data-any");
    summary.title = summary.textContent;
  });
})();
