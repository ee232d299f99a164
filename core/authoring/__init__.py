"""Tools for the people who write packs and plugins: ``scaffold`` (``jixiao new pack`` and
``jixiao new plugin``, the plugin's files being the real templates under ``templates/`` that
``plugin_template`` reads with ``importlib.resources``), ``cases`` (a pack's case files: a small
portfolio and what each rule must decide for it) and ``lint`` (a pack checked against its sources,
its cases and the registry's rules).

Nothing in the kernel, loading or outputs imports these."""
