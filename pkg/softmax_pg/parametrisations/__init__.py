r"""Parametrisations of the preferences :math:`h_\theta(s)`, and their checks.

=================================  ==============================  ==============================
parametrisation                    preferences :math:`h`           :math:`\mathrm{D}h^\top g`
=================================  ==============================  ==============================
:class:`TabularPreferences`        :math:`\theta[s, :]`            ``g`` placed in row ``s``
:class:`LinearPreferences`         :math:`\Phi(s)\theta`           :math:`\Phi(s)^\top g`
:class:`MatrixPreferences`         :math:`W^\top[x(s);1]`          :math:`[x(s);1]\,g^\top`
:class:`MLPPreferences`            a tanh network                  backpropagation of ``g``
``Standardized``                   another's on :math:`(x-\mu)/s`  the other's vjp
a reader's own                     anything differentiable         their vjp
=================================  ==============================  ==============================

Every one is a :class:`Parametrisation`; :func:`~softmax_pg.check_preferences` checks a new one, and
``softmax_pg.parametrisations.outputs`` checks what a parametrisation returns once per public call.
"""

from .base import Parametrisation
from .check import check_preferences
from .linear import LinearPreferences
from .matrix import MatrixPreferences
from .mlp import MLPPreferences
from .standardized import Standardized
from .tabular import TabularPreferences

__all__ = [
    "LinearPreferences",
    "MLPPreferences",
    "MatrixPreferences",
    "Parametrisation",
    "Standardized",
    "TabularPreferences",
    "check_preferences",
]
