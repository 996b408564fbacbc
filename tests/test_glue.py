"""d2lhelpers.glue: stores values for the text when MyST-NB is present, refuses bad names."""
import builtins
import sys

import pytest

from d2lhelpers.glue import glue


def test_glue_publishes_a_hidden_value(monkeypatch):
    shown = []
    monkeypatch.setattr('IPython.display.display', lambda *a, **k: shown.append((a, k)))
    glue('test_acc', 0.824)
    assert shown, 'myst_nb.glue should have published the value'
    bundle = shown[0][0][0]
    assert bundle['application/papermill.record/text/plain'] == '0.824'


def test_glue_is_a_no_op_without_myst_nb(monkeypatch):
    real_import = builtins.__import__

    def no_myst(name, *args, **kwargs):
        if name.startswith('myst_nb'):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, 'myst_nb', raising=False)
    monkeypatch.setattr(builtins, '__import__', no_myst)
    assert glue('acc', 1.0) is None


@pytest.mark.parametrize('name', ['', 'test acc', '1acc', None, 3])
def test_glue_refuses_names_the_text_cannot_use(name):
    with pytest.raises(ValueError, match='glue name'):
        glue(name, 1.0)
