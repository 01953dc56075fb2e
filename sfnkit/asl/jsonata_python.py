"""jsonata-python, the JSONata engine sfnkit builds on: the one place that imports it.

Its first import raises the process's recursion limit to 10,000; sfnkit must not change a setting of the user's
process, so the limit is put back (deep JSONata recursion then fails as JSONata error D1011 instead). Importing it
here, and not in ``sfnkit/asl/__init__.py``, keeps its load (the largest of sfnkit's) off ``import sfnkit`` and off
machines that never evaluate JSONata.
"""

import sys

_limit = sys.getrecursionlimit()
from jsonata import JException, Jsonata  # noqa: E402
from jsonata.functions import Functions  # noqa: E402
from jsonata.parser import Parser  # noqa: E402
from jsonata.signature import Signature  # noqa: E402
from jsonata.tokenizer import Tokenizer  # noqa: E402
from jsonata.utils import Utils  # noqa: E402

sys.setrecursionlimit(_limit)
del _limit

__all__ = ["Functions", "JException", "Jsonata", "Parser", "Signature", "Tokenizer", "Utils"]
