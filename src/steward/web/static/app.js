// Steward dashboard behaviour. No inline script anywhere: the CSP forbids it.
// htmx requests carry the session's CSRF token, read from the <body data-csrf> attribute.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.body.dataset.csrf;
  if (token) {
    event.detail.headers["X-CSRF-Token"] = token;
  }
});

// The risk questionnaire shows only the questions that apply: a question with data-depends-on
// (a list of {key, any_of}) is shown when any listed answer currently holds one of its values.
function currentValues(form, key) {
  const inputs = form.querySelectorAll(`[name="${CSS.escape(key)}"]`);
  const values = [];
  inputs.forEach((input) => {
    if (input.type === "checkbox") {
      if (input.checked) values.push(input.value === "true" ? true : input.value);
    } else if (input.value !== "") {
      values.push(input.value);
    }
  });
  if (values.length === 0 && inputs.length === 1 && inputs[0].type === "checkbox" && inputs[0].value === "true") {
    values.push(false);
  }
  return values;
}

function refreshQuestions(form) {
  form.querySelectorAll(".question[data-depends-on]").forEach((question) => {
    const conditions = JSON.parse(question.dataset.dependsOn);
    const shown = conditions.some((cond) =>
      currentValues(form, cond.key).some((v) => cond.any_of.includes(v)));
    question.hidden = !shown;
    question.querySelectorAll("input, select").forEach((input) => { input.disabled = !shown; });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form.questionnaire").forEach((form) => {
    refreshQuestions(form);
    form.addEventListener("change", () => refreshQuestions(form));
  });
});
