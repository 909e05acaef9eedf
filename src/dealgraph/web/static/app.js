// dealgraph pages: draws the plotly figures, submits filter selects, confirms removals.
// Loaded from /static (the CSP forbids inline scripts); figures come as JSON blocks.
"use strict";

(function () {
  function drawFigures() {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    document.querySelectorAll("[data-figure]").forEach(function (target) {
      var source = document.getElementById(target.dataset.figure);
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(target, figure.data, figure.layout, {
        displaylogo: false,
        responsive: true,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toImage"],
      }).then(function () {
        target.dataset.drawn = "true";
      });
    });
  }

  function autoSubmit() {
    document.querySelectorAll("select.autosubmit").forEach(function (select) {
      select.addEventListener("change", function () {
        select.form.submit();
      });
    });
  }

  function confirmForms() {
    document.querySelectorAll("form.confirm").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm || "Are you sure?")) {
          event.preventDefault();
        }
      });
    });
  }

  function copyButtons() {
    document.querySelectorAll(".flash-secret").forEach(function (box) {
      var match = box.textContent.match(/https?:\/\/\S+/);
      if (!match || !navigator.clipboard) {
        return;
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "small-button";
      button.textContent = "Copy link";
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(match[0]).then(function () {
          button.textContent = "Copied";
        });
      });
      box.appendChild(document.createTextNode(" "));
      box.appendChild(button);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawFigures();
    autoSubmit();
    confirmForms();
    copyButtons();
  });
})();
