// Typeset TeX with KaTeX at build time, for _ext/d2l_math.py (the book's Sphinx math renderer).
// Reads one JSON request per line on stdin: {"tex": "...", "display": true|false}; writes one
// JSON answer per line on stdout: {"html": "..."} or {"error": "..."}. KaTeX's output is HTML
// (drawn, aria-hidden) plus MathML (what assistive technology reads); no script runs in the page.
'use strict';
const katex = require('katex');
const readline = require('readline');

const rl = readline.createInterface({input: process.stdin, terminal: false});
rl.on('line', (line) => {
  let answer;
  try {
    const req = JSON.parse(line);
    answer = {html: katex.renderToString(req.tex, {
      displayMode: !!req.display,
      output: 'htmlAndMathml',
      throwOnError: true,
      strict: (code) => (code === 'unicodeTextInMathMode' ? 'ignore' : 'error'),
      trust: false,
    })};
  } catch (err) {
    answer = {error: String(err && err.message || err)};
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
});
