// Drift, fairness and KPI trend charts on /monitor. The data comes from the page's
// <script type="application/json" id="drift-trend-data"> and "check-trend-data" blocks
// (no inline script: CSP).
document.addEventListener("DOMContentLoaded", () => {
  const block = document.getElementById("drift-trend-data");
  if (!block || typeof Plotly === "undefined") return;
  const series = JSON.parse(block.textContent);
  series.forEach((s) => {
    const target = document.getElementById(`drift-chart-${s.system_id}`);
    if (!target) return;
    const traces = [{
      x: s.at, y: s.drift_share, name: "drift share", mode: "lines+markers",
      line: { width: 3 }, yaxis: "y",
    }];
    Object.entries(s.psi).forEach(([column, values]) => {
      traces.push({ x: s.at, y: values, name: `PSI ${column}`, mode: "lines",
                    line: { width: 1 }, yaxis: "y2", visible: "legendonly" });
    });
    Plotly.newPlot(target, traces, {
      height: 280, margin: { l: 50, r: 50, t: 10, b: 40 },
      yaxis: { title: { text: "share of columns drifted" }, range: [0, 1] },
      yaxis2: { title: { text: "PSI" }, overlaying: "y", side: "right" },
      legend: { orientation: "h" },
      shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: 0.5, y1: 0.5,
                 line: { dash: "dot", width: 1 } }],
    }, { displayModeBar: false, responsive: true });
  });
});

const LAYOUT = { height: 240, margin: { l: 50, r: 20, t: 10, b: 40 }, legend: { orientation: "h" } };
const CONFIG = { displayModeBar: false, responsive: true };

function limitLine(value) {
  return { type: "line", xref: "paper", x0: 0, x1: 1, y0: value, y1: value,
           line: { dash: "dot", width: 1, color: "#b00020" } };
}

document.addEventListener("DOMContentLoaded", () => {
  const block = document.getElementById("check-trend-data");
  if (!block || typeof Plotly === "undefined") return;
  JSON.parse(block.textContent).forEach((s) => {
    const fairness = document.getElementById(`fairness-chart-${s.system_id}`);
    if (fairness) {
      const traces = Object.entries(s.fairness.worst).map(([column, values]) => ({
        x: s.fairness.at, y: values, name: `lowest ratio: ${column}`, mode: "lines+markers" }));
      Plotly.newPlot(fairness, traces, { ...LAYOUT, shapes: [limitLine(0.8)],
        yaxis: { title: { text: "selection-rate ratio" }, range: [0, 1.05] } }, CONFIG);
    }
    Object.entries(s.kpis).forEach(([metric, series]) => {
      const target = document.getElementById(`kpi-chart-${s.system_id}-${metric}`);
      if (!target) return;
      const shapes = [series.minimum, series.maximum].filter((v) => v !== null).map(limitLine);
      Plotly.newPlot(target, [{ x: series.at, y: series.value, name: metric,
                                mode: "lines+markers" }],
                     { ...LAYOUT, shapes, yaxis: { title: { text: metric } } }, CONFIG);
    });
  });
});
