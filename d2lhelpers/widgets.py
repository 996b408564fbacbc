"""The interactive explorers (Huber δ, softmax logits, outliers against a fit, the training lab):
their public names.

Each explorer is one module of :mod:`d2lhelpers.explorers` (its numbers, its static view, its
kernel view) over the shared :mod:`d2lhelpers.explorers.base`; this module lists them.

* In a kernel (Jupyter Lab / Notebook, VS Code, Colab with ipywidgets 7 or 8) an explorer is an
  ``ipywidgets.VBox``: live controls above an image of one matplotlib figure, redrawn on change.
* On the static HTML site there is no kernel: the same display bundle also carries a
  ``text/html`` part whose controls are computed and drawn by JavaScript in the browser.

In a chapter, make the explorer the last expression of a cell tagged ``nbval-ignore-output``
(model ids differ on every run) and check its numbers in a compared cell with
``explorer.state()``.
"""
from .explorers.huber import HuberExplorer, huber_explorer
from .explorers.outlier import OutlierExplorer, outlier_explorer
from .explorers.softmax import SoftmaxExplorer, softmax_explorer
from .explorers.training import TrainingExplorer, training_explorer

__all__ = ['huber_explorer', 'softmax_explorer', 'outlier_explorer', 'training_explorer',
           'HuberExplorer', 'SoftmaxExplorer', 'OutlierExplorer', 'TrainingExplorer']
