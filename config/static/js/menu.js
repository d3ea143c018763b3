// The main menu folds behind a "Menu" button on a phone, so the page starts with its content
// rather than six rows of links. Progressive enhancement: without JavaScript, or on a wider
// screen, every link is shown as before. The open/closed state is told to screen readers.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 40em)");

  function setUp() {
    var nav = document.querySelector(".site-nav");
    var button = nav && nav.querySelector(".menu-toggle");
    if (!button) return;

    function show(open) {
      nav.classList.toggle("menu-closed", !open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }

    function fit() {
      button.hidden = !narrow.matches;
      show(!narrow.matches);
    }

    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    narrow.addEventListener("change", fit);
    fit();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
