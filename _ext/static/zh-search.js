/* Chinese search queries: split a run of Chinese characters into the words of the index.
 *
 * Sphinx segments the pages with jieba when it builds the search index, but in the browser it
 * splits a query only at spaces and punctuation, so "交叉熵损失" or "最大似然估计" would be
 * looked up as one word and find nothing. Defining splitQuery before searchtools.js loads
 * replaces Sphinx's default: a Chinese run that is not itself an indexed word is cut into the
 * longest indexed words, left to right.
 */
var splitQuery = function (query) {
  var terms = query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu).filter(Boolean);
  var index = (typeof Search !== 'undefined' && Search._index) || {};
  var known = function (w) {
    return (index.terms && w in index.terms) || (index.titleterms && w in index.titleterms);
  };
  var out = [];
  terms.forEach(function (term) {
    if (!/\p{Script=Han}/u.test(term) || known(term)) { out.push(term); return; }
    term.match(/\p{Script=Han}+|[^\p{Script=Han}]+/gu).forEach(function (run) {
      if (!/\p{Script=Han}/u.test(run) || known(run)) { out.push(run); return; }
      var i = 0;
      while (i < run.length) {
        var found = 0;
        for (var len = Math.min(8, run.length - i); len >= 2; len--) {
          if (known(run.substr(i, len))) { found = len; break; }
        }
        if (found) { out.push(run.substr(i, found)); i += found; } else { i += 1; }
      }
    });
  });
  return out.length ? out : terms;
};
