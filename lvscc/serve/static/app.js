// Live panels: the server pushes freshly rendered (server-side escaped) panels over
// server-sent events after every watch event; nothing here polls.
"use strict";
(function () {
  // the refresh the page was rendered from: the server sends at once only what came after it
  const shown = document.getElementById("version");
  const source = new EventSource("/events?since=" + encodeURIComponent(shown ? shown.textContent : ""));
  source.addEventListener("refresh", function (event) {
    const data = JSON.parse(event.data);
    for (const [id, html] of Object.entries(data.panels)) {
      const panel = document.getElementById(id);
      if (panel) panel.innerHTML = html;
    }
    document.body.dataset.version = String(data.version);
  });
})();
