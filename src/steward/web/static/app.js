// Steward dashboard behaviour. No inline script anywhere: the CSP forbids it.
// htmx requests carry the session's CSRF token, read from the <body data-csrf> attribute.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.body.dataset.csrf;
  if (token) {
    event.detail.headers["X-CSRF-Token"] = token;
  }
});
