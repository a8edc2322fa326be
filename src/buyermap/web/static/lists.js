// Lists: a saved-view select opens the view on change, and the history snapshot HTMX takes
// before a new URL keeps what was typed (the value attribute), so Back shows the search text.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.value) {
    el.form.requestSubmit();
  }
});
document.addEventListener("htmx:beforeHistorySave", () => {
  document.querySelectorAll("#search-form input").forEach((input) => {
    input.setAttribute("value", input.value);
  });
  document.querySelectorAll("#search-form select").forEach((select) => {
    select.querySelectorAll("option").forEach((option) => {
      option.toggleAttribute("selected", option.selected);
    });
  });
});
