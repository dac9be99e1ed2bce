// One patient's charts, drawn from the page's `patient-chart-data` (json_script): nothing is computed here
// that the server did not decide (daily means, baseline, improvement line, weekly adherence).
(function () {
  "use strict";
  var source = document.getElementById("patient-chart-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var annotation = window["chartjs-plugin-annotation"];
  if (annotation) Chart.register(annotation);

  var PHASE_FILLS = ["rgba(31, 95, 191, 0.07)", "rgba(43, 138, 62, 0.08)", "rgba(217, 72, 15, 0.07)", "rgba(92, 111, 130, 0.09)"];
  var CONTEXT_COLOURS = ["#7b5ea7", "#2b8a3e", "#d9480f", "#1098ad", "#868e96", "#c2255c"];
  var dayAxis = {
    type: "time",
    time: { unit: "week", tooltipFormat: "yyyy-MM-dd", displayFormats: { week: "d MMM", day: "d MMM" } },
    min: data.range.start,
    max: data.range.end,
    title: { display: true, text: "Date (the patient's days)" }
  };

  function points(series, key) {
    return series.map(function (p) { return { x: p.date, y: p[key] }; });
  }

  // A baseline or improvement line, unlabelled on the plot: a label inside it would sit on the very points
  // that stay near the line (a patient not improving logs pain at the baseline to the end).
  function horizontal(value, colour, dashed) {
    return {
      type: "line", yMin: value, yMax: value, borderColor: colour, borderWidth: 2,
      borderDash: dashed ? [6, 4] : [], label: { display: false }
    };
  }

  // The lines' labels as ticks of an axis on the right, level with their line and outside the plotted area,
  // so they never cover data; Chart.js makes the room they need. `marks` is [{value, label, colour}].
  function lineLabels(marks, min, max) {
    return {
      type: "linear", position: "right", min: min, max: max, display: marks.length > 0,
      grid: { drawOnChartArea: false }, border: { display: false },
      afterBuildTicks: function (scale) { scale.ticks = marks.map(function (m) { return { value: m.value }; }); },
      ticks: {
        autoSkip: false, font: { size: 11, weight: "bold" },
        callback: function (value) {
          var mark = marks.find(function (m) { return m.value === value; });
          return mark ? mark.label : "";
        },
        color: function (context) {
          var mark = marks.find(function (m) { return m.value === context.tick.value; });
          return mark ? mark.colour : "#5b6472";
        }
      }
    };
  }

  var DAY = 86400000;
  var rangeDays = (Date.parse(data.range.end) - Date.parse(data.range.start)) / DAY + 1;

  function dayAfter(isoDate) {
    return new Date(Date.parse(isoDate) + DAY).toISOString().slice(0, 10);
  }

  // A band runs to the end of its last day; its phase's name is written in it only where it fits.
  function phaseBands(width) {
    var bands = {};
    data.phases.forEach(function (phase, i) {
      var end = phase.end && phase.end < data.range.end ? phase.end : data.range.end;
      var pixels = ((Date.parse(end) - Date.parse(phase.start)) / DAY + 1) / rangeDays * width;
      bands["phase-" + phase.code] = {
        type: "box", xMin: phase.start, xMax: dayAfter(end), drawTime: "beforeDatasetsDraw",
        backgroundColor: PHASE_FILLS[i % PHASE_FILLS.length], borderWidth: 0,
        label: { display: pixels > phase.name.length * 6.5 + 16, content: phase.name, position: { x: "start", y: "end" }, color: "#5b6472", font: { size: 11 } }
      };
    });
    return bands;
  }

  function milestoneMarkers(yMax) {
    var markers = {};
    data.milestones.forEach(function (m) {
      markers["milestone-" + m.code] = {
        type: "box", xMin: m.window_start, xMax: dayAfter(m.window_end), yMin: yMax * 0.94, yMax: yMax,
        backgroundColor: m.kind === "review" ? "rgba(217, 72, 15, 0.55)" : "rgba(29, 36, 48, 0.4)", borderWidth: 0,
        label: { display: false, content: m.name }
      };
    });
    return markers;
  }

  function painChart() {
    var datasets = [{
      label: "Daily mean (all contexts)", data: points(data.pain.daily_mean, "mean"),
      borderColor: "#1d2430", backgroundColor: "#1d2430", borderWidth: 2.5, pointRadius: 2, tension: 0.2
    }];
    Object.keys(data.pain.by_context).forEach(function (context, i) {
      datasets.push({
        label: context.replace(/_/g, " "), data: points(data.pain.by_context[context], "mean"),
        borderColor: CONTEXT_COLOURS[i % CONTEXT_COLOURS.length], backgroundColor: CONTEXT_COLOURS[i % CONTEXT_COLOURS.length],
        borderWidth: 1, borderDash: [3, 3], pointRadius: 0, tension: 0.2, hidden: false
      });
    });
    var canvas = document.getElementById("pain-chart");
    var annotations = Object.assign(phaseBands(canvas.parentNode.clientWidth - 60), milestoneMarkers(10));
    var marks = [];
    if (data.pain.baseline !== null) {
      annotations.baseline = horizontal(data.pain.baseline, "#5c6f82", false);
      marks.push({ value: data.pain.baseline, label: "Baseline " + data.pain.baseline.toFixed(1), colour: "#5c6f82" });
    }
    if (data.pain.improvement_threshold !== null) {
      annotations.threshold = horizontal(data.pain.improvement_threshold, "#2b8a3e", true);
      marks.push({ value: data.pain.improvement_threshold, label: "Improved \u2264 " + data.pain.improvement_threshold.toFixed(1), colour: "#2b8a3e" });
    }
    return new Chart(canvas, {
      type: "line", data: { datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, parsing: true,
        scales: { x: dayAxis, y: { min: 0, max: 10, title: { display: true, text: "Pain (0-10)" } }, lines: lineLabels(marks, 0, 10) },
        plugins: { annotation: { annotations: annotations }, legend: { position: "bottom" } }
      }
    });
  }

  function visaChart() {
    var annotations = milestoneMarkers(100);
    var marks = [];
    if (data.visa_a.baseline !== null) {
      annotations.baseline = horizontal(data.visa_a.baseline, "#5c6f82", false);
      annotations.target = horizontal(data.visa_a.improvement_target, "#2b8a3e", true);
      marks.push({ value: data.visa_a.baseline, label: "Baseline " + data.visa_a.baseline, colour: "#5c6f82" });
      marks.push({ value: data.visa_a.improvement_target, label: "Improved \u2265 " + data.visa_a.improvement_target, colour: "#2b8a3e" });
    }
    return new Chart(document.getElementById("visa-a-chart"), {
      type: "line",
      data: { datasets: [{ label: "VISA-A", data: data.visa_a.scores.map(function (s) { return { x: s.date, y: s.score }; }),
        borderColor: "#1f5fbf", backgroundColor: "#1f5fbf", pointRadius: 4 }] },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: dayAxis, y: { min: 0, max: 100, title: { display: true, text: "VISA-A (0-100)" } }, lines: lineLabels(marks, 0, 100) },
        plugins: { annotation: { annotations: annotations }, legend: { display: false } }
      }
    });
  }

  function adherenceChart() {
    return new Chart(document.getElementById("adherence-chart"), {
      type: "bar",
      data: {
        labels: data.adherence_weekly.map(function (w) { return "Week " + w.week; }),
        datasets: [{ label: "Adherence", backgroundColor: "#2b8a3e",
          data: data.adherence_weekly.map(function (w) { return w.adherence === null ? null : Math.round(w.adherence * 100); }) }]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { y: { min: 0, max: 100, title: { display: true, text: "Sessions done (%)" } } },
        plugins: { legend: { display: false } }
      }
    });
  }

  window.patientCharts = { pain: painChart(), visaA: visaChart(), adherence: adherenceChart() };
})();
