"""The repository as others reuse it: licences, citation, one dependency source, the package.

- every third-party module ``d2lhelpers`` imports is declared in ``pyproject.toml`` (runtime
  dependencies; an import guarded by ``except ImportError`` in an extra);
- ``requirements.txt`` only points at ``pyproject.toml``;
- the licences are in the repository, the package metadata and the site's footer;
- ``CITATION.cff`` is CFF 1.2.0 and agrees with ``pyproject.toml`` and ``_config.yml``;
- the wheel (what Colab's ``pip install git+...`` builds) holds every subpackage and the
  explorers' static files.
"""
from __future__ import annotations

import ast
import datetime as dt
import importlib.metadata
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

try:
    import tomllib
except ImportError:          # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / 'd2lhelpers'
PYPROJECT = tomllib.loads((ROOT / 'pyproject.toml').read_text(encoding='utf-8'))
CONFIG = yaml.safe_load((ROOT / '_config.yml').read_text(encoding='utf-8'))


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string ('Pillow>=9.3' -> 'pillow')."""
    name = re.match(r'\s*([A-Za-z0-9][A-Za-z0-9._-]*)', requirement).group(1)
    return re.sub(r'[-_.]+', '-', name).lower()


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """Top-level modules a file imports: (always, only inside ``try: ... except ImportError``)."""
    tree = ast.parse(path.read_text(encoding='utf-8'))
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
                isinstance(h.type, ast.Name) and h.type.id in ('ImportError',
                                                               'ModuleNotFoundError')
                for h in node.handlers):
            for inner in node.body:
                guarded.update(id(n) for n in ast.walk(inner))
    always, optional = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            (optional if id(node) in guarded else always).add(name.split('.')[0])
    return always, optional


def _third_party(modules: set[str]) -> dict[str, set[str]]:
    """Map each non-stdlib module to the distributions that provide it."""
    providers = importlib.metadata.packages_distributions()
    found = {}
    for module in modules - set(sys.stdlib_module_names) - {'d2lhelpers', '__future__'}:
        assert module in providers, f'd2lhelpers imports {module!r}, which no installed ' \
                                    f'distribution provides'
        found[module] = {_name(d) for d in providers[module]}
    return found


def test_every_import_of_d2lhelpers_is_declared():
    always, optional = set(), set()
    for path in sorted(PACKAGE.rglob('*.py')):
        a, o = _imports(path)
        always |= a
        optional |= o
    runtime = {_name(r) for r in PYPROJECT['project']['dependencies']}
    extras = {_name(r) for reqs in PYPROJECT['project']['optional-dependencies'].values()
              for r in reqs}
    for module, dists in _third_party(always).items():
        assert dists & runtime, f'd2lhelpers imports {module} ({", ".join(sorted(dists))}): ' \
                                f'declare it in [project] dependencies of pyproject.toml'
    for module, dists in _third_party(optional - always).items():
        assert dists & (runtime | extras), f'd2lhelpers may import {module}: declare ' \
                                           f'{", ".join(sorted(dists))} in an extra'
    # the check sees the imports it must see
    assert {'torch', 'torchvision', 'numpy', 'matplotlib', 'ipywidgets', 'PIL'} <= always
    assert 'myst_nb' in optional


def test_requirements_file_only_points_at_pyproject():
    lines = [line.strip() for line in (ROOT / 'requirements.txt').read_text().splitlines()
             if line.strip() and not line.lstrip().startswith('#')]
    assert lines, 'requirements.txt is empty'
    for line in lines:
        assert line.startswith(('-e .', '-c constraints/')), (
            f'requirements.txt names a package ({line}): declare it in pyproject.toml')
    assert not (ROOT / 'requirements-dev.txt').exists()


def test_constraints_pin_the_documentation_toolchain():
    pins = {}
    for line in (ROOT / 'constraints' / 'docs.txt').read_text().splitlines():
        if line.strip() and not line.startswith('#'):
            name, _, version = line.partition('==')
            assert version, f'constraints/docs.txt: {line!r} is not an exact pin'
            pins[_name(name)] = version.strip()
    assert pins['jupyter-book'] == '1.0.4.post1'
    assert pins['sphinx'].startswith('7.4.')
    for name in ('myst-nb', 'myst-parser', 'sphinx-book-theme', 'pydata-sphinx-theme',
                 'sphinx-external-toc', 'jupyter-cache', 'jieba', 'autocorrect-py'):
        assert name in pins, f'constraints/docs.txt does not pin {name}'
    for name in ('torch', 'torchvision'):
        assert name not in pins, f'{name} is the reader\'s runtime: do not pin it here'


def test_licences_in_repository_metadata_and_site():
    mit = (ROOT / 'LICENSE').read_text(encoding='utf-8')
    assert mit.startswith('MIT License') and 'Permission is hereby granted' in mit
    content = (ROOT / 'LICENSE-CONTENT').read_text(encoding='utf-8')
    assert 'Attribution-NonCommercial-ShareAlike 4.0 International' in content
    assert 'Section 8 -- Interpretation.' in content            # the full legal code
    assert PYPROJECT['project']['license'] == 'MIT'
    assert PYPROJECT['project']['license-files'] == ['LICENSE']
    footer = CONFIG['html']['extra_footer']
    assert 'CC BY-NC-SA 4.0' in footer and 'MIT' in footer
    readme = (ROOT / 'README.md').read_text(encoding='utf-8')
    assert 'LICENSE-CONTENT' in readme and 'CC BY-NC-SA 4.0' in readme


def test_citation_cff():
    cff = yaml.safe_load((ROOT / 'CITATION.cff').read_text(encoding='utf-8'))
    assert cff['cff-version'] == '1.2.0'
    for key in ('message', 'title', 'authors', 'version', 'date-released', 'license',
                'repository-code', 'type'):
        assert key in cff, f'CITATION.cff has no {key!r}'
    assert isinstance(cff['authors'], list) and cff['authors']
    assert all(isinstance(a, dict) and ('name' in a or 'family-names' in a)
               for a in cff['authors'])
    assert cff['type'] in ('software', 'dataset')
    assert str(cff['version']) == PYPROJECT['project']['version']
    assert isinstance(cff['date-released'], dt.date)            # YYYY-MM-DD, unquoted
    assert cff['repository-code'] == CONFIG['repository']['url']
    assert cff['license'] == 'CC-BY-NC-SA-4.0'      # the book; a CFF list would mean "or"


def test_wheel_holds_subpackages_and_static_files(tmp_path):
    """Build the wheel Colab builds (from the committed layout) and look inside."""
    src = tmp_path / 'src'
    src.mkdir()
    for name in ('pyproject.toml', 'README.md', 'LICENSE'):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(PACKAGE, src / 'd2lhelpers',
                    ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--quiet', '--no-deps',
                    '--no-build-isolation', '--wheel-dir', str(tmp_path / 'dist'), str(src)],
                   check=True, capture_output=True, text=True)
    (wheel,) = (tmp_path / 'dist').glob('d2lhelpers-*.whl')
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = zf.read(next(n for n in names if n.endswith('.dist-info/METADATA')))
    expected = {p.relative_to(src).as_posix() for p in (src / 'd2lhelpers').rglob('*')
                if p.is_file()}
    assert any(n.startswith('d2lhelpers/static/') for n in expected)
    assert expected <= names, f'missing from the wheel: {sorted(expected - names)}'
    text = metadata.decode()
    assert 'License-Expression: MIT' in text
    for requirement in PYPROJECT['project']['dependencies']:
        assert f'requires-dist: {_name(requirement)}' in text.lower().replace('_', '-')
