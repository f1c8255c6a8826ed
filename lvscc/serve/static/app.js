// Live panels: the server pushes freshly rendered (server-side escaped) panels over
// server-sent events after every watch event; nothing here polls.
"use strict";
(function () {
  const source = new EventSource("/events");
  source.addEventListener("refresh", function (event) {
    const data = JSON.parse(event.data);
    for (const [id, html] of Object.entries(data.panels)) {
      const panel = document.getElementById(id);
      if (panel) panel.innerHTML = html;
    }
    document.body.dataset.version = String(data.version);
  });
})();
