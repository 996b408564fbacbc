"""The explorers, one module each, over a small shared base (:mod:`.base`).

Each module holds one explorer, top to bottom: its numbers (pure functions, computed with the
tested functions of :mod:`d2lhelpers.functional`, :mod:`d2lhelpers.losses`), its static view
(the config and the reference values the browser test checks), its kernel view (an
:class:`~.base.Explorer` subclass) and its public function. Its browser code is one file,
``d2lhelpers/static/explorer-<kind>.js``. The public functions are listed in
:mod:`d2lhelpers.widgets`; CONTRIBUTING.md ("Add an explorer") says how to add one.

This file imports nothing, so that the package adds no level to d2lhelpers' import chain.
"""
