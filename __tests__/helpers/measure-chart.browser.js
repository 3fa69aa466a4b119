// Runs in the page (headless Chromium), not in Node: renders Mermaid source and measures what was
// drawn, or measures the runs of a trainlint SVG chart. Loaded with page.addScriptTag.
/* eslint-disable */
(function () {
  function rgb(color) {
    var el = document.createElement('div');
    el.style.color = color;
    document.body.appendChild(el);
    var out = getComputedStyle(el).color;
    el.remove();
    return out;
  }
  // Mermaid: render into #host; reject on a parse error. Per line plot: stroke, bounding box, points.
  window.trainlintRenderMermaid = async function (code) {
    window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
    var result = await window.mermaid.render('lr', code);
    var host = document.getElementById('host');
    host.innerHTML = result.svg;
    var plot = host.querySelector('g.plot');
    var paths = Array.prototype.slice.call(host.querySelectorAll('g.plot path'));
    return {
      lines: paths.map(function (p) {
        var box = p.getBBox();
        var d = p.getAttribute('d') || '';
        return { stroke: rgb(getComputedStyle(p).stroke), width: box.width, height: box.height, commands: (d.match(/[ML]/g) || []).length };
      }),
      plotWidth: plot ? plot.getBBox().width : 0,
      texts: Array.prototype.slice.call(host.querySelectorAll('text')).map(function (t) { return t.textContent || ''; }),
    };
  };
  // A trainlint SVG chart in the document: its runs (path.run) with stroke and size.
  window.trainlintMeasureSvg = function () {
    return Array.prototype.slice.call(document.querySelectorAll('path.run')).map(function (p) {
      var b = p.getBBox();
      return { run: p.getAttribute('data-run'), stroke: getComputedStyle(p).stroke, width: b.width, height: b.height };
    });
  };
})();
