// Keyboard moderation for Palabre. Loaded from 'self' only; no inline handlers anywhere.
(function () {
  "use strict";

  // Inputs that are not for text (a ticked checkbox keeps the focus) do not eat the shortcuts.
  var NOT_TEXT = /^(checkbox|radio|button|submit|reset|image|file|color|range)$/;

  function typing(el) {
    if (!el) return false;
    if (el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName)) return true;
    return el.tagName === "INPUT" && !NOT_TEXT.test((el.type || "text").toLowerCase());
  }

  // A focused link, button or summary acts on Enter and Space itself: those keys are its own.
  function activates(el, key) {
    if (key !== "Enter" && key !== " ") return false;
    if (!el || !el.tagName) return false;
    if (el.tagName === "A") return el.hasAttribute("href");
    if (/^(BUTTON|SUMMARY)$/.test(el.tagName)) return true;
    if (el.tagName === "INPUT") return /^(button|submit|reset|image)$/.test((el.type || "").toLowerCase());
    return /^(button|link|menuitem|tab|switch)$/.test(el.getAttribute("role") || "");
  }

  function submitWith(form, key) {
    var button = form && form.querySelector('button[data-key="' + key + '"]');
    if (!button) return false;
    form.requestSubmit(button);
    return true;
  }

  function toggleHelp() {
    var help = document.getElementById("help");
    if (!help) return;
    if (help.open) help.close(); else help.showModal();
  }

  function setupList() {
    var rows = Array.prototype.slice.call(document.querySelectorAll(".comment-row"));
    var bulk = document.getElementById("bulk");
    var counter = document.getElementById("selected-count");
    // One current row per list: status, filters and page are in the query string.
    var storeKey = "palabre.current." + location.pathname + location.search;
    var current = Math.min(parseInt(sessionStorage.getItem(storeKey) || "0", 10) || 0, rows.length - 1);

    function selectedBoxes() {
      return rows.map(function (r) { return r.querySelector('input[type="checkbox"]'); })
        .filter(function (box) { return box && box.checked; });
    }
    function refreshSelection() {
      rows.forEach(function (r) {
        var box = r.querySelector('input[type="checkbox"]');
        r.classList.toggle("is-selected", !!(box && box.checked));
      });
      if (counter) counter.textContent = String(selectedBoxes().length);
    }
    function focusRow(i, scroll) {
      if (!rows.length) return;
      current = Math.max(0, Math.min(i, rows.length - 1));
      rows.forEach(function (r, j) { r.classList.toggle("is-current", j === current); });
      sessionStorage.setItem(storeKey, String(current));
      if (scroll) rows[current].scrollIntoView({ block: "nearest" });
    }
    rows.forEach(function (r, j) {
      r.addEventListener("click", function () { focusRow(j, false); });
      // Tabbing to a row's checkbox, link or button makes that row the current one.
      r.addEventListener("focusin", function () { if (j !== current) focusRow(j, false); });
      var box = r.querySelector('input[type="checkbox"]');
      if (box) box.addEventListener("change", refreshSelection);
    });
    focusRow(current, true); // restored from this list's last visit: show it
    refreshSelection();

    var actions = { a: "approve", s: "spam", r: "reject" };
    return function (key) {
      if (key === "j") { focusRow(current + 1, true); return true; }
      if (key === "k") { focusRow(current - 1, true); return true; }
      if (!rows.length) return false;
      var row = rows[current];
      if (key === "x") {
        var box = row.querySelector('input[type="checkbox"]');
        box.checked = !box.checked;
        refreshSelection();
        return true;
      }
      if (key === "Enter" || key === "o") { row.querySelector(".row-link").click(); return true; }
      if (actions[key]) {
        if (selectedBoxes().length && bulk) {
          var button = bulk.querySelector('button[value="' + actions[key] + '"]');
          if (button) { bulk.requestSubmit(button); return true; }
          return false;
        }
        return submitWith(row.querySelector("form.actions"), key);
      }
      return false;
    };
  }

  function setupComment() {
    var form = document.querySelector("form.decide");
    var back = document.getElementById("back-link");
    return function (key) {
      if (key === "a" || key === "s" || key === "r") return submitWith(form, key);
      if (key === "Escape" && back) { back.click(); return true; }
      return false;
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var handle = document.querySelector(".comment-row, #comments, .page-queue") ? setupList()
      : document.querySelector("form.decide") ? setupComment() : function () { return false; };
    document.querySelectorAll("[data-help]").forEach(function (b) {
      b.addEventListener("click", toggleHelp);
    });
    var help = document.getElementById("help");
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      var key = event.key;
      var done = false;
      if (help && help.open) {
        // The help is modal: nothing acts behind it. "?" closes it; Escape closes it natively.
        if (key === "?") { toggleHelp(); event.preventDefault(); }
        return;
      }
      if (typing(event.target) || activates(event.target, key)) return;
      if (key === "?") { toggleHelp(); done = true; }
      else if (key === "u") {
        var undo = document.getElementById("undo-form");
        if (undo) { undo.requestSubmit(); done = true; }
      } else {
        done = handle(key);
      }
      if (done) event.preventDefault();
    });
  });
})();
