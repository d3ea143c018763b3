/* Swagger UI at /api/docs/ draws the API's title and the Authorize button outside its own <main>
   and jumps from its <h1> to <h3> tag headings. Name those parts as regions and give the headings
   levels that follow on, again whenever Swagger UI redraws. (axe-core: region, heading-order.) */
"use strict";

(() => {
  const root = document.getElementById("swagger-ui");
  if (!root) return;
  const levels = [
    ["#operations h3.opblock-tag", "2"],
    ["#operations .opblock-section-header h4", "3"],
    ["section.models > h4", "2"],
  ];
  const fix = () => {
    for (const part of root.querySelectorAll(".information-container, .scheme-container")) {
      if (part.getAttribute("role") === "region") continue;
      const name = part.querySelector("h1, h2, button");
      part.setAttribute("role", "region");
      part.setAttribute("aria-label", name ? name.textContent.trim() : "API");
    }
    for (const [selector, level] of levels) {
      for (const heading of root.querySelectorAll(selector)) {
        if (heading.getAttribute("aria-level") !== level) heading.setAttribute("aria-level", level);
      }
    }
  };
  new MutationObserver(fix).observe(root, { childList: true, subtree: true });
  fix();
})();
