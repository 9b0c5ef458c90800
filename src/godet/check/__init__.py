"""``godet check``: one-binary rules that flag reproducibility hazards against a policy.

:mod:`godet.check.rules` is the rule registry (codes, levels, detect functions),
:mod:`godet.check.policy` loads the policy (``--policy``, ``.godet.toml``, ``[tool.godet]``),
:mod:`godet.check.engine` walks the inputs and builds the :class:`~godet.check.engine.CheckReport`
that the renderers in :mod:`godet.present` print, and :mod:`godet.check.docs` writes docs/checks/.
"""
