/* Search results: readable snippets (loaded on the search page only, by _ext/d2l_site.py).
 *
 * Sphinx makes a result's snippet from the text of the page's main block, furniture and all:
 * the print-only table of contents, toggle labels, copy buttons, equation numbers, and each
 * formula twice (KaTeX's drawing and its MathML, with the TeX source). Here the snippet is
 * the page's own text: formulas read as their MathML text (e.g. "softmax(o) − y"), page
 * furniture left out, white space collapsed.
 */
(function () {
  var FURNITURE = ['.headerlink', 'script', 'style', '#jb-print-docs-body', '.onlyprint',
    'nav', 'button', 'summary', '.copybtn', '.eqno', '.katex-html', 'annotation',
    '.prev-next-area', '.prev-next-footer', '.bd-footer-article', '.sd-summary-state-marker',
    '.d2l-x-controls', '.cell_output .output.stderr', 'svg', '.toctree-wrapper'];
  function readable(htmlString, anchor) {
    var doc = new DOMParser().parseFromString(htmlString, 'text/html');
    FURNITURE.forEach(function (q) {
      doc.querySelectorAll(q).forEach(function (el) { el.remove(); });
    });
    var main = doc.querySelector('[role="main"]');
    var block = (anchor && main && main.querySelector(anchor)) || main;
    return block ? block.textContent.replace(/\s+/g, ' ').trim() : '';
  }
  function install() {
    if (typeof Search !== 'undefined') Search.htmlToText = readable;
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', install);
  else install();
})();
