"""One Vega-Lite chart spec per figure: rendered interactive in the web app and as SVG in reports."""
