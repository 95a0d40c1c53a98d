"""The book's experiments, apart from the core.

* ``softmax_pg.experiments.bandit``: the gradient bandit on the 10-armed testbed
  (``testbed``, ``bandit_agent``);
* ``softmax_pg.experiments.corridor``: the short corridor's closed form and batched
  REINFORCE runs (needs gymnasium, through ``softmax_pg.envs``);
* ``softmax_pg.experiments.continuous``: a continuous bandit for the Gaussian policy;
* ``softmax_pg.experiments.timing``: a run's wall time and load average as the Recipes
  pages print them.

Import each from its module, e.g. ``from softmax_pg.experiments.bandit import run_gradient_bandit``.
"""
