// Draws every chart of the page from the Vega-Lite spec embedded next to it as JSON.
// ast: true makes Vega interpret expressions instead of compiling them with Function(), so the
// Content-Security-Policy needs no 'unsafe-eval'. Default styles are off because they would be
// injected as inline <style> elements, which the policy forbids; style.css styles the tooltip instead.
const options = {
  renderer: "svg",
  actions: false,
  ast: true,
  defaultStyle: false,
  tooltip: { disableDefaultStyle: true, theme: "custom" },
};

for (const element of document.querySelectorAll(".vega-chart[data-spec]")) {
  const spec = JSON.parse(document.getElementById(element.dataset.spec).textContent);
  window.vegaEmbed(element, spec, options)
    .then(() => element.classList.add("vega-ready"))
    .catch((error) => {
      element.classList.add("vega-failed");
      element.textContent = element.dataset.error || "The chart could not be drawn; its data is in the table below.";
      console.error(error);
    });
}
