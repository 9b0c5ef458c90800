"""``godet rebuild``: build one Go package several times under controlled variations and explain
which variation of the build environment changes the output (with godet's own diff).

``variations.py`` declares the variations as data, ``remedies.py`` maps root causes to the flags
that remove them, ``workspace.py`` makes the private copies and environments, ``runner.py`` runs
the builds, ``engine.py`` puts it together into a ``RebuildReport`` (``report.py``).
"""
