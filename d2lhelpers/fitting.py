"""Chapter 03's outlier experiment: a line's data with outliers, fitted under L2, L1 or Huber.

Taught in chapter 03 (损失函数). These are the outlier explorer's numbers, which live at the top
of :mod:`d2lhelpers.explorers.outlier` (one explorer, one module); this module gives them their
public name. The data lie on ``y = 2x + 1`` (``TRUE_PARAMS``) with a little noise; four of the
40 points (``OUTLIER_INDICES``) are pulled down by ``OUTLIER_PULLS`` times ``shift``.
:func:`fit_line` fits ``y_hat = w x + b`` by full-batch gradient descent on the mean loss, with
the gradients ``dl/dy_hat`` of :mod:`d2lhelpers.losses`, in float64.
"""
from .explorers.outlier import (LOSSES, LR, NOISE, NUM_POINTS, OUTLIER_INDICES, OUTLIER_PULLS,
                                STEPS, TRUE_PARAMS, fit_line, outlier_data, parameter_error,
                                true_line)

__all__ = ['TRUE_PARAMS', 'NUM_POINTS', 'NOISE', 'OUTLIER_INDICES', 'OUTLIER_PULLS', 'LOSSES',
           'STEPS', 'LR', 'true_line', 'outlier_data', 'fit_line', 'parameter_error']
