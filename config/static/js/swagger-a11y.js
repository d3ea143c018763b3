/* Swagger UI at /api/docs/ draws the API's title and the Authorize button outside its own <main>,
   jumps from its <h1> to <h3> tag headings, leaves parameter choices unnamed and code examples
   out of keyboard reach. Name those parts and give the headings levels that follow on, again
   whenever Swagger UI redraws. (axe-core: region, heading-order, select-name,
   scrollable-region-focusable.) */
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
    // An opened operation: its parameters' choices are named after the parameter, and code
    // examples that scroll sideways can be reached with the keyboard.
    for (const control of root.querySelectorAll("tr[data-param-name] select:not([aria-label])")) {
      control.setAttribute("aria-label", control.closest("tr").dataset.paramName);
    }
    for (const code of root.querySelectorAll("pre.microlight:not([tabindex])")) {
      code.setAttribute("tabindex", "0");
    }
  };
  new MutationObserver(fix).observe(root, { childList: true, subtree: true });
  fix();
})();
