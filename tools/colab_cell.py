"""Keep the first code cell of every chapter notebook in sync with _config.yml.

That cell makes ``d2lhelpers`` importable everywhere (tagged ``hide-cell``: collapsed on the site): on Colab it installs the package from
the book's repository (``repository.url`` in _config.yml, the one place that names it);
in a checkout without ``make setup`` it puts the repository on ``sys.path``; otherwise it
does nothing.

    python tools/colab_cell.py --write   # rewrite the cell in every notebook
    python tools/colab_cell.py           # check only; exit 1 if a notebook differs
"""
import json
import sys
from pathlib import Path

import yaml

BOOK = Path(__file__).resolve().parent.parent
MARKER = '# 环境准备'
TAG = 'hide-cell'   # collapsed on the site; runs as usual in Jupyter and Colab


def cell_source(repo_url: str) -> str:
    return f"""{MARKER}：在 Colab 上安装本书的 d2lhelpers；本地已安装时什么也不做。
import importlib.util, subprocess, sys
REPO = '{repo_url}'
if importlib.util.find_spec('d2lhelpers') is None:
    if 'google.colab' in sys.modules:  # install from the book's repository
        pip = subprocess.run([sys.executable, '-m', 'pip', 'install', '-q',
                              'git+' + REPO], capture_output=True, text=True)
        if pip.returncode != 0:
            raise SystemExit(f'无法从 {{REPO}} 安装 d2lhelpers。请检查网络；'
                             '若是 fork，请在 _config.yml 中改正 repository.url，'
                             '再运行 make colab-cell。')
    else:  # a plain checkout: d2lhelpers/ sits next to chapters/
        sys.path.insert(0, '..')"""


def expected_source() -> str:
    config = yaml.safe_load((BOOK / '_config.yml').read_text(encoding='utf-8'))
    return cell_source(config['repository']['url'])


def first_code_cell(nb: dict) -> dict:
    return next(c for c in nb['cells'] if c['cell_type'] == 'code')


def main(write: bool) -> int:
    source = expected_source()
    stale = []
    for path in sorted((BOOK / 'chapters').glob('*.ipynb')):
        nb = json.loads(path.read_text(encoding='utf-8'))
        cell = first_code_cell(nb)
        tags = cell.setdefault('metadata', {}).get('tags', [])
        if ''.join(cell['source']) == source and TAG in tags:
            continue
        stale.append(path.name)
        if write:
            if not ''.join(cell['source']).startswith(MARKER):
                raise SystemExit(f'{path}: its first code cell is not the set-up cell')
            cell['source'] = source.splitlines(keepends=True)
            cell['metadata']['tags'] = [TAG] + [t for t in tags if t != TAG]
            path.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + '\n',
                            encoding='utf-8')
    for name in stale:
        print(('updated ' if write else 'out of date: ') + name)
    return 0 if write or not stale else 1


if __name__ == '__main__':
    sys.exit(main('--write' in sys.argv[1:]))
