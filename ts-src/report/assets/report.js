/* global document, window, Chart */
// The run report's page script, inlined into index.html after Chart.js. It reads the chart configurations
// embedded as JSON (#report-data, built by ts-src/report/charts.ts), adds the number formatters, draws every
// chart, and wires the coverage chart's account selector. It fetches nothing.
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("report-data").textContent);
  const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
  const oneDecimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

  // Ratios are shown rounded down to 0.1% (a ratio just under 100% never reads as 100%).
  const percent = (value) => (Math.floor(value * 1000 + 1e-9) / 10).toFixed(1) + "%";
  const tickFormats = {
    percent: (value) => Math.round(value * 100) + "%",
    yen: (value) => "¥" + compact.format(value),
    count: (value) => whole.format(value),
    seconds: (value) => oneDecimal.format(value) + " s",
    minutes: (value) => oneDecimal.format(value) + " min",
    hours: (value) => oneDecimal.format(value) + " h",
  };
  const tooltipFormats = {
    percent: percent,
    yen: (value) => "¥" + whole.format(value),
    count: (value) => whole.format(value),
    seconds: (value) => oneDecimal.format(value) + " s",
    minutes: (value) => oneDecimal.format(value) + " min",
    hours: (value) => oneDecimal.format(value) + " h",
  };

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family =
    '-apple-system, "Segoe UI", "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif';
  Chart.defaults.color = "#37474f";

  /** Replaces the `format` keys of a configuration with Chart.js callbacks. */
  function hydrate(config) {
    const options = config.options || {};
    const valueAxis = options.indexAxis === "y" ? "x" : "y";
    for (const scale of Object.values(options.scales || {})) {
      if (scale.ticks && scale.ticks.format) {
        const format = tickFormats[scale.ticks.format];
        delete scale.ticks.format;
        scale.ticks.callback = (value) => format(value);
      }
    }
    const plugins = options.plugins || (options.plugins = {});
    const tooltip = plugins.tooltip || (plugins.tooltip = {});
    const tooltipFormat = tooltipFormats[tooltip.format];
    delete tooltip.format;
    tooltip.callbacks = {
      label: (context) => {
        const value = context.parsed[context.dataset.yAxisID === "y1" ? "y" : valueAxis];
        if (value === null || value === undefined) return context.dataset.label + ": none";
        // The time line on the right axis says its own unit (seconds, minutes or hours).
        const format =
          context.dataset.yAxisID === "y1" ? tooltipFormats[context.dataset.timeFormat] : tooltipFormat;
        return context.dataset.label + ": " + (format ? format(value) : whole.format(value));
      },
    };
    const legend = plugins.legend || (plugins.legend = {});
    legend.labels = Object.assign({}, legend.labels, {
      filter: (item, chartData) => !chartData.datasets[item.datasetIndex].hideInLegend,
    });
    return config;
  }

  const charts = {};
  for (const spec of data.charts) {
    const canvas = document.getElementById("chart-" + spec.id);
    canvas.parentElement.style.height = spec.heightPx + "px";
    charts[spec.id] = new Chart(canvas, hydrate(spec.config));
  }

  // The coverage chart's account selector (shown when there are more accounts than lines).
  const coverage = data.coverage;
  const form = document.getElementById("coverage-selector");
  if (form) {
    const chart = charts[coverage.chartId];
    const input = document.getElementById("coverage-account");
    const list = document.getElementById("coverage-accounts");
    const message = document.getElementById("coverage-message");
    const position = new Map(coverage.accounts.map((id, i) => [id, i]));
    for (const id of coverage.accounts) {
      const option = document.createElement("option");
      option.value = id;
      list.appendChild(option);
    }
    let next = coverage.shown.length;
    const accountLines = () => chart.data.datasets.filter((dataset) => dataset.account);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const id = input.value.trim();
      if (!position.has(id)) {
        message.textContent = id === "" ? "Type an account id." : "No account " + id + " in this run.";
        return;
      }
      if (accountLines().some((dataset) => dataset.label === id)) {
        message.textContent = id + " is already drawn.";
        return;
      }
      const colour = coverage.palette[next % coverage.palette.length];
      next += 1;
      // account lines go before the 100% line and the default markers
      const at = chart.data.datasets.findIndex((dataset) => dataset.reference);
      chart.data.datasets.splice(at < 0 ? chart.data.datasets.length : at, 0, {
        label: id,
        data: coverage.ratios[position.get(id)],
        borderColor: colour,
        backgroundColor: colour,
        borderWidth: 2,
        pointRadius: 2.5,
        tension: 0,
        fill: false,
        spanGaps: false,
        account: true,
      });
      chart.update();
      message.textContent = id + " added.";
      input.value = "";
    });
    document.getElementById("coverage-reset").addEventListener("click", () => {
      const shown = new Set(coverage.shown);
      chart.data.datasets = chart.data.datasets.filter(
        (dataset) => !dataset.account || shown.has(dataset.label),
      );
      next = coverage.shown.length;
      chart.update();
      message.textContent = "Back to the " + coverage.shown.length + " lowest accounts.";
    });
  }

  // Long tables: their first rows, and a button for the rest (without JavaScript every row shows).
  const folds = [];
  for (const table of document.querySelectorAll("table[data-fold]")) {
    const keep = Number(table.getAttribute("data-fold"));
    const rows = Array.from(table.tBodies[0].rows);
    if (!(keep > 0) || rows.length <= keep) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "unfold";
    const fold = (folded) => {
      rows.forEach((row, i) => {
        row.hidden = folded && i >= keep;
      });
      button.textContent = folded
        ? "Show all " + whole.format(rows.length) + " rows"
        : "Show the first " + keep + " rows only";
      fold.folded = folded;
    };
    button.addEventListener("click", () => fold(!fold.folded));
    table.parentElement.after(button);
    fold(true);
    folds.push(fold);
  }

  // Printing: every row on paper; fold the tables again afterwards.
  let unfolded = [];
  window.addEventListener("beforeprint", () => {
    unfolded = folds.filter((fold) => fold.folded);
    for (const fold of unfolded) fold(false);
  });
  window.addEventListener("afterprint", () => {
    for (const fold of unfolded) fold(true);
    unfolded = [];
  });

  document.documentElement.setAttribute("data-charts", String(Object.keys(charts).length));
})();
