// The phone's pop-up. The server pushes "a call changed" (server-sent events,
// /push/calls/); the card itself is fetched from the server, rendered and
// escaped there, and shown at the bottom right until the agent closes it.
(function () {
  "use strict";
  const box = document.getElementById("call-popups");
  if (!box || !window.EventSource) {
    return;
  }
  const me = box.dataset.user;
  const popupUrl = (id) => box.dataset.popupUrl.replace("/0/", "/" + id + "/");

  function cardOf(id) {
    return box.querySelector('[data-call="' + id + '"]');
  }

  async function show(id) {
    const response = await fetch(popupUrl(id), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
    if (!response.ok) {
      return;
    }
    const holder = document.createElement("div");
    holder.innerHTML = (await response.text()).trim();
    const card = holder.querySelector("[data-call]");
    if (!card) {
      return;
    }
    const existing = cardOf(id);
    if (existing) {
      existing.replaceWith(card);
    } else {
      box.prepend(card);
    }
  }

  function received(event) {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    const id = Number.parseInt(message.call, 10);
    if (!Number.isInteger(id)) {
      return;
    }
    const existing = cardOf(id);
    if (message.state === "answered" && message.agent && String(message.agent) !== me) {
      // Picked up at another extension: this agent has nothing to do.
      if (existing) {
        existing.remove();
      }
      return;
    }
    if (message.state === "ended" && !existing) {
      return; // over before it was shown: the calls page has it
    }
    show(id);
  }

  const source = new EventSource(box.dataset.pushUrl);
  source.addEventListener("call", received);
  box.dataset.connected = "";
  source.addEventListener("open", () => {
    box.dataset.connected = "true";
  });

  box.addEventListener("click", (event) => {
    const close = event.target.closest("[data-popup-close]");
    if (close) {
      close.closest("[data-call]").remove();
    }
  });
})();
