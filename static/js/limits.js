// What the server would refuse, said in the page before anything is sent:
// a text longer than the server takes (a counter that warns; never
// maxlength, which cuts a paste without a word) and a file over the size
// limit (refused here instead of after the whole upload).
(function () {
  "use strict";

  function feedback(field, kind) {
    const id = field.id + "-" + kind;
    let note = document.getElementById(id);
    if (!note) {
      note = document.createElement("div");
      note.id = id;
      note.className = "form-text text-danger fw-semibold";
      note.setAttribute("role", "alert");
      field.insertAdjacentElement("afterend", note);
    }
    return note;
  }

  function clearFeedback(field, kind) {
    const note = document.getElementById(field.id + "-" + kind);
    if (note) {
      note.remove();
    }
  }

  function grouped(number) {
    return number.toLocaleString("es-ES", { useGrouping: "always" });
  }

  function checkLength(field) {
    const limit = Number(field.dataset.maxLength);
    // Counted as the server counts: one character per line break.
    const length = field.value.replace(/\r\n/g, "\n").length;
    if (length > limit) {
      feedback(field, "length").textContent = field.dataset.maxLengthMessage.replace(
        "{length}",
        grouped(length),
      );
      field.classList.add("is-invalid");
    } else if (document.getElementById(field.id + "-length")) {
      clearFeedback(field, "length");
      field.classList.remove("is-invalid");
    }
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toLocaleString("es-ES", { maximumFractionDigits: 1 }) + " MB";
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-max-length]")) {
      checkLength(event.target);
    }
  });

  document.addEventListener("change", function (event) {
    const input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) {
      return;
    }
    const limit = Number(input.dataset.maxBytes);
    const big = Array.from(input.files || []).find(function (file) {
      return file.size > limit;
    });
    if (big) {
      feedback(input, "size").textContent = input.dataset.maxBytesMessage
        .replace("{name}", big.name)
        .replace("{size}", megabytes(big.size));
      input.value = "";
      input.classList.add("is-invalid");
    } else {
      clearFeedback(input, "size");
      input.classList.remove("is-invalid");
    }
  });

  // A draft put back (drafts.js) or a form shown again is counted at once.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-max-length]").forEach(checkLength);
  });
})();
