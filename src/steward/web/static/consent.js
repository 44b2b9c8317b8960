// Consent coverage charts on /consent. The data comes from the page's
// <script type="application/json" id="consent-trend-data"> block (no inline script: CSP).
document.addEventListener("DOMContentLoaded", () => {
  const block = document.getElementById("consent-trend-data");
  if (!block || typeof Plotly === "undefined") return;
  const series = JSON.parse(block.textContent);
  document.querySelectorAll(".consent-chart").forEach((target) => {
    const byPlace = series[target.dataset.purpose] || {};
    const traces = Object.entries(byPlace).map(([place, line]) => ({
      x: line.month, y: line.coverage, name: place, mode: "lines+markers",
      customdata: line.people,
      hovertemplate: "%{x}: %{y:.0%} of %{customdata} people<extra>" + place + "</extra>",
    }));
    Plotly.newPlot(target, traces, {
      height: 260, margin: { l: 50, r: 20, t: 10, b: 40 },
      yaxis: { title: { text: "coverage" }, range: [0, 1], tickformat: ".0%" },
      legend: { orientation: "h" },
    }, { displayModeBar: false, responsive: true });
  });
});
