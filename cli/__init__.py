"""The ``jixiao`` command line: a thin click layer over jixiao.core."""
