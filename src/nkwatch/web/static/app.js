// nkwatch: the little the pages need from JavaScript. Everything works without it.
document.addEventListener("DOMContentLoaded", () => {
  // A filter's select applies at once.
  for (const select of document.querySelectorAll("form.filters select")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
});
