"""Helpers for the softmax regression lesson book (《动手学深度学习 v2》 chapter 3).

Each module holds one concept; the public API is re-exported here.
"""
from .data import (FashionMNISTError, TEXT_LABELS, TEXT_LABELS_ZH, default_root, fashion_mnist_dir,
                   get_fashion_mnist_labels, load_data_fashion_mnist,
                   load_fashion_mnist_tensors, to_float_images)
from .plot import plot_history, show_images, show_predictions
from .functional import log_softmax, logsumexp, one_hot, softmax
from .glue import glue
from .losses import (cross_entropy, huber_grad, huber_loss, l1_grad, l1_loss, l2_grad, l2_loss,
                     softmax_cross_entropy)
from .prediction import predict
from .training import (accuracy, evaluate_accuracy, predictions, sgd, train,
                       train_epoch, try_gpu)
from .fitting import fit_line, outlier_data, parameter_error
from .widgets import huber_explorer, outlier_explorer, softmax_explorer, training_explorer
from .selfcheck import self_check
