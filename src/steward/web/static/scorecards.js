// Scorecard and portfolio charts. The data comes from the page's
// <script type="application/json" id="scorecard-charts"> block (no inline script: CSP).
// Each chart: {id, kind: "line"|"bar", title, x, y, green, red, status}.
document.addEventListener("DOMContentLoaded", () => {
  const block = document.getElementById("scorecard-charts");
  if (!block || typeof Plotly === "undefined") return;
  const colours = { green: "#12b76a", amber: "#f79009", red: "#d92d20" };
  JSON.parse(block.textContent).forEach((c) => {
    const target = document.getElementById(c.id);
    if (!target) return;
    const shapes = [];
    [[c.green, "dash"], [c.red, "dot"]].forEach(([level, dash]) => {
      if (level === null || level === undefined || (dash === "dot" && level === c.green)) return;
      shapes.push({ type: "line", xref: "paper", x0: 0, x1: 1, y0: level, y1: level,
                    line: { dash, width: 1, color: "#b42318" } });
    });
    const trace = c.kind === "bar"
      ? { type: "bar", x: c.y, y: c.x, orientation: "h", marker: { color: "#3b6fb6" } }
      : { type: "scatter", mode: "lines+markers", x: c.x, y: c.y, line: { width: 2 },
          marker: { size: c.x.map((_, i) => (i === c.x.length - 1 ? 10 : 6)),
                    color: c.x.map((_, i) => (i === c.x.length - 1
                      ? (colours[c.status] || "#3b6fb6") : "#3b6fb6")) } };
    Plotly.newPlot(target, [trace], {
      title: { text: c.title, font: { size: 13 } }, height: c.kind === "bar" ? 220 : 240,
      margin: { l: c.kind === "bar" ? 90 : 50, r: 15, t: 35, b: 35 }, shapes, showlegend: false,
    }, { displayModeBar: false, responsive: true });
  });
});
