// Draws every chart of the page from the Vega-Lite spec embedded next to it as JSON.
// ast: true makes Vega interpret expressions instead of compiling them with Function(), so the
// Content-Security-Policy needs no 'unsafe-eval'. Default styles are off because they would be
// injected as inline <style> elements, which the policy forbids; style.css styles the tooltip instead.
// Numbers on axes and legends are written as the page's language writes them: each spec carries its
// number locale (config.locale, from the CLDR symbols the tables use: presentation/numbers.py), so the
// page, the report's SVG and the table under a chart agree; nothing here picks one by the page's language.
const options = {
  renderer: "svg",
  actions: false,
  ast: true,
  defaultStyle: false,
  tooltip: { disableDefaultStyle: true, theme: "custom" },
};

// Below this box width a chart is laid out for a phone: one panel per row, legend above the plot.
const NARROW = 560;
const PANEL_MIN = 220; // narrowest panel of a faceted chart, in px, before panels go one per row
const AXIS_ROOM = 70; // a panel's y axis, its title and the gap between panels
const LEGEND_ROOM = 130; // a legend on the right of the panels

// Lines of at most `limit` characters, broken between words (Vega draws an array as several lines).
function wrap(text, limit) {
  if (typeof text !== "string" || text.length <= limit) return text;
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > limit) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

// The spec fitted to its box: single views already take the box's width ("width": "container");
// Vega-Lite has no container width for a faceted chart, so its panels are sized here.
function fitToBox(spec, width) {
  const narrow = width < NARROW;
  if (spec.facet && spec.spec) {
    // A legend on the right (Vega's default) takes room from the panels; one under them does not.
    const legend = (spec.config && spec.config.legend) || {};
    const room = narrow || (legend.orient && legend.orient !== "right") ? width : width - LEGEND_ROOM;
    const columns = narrow ? 1 : Math.max(1, Math.min(spec.columns || 2, Math.floor(room / (PANEL_MIN + AXIS_ROOM))));
    spec.columns = columns;
    spec.spec.width = Math.max(120, Math.floor(room / columns) - AXIS_ROOM);
  }
  if (narrow) {
    // Legend entries one under another above the plot: side by side they would run past the box.
    spec.config = { ...spec.config, legend: { ...(spec.config || {}).legend, orient: "top", columns: 1 } };
    // Long category labels (survey statements) give way to the plot; the tooltip and the table hold them whole.
    const encoding = spec.encoding || (spec.spec && spec.spec.encoding) || {};
    const yAxis = encoding.y && encoding.y.axis;
    if (yAxis && yAxis.labelLimit > width * 0.4) yAxis.labelLimit = Math.floor(width * 0.4);
    // An axis title longer than the plot is broken into lines (it is centred on the plot, not fitted).
    if (encoding.x && typeof encoding.x.title === "string") encoding.x.title = wrap(encoding.x.title, Math.floor(width / 11));
    // A map keeps its proportions instead of a fixed height around a narrow drawing.
    if (spec.projection && typeof spec.height === "number") spec.height = Math.min(spec.height, Math.round(width * 0.75));
  }
  // Titles are not part of Vega's fitting, so long ones are broken into lines that fit the box.
  if (spec.title) {
    spec.title = { ...spec.title, text: wrap(spec.title.text, Math.floor(width / 8)),
      subtitle: wrap(spec.title.subtitle, Math.floor(width / 6)) };
  }
  return spec;
}

// Vega writes ARIA attributes of its own, in English whatever the page's language ("visualization",
// "group mark container", "X-axis titled …"), and the specs turn off only what Vega-Lite lets them
// (config.aria). As the report's SVGs (charts/aria.py), the chart is one image named by its description,
// the chart's title in the page's language; the table under it holds the values.
function accessible(element, spec) {
  for (const node of element.querySelectorAll("[role], [aria-roledescription], [aria-label]")) {
    node.removeAttribute("role");
    node.removeAttribute("aria-roledescription");
    node.removeAttribute("aria-label");
  }
  element.removeAttribute("aria-roledescription");
  element.setAttribute("role", "img");
  const title = spec.title && (Array.isArray(spec.title.text) ? spec.title.text.join(" ") : spec.title.text);
  const name = spec.description || title;
  if (name) element.setAttribute("aria-label", name);
}

const drawn = new Map();

function draw(element) {
  const width = element.clientWidth;
  const spec = fitToBox(JSON.parse(document.getElementById(element.dataset.spec).textContent), width);
  const previous = drawn.get(element);
  if (previous && previous.view) previous.view.finalize();
  drawn.set(element, { width });
  window.vegaEmbed(element, spec, options)
    .then((result) => {
      drawn.set(element, { width, view: result });
      accessible(element, spec);
      element.classList.add("vega-ready");
    })
    .catch((error) => {
      element.classList.add("vega-failed");
      element.textContent = element.dataset.error || "The chart could not be drawn; its data is in the table below.";
      console.error(error);
    });
}

const charts = document.querySelectorAll(".vega-chart[data-spec]");
charts.forEach(draw);

// A turned phone or a resized window: draw again the charts whose box changed noticeably.
let pending = null;
window.addEventListener("resize", () => {
  clearTimeout(pending);
  pending = setTimeout(() => {
    for (const element of charts) {
      const state = drawn.get(element);
      if (state && state.view && Math.abs(element.clientWidth - state.width) > 40) draw(element);
    }
  }, 250);
});
