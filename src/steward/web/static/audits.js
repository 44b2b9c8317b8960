// Fairness audit charts on /audits/{id}. The data comes from the page's
// <script type="application/json" id="audit-chart-data"> block (no inline script: CSP).
document.addEventListener("DOMContentLoaded", () => {
  const block = document.getElementById("audit-chart-data");
  if (!block || typeof Plotly === "undefined") return;
  const data = JSON.parse(block.textContent);
  const config = { displayModeBar: false, responsive: true };
  const labels = data.groups.map((g) => g.label);
  const colours = data.groups.map((g) => (g.judged ? "#3b6fb6" : "#98a2b3"));
  const height = Math.max(240, 60 + 28 * labels.length);
  const margin = { l: 190, r: 20, t: 10, b: 40 };

  const selection = document.getElementById("chart-selection");
  if (selection) {
    Plotly.newPlot(selection, [{
      type: "bar", orientation: "h", y: labels, x: data.groups.map((g) => g.rate),
      marker: { color: colours },
      error_x: {
        type: "data", symmetric: false,
        array: data.groups.map((g) => (g.high === null ? 0 : g.high - g.rate)),
        arrayminus: data.groups.map((g) => (g.low === null ? 0 : g.rate - g.low)),
      },
      hovertemplate: "%{y}: %{x:.3f}<extra></extra>",
    }], {
      height, margin, xaxis: { title: { text: "selection rate" }, rangemode: "tozero" },
      yaxis: { autorange: "reversed", automargin: true },
    }, config);
  }

  const ratio = document.getElementById("chart-ratio");
  if (ratio) {
    const ratios = data.groups.map((g) => g.ratio);
    Plotly.newPlot(ratio, [{
      type: "bar", orientation: "h", y: labels, x: ratios,
      marker: { color: data.groups.map((g) => (!g.judged ? "#98a2b3"
        : g.ratio !== null && g.ratio < data.line ? "#b42318" : "#3b6fb6")) },
      hovertemplate: "%{y}: %{x:.3f}<extra></extra>",
    }], {
      height, margin: { ...margin, t: 28 },
      xaxis: { title: { text: "ratio to the most-favoured group" },
               range: [0, Math.max(1.2, ...ratios.filter((r) => r !== null))] },
      yaxis: { autorange: "reversed", automargin: true },
      shapes: [{ type: "line", xref: "x", yref: "paper", x0: data.line, x1: data.line, y0: 0, y1: 1,
                 line: { color: "#b42318", dash: "dash", width: 2 } }],
      annotations: [{ x: data.line, y: 1, xref: "x", yref: "paper", text: `${data.line}`,
                      showarrow: false, yanchor: "bottom", font: { color: "#b42318" } }],
    }, config);
  }

  const calibration = document.getElementById("chart-calibration");
  if (calibration && data.calibration.length) {
    const traces = data.calibration.map((c) => ({
      x: c.x, y: c.y, name: c.label, mode: "lines+markers", text: c.n.map((n) => `n=${n}`),
      hovertemplate: "%{fullData.name}: score %{x:.2f}, observed %{y:.2f} (%{text})<extra></extra>",
    }));
    traces.push({ x: [0, 1], y: [0, 1], name: "perfect calibration", mode: "lines",
                  line: { dash: "dot", color: "#667085" }, hoverinfo: "skip" });
    Plotly.newPlot(calibration, traces, {
      height: 400, margin: { l: 60, r: 20, t: 10, b: 100 },
      xaxis: { title: { text: "mean score" }, range: [0, 1] },
      yaxis: { title: { text: "observed outcome rate" }, range: [0, 1] },
      legend: { orientation: "h", y: -0.3 },
    }, config);
  }
});
