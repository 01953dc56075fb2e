"""JavaScript JSONata 2.0.6's error messages for the errors jsonata-python raises."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from sfnkit.asl.jsonata_python import JException
from sfnkit.asl.jsonata_values import js_stringify

__all__ = ["MESSAGES", "jsonata_message", "retoken"]

# JavaScript JSONata 2.0.6's messages, where jsonata-python's differ ("Object" for "function", unquoted inserts).
# {{x}} inserts JSON.stringify(x); {{{x}}} inserts x as is. Inserts are filled from the JException's
# (current, expected, extra) in order of appearance, except where _ARGUMENT_ORDER says otherwise.
MESSAGES: Final[dict[str, str]] = {
    "S0102": "Number out of range: {{token}}",
    "S0103": "Unsupported escape sequence: \\{{token}}",
    "S0201": "Syntax error: {{token}}",
    "S0202": "Expected {{value}}, got {{token}}",
    "S0203": "Expected {{value}} before end of expression",
    "S0204": "Unknown operator: {{token}}",
    "S0205": "Unexpected token: {{token}}",
    "S0206": "Unknown expression type: {{token}}",
    "S0208": "Parameter {{value}} of function definition must be a variable name (start with $)",
    "S0211": "The symbol {{token}} cannot be used as a unary operator",
    "S0213": "The literal value {{value}} cannot be used as a step within a path expression",
    "S0214": "The right side of {{token}} must be a variable name (start with $)",
    "T0410": "Argument {{index}} of function {{token}} does not match function signature",
    "T0411": "Context value is not a compatible type with argument {{index}} of function {{token}}",
    "T0412": "Argument {{index}} of function {{token}} must be an array of {{type}}",
    "D1001": "Number out of range: {{value}}",
    "D1002": "Cannot negate a non-numeric value: {{value}}",
    "T1003": "Key in object structure must evaluate to a string; got: {{value}}",
    "T1005": "Attempted to invoke a non-function. Did you mean ${{{token}}}?",
    "T1006": "Attempted to invoke a non-function",
    "T1007": "Attempted to partially apply a non-function. Did you mean ${{{token}}}?",
    "T1008": "Attempted to partially apply a non-function",
    "D1009": "Multiple key definitions evaluate to same key: {{value}}",
    "D1011": "Stack overflow. Check for non-terminating recursive function.  Consider rewriting as tail-recursive.",
    "T2001": "The left side of the {{token}} operator must evaluate to a number",
    "T2002": "The right side of the {{token}} operator must evaluate to a number",
    "T2003": "The left side of the range operator (..) must evaluate to an integer",
    "T2004": "The right side of the range operator (..) must evaluate to an integer",
    "T2006": "The right side of the function application operator ~> must be a function",
    "T2007": "Type mismatch when comparing values {{value}} and {{value2}} in order-by clause",
    "T2008": "The expressions within an order-by clause must evaluate to numeric or string values",
    "T2009": "The values {{value}} and {{value2}} either side of operator {{token}} must be of the same data type",
    "T2010": "The expressions either side of operator {{token}} must evaluate to numeric or string values",
    "T2011": "The insert/update clause of the transform expression must evaluate to an object: {{value}}",
    "T2012": "The delete clause of the transform expression must evaluate to a string or array of strings: {{value}}",
    "D2014": "The size of the sequence allocated by the range operator (..) must not exceed 1e6.  "
    "Attempted to allocate {{value}}.",
    "D3001": "Attempting to invoke string function on Infinity or NaN",
    "D3010": "Second argument of replace function cannot be an empty string",
    "D3011": "Fourth argument of replace function must evaluate to a positive number",
    "D3012": "Attempted to replace a matched string with a non-string value",
    "D3020": "Third argument of split function must evaluate to a positive number",
    "D3030": "Unable to cast value to a number: {{value}}",
    "D3040": "Third argument of match function must evaluate to a positive number",
    "D3050": "The second argument of reduce function must be a function with at least two arguments",
    "D3060": "The sqrt function cannot be applied to a negative number: {{value}}",
    "D3061": "The power function has resulted in a value that cannot be represented as a JSON number: "
    "base={{value}}, exponent={{exp}}",
    "D3070": "The single argument form of the sort function can only be applied to an array of strings or an array "
    "of numbers.  Use the second argument to specify a comparison function",
    "D3100": "The radix of the formatBase function must be between 2 and 36.  It was given {{value}}",
    "D3110": "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {{value}}",
    "D3137": "{{{message}}}",
    "D3138": "The $single() function expected exactly 1 matching result.  Instead it matched more.",
    "D3139": "The $single() function expected exactly 1 matching result.  Instead it matched 0.",
    "D3141": "{{{message}}}",
}
_ARRAY_TYPES: Final = {"a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects", "s": "strings"}
# Codes whose jsonata-python inserts come in another order than the JavaScript template's placeholders.
_ARGUMENT_ORDER: Final[dict[str, tuple[str, ...]]] = {"D1002": ("expected",)}


def jsonata_message(error: JException) -> str:
    """JavaScript JSONata's message for *error* (falls back to jsonata-python's text)."""
    template = MESSAGES.get(error.error)
    if template is None:
        text = str(error).replace(" Object ", " function ")
        if error.error.startswith(("D308", "D309")):
            text = text.replace('"', "'")  # JavaScript quotes the picture-string terms with '...'
        return text
    order = _ARGUMENT_ORDER.get(error.error, ("current", "expected", "extra"))
    values = [getattr(error, name, None) for name in order]
    if error.error == "T0412":  # JavaScript names the item type ("numbers"), not the signature letter
        values[2] = _ARRAY_TYPES.get(str(values[2]), values[2])
    inserts: Iterator[Any] = iter(values)

    def insert(match: re.Match[str]) -> str:
        value = next(inserts, None)
        return str(value) if match.group(1) else js_stringify(value)  # {{{x}}} raw, {{x}} JSON

    return _PLACEHOLDER.sub(insert, template)


_PLACEHOLDER: Final = re.compile(r"\{\{(\{)?\w+\}?\}\}")


def retoken(error: JException, token: str) -> None:
    """Make *token* the ``{{token}}`` of *error*'s message, as JavaScript does for errors out of ``and``/``or``.

    JavaScript JSONata catches every error thrown while evaluating the right side of ``and``/``or`` and sets its
    token to the operator: a failing ``$append(...)`` there reads ``Argument 2 of function "and" ...``.
    """
    template = MESSAGES.get(error.error)
    if template is None:
        return
    names = [match.group(0).strip("{}") for match in _PLACEHOLDER.finditer(template)]
    if "token" not in names:
        return
    order = _ARGUMENT_ORDER.get(error.error, ("current", "expected", "extra"))
    position = names.index("token")
    if position < len(order):
        setattr(error, order[position], token)
